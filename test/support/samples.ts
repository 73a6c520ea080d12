import component from "../../src";
import { actionDefinitions } from "../../src/actions";
import { OPERATIONS } from "../../src/actions/generated/fromSpec";
import type { GeneratedField } from "../../src/actions/generated/types";
import type { TestBed } from "./setup";

/** Valid sample inputs for every action, from the generated field types (or the inputs' own examples). */
export interface ConvertedInput {
  key: string;
  label: string | { key: string; value: string };
  required?: boolean;
  model?: { value: string }[];
  example?: string;
  default?: unknown;
  type: string;
  collection?: string;
}
export const actions = component.actions as unknown as Record<string, { inputs: ConvertedInput[] }>;

export interface SampleContext {
  bed: TestBed;
  leadId: string;
  /** A lead label of the run (lead label inputs and paths take its UUID). */
  leadLabelId?: string;
  /** Saved filters seeded for the run, by the list path they filter (e.g. "/deals" -> its id). */
  filterIds?: Record<string, string>;
  /** Set by sampleParams: the action being sampled. */
  actionKey?: string;
}

/** The Pipedrive filter type (v1 /filters `type`) that each v2 list's `filter_id` takes. */
export const FILTER_TYPE_OF_LIST: Record<string, string> = {
  "/deals": "deals",
  "/persons": "people",
  "/organizations": "org",
  "/activities": "activity",
};

export function fieldsOf(key: string): Map<string, GeneratedField> {
  // The operation the action's declaration calls, and the field behind each of its input keys.
  const definition = actionDefinitions[key];
  const op =
    definition &&
    OPERATIONS.find(
      (o) => o.version === definition.version && o.method === definition.method && o.path === definition.path,
    );
  const fieldsByKey = new Map<string, GeneratedField>();
  if (op)
    for (const [inputKey, param] of Object.entries(definition.params ?? {})) {
      const field = op.fields.find((f) => f.name === param.name && f.in === param.in);
      if (field) fieldsByKey.set(inputKey, field);
    }
  return fieldsByKey;
}

const path = (ctx: SampleContext) => actionDefinitions[ctx.actionKey ?? ""]?.path ?? "";

export function sample(
  ctx: SampleContext,
  field: GeneratedField | undefined,
  key: string,
  input: ConvertedInput,
): unknown {
  if (input.type === "connection") return ctx.bed.oauth;
  if (input.model?.length) return input.model[0].value;
  if (input.collection === "keyvaluelist") return [];
  if (input.type === "boolean") return "false";
  if (key === "customFields" && !field) return "{}";
  if (field?.name === "filter_id" && ctx.filterIds) {
    const path = actionDefinitions[ctx.actionKey ?? ""]?.path ?? "";
    if (ctx.filterIds[path]) return ctx.filterIds[path];
  }
  switch (field?.type) {
    case "integer":
      return "1";
    case "number":
      return "10";
    case "boolean":
      return "true";
    case "date":
      return "2026-01-31";
    case "date-time":
      return "2026-01-31T09:30:00Z";
    case "sort-list":
      return `${field.values?.[0]} DESC`;
    case "contact-list":
      return field.name === "phones" ? "+15551234567" : "ada@example.com";
    case "utc-date-time":
      return "2026-01-31 09:30:00";
    case "integer[]":
      return "1";
    case "string[]":
      return "alpha";
    case "json":
      return input.example ?? field.template ?? (field.shape === "array" ? "[]" : "{}");
    case "uuid[]":
      return field.name === "label_ids" && ctx.leadLabelId ? ctx.leadLabelId : "6f1c3a52-9d0e-4f0b-8a3e-2b7c9d1e4f5a";
    case "url":
      return "https://example.com/page";
    case "enum-csv":
      return String(field.values?.[0]);
    case "integer-csv":
      return "1,2";
    case "uuid":
      if (ctx.leadLabelId && field.in === "path" && field.name === "id" && path(ctx).startsWith("/leadLabels"))
        return ctx.leadLabelId;
      return field.name === "lead_id" || (field.name === "id" && field.in === "path")
        ? ctx.leadId
        : "6f1c3a52-9d0e-4f0b-8a3e-2b7c9d1e4f5a";
    case "file":
      return { data: Buffer.from("hello"), contentType: "text/plain" };
    default:
      break;
  }
  const name = field?.name ?? key;
  if (/lead_id|^id$/.test(name) && field?.type === "string") return ctx.leadId;
  if (key === "url" && !field) return "/users/me";
  if (key === "leadId") return ctx.leadId;
  if (/email/i.test(name)) return "ada@example.com";
  if (/url/i.test(name)) return "https://example.com/page";
  if (/term/.test(name)) return "Acme";
  if (key === "id" || /ID$/.test(key) || /Id$/.test(key)) return "1";
  if (input.example) return input.example;
  if (typeof input.default === "string" && input.default !== "") return input.default;
  if (input.type === "code") return "{}";
  return "Sample";
}

export function sampleParams(ctx: SampleContext, key: string, all: boolean): Record<string, unknown> {
  const fieldsByKey = fieldsOf(key);
  const params: Record<string, unknown> = {};
  for (const input of actions[key].inputs) {
    if (!input.required && !all && input.type !== "connection") continue;
    if (["fetchAll", "maxRecords", "cursor", "start"].includes(input.key)) continue;
    params[input.key] = sample({ ...ctx, actionKey: key }, fieldsByKey.get(input.key), input.key, input);
  }
  return params;
}
