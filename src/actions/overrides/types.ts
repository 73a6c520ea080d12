import type { ActionContext } from "@prismatic-io/spectral";
import type { PipedriveClient } from "../../client";
import type { FieldEntity } from "../../customFields/catalog";
import type { JsonSchema } from "../generated/fromSpec";
import type { OperationDefinition, Param, RequestParts } from "../operation";

export type Version = "v1" | "v2";

/** What an action must do on the simulator, run with its own examples and its required inputs only. */
export type Outcome =
  | "ok"
  /** Fails before any request (InputError), for this reason. */
  | { error: "input"; why: string }
  /** Pipedrive (the simulator) refuses the request with this HTTP status, for this reason. */
  | { error: "pipedrive"; status: number; why: string };

/** An input that configurations made with Prismatic's component may hold and that is no longer sent. */
export interface KeptInput {
  label: string;
  /** Why it is not sent (shown in its comments and logged when it is set). */
  why: string;
  /** The dropdown values Prismatic's component offered, when it was a dropdown. */
  values?: string[];
  /** What each of those values means, in words, in the same order (a builder sees these). */
  labels?: string[];
}

/**
 * Everything one action does differently from its generated declaration. Every field is optional:
 * an entry lists only what differs. Apply order (src/actions/overrides/resolve.ts): operation, then
 * label/description/params, then renames, types, values, defaults, stricter, fill, notSent, entity.
 */
export interface ActionEntry {
  /**
   * The operation it runs: a generated one by version and operationId (when not the v2-first one
   * of the action key's own operationId), or a composed definition (built on first read).
   */
  operation?: { version: Version; id: string } | ((available: Set<string>) => OperationDefinition);
  label?: string;
  /** The builder-facing description, or a function of the generated one. */
  description?: string | ((generated: string) => string);
  /** Replaces the declaration's inputs (receives them, returns the new set). */
  params?: (generated: Record<string, Param>, available: Set<string>) => Record<string, Param>;
  /** Prismatic's input key -> the Pipedrive parameter or body field it sets. */
  renames?: Record<string, string>;
  /** Input keys (after renaming) that Prismatic's component declared as another spectral type. */
  types?: Record<string, "boolean" | "password">;
  /** Dropdowns whose values Prismatic's component offered beyond the spec's enum: the full list. */
  values?: Record<string, readonly (string | { label: string; value: string })[]>;
  /** Prismatic's defaults (spectral stores them as strings). */
  defaults?: Record<string, string>;
  /** Prismatic's defaults deliberately not kept: input key -> why. */
  defaultsNotKept?: Record<string, string>;
  /** Inputs required here (Pipedrive requires them) that Prismatic's component left optional: key -> why. */
  stricter?: Record<string, string>;
  /** Examples that replace the generated ones (input key -> example), where the spec gives none Pipedrive accepts. */
  examples?: Record<string, string>;
  /** Of these inputs, at least one must be set (Pipedrive refuses the request otherwise): checked before any request. */
  atLeastOne?: { inputs: string[]; why: string };
  /** Inputs Pipedrive requires that Prismatic's component did not have: optional, sent as this when empty. */
  fill?: Record<string, string>;
  /** Inputs kept for compatibility and not sent: key -> label and why. */
  notSent?: Record<string, KeptInput>;
  /** One input chooses the record type, another its id: sent as the `<type>_id` body field. */
  entity?: { type: string; id: string; fields: Record<string, string> };
  /** The record type whose custom fields it reads (writes: also takes a Custom Fields input). */
  customFields?: { entity: FieldEntity; writes: boolean };
  /** Last look at the request before it is sent; runs after the table's own preparation. */
  prepare?: (parts: RequestParts, values: Record<string, unknown>, context: ActionContext) => void;
  /** Reads from Pipedrive what the request still needs, just before it is sent. */
  lookUp?: (parts: RequestParts, client: PipedriveClient, context: ActionContext) => Promise<void>;
  /** Adds to the output with further requests; runs after custom fields are named. */
  transform?: (data: unknown, client: PipedriveClient, values: Record<string, unknown>) => Promise<unknown>;
  /** Adjusts the output schema for what `transform` adds. */
  shapeOutput?: (schema: JsonSchema) => JsonSchema;
  examplePayload?: { data: unknown };
  /** Each way the request differs from the one Prismatic's component sent, and why. */
  differences?: { what: string; why: string }[];
  /** What it must do on the simulator with its examples and required inputs only (default "ok"). */
  outcome?: Outcome;
}

/** Actions Pipedrive removed outright: they keep their key and fail before any request. */
export interface RemovedEntry {
  removed: { label: string; replacement: string; why: string };
  outcome: Extract<Outcome, { error: "input" }>;
}

export type Entry = ActionEntry | RemovedEntry;

export const isRemoved = (entry: Entry | undefined): entry is RemovedEntry => Boolean(entry && "removed" in entry);
