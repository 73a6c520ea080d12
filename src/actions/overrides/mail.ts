import type { ActionEntry } from "./types";

export const mail: Record<string, ActionEntry> = {
  getMailMessage: { defaults: { includeBody: "1" } },
  getMailThreads: { defaults: { folder: "inbox" } },
};
