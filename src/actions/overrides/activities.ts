import { NOTHING_TO_CHANGE } from "./compose";
import type { ActionEntry } from "./types";

/** Type takes an activity type's key; "call" is one every Pipedrive account has. */
const TYPE_EXAMPLE = { type: "call" };

export const activities: Record<string, ActionEntry> = {
  getActivity: { customFields: { entity: "activity", writes: false } },
  getActivities: { defaults: { sortDirection: "desc" }, customFields: { entity: "activity", writes: false } },
  addActivity: { examples: TYPE_EXAMPLE, customFields: { entity: "activity", writes: true } },
  updateActivity: {
    examples: TYPE_EXAMPLE,
    customFields: { entity: "activity", writes: true },
    outcome: NOTHING_TO_CHANGE,
  },
};
