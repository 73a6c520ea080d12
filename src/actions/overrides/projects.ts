import { NOTHING_TO_CHANGE } from "./compose";
import type { ActionEntry } from "./types";

/** The spec gives Status no enum, so the generated example would be a word Pipedrive refuses. */
const STATUS_EXAMPLE = { status: "open" };

export const projects: Record<string, ActionEntry> = {
  addProject: { examples: STATUS_EXAMPLE },
  updateProject: { examples: STATUS_EXAMPLE, outcome: NOTHING_TO_CHANGE },
};
