/**
 * Custom fields: validation of written values (v2 types per the migration guide) and the
 * response options (`custom_fields=` key filter, `include_option_labels=true`).
 */
import { type FieldDef, fieldsOf } from "../seed";
import type { Store } from "../store";
import type { FieldEntity } from "../types";
import { badRequest, isPlainObject } from "../util";

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const HEX_KEY = /^[0-9a-f]{40}$/;

export function customFieldDefs(store: Store, entity: FieldEntity): FieldDef[] {
  return fieldsOf(store, entity).filter((f) => f.is_custom);
}

/** All custom field keys set to null: what Pipedrive returns for a record with nothing filled in. */
export function emptyCustomFields(defs: FieldDef[]): Record<string, null> {
  const out: Record<string, null> = {};
  for (const d of defs) out[d.key] = null;
  return out;
}

function currencyExists(store: Store, code: unknown): boolean {
  return store
    .collection("currencies")
    .values()
    .some((c) => c.code === code);
}

/** Validates a v2 `custom_fields` object; throws a Pipedrive-style 400. */
export function validateCustomFields(store: Store, entity: FieldEntity, input: unknown): void {
  if (input === undefined) return;
  if (!isPlainObject(input)) throw badRequest("custom_fields must be an object keyed by custom field keys");
  const defs = new Map(customFieldDefs(store, entity).map((d) => [d.key, d]));
  for (const [key, value] of Object.entries(input)) {
    const def = defs.get(key);
    if (!def) throw badRequest(`Custom field '${key}' does not exist for ${entity}`);
    if (value === null) continue;
    const bad = (expected: string) =>
      badRequest(`Invalid value for custom field '${def.name}' (${def.field_type}): expected ${expected}`);
    switch (def.field_type) {
      case "varchar":
      case "text":
      case "phone":
      case "varchar_auto":
        if (typeof value !== "string") throw bad("a string");
        break;
      case "double":
      case "int":
        if (typeof value !== "number") throw bad("a number");
        break;
      case "monetary":
        if (!isPlainObject(value) || typeof value.value !== "number" || typeof value.currency !== "string") {
          throw bad('{"value": number, "currency": "USD"}');
        }
        if (!currencyExists(store, value.currency)) throw bad("a known currency code");
        break;
      case "enum":
        if (typeof value !== "number" || !def.options?.some((o) => o.id === value)) {
          throw bad(`one of the option ids ${def.options?.map((o) => o.id).join(", ")}`);
        }
        break;
      case "set":
        if (!Array.isArray(value)) throw bad("an array of option ids (null clears)");
        if (value.length === 0) throw bad("a non-empty array of option ids; use null to clear a set field");
        for (const v of value) {
          if (typeof v !== "number" || !def.options?.some((o) => o.id === v)) {
            throw bad(`option ids among ${def.options?.map((o) => o.id).join(", ")}`);
          }
        }
        break;
      case "date":
        if (typeof value !== "string" || !DATE.test(value)) throw bad("a date YYYY-MM-DD");
        break;
      case "address":
        if (!isPlainObject(value) || typeof value.value !== "string") throw bad('an object {"value": "..."}');
        break;
      default:
        break;
    }
  }
}

/** v1 bodies carry custom fields as top-level 40-hex keys (e.g. leads use the deal fields). */
export function isCustomFieldKey(store: Store, entity: FieldEntity, key: string): boolean {
  if (!HEX_KEY.test(key)) return false;
  return customFieldDefs(store, entity).some((d) => d.key === key);
}

/** Applies `custom_fields=` (key filter) and `include_option_labels=true` to a v2 record copy. */
export function presentCustomFields(
  store: Store,
  entity: FieldEntity,
  values: Record<string, unknown> | undefined,
  query: Record<string, unknown>,
): Record<string, unknown> {
  const src = values ?? {};
  let out: Record<string, unknown> = { ...src };
  const filter = query.custom_fields;
  if (typeof filter === "string" && filter !== "") {
    const keep = new Set(filter.split(",").map((s) => s.trim()));
    out = Object.fromEntries(Object.entries(out).filter(([k]) => keep.has(k)));
  }
  if (query.include_option_labels === true) {
    const defs = new Map(customFieldDefs(store, entity).map((d) => [d.key, d]));
    for (const [k, v] of Object.entries(out)) {
      const def = defs.get(k);
      if (!def?.options || v === null) continue;
      const label = (id: unknown) => ({ id, label: def.options?.find((o) => o.id === id)?.label ?? null });
      if (def.field_type === "enum") out[k] = label(v);
      if (def.field_type === "set" && Array.isArray(v)) out[k] = v.map(label);
    }
  }
  return out;
}
