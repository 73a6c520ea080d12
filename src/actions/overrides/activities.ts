import type { ActionEntry } from "./types";

export const activities: Record<string, ActionEntry> = {
  getActivity: { customFields: { entity: "activity", writes: false } },
  getActivities: { defaults: { sortDirection: "desc" }, customFields: { entity: "activity", writes: false } },
  addActivity: { customFields: { entity: "activity", writes: true } },
  updateActivity: { customFields: { entity: "activity", writes: true } },
};
