import { linkedIdInput } from "../../inputs/ids";
import { toDefinition } from "../generated/fromSpec";
import { inQuery, type OperationDefinition } from "../operation";
import { findOperation } from "./resolve";
import type { KeptInput } from "./types";

/** Shared pieces of entries: composed operations and the reasons several entries give. */

type Related = { record: "deal" | "person" | "organization"; list: "activities" | "persons" | "deals" };
const QUERY: Record<Related["record"], string> = { deal: "deal_id", person: "person_id", organization: "org_id" };
const LIST: Record<Related["list"], string> = { activities: "getActivities", persons: "getPersons", deals: "getDeals" };

/** A v1-era "records of a record" list, now the v2 list filtered by the record's id (input key `id`). */
export const relatedList =
  ({ record, list }: Related, label: string) =>
  (available: Set<string>): OperationDefinition => {
    const base = toDefinition(findOperation("v2", LIST[list]), available);
    const query = QUERY[record];
    const params = { ...base.params };
    delete params[query.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())];
    return {
      ...base,
      label,
      description: `List the ${list} of a ${record}, on GET /api/v2/${list}?${query}= (Pipedrive's v1 endpoint for this is out of support).`,
      params: {
        id: inQuery(query, linkedIdInput(record, { comments: `The ${record} whose ${list} to list.` })),
        ...params,
      },
    };
  };

/**
 * Get Pipeline Deals and Get Stage Deals list v2 deals filtered by the pipeline or stage (cursor,
 * sort), not Pipedrive's deprecated v1 /pipelines/{id}/deals and /stages/{id}/deals.
 */
export const dealsOf =
  (record: "pipeline" | "stage", label: string) =>
  (available: Set<string>): OperationDefinition => {
    const base = toDefinition(findOperation("v2", "getDeals"), available);
    const params = { ...base.params };
    delete params[`${record}Id`];
    return {
      ...base,
      label,
      description: `List the deals of a ${record}, on GET /api/v2/deals?${record}_id= (Pipedrive has deprecated GET /api/v1/${record}s/{id}/deals).`,
      params: {
        id: inQuery(`${record}_id`, linkedIdInput(record, { comments: `The ${record} whose deals to list.` })),
        ...params,
      },
    };
  };

export const EXACT_MATCH = { types: { exactMatch: "boolean" }, defaults: { exactMatch: "false" } } as const;

/** Why an update action does not keep Prismatic's default of an input. */
export const ON_UPDATE = (what: string) =>
  `an update sends only the inputs that are set, and a default would ${what} on every update that did not mean to; configurations that stored the old default keep sending it.`;

export const FILES_DELETED: KeptInput = {
  label: "Include Deleted Files",
  values: ["0", "1"],
  why: "Pipedrive's current spec of this endpoint has no include_deleted_files parameter (Get Files has it).",
};

export const CURSOR_ON_OFFSET: KeptInput = {
  label: "Cursor",
  why: "this v1 list pages by offset; use Start (next_start of the previous page).",
};

/** The outcome of an update run with required inputs only: every field is optional, so nothing is sent. */
export const NOTHING_TO_CHANGE = {
  error: "input",
  why: "with required inputs only there is nothing to change (set at least one field)",
} as const;
