/**
 * THE OVERRIDE TABLE: one entry per action that is not plain generated, keyed by action key.
 *
 * Layout: one file per resource (deals.ts, persons.ts, organizations.ts, products.ts, projects.ts, activities.ts,
 * leads.ts, files.ts, pipelines.ts, fields.ts, webhooks.ts, mail.ts, notes.ts, users.ts, subscriptions.ts;
 * updates.ts holds generated updates that differ only in their stated outcome),
 * each exporting `Record<actionKey, Entry>`; this file merges them into `OVERRIDES`. The entry type
 * is `ActionEntry` in ./types.ts (every field optional; list only what differs from the generated
 * declaration of src/actions/generated/operations.ts): the operation it runs (`operation`), label,
 * description, input renames (Prismatic's key -> Pipedrive parameter), types, defaults (and
 * `defaultsNotKept` with the reason), `notSent` inputs kept for compatibility (with the reason),
 * `stricter` required inputs, `customFields`, `prepare`, `transform`, `differences` from
 * Prismatic's request and the expected `outcome` on the simulator (default "ok"). A `RemovedEntry`
 * (`removed`) keeps the key of an action Pipedrive removed and fails before any request.
 *
 * One resolver (./resolve.ts) turns declaration + entry into the OperationDefinition the action
 * helper (src/actions/operation.ts) takes; nothing else changes an action's inputs or request.
 * Entries are data and closures: nothing is built until an action is first read (src/lazy.ts).
 *
 * To add or change an action: add or edit its entry in the resource's file (a new resource: a new
 * file, added to the list below). Example, Add Stage keeps Prismatic's input keys and types:
 *   addStage: { renames: { rottenFlag: "is_deal_rot_enabled" }, types: { rottenFlag: "boolean" },
 *               defaults: { rottenFlag: "false" } }
 */
import { activities } from "./activities";
import { deals } from "./deals";
import { fields } from "./fields";
import { fileEntries } from "./files";
import { leadEntries } from "./leads";
import { mail } from "./mail";
import { notes } from "./notes";
import { organizations } from "./organizations";
import { persons } from "./persons";
import { pipelines } from "./pipelines";
import { products } from "./products";
import { projects } from "./projects";
import { subscriptions } from "./subscriptions";
import type { ActionEntry, Entry, Outcome } from "./types";
import { updates } from "./updates";
import { users } from "./users";
import { webhooks } from "./webhooks";

export type { ActionEntry, Entry, Outcome, RemovedEntry } from "./types";
export { isRemoved } from "./types";

const RESOURCES: Record<string, Entry>[] = [
  activities,
  deals,
  fields,
  fileEntries,
  leadEntries,
  mail,
  notes,
  organizations,
  persons,
  pipelines,
  products,
  projects,
  subscriptions,
  updates,
  users,
  webhooks,
];

/** Every entry, keyed by action key (a key in two files is a mistake, refused at load). */
export const OVERRIDES: Record<string, Entry> = {};
for (const resource of RESOURCES)
  for (const [key, entry] of Object.entries(resource)) {
    if (key in OVERRIDES) throw new Error(`Action ${key} has two override entries`);
    OVERRIDES[key] = entry;
  }

/** What an action must do on the simulator with required inputs only (src/actions/overrides/types.ts). */
export const outcomeOf = (key: string): Outcome => OVERRIDES[key]?.outcome ?? "ok";

/** The entry of an action that runs an operation (not a removed one), if any. */
export const operationEntry = (key: string): ActionEntry | undefined => {
  const entry = OVERRIDES[key];
  return entry && !("removed" in entry) ? entry : undefined;
};
