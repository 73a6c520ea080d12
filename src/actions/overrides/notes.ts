import type { ActionEntry } from "./types";

export const notes: Record<string, ActionEntry> = {
  addNote: {
    atLeastOne: {
      inputs: ["dealId", "personId", "orgId", "leadId", "projectId", "taskId"],
      why: "Pipedrive attaches every note to a deal, person, organization, lead, project or task.",
    },
    outcome: { error: "input", why: "with required inputs only, the note is attached to no record" },
  },
};
