import type { ActionEntry } from "./types";

export const users: Record<string, ActionEntry> = {
  findUsersByName: { defaults: { searchByEmail: "1" } },
};
