import { type ActionOutputSchema, type InputFieldDefinition, input } from "@prismatic-io/spectral";
import { InputError } from "../../client/errors";
import { choiceInput, clean, idInput, optionalIdInput } from "../../inputs";
import { dataSourceOf, idLabelOf, type RecordKind } from "../../inputs/ids";
import type { OperationDefinition, Param } from "../operation";
import { humanize } from "./humanize";
import { OPERATIONS, RESPONSES } from "./operations";
import type { GeneratedField, GeneratedOperation, OutputSchemaNode } from "./types";

/**
 * Turns the declarations generated from Pipedrive's specs into operation definitions for the one
 * action helper: every current Pipedrive operation becomes an action, v2 first.
 */

const sentenceCase = (text: string) => text[0].toUpperCase() + text.slice(1);

export { humanize };

export const camel = (name: string): string => name.replace(/[_-]+([a-z0-9])/gi, (_, c: string) => c.toUpperCase());

/** Record ids that have a dropdown: by field name, and by collection for a path's {id}. */
const ID_KINDS: Record<string, RecordKind> = {
  deal_id: "deal",
  person_id: "person",
  org_id: "organization",
  organization_id: "organization",
  pipeline_id: "pipeline",
  stage_id: "stage",
  owner_id: "user",
  user_id: "user",
  creator_user_id: "user",
  follower_id: "user",
  assignee_id: "user",
  manager_id: "user",
  product_id: "product",
  filter_id: "filter",
  lead_id: "lead",
  activity_id: "activity",
  file_id: "file",
  project_id: "project",
  rel_owner_org_id: "organization",
  rel_linked_org_id: "organization",
};
const COLLECTION_KINDS: Record<string, RecordKind> = {
  deals: "deal",
  persons: "person",
  organizations: "organization",
  pipelines: "pipeline",
  stages: "stage",
  users: "user",
  products: "product",
  filters: "filter",
  leads: "lead",
  activities: "activity",
  files: "file",
  projects: "project",
  leadLabels: "leadLabel",
};

/** The kind of record a field names, when it has a dropdown. */
function recordKindOf(op: GeneratedOperation, field: GeneratedField): RecordKind | undefined {
  const collection = op.path.split("/")[1];
  const name = (field.name.split(".").pop() as string).replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
  return (field.in === "path" && field.name === "id") || name === "merge_with_id"
    ? COLLECTION_KINDS[collection]
    : ID_KINDS[name];
}

function dataSourceFor(op: GeneratedOperation, field: GeneratedField, available: Set<string>): string | undefined {
  const kind = recordKindOf(op, field);
  const key = kind && dataSourceOf(kind);
  return key && available.has(key) ? key : undefined;
}

const FIELD_SOURCES: Record<string, string> = {
  dealFields: "selectDealField",
  personFields: "selectPersonField",
  organizationFields: "selectOrganizationField",
  productFields: "selectProductField",
  activityFields: "selectActivityField",
};

/** Text inputs with a dropdown: field codes, currency codes, activity types. */
function textDataSourceFor(op: GeneratedOperation, field: GeneratedField, available: Set<string>): string | undefined {
  const collection = op.path.split("/")[1];
  const key =
    field.name === "field_code"
      ? FIELD_SOURCES[collection]
      : field.name === "currency"
        ? "selectCurrency"
        : field.name === "type" && collection === "activities"
          ? "selectActivityType"
          : undefined;
  return key && available.has(key) ? key : undefined;
}

/** Pipedrive's visibility levels, as the hand-written inputs name them (src/inputs). */
const VISIBILITY: Record<string, string> = {
  "1": "Owner & followers",
  "3": "Entire company",
  "5": "Owner's visibility group",
  "7": "Owner's visibility group and sub-groups",
};
const WORDS: Record<string, string> = { asc: "Ascending", desc: "Descending", "*": "All", id: "ID" };

/** A dropdown label in words: the spec's own (its table of values), else the value made readable. */
function choiceLabel(field: GeneratedField, value: string | number): string {
  const text = String(value);
  // The spec's label, without a parenthesis that names fields ("A full week (7 days) starting from start_date").
  if (field.name === "visible_to" && VISIBILITY[text]) return VISIBILITY[text];
  if (field.labels?.[text]) return field.labels[text].replace(/\s*[(]?[^(]*_[a-z][^)]*[)]?$/, "");
  const values = (field.values ?? []).map(String);
  if (field.name === "value" && values.every((v) => v in VISIBILITY)) return VISIBILITY[text];
  if (values.length === 2 && values.includes("0") && values.includes("1")) return text === "1" ? "Yes" : "No";
  if (WORDS[text]) return WORDS[text];
  if (/^[\d.]+$/.test(text)) return `${humanize(field.name.split(".").pop() as string)} ${text}`;
  return sentenceCase(
    humanize(text)
      .replace(/ ID$/, " ID")
      .toLowerCase()
      .replace(/\bid\b/g, "ID"),
  );
}

const BOOLEAN_CHOICES = [
  { label: "Yes", value: "true" },
  { label: "No", value: "false" },
] as const;

/** An example every field of this type accepts, for fields whose spec gives none. */
function fallbackExample(field: GeneratedField): string | undefined {
  switch (field.type) {
    case "integer":
      return "1";
    case "number":
      return "10";
    case "boolean":
      return "true";
    case "enum":
      return field.values?.length ? String(field.values[0]) : undefined;
    case "uuid[]":
      return "adf21080-0e10-11eb-879b-05d71fb426ec";
    case "integer[]":
      return "1,2";
    case "string[]":
      return "alpha";
    default:
      return undefined;
  }
}

/**
 * The spec's example when the input accepts it, else one built from the field's type. Only the
 * spec's examples are run through the input's clean (the built ones fit their type; the examples
 * test runs every action with them), which keeps cold start cheap.
 */
function exampleOf(field: GeneratedField, built: InputFieldDefinition): InputFieldDefinition {
  const current = (built as { example?: string }).example;
  const fromSpec = field.example !== undefined && current === String(field.example);
  if (current !== undefined && (!fromSpec || accepts(built, current))) return built;
  const fallback = fallbackExample(field);
  if (fallback !== undefined) return { ...built, example: fallback } as InputFieldDefinition;
  const { example: _dropped, ...rest } = built as { example?: string };
  return rest as InputFieldDefinition;
}

function accepts(built: InputFieldDefinition, value: string): boolean {
  try {
    (built as { clean?: (value: unknown) => unknown }).clean?.(value);
    return true;
  } catch {
    return false;
  }
}

function buildInput(op: GeneratedOperation, field: GeneratedField, available: Set<string>): InputFieldDefinition {
  return exampleOf(field, buildTypedInput(op, field, available));
}

function buildTypedInput(op: GeneratedOperation, field: GeneratedField, available: Set<string>): InputFieldDefinition {
  const pathIdKind = field.in === "path" && field.name === "id" ? recordKindOf(op, field) : undefined;
  const label =
    field.name === "body"
      ? "Body"
      : pathIdKind
        ? idLabelOf(pathIdKind)
        : field.name === "custom_fields" && field.in === "query"
          ? "Custom Field Keys"
          : humanize(field.name).replace(/ ID$/, field.type === "integer[]" ? " IDs" : " ID");
  const comments =
    field.name === "visible_to"
      ? `Who can see the record. Which values apply depends on the company's plan and visibility settings. ${op.method === "POST" ? "When empty, Pipedrive uses the owner's default visibility." : "When empty, the visibility stays as it is."}`
      : (field.description ?? `${label}.`);
  const required = Boolean(field.required);
  const example = field.example !== undefined ? String(field.example) : undefined;
  const base = { label, comments, required, ...(example ? { example } : {}) };
  switch (field.type) {
    case "integer": {
      const isId = field.name === "id" || /(_id|[a-z]Id)$/.test(field.name);
      if (isId) {
        const dataSource = dataSourceFor(op, field, available);
        return (required ? idInput : optionalIdInput)({ label, comments, ...(dataSource ? { dataSource } : {}) });
      }
      return input({
        ...base,
        type: "string",
        clean: required ? clean.integer(label) : clean.optionalInteger(label, Number.MIN_SAFE_INTEGER),
      });
    }
    case "number":
      return input({ ...base, type: "string", clean: required ? clean.number(label) : clean.optionalNumber(label) });
    case "boolean": {
      const choice = choiceInput({ label, comments, choices: BOOLEAN_CHOICES, required });
      return {
        ...choice,
        clean: (value: unknown) => (choice.clean(value) === undefined ? undefined : choice.clean(value) === "true"),
      };
    }
    case "enum": {
      const values = field.values ?? [];
      const numeric = values.every((value) => typeof value === "number");
      const choice = choiceInput({
        label,
        comments,
        required,
        choices: values.map((value) => ({ label: choiceLabel(field, value), value: String(value) })),
        ...(example && values.map(String).includes(example) ? { example } : {}),
      });
      if (field.in === "query" && field.name === "sort_by")
        return { ...choice, clean: clean.optionalSortField(label, values.map(String)) };
      return numeric
        ? {
            ...choice,
            clean: (value: unknown) => (choice.clean(value) === undefined ? undefined : Number(choice.clean(value))),
          }
        : choice;
    }
    case "date":
      return input({
        ...base,
        example: example ?? "2026-01-31",
        type: "string",
        placeholder: "YYYY-MM-DD",
        clean: required
          ? (v: unknown) => clean.optionalDate(label)(v) ?? clean.text(label)(v)
          : clean.optionalDate(label),
      });
    case "date-time":
      return input({
        ...base,
        example: example ?? "2026-01-31T09:30:00Z",
        type: "string",
        placeholder: "2026-01-31T09:30:00Z",
        clean: required
          ? (v: unknown) => clean.optionalDateTime(label)(v) ?? clean.text(label)(v)
          : clean.optionalDateTime(label),
      });
    case "utc-date-time":
      return input({
        ...base,
        example: example ?? "2026-01-31 09:30:00",
        type: "string",
        placeholder: "YYYY-MM-DD HH:MM:SS",
        comments: `${comments} In UTC, as YYYY-MM-DD HH:MM:SS (a date-time with a time zone is converted).`,
        clean: required ? clean.utcDateTime(label) : clean.optionalUtcDateTime(label),
      });
    case "sort-list": {
      const values = (field.values ?? []).map(String);
      const expected = `fields among ${values.join(", ")}, each optionally followed by ASC or DESC, comma-separated (e.g. ${values[1] ?? values[0]} ASC, ${values[0]} DESC)`;
      return input({
        ...base,
        type: "string",
        example: `${values[1] ?? values[0]} ASC, ${values[0]} DESC`,
        comments: `${comments} Fields: ${values.join(", ")}; each may be followed by ASC or DESC.`,
        clean: (value: unknown) => {
          const items = clean.optionalTextList(label)(value);
          if (!items?.length) return required ? clean.text(label)(value) : undefined;
          return items
            .map((item) => {
              const m = /^(\S+)(?:\s+(asc|desc))?$/i.exec(item);
              if (!m || !values.includes(m[1])) throw new InputError(`${label}: expected ${expected}, got "${item}".`);
              return m[2] ? `${m[1]} ${m[2].toUpperCase()}` : m[1];
            })
            .join(", ");
        },
      });
    }
    case "contact-list": {
      const one = field.name === "phones" ? "+15551234567" : "ada@example.com";
      const two = field.name === "phones" ? "+15559876543" : "bob@example.com";
      return input({
        ...base,
        type: "string",
        example: `${one},${two}`,
        comments: `${comments}: one, or several comma-separated (e.g. ${one},${two}), or JSON such as [{"value": "${one}", "primary": true, "label": "work"}].`,
        clean: clean.optionalContactList(label),
      });
    }
    case "uuid": {
      const dataSource =
        field.name === "lead_id" || (field.in === "path" && field.name === "id")
          ? dataSourceFor(op, field, available)
          : undefined;
      return input({
        ...base,
        type: "string",
        ...(example ? {} : { example: "adf21080-0e10-11eb-879b-05d71fb426ec" }),
        ...(dataSource ? { dataSource } : {}),
        clean: required ? clean.uuid(label) : clean.optionalUuid(label),
      });
    }
    case "uuid[]":
      return input({
        ...base,
        type: "string",
        comments: `${comments} Comma-separated UUIDs.`,
        clean: (value: unknown) =>
          clean
            .optionalTextList(label)(value)
            ?.map((item) => clean.uuid(label)(item)),
      });
    case "url":
      return input({
        ...base,
        type: "string",
        ...(example ? {} : { example: "https://example.com" }),
        clean: (value: unknown) => {
          const url = clean.optionalPattern(
            label,
            /^https?:\/\/\S+$/i,
            "an http(s) URL such as https://example.com",
          )(value);
          return required && url === undefined ? clean.text(label)(value) : url;
        },
      });
    case "enum-csv": {
      const values = (field.values ?? []).map(String);
      return input({
        ...base,
        type: "string",
        example: values.slice(0, 2).join(","),
        comments: `${comments} One or more of ${values.join(", ")}, comma-separated.`,
        clean: (value: unknown) => {
          const items = clean.optionalTextList(label)(value);
          if (!items?.length) return required ? clean.text(label)(value) : undefined;
          return items.map((item) => clean.choice(label, values)(item)).join(",");
        },
      });
    }
    case "integer-csv":
      return input({
        ...base,
        type: "string",
        example: "1,2,3",
        comments: `${comments} Comma-separated IDs, e.g. 1,2,3.`,
        clean: (value: unknown) => clean.optionalIdList(label, 100)(value)?.join(","),
      });
    case "integer[]":
      return input({
        ...base,
        type: "string",
        comments: `${comments} Comma-separated, e.g. 1,2,3.`,
        clean: clean.optionalIdList(label, 1000),
      });
    case "string[]":
      return input({
        ...base,
        type: "string",
        comments: `${comments} Comma-separated.`,
        clean: clean.optionalTextList(label),
      });
    case "json":
      return input({
        ...base,
        type: "code",
        language: "json",
        ...(example ? {} : { example: field.template ?? (field.shape === "array" ? "[]" : "{}") }),
        clean: required ? clean.json(label, field.shape ?? "any") : clean.optionalJson(label, field.shape ?? "any"),
      });
    case "file":
      return input({
        ...base,
        type: "data",
        clean: (value: unknown) => (value === undefined || value === null || value === "" ? undefined : value),
      });
    default: {
      const dataSource = textDataSourceFor(op, field, available);
      return input({
        ...base,
        type: "string",
        ...(dataSource ? { dataSource } : {}),
        clean: isTextId(field)
          ? required
            ? clean.textId(label)
            : clean.optionalTextId(label)
          : required
            ? clean.text(label)
            : clean.optionalText(label),
      });
    }
  }
}

/** Path parameters and *_id fields typed as text are IDs: sent trimmed. */
const isTextId = (field: GeneratedField) => field.in === "path" || /(^id$|[_-]id$|[a-z]Id$)/.test(field.name);

/** Input key per field: `id` for a path id, camelCase otherwise; a clash gets its location as prefix. */
export function paramsFor(op: GeneratedOperation, available: Set<string>): Record<string, Param> {
  const params: Record<string, Param> = {};
  for (const field of op.fields) {
    let key = field.in === "path" && field.name === "id" ? "id" : camel(field.name);
    if (key === "connection" || params[key]) key = camel(`${field.in}_${field.name}`);
    params[key] = { in: field.in, name: field.name, input: buildInput(op, field, available) };
  }
  if (op.body === "multipart" && op.fields.some((field) => field.type === "file"))
    params.fileName = {
      in: "body",
      name: "file_name",
      input: input({
        label: "File Name",
        type: "string",
        required: false,
        comments: "The file's name as Pipedrive shows it, with its extension.",
        example: "proposal.pdf",
        clean: clean.optionalText("File Name"),
      }),
    };
  return params;
}

export function toDefinition(op: GeneratedOperation, available: Set<string>): OperationDefinition {
  // The endpoint is in docs/actions.md, not in the designer.
  const notes = [
    op.description ?? sentenceCase(op.summary).replace(/\.?$/, "."),
    op.deprecated ? "Pipedrive has deprecated this endpoint." : undefined,
  ].filter(Boolean);
  return {
    label: humanize(op.id),
    description: notes.join(" "),
    method: op.method,
    version: op.version,
    path: op.path,
    params: paramsFor(op, available),
    ...(op.list ? { list: op.list } : {}),
    ...(op.maxPageSize ? { maxPageSize: op.maxPageSize } : {}),
    ...(op.body ? { body: op.body } : {}),
    ...(op.download ? { download: true } : {}),
    examplePayload: {
      data: op.download
        ? "(file bytes)"
        : op.list
          ? {
              success: true,
              data: [],
              additional_data:
                op.list === "cursor"
                  ? { next_cursor: null }
                  : { pagination: { start: 0, limit: 100, more_items_in_collection: false } },
            }
          : { success: true, data: {} },
    },
  };
}

/** Operations on oauth.pipedrive.com belong to the OAuth connection, not to actions. */
const isOAuth = (op: GeneratedOperation) => op.path.startsWith("/oauth/");

/**
 * One declaration per action key: the v2 operation where both specs share an operationId (v1's is
 * superseded), v1 otherwise.
 */
export function generatedOperations(): Map<string, GeneratedOperation> {
  const byKey = new Map<string, GeneratedOperation>();
  for (const op of OPERATIONS) {
    if (isOAuth(op)) continue;
    const existing = byKey.get(op.id);
    if (!existing || (existing.version === "v1" && op.version === "v2")) byKey.set(op.id, op);
  }
  return byKey;
}

export { OPERATIONS } from "./operations";

/** spectral's JsonSchema type (what outputSchema takes), its draft-07 member. */
export type JsonSchema = Extract<ActionOutputSchema["schema"], { exclusiveMaximum?: number }>;

const operationsByRoute = new Map<string, GeneratedOperation>();
const resolvedSchemas = new Map<string, JsonSchema>();

/** A shared response schema with its `$ref`s replaced by the schemas they name (resolved once, shared). */
function resolved(name: string): JsonSchema {
  let schema = resolvedSchemas.get(name);
  if (!schema) {
    schema = inline(RESPONSES[name]);
    resolvedSchemas.set(name, schema);
  }
  return schema;
}

function inline(node: OutputSchemaNode): JsonSchema {
  if (node.$ref) return resolved(node.$ref.slice("#/$defs/".length));
  const out: Record<string, unknown> = { ...node };
  if (node.properties)
    out.properties = Object.fromEntries(Object.entries(node.properties).map(([key, value]) => [key, inline(value)]));
  if (node.items) out.items = inline(node.items);
  if (node.anyOf) out.anyOf = node.anyOf.map(inline);
  if (typeof node.additionalProperties === "object") out.additionalProperties = inline(node.additionalProperties);
  return out as JsonSchema;
}

/**
 * The JSON Schema of what Pipedrive answers on METHOD /api/{version}{path}, from the official specs
 * (trimmed to types and properties). Undefined when the spec documents no JSON response.
 */
export function responseSchemaOf(version: "v1" | "v2", method: string, path: string): JsonSchema | undefined {
  if (!operationsByRoute.size)
    for (const op of OPERATIONS) operationsByRoute.set(`${op.version} ${op.method} ${op.path}`, op);
  const name = operationsByRoute.get(`${version} ${method} ${path}`)?.response;
  return name ? resolved(name) : undefined;
}
