import { SORT_BY, UTC_TIME } from "./reasons";
import type { ActionEntry } from "./types";

export const activities: Record<string, ActionEntry> = {
  getActivity: { customFields: { entity: "activity", writes: false } },
  getActivities: {
    differences: [{ what: "query.sort_by", why: SORT_BY }],
    defaults: { sortDirection: "desc" },
    customFields: { entity: "activity", writes: false },
  },
  addActivity: { customFields: { entity: "activity", writes: true } },
  updateActivity: { customFields: { entity: "activity", writes: true } },
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
