/**
 * npm run generate:operations
 *
 * Reads Pipedrive's official OpenAPI specs (../shared/pipedrive-openapi/) and writes
 * src/actions/generated/operations.ts: one compact declaration per operation (method, path,
 * version, parameters and top-level body fields with their types, descriptions and enums), and
 * RESPONSES: each operation's response schema, trimmed for outputSchema and written once (shared
 * parts named and referenced; the simulator's response-type corrections applied).
 * The action helper turns each declaration into an action at load time. The file is committed
 * (the specs are not shipped); rerun this script when Pipedrive publishes new specs.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { CORRECTIONS, commaListCorrection } from "../sim/corrections";
import { customFieldKey } from "../sim/seed";
import { applyResponseCorrections } from "../sim/spec";
import { humanize } from "../src/actions/generated/humanize";
import type { FieldType, GeneratedField, GeneratedOperation, OutputSchemaNode } from "../src/actions/generated/types";
import type { FieldEntity } from "../src/customFields/catalog";
import { cleanSpecText, sentencesOf } from "./specText";

const specDir = process.env.PIPEDRIVE_OPENAPI_DIR ?? path.resolve(__dirname, "../../shared/pipedrive-openapi");
const outFile = path.resolve(__dirname, "../src/actions/generated/operations.ts");

type Schema = Record<string, unknown>;
type Spec = { paths: Record<string, Record<string, Schema>>; components?: { schemas?: Record<string, Schema> } };

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

const isPlainCommaList = (version: "v1" | "v2", operationId: string, parameter: string) => {
  const correction = commaListCorrection(version, operationId, parameter);
  return correction !== undefined && !correction.sortModes;
};

/** The simulator's corrections (sim/corrections.ts) of one operation, so actions and simulator agree. */
const correctionsOf = (version: "v1" | "v2", operationId: string) =>
  CORRECTIONS.filter((c) => c.version === version && c.operationId === operationId);
/** Handled by the list inputs (Fetch All, Limit, Cursor/Start), not declared per operation. */
const PAGING_PARAMS = new Set(["cursor", "start", "limit"]);

function deref(spec: Spec, schema: unknown): Schema {
  let current = (schema ?? {}) as Schema;
  for (let i = 0; i < 10 && typeof current.$ref === "string"; i++) {
    const name = (current.$ref as string).split("/").pop() as string;
    current = spec.components?.schemas?.[name] ?? {};
  }
  return current;
}

/** Top-level properties of a body schema, merging allOf and taking the first oneOf/anyOf branch. */
function flatten(
  spec: Spec,
  schema: unknown,
): { properties: Record<string, Schema>; required: string[]; isObject: boolean } {
  const s = deref(spec, schema);
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  let isObject = s.type === "object" || s.properties !== undefined;
  for (const part of [...((s.allOf as unknown[]) ?? []), ...(((s.oneOf ?? s.anyOf) as unknown[])?.slice(0, 1) ?? [])]) {
    const inner = flatten(spec, part);
    Object.assign(properties, inner.properties);
    required.push(...inner.required);
    isObject ||= inner.isObject;
  }
  for (const [name, prop] of Object.entries((s.properties as Record<string, unknown>) ?? {}))
    properties[name] = deref(spec, prop);
  required.push(...((s.required as string[]) ?? []));
  return { properties, required, isObject };
}

/**
 * Realistic text by field name, for fields whose spec gives no example: what a builder would type.
 * Checked against the specs on every run of the examples test (test/examples.test.ts).
 */
const TEXT_EXAMPLES: [RegExp, string][] = [
  [/^term$/, "Acme"],
  [/timestamp/, "2026-01-31 09:30:00"],
  [/^(add|update|archive|close|won|lost)_time$/, "2026-01-31 09:30:00"],
  [/_url$|^redirect_uri$/, "https://example.com/hooks/pipedrive"],
  [/email/, "ana@example.com"],
  [/phone/, "+15550100"],
  [/(^|_)date$/, "2026-01-31"],
  [/(^|_)time$/, "09:30"],
  [/duration/, "01:00"],
  [/field_code|field_key|^key$/, "d4de1c1518b4531717c676029a45911c340390a6"],
  [/color/, "blue"],
  [/^subject$/, "Follow-up call"],
  [/^title$/, "Acme website redesign"],
  [/^field_name$/, "Lead source"],
  [/^attendees$/, "Ana Example"],
  [/(^|_)name$/, "Acme"],
  [/^(note|content|message|comments)$/, "Called Ana to confirm the order."],
  [/^public_description$/, "Quarterly review with the Acme team."],
  [/^description$/, "Discount agreed in the March call."],
  [/^lost_reason$/, "Chose another vendor"],
  [/^currency$|convert_currency$/, "USD"],
  [/^code$/, "SKU-1001"],
  [/^label$/, "work"],
  [/^options$/, "High"],
  [/^(address|location)$/, "Main St 1, Tallinn"],
  [/^country$/, "Estonia"],
  [/^admin_area_level_1$/, "Harju"],
  [/^status$/, "accepted"],
  [/^type$/, "call"],
  [/(^|_)url$/, "https://example.com/files/quote.png"],
  [/^unit$/, "pcs"],
  [/^http_auth_user$/, "pipedrive-hooks"],
  [/^http_auth_password$/, "s3cret-Passw0rd"],
  [/^state$/, "flow-42"],
  [/^client_id$/, "b4fe8ab3c2d14a67"],
  [/^refresh_token$/, "1:2:abc123"],
  [/^sort$/, "add_time DESC"],
  [/^(all_changes|items)$/, "activity,note"],
  [/(^|_|-)(channel|conversation|sender|remote|origin|provider_channel)(_|-)id$|^id$/, "ext-1001"],
  [/^parent_task_id$/, "1"],
  [/^field$/, "title"],
];
const textExample = (name: string) => TEXT_EXAMPLES.find(([pattern]) => pattern.test(name))?.[1];

/**
 * An example JSON value for a schema: its required properties, or (none required) its first three,
 * with realistic values by name, e.g. emails -> [{"value": "ana@example.com", "primary": true, ...}].
 */
function template(spec: Spec, raw: unknown, depth = 0, name = ""): unknown {
  const schema = deref(spec, raw);
  if (depth > 4) return null;
  const values = enumOf(spec, schema);
  if (values) return values[0];
  if (schema.example !== undefined && typeof schema.example !== "object") return schema.example;
  const type = schema.type ?? (schema.properties || schema.allOf ? "object" : undefined);
  if (type === "array") return [template(spec, schema.items, depth + 1, name)];
  if (type === "object") {
    const flat = flatten(spec, schema);
    const required = flat.required.filter((key) => flat.properties[key]);
    const keys = required.length ? required : Object.keys(flat.properties).slice(0, 3);
    // An item's "value" is what its list holds: emails' value is an email, phones' a phone number.
    return Object.fromEntries(
      keys.map((key) => [
        key,
        template(
          spec,
          flat.properties[key],
          depth + 1,
          key === "value" || (key === "label" && name === "options") || (key === "name" && name === "attendees")
            ? name
            : key,
        ),
      ]),
    );
  }
  if (type === "integer") return 1;
  if (type === "number") return 10;
  if (type === "boolean") return true;
  if (schema.format === "uuid") return "adf21080-0e10-11eb-879b-05d71fb426ec";
  if (schema.format === "date" || schema.format === "YYYY-MM-DD") return "2026-01-31";
  if (schema.format === "date-time") return "2026-01-31T09:30:00Z";
  if (schema.format === "url" || schema.format === "uri") return "https://example.com";
  return textExample(name) ?? textExample(name.replace(/s$/, "")) ?? "Acme";
}

/** JSON inputs whose spec describes the items only in words. */
const JSON_EXAMPLES: Record<string, unknown> = {
  prices: [{ currency: "USD", price: 100 }],
  // keyed by the field's 40-character key (records with a field catalogue take names instead)
  custom_fields: { "9c6e5a7b1f3d2e4a8b0c6d5e4f3a2b1c0d9e8f7a": "Phase 2" },
  attachments: [{ id: "att-1", type: "image/png", url: "https://example.com/files/quote.png", name: "quote.png" }],
  visible_pipeline_ids: { visible: [1], hidden: [2] },
  conditions: {
    glue: "and",
    conditions: [
      {
        glue: "and",
        conditions: [{ object: "deal", field_id: "12", operator: "=", value: "open", extra_value: null }],
      },
      { glue: "or", conditions: [] },
    ],
  },
};

/** The JSON structure a description spells out ("It requires the following JSON structure: `{...}`"). */
function documentedJson(description: unknown, shape?: "object" | "array"): unknown {
  for (const [, code] of String(description ?? "").matchAll(/`([[{][^`]*[\]}])`/g)) {
    try {
      const value = JSON.parse(code);
      if (shape === "array" ? Array.isArray(value) : value && typeof value === "object" && !Array.isArray(value))
        return value;
    } catch {}
  }
  return undefined;
}

function enumOf(spec: Spec, schema: Schema): (string | number)[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum as (string | number)[];
  for (const part of (schema.allOf as unknown[]) ?? []) {
    const inner = deref(spec, part);
    if (Array.isArray(inner.enum)) return inner.enum as (string | number)[];
  }
  return undefined;
}

function typeOf(
  spec: Spec,
  name: string,
  raw: Schema,
  version: "v1" | "v2",
  contentType?: string,
  description?: unknown,
  commaList = false,
): { type: FieldType; values?: (string | number)[]; shape?: "object" | "array" } {
  const schema = deref(spec, raw);
  const values = enumOf(spec, schema);
  // Documented as a comma-separated list of the enum's values (a comma-list entry in sim/corrections.ts).
  if (values && schema.type !== "array" && commaList) return { type: "enum-csv", values };
  if (values) return { type: "enum", values };
  let type = schema.type as string | undefined;
  if (!type && Array.isArray(schema.allOf))
    type = deref(spec, (schema.allOf as unknown[])[0]).type as string | undefined;
  if (schema.format === "binary" || (contentType === "multipart/form-data" && name === "file")) return { type: "file" };
  if (type === "integer") return { type: "integer" };
  if (type === "number") return { type: "number" };
  if (type === "boolean") return { type: "boolean" };
  if (type === "array") {
    const items = deref(spec, schema.items);
    if (items.type === "integer" || items.type === "number") return { type: "integer[]" };
    if (items.type === "string" && items.format === "uuid") return { type: "uuid[]" };
    if (items.type === "string" && !enumOf(spec, items)) return { type: "string[]" };
    const itemProps = (items.properties ?? {}) as Record<string, unknown>;
    if (items.type === "object" && itemProps.value && itemProps.primary) return { type: "contact-list" };
    return { type: "json", shape: "array" };
  }
  if (type === "object") return { type: "json", shape: "object" };
  if (schema.format === "date" || schema.format === "YYYY-MM-DD") return { type: "date" };
  if (schema.format === "url" || schema.format === "uri") return { type: "url" };
  if (
    type === "string" &&
    /comma.separated .*(ids|array of up to)/i.test(String(description ?? schema.description ?? "")) &&
    /ids$/.test(name)
  )
    return { type: "integer-csv" };
  // Lead ids are UUIDs even where the spec only says "string" (e.g. v2 GET /activities?lead_id=).
  if (schema.format === "uuid" || (name === "lead_id" && type === "string")) return { type: "uuid" };
  if (schema.format === "date-time" || (version === "v2" && (name === "updated_since" || name === "updated_until")))
    return { type: "date-time" };
  return { type: "string" };
}

/**
 * Body fields whose spec text was copied from another operation (addNote's pinned flags carry
 * getNotes' "the results are filtered by ..."): what the field does on a write.
 */
const WRITE_TEXT: [RegExp, (match: RegExpExecArray) => string][] = [
  [
    /^pinned_to_(\w+)_flag$/,
    ([, record]) =>
      `Whether the note is pinned to its ${record}, shown at the top of its notes (the ${record} must be set too).`,
  ],
];

/** The record type of a path's collection, for custom-field examples (sim/seed.ts seeds these fields). */
const ENTITY_OF: Record<string, FieldEntity> = {
  deals: "deal",
  persons: "person",
  organizations: "organization",
  products: "product",
  activities: "activity",
  leads: "lead",
};
const SEEDED_FIELD: Record<string, string> = {
  deal: "Priority",
  lead: "Priority",
  person: "Customer tier",
  organization: "Industry",
  product: "Size",
  activity: "Outcome",
};

/** Fields whose spec text only repeats their name ("Field name"): what a builder needs to know. */
const BARE_TEXT: [RegExp, (match: RegExpExecArray) => string][] = [
  [/^field_name$/, () => "The field's name, as Pipedrive shows it on records and in forms."],
  [/^setting_key$/, () => "Which default visibility to set: of new deals, leads, organizations, persons or products."],
  [/^value$/, () => "The visibility that new records of that kind get by default."],
];

function field(
  spec: Spec,
  name: string,
  where: GeneratedField["in"],
  required: boolean,
  schema: Schema,
  description: unknown,
  version: "v1" | "v2",
  contentType?: string,
  commaList = false,
  entity?: FieldEntity,
): GeneratedField {
  let typed = typeOf(spec, name, schema, version, contentType, description, commaList);
  // Pipedrive's visibility levels, a fixed set, where the v2 spec types visible_to as a bare integer.
  if (name === "visible_to" && typed.type === "integer") typed = { type: "enum", values: [1, 3, 5, 7] };
  // A lead's path ID is its UUID, whatever type the spec gives it.
  const { type, values, shape } =
    where === "path" && name === "id" && entity === "lead" && typed.type === "string"
      ? { ...typed, type: "uuid" as const }
      : typed;
  const out: GeneratedField = { name, in: where, type };
  if (shape) out.shape = shape;
  if (required) out.required = true;
  if (values) out.values = values;
  const text = cleanSpecText(description ?? deref(spec, schema).description);
  const bare = !text.text || text.text.replace(/\.$/, "").toLowerCase() === humanize(name).toLowerCase();
  const rewritten = [...(where === "body" ? WRITE_TEXT : []), ...(bare ? BARE_TEXT : [])]
    .map(([p, fn]) => [p.exec(name), fn] as const)
    .find(([m]) => m);
  // A dropdown lists the values itself: "Supported values: asc, desc." goes.
  const comment = rewritten
    ? rewritten[1](rewritten[0] as RegExpExecArray)
    : values
      ? text.text?.replace(/\s*(Supported|Possible|Allowed) (values|fields)( are)?:[^.]*\./gi, "").trim() || undefined
      : text.text;
  if (comment) out.description = comment;
  if (values && text.labels) {
    const labels = Object.fromEntries(
      values.flatMap((v) => (text.labels?.[String(v)] ? [[String(v), text.labels[String(v)]]] : [])),
    );
    if (Object.keys(labels).length) out.labels = labels;
  }
  const example = (schema as Schema).example;
  if ((typeof example === "string" || typeof example === "number") && String(example).length <= 60)
    out.example = example;
  else if (type === "string" && name === "custom_fields" && where === "query" && entity)
    out.example = customFieldKey(entity, SEEDED_FIELD[entity]);
  else if (type === "string" && version === "v2" && /^(add|update|archive|close|won|lost)_time$/.test(name))
    // v2 takes RFC 3339 times (v1 documents YYYY-MM-DD HH:MM:SS in UTC)
    out.example = "2026-01-31T09:30:00Z";
  else if (type === "string" && /\bin seconds\b/.test(String(description))) out.example = "60";
  else if (type === "string" && textExample(name)) out.example = textExample(name);
  if (type === "json") {
    // Records with a field catalogue take custom fields by name (the Custom Fields input), not this template.
    const known = name === "custom_fields" && entity ? undefined : JSON_EXAMPLES[name];
    const value = known ?? documentedJson(description, shape) ?? template(spec, schema, 0, name);
    const empty = shape === "array" ? JSON.stringify(value) === "[{}]" : Object.keys(value as object).length === 0;
    if (!empty) out.template = JSON.stringify(value);
  }
  return out;
}

/**
 * A builder sees labels, not Pipedrive's parameter names: "required unless one of (deal_id/person_id)
 * is set" reads "required unless one of (Deal ID/Person ID) is set". A date-time input takes the
 * form its own placeholder shows, so the spec's "Format: YYYY-MM-DD HH:MM:SS" goes.
 */
function namesToLabels(fields: GeneratedField[]): void {
  const names = new Set(fields.filter((f) => f.name.includes("_")).map((f) => f.name));
  for (const f of fields) {
    if (!f.description) continue;
    f.description = f.description.replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (word) =>
      names.has(word) ? humanize(word) : word,
    );
    if (f.type === "date-time") f.description = f.description.replace(/\s*Format: YYYY-MM-DD HH:MM(:SS)?\.?/, "");
  }
}

/**
 * Pipedrive's update operations reuse the create text ("When omitted, the authorized user is the
 * owner"); on an update an empty input leaves the field as it is, so those sentences go.
 */
const CREATE_ONLY =
  /\bomitted\b|\bnot provided\b|\bwhen creating\b|\bis created\b|\bon create\b|\bdefault (visibility )?setting\b/i;
function forUpdates(fields: GeneratedField[]): void {
  for (const f of fields) {
    if (f.in !== "body" || !f.description) continue;
    const kept = sentencesOf(f.description)
      .filter((sentence) => !CREATE_ONLY.test(sentence))
      .map((sentence) => sentence.replace(/\bthe (newly )?created\b/g, "the"));
    f.description = kept.length ? kept.join(" ") : `The new ${humanize(f.name).toLowerCase()}.`;
  }
}

/** Keys a designer or a typed caller uses; everything else (descriptions, examples, enums, formats) is dropped. */
const KEPT_OUTPUT_KEYS = new Set(["type", "properties", "items", "additionalProperties", "anyOf"]);

/**
 * A response schema trimmed for outputSchema: types and properties only, `nullable` as a type list
 * (and every property nullable: Pipedrive answers null for any unset field, whatever the spec says),
 * `allOf` merged, `oneOf` as `anyOf` (Pipedrive's branches overlap), `custom_fields` as an open object
 * (keyed by field key, or by name with Name Custom Fields).
 */
function outputSchemaOf(spec: Spec, raw: unknown, depth = 0, property = false): OutputSchemaNode {
  const schema = deref(spec, raw);
  if (depth > 12) return {};
  if (Array.isArray(schema.allOf)) {
    const merged: Schema = { ...schema, allOf: undefined };
    const properties: Record<string, unknown> = {};
    for (const part of schema.allOf as unknown[]) {
      const inner = deref(spec, part);
      merged.type ??= inner.type;
      merged.nullable ||= inner.nullable;
      merged.items ??= inner.items;
      Object.assign(properties, inner.properties ?? {});
    }
    Object.assign(properties, schema.properties ?? {});
    if (Object.keys(properties).length) merged.properties = properties;
    return outputSchemaOf(spec, merged, depth, property);
  }
  const out: OutputSchemaNode = {};
  const branches = (schema.oneOf ?? schema.anyOf) as unknown[] | undefined;
  if (branches) out.anyOf = branches.map((branch) => outputSchemaOf(spec, branch, depth + 1));
  const type = (schema.type as string | undefined) ?? (schema.properties ? "object" : undefined);
  if (type) out.type = schema.nullable || property ? [type, "null"] : type;
  if (schema.properties) {
    const properties: Record<string, OutputSchemaNode> = {};
    for (const [name, prop] of Object.entries(schema.properties as Record<string, unknown>))
      properties[name] =
        name === "custom_fields" && deref(spec, prop).type !== "array"
          ? { type: ["object", "null"], additionalProperties: true }
          : outputSchemaOf(spec, prop, depth + 1, true);
    out.properties = properties;
  }
  if (type === "array") out.items = schema.items ? outputSchemaOf(spec, schema.items, depth + 1) : {};
  if (schema.additionalProperties && typeof schema.additionalProperties === "object")
    out.additionalProperties = outputSchemaOf(spec, schema.additionalProperties, depth + 1, true);
  for (const key of Object.keys(out)) if (!KEPT_OUTPUT_KEYS.has(key)) delete (out as Record<string, unknown>)[key];
  return out;
}

/** The 200/201 JSON response schema of an operation, trimmed for outputSchema, with its documented example's fields. */
function responseOf(spec: Spec, op: Schema): OutputSchemaNode | undefined {
  const responses = (op.responses ?? {}) as Record<string, Schema>;
  const ok = responses["200"] ?? responses["201"];
  const json = (ok?.content as Record<string, Schema> | undefined)?.["application/json"];
  if (!json?.schema) return undefined;
  const schema = outputSchemaOf(spec, json.schema);
  const example = json.example ?? (json.schema as Schema).example;
  if (example !== undefined) withExample(schema, example);
  return schema;
}

/** A schema for a value from a documented example: its structure (every object and array nullable, as Pipedrive answers). */
function schemaOfValue(value: unknown, property = true): OutputSchemaNode {
  const nullable = (type: string) => (property ? [type, "null"] : type);
  if (value === null) return {};
  if (Array.isArray(value))
    return { type: nullable("array"), items: value.length ? schemaOfValue(value[0], false) : {} };
  if (typeof value === "object") {
    const properties = Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, schemaOfValue(v)]));
    return { type: nullable("object"), properties };
  }
  // A scalar's type is left open: examples and real answers disagree (product category: "2" vs 2).
  return {};
}

/**
 * Adds the fields that Pipedrive's documented response example has and its schema lacks (deals:
 * creator_user_id, archive_time, local_won_date...), so a builder can reference every field.
 */
function withExample(node: OutputSchemaNode, example: unknown): void {
  if (example === null || typeof example !== "object") return;
  if (Array.isArray(example)) {
    if (node.items && example.length) withExample(node.items, example[0]);
    return;
  }
  // Which branch of an anyOf an example shows is not said: branches are left as the schema has them.
  if (!node.properties || node.anyOf) return;
  for (const [key, value] of Object.entries(example as Record<string, unknown>)) {
    const existing = node.properties[key];
    if (!existing) node.properties[key] = schemaOfValue(value);
    else if (key !== "custom_fields") withExample(existing, value);
  }
}

function operationsOf(version: "v1" | "v2"): GeneratedOperation[] {
  const spec = parse(fs.readFileSync(path.join(specDir, `pipedrive-${version}-openapi.yaml`), "utf8")) as Spec;
  const out: GeneratedOperation[] = [];
  for (const [specPath, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method] as Schema | undefined;
      if (!op?.operationId) continue;
      const params = [...((item.parameters as unknown as Schema[]) ?? []), ...((op.parameters as Schema[]) ?? [])];
      const names = new Set(params.map((p) => p.name as string));
      const fields: GeneratedField[] = params
        .filter((p) => p.in === "path" || (p.in === "query" && !PAGING_PARAMS.has(p.name as string)))
        .map((p) =>
          field(
            spec,
            p.name as string,
            p.in as "path" | "query",
            Boolean(p.required) || p.in === "path",
            (p.schema as Schema) ?? {},
            p.description,
            version,
            undefined,
            p.in === "query" && isPlainCommaList(version, op.operationId as string, p.name as string),
            ENTITY_OF[specPath.split("/")[1]],
          ),
        );
      // Sort lists ("title ASC, id DESC"): the enum's fields, each with an optional sort mode.
      for (const f of fields)
        if (
          f.in === "query" &&
          f.type === "enum" &&
          commaListCorrection(version, op.operationId as string, f.name)?.sortModes
        )
          f.type = "sort-list";
      const content = ((op.requestBody as Schema | undefined)?.content ?? {}) as Record<string, Schema>;
      const contentType = ["application/json", "multipart/form-data", "application/x-www-form-urlencoded"].find(
        (c) => content[c],
      );
      let bodyKind: GeneratedOperation["body"];
      if (contentType) {
        bodyKind =
          contentType === "application/json" ? "json" : contentType === "multipart/form-data" ? "multipart" : "form";
        const flat = flatten(spec, content[contentType].schema);
        for (const c of correctionsOf(version, op.operationId as string))
          if (c.kind === "required-rename") flat.required = flat.required.map((r) => (r === c.from ? c.to : r));
        if (flat.isObject && Object.keys(flat.properties).length) {
          for (const [name, prop] of Object.entries(flat.properties))
            fields.push(
              field(
                spec,
                name,
                "body",
                flat.required.includes(name),
                prop,
                prop.description,
                version,
                contentType,
                false,
                ENTITY_OF[specPath.split("/")[1]],
              ),
            );
        } else {
          const bodySchema = deref(spec, content[contentType].schema);
          const example = template(spec, bodySchema);
          fields.push({
            ...(JSON.stringify(example) === "[{}]" ? {} : { template: JSON.stringify(example) }),
            name: "body",
            in: "rawBody",
            type: "json",
            shape: bodySchema.type === "array" ? "array" : "object",
            required: Boolean((op.requestBody as Schema).required),
            description: "The request body as JSON.",
          });
        }
      }
      namesToLabels(fields);
      if (method === "patch" || method === "put") forUpdates(fields);
      for (const c of correctionsOf(version, op.operationId as string)) {
        const timed = c.kind === "utc-time" && fields.find((f) => f.in === "body" && f.name === c.property);
        if (timed) timed.type = "utc-date-time";
        const target = c.kind === "enum-values" && fields.find((f) => f.in === "body" && f.name === c.property);
        if (!target || c.kind !== "enum-values" || !target.values) continue;
        const wildcard = target.values.indexOf("*");
        const added = c.add.filter((v) => !target.values?.includes(v));
        target.values.splice(wildcard === -1 ? target.values.length : wildcard, 0, ...added);
      }
      const responses = (op.responses ?? {}) as Record<string, Schema>;
      const ok = responses["200"] ?? responses["201"];
      const download = Boolean((ok?.content as Record<string, unknown> | undefined)?.["application/octet-stream"]);
      const declared: GeneratedOperation = {
        id: op.operationId as string,
        version,
        method: method.toUpperCase() as GeneratedOperation["method"],
        path: specPath,
        summary: (op.summary as string | undefined)?.trim() ?? (op.operationId as string),
        fields,
      };
      // The description says what the summary says, in a sentence or two (the summary is the label's source).
      const description = cleanSpecText(op.description || op.summary, 240, true).text;
      if (description) declared.description = description;
      const limit = params.find((p) => p.name === "limit" && p.in === "query");
      const documentedMax = /maximum value of (\d+)|upper limit is (\d+)/i.exec(String(limit?.description ?? ""));
      const maxPage = Number(
        (limit?.schema as Schema | undefined)?.maximum ?? documentedMax?.[1] ?? documentedMax?.[2] ?? 500,
      );
      if (limit && maxPage !== 500) declared.maxPageSize = maxPage;
      if (names.has("cursor")) declared.list = "cursor";
      else if (names.has("start")) declared.list = "offset";
      if (bodyKind) declared.body = bodyKind;
      if (download) declared.download = true;
      if (op.deprecated) declared.deprecated = true;
      applyResponseCorrections(version, op);
      const response = responseOf(spec, op);
      if (response) responseTrees.set(declared, response);
      out.push(declared);
    }
  }
  return out;
}

/** Each operation's trimmed response schema, before shared parts are named. */
const responseTrees = new Map<GeneratedOperation, OutputSchemaNode>();

/** Subschemas at least this long (as JSON) that occur more than once are written once and referenced. */
const SHARED_MIN_CHARS = 120;

/**
 * Writes each response schema once: every operation's response and every larger subschema that
 * recurs (a deal record in getDeals, getDeal, addDeal...) becomes a named entry, referenced as
 * {"$ref": "#/$defs/<name>"}; the action helper resolves the references when it builds the action.
 */
function shareSchemas(ops: GeneratedOperation[]): Record<string, OutputSchemaNode> {
  const counts = new Map<string, number>();
  const count = (node: OutputSchemaNode) => {
    const json = JSON.stringify(node);
    if (json.length >= SHARED_MIN_CHARS) counts.set(json, (counts.get(json) ?? 0) + 1);
    for (const child of childrenOf(node)) count(child);
  };
  for (const tree of responseTrees.values()) count(tree);
  const table: Record<string, OutputSchemaNode> = {};
  const names = new Map<string, string>();
  const name = (json: string, wanted: string, node: () => OutputSchemaNode) => {
    let found = names.get(json);
    if (!found) {
      found = wanted;
      for (let i = 2; table[found]; i++) found = `${wanted}~${i}`;
      names.set(json, found);
      table[found] = node();
    }
    return { $ref: `#/$defs/${found}` };
  };
  const rewrite = (node: OutputSchemaNode, where: string): OutputSchemaNode => {
    const json = JSON.stringify(node);
    const replaced = () => mapChildren(node, (child, key) => rewrite(child, `${where}${key}`));
    if ((counts.get(json) ?? 0) > 1) return name(json, where, replaced);
    return replaced();
  };
  for (const op of ops) {
    const tree = responseTrees.get(op);
    if (!tree) continue;
    const ref = name(JSON.stringify(tree), `${op.version}.${op.id}`, () =>
      mapChildren(tree, (child, key) => rewrite(child, `${op.version}.${op.id}${key}`)),
    );
    op.response = ref.$ref.slice("#/$defs/".length);
  }
  return table;
}

function childrenOf(node: OutputSchemaNode): OutputSchemaNode[] {
  const out: OutputSchemaNode[] = [];
  mapChildren(node, (child) => {
    out.push(child);
    return child;
  });
  return out;
}

/** A copy of node with each child schema replaced; key says where the child sits (.name, [], |n, {}). */
function mapChildren(
  node: OutputSchemaNode,
  fn: (child: OutputSchemaNode, key: string) => OutputSchemaNode,
): OutputSchemaNode {
  const out: OutputSchemaNode = { ...node };
  if (node.properties)
    out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, fn(v, `.${k}`)]));
  if (node.items) out.items = fn(node.items, "[]");
  if (node.anyOf) out.anyOf = node.anyOf.map((branch, i) => fn(branch, `|${i}`));
  if (node.additionalProperties && typeof node.additionalProperties === "object")
    out.additionalProperties = fn(node.additionalProperties, "{}");
  return out;
}

const all = [...operationsOf("v2"), ...operationsOf("v1")];
const RESPONSES = shareSchemas(all);
const banner = `/* Generated by scripts/generate-operations.ts from Pipedrive's OpenAPI specs. Do not edit by hand. */\n`;
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(
  outFile,
  `${banner}import type { GeneratedOperation, OutputSchemaNode } from "./types";\n\nexport const OPERATIONS: GeneratedOperation[] = ${JSON.stringify(all)};\n\n/** Response schemas (trimmed for outputSchema), each written once; operations name theirs in \`response\`. JSON: parsed faster, and with less memory, than an object literal. */\nexport const RESPONSES: Record<string, OutputSchemaNode> = JSON.parse(${JSON.stringify(JSON.stringify(RESPONSES))});\n`,
);
// The tree has one format (Biome's); the generated file is written in it too.
execFileSync(path.resolve(__dirname, "../node_modules/.bin/biome"), ["format", "--write", outFile], {
  stdio: "ignore",
});
console.log(
  `Wrote ${all.length} operations (${all.filter((o) => o.version === "v2").length} v2, ${all.filter((o) => o.version === "v1").length} v1) to ${path.relative(process.cwd(), outFile)}`,
);
