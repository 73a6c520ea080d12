import { NOTHING_TO_CHANGE } from "./compose";
import { SORT_BY, UTC_TIME } from "./reasons";
import type { ActionEntry } from "./types";

/** Type takes an activity type's key; "call" is one every Pipedrive account has. */
const TYPE_EXAMPLE = { type: "call" };

export const activities: Record<string, ActionEntry> = {
  getActivity: { customFields: { entity: "activity", writes: false } },
  getActivities: {
    differences: [{ what: "query.sort_by", why: SORT_BY }],
    defaults: { sortDirection: "desc" },
    customFields: { entity: "activity", writes: false },
  },
  addActivity: { examples: TYPE_EXAMPLE, customFields: { entity: "activity", writes: true } },
  updateActivity: {
    examples: TYPE_EXAMPLE,
    customFields: { entity: "activity", writes: true },
    outcome: NOTHING_TO_CHANGE,
  },
  addCallLog: {
    differences: [
      { what: "body.start_time", why: UTC_TIME },
      { what: "body.end_time", why: UTC_TIME },
    ],
  },
  getUserCallLogs: {
    differences: [
      {
        what: "query.limit",
        why: "Pipedrive's maximum page size for call logs is 50: a larger Limit is lowered to 50, with a warning.",
      },
    ],
  },
};
