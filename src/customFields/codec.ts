/**
 * Custom fields by name. `encodeCustomFields` turns what a builder typed ("Priority": "High") into
 * Pipedrive's custom field values (code: option id); `decodeCustomFields` turns records read from
 * Pipedrive back into names and labels. Field metadata comes from `fieldCatalog`: one fields
 * request per entity per client (one client per execution), however many calls.
 *
 * Accepted values per field type (an empty string, an empty list or null clears the field):
 *
 * | field type                          | accepted                                                       | v2 value sent              |
 * |-------------------------------------|----------------------------------------------------------------|----------------------------|
 * | varchar, varchar_auto, text, phone  | text (numbers and booleans are turned into text)               | "text"                     |
 * | double / int                        | a number or a plain numeric string: 1500.5, "-3", "1500.50";   | 1500.5                     |
 * |                                     | no thousands separators ("1,500.50" is refused: comma is a     |                            |
 * |                                     | decimal mark in many locales), no currency symbols             |                            |
 * | monetary                            | {value, currency}, "1500 USD", "USD 1500", or a bare number    | {value, currency?}         |
 * |                                     | (currency then omitted: Pipedrive applies its default)         |                            |
 * | date                                | "YYYY-MM-DD" (a real calendar day)                             | "2026-03-01"               |
 * | daterange                           | {value, until}, ["from", "until"] or "2026-01-01/2026-02-01"   | {value, until}             |
 * | time                                | "09:30" / "09:30:00" or {value, timezone_id}                   | {value: "09:30:00", ...}   |
 * | timerange                           | {value, until, timezone_id?} or "09:00/17:00"                  | {value, until, ...}        |
 * | enum                                | an option label (any case) or option id                        | 12                         |
 * | set                                 | a list or a comma-separated string of labels / ids             | [12, 13] (empty: null)     |
 * | address                             | a string or {value, route, street_number, locality, ...}       | {value, ...}               |
 * | user, org, people, deal, stage, ... | a positive whole number (or {id} / {value} as Pipedrive reads) | 5                          |
 * | lead                                | a lead UUID                                                    | "uuid"                     |
 * | boolean                             | true / false ("yes"/"no", 1/0)                                 | true                       |
 * | anything else (json, picture, ...)  | sent as given                                                  |                            |
 *
 * v1 shapes (`version: "v1"`): monetary → `code` + `code_currency`, daterange → `code` + `code_until`,
 * time → `code` + `code_timezone_id`, set → "12,13", address → its text. Leads (v1 only) take their
 * custom fields as top-level keys of the lead body; only fields that fit in that one key are allowed
 * there (text, numbers, options, dates, addresses, ids); monetary, daterange, time and timerange
 * fields are refused on leads.
 */
import { format, isValid, parse } from "date-fns";
import type { PipedriveClient } from "../client";
import { InputError } from "../client/errors";
import { megabytes, POLICY } from "../client/policy";
import { type FieldEntity, type FieldInfo, fieldCatalog, isFromCache } from "./catalog";

export type { FieldEntity, FieldInfo } from "./catalog";

export interface EncodeOptions {
  /** v2 (default; leads always v1): values nested under custom_fields. v1: top-level keys, v1 shapes. */
  version?: "v1" | "v2";
}

const INPUT = "Custom Fields";
const CUSTOM_CODE = /^[0-9a-f]{40}$/i;
const NUMBER = /^-?\d+(\.\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const TEXT_TYPES = new Set(["varchar", "varchar_auto", "varchar_options", "text", "phone"]);
const ID_TYPES = new Set(["user", "org", "people", "deal", "stage", "project", "activity"]);
/** Types whose v1 form needs more than the one key; leads accept only the custom field keys themselves. */
const MULTI_KEY_TYPES = new Set(["monetary", "daterange", "time", "timerange"]);
const ADDRESS_KEYS = [
  "value",
  "formatted_address",
  "subpremise",
  "street_number",
  "route",
  "sublocality",
  "locality",
  "admin_area_level_1",
  "admin_area_level_2",
  "country",
  "postal_code",
];

const ENTITY_LABEL: Record<FieldEntity, string> = {
  deal: "deal",
  person: "person",
  organization: "organization",
  product: "product",
  activity: "activity",
  lead: "lead",
  note: "note",
};

// --- field lookup ------------------------------------------------------------------------------

interface FieldIndex {
  byCode: Map<string, FieldInfo>;
  /** Normalised name → custom fields with that name (several when names repeat). */
  customByName: Map<string, FieldInfo[]>;
  /** Normalised name or key → standard field. */
  standard: Map<string, FieldInfo>;
  customNames: string[];
  /** Custom field code → the key decode uses: its name, or its code when the name is shared. */
  displayKey: Map<string, string>;
}

const indexes = new WeakMap<Map<string, FieldInfo>, FieldIndex>();

/** Names compare case-insensitively, ignoring surrounding and repeated spaces. */
export const normalizeName = (name: string): string => name.trim().replace(/\s+/g, " ").toLowerCase();

function indexOf(catalog: Map<string, FieldInfo>): FieldIndex {
  const cached = indexes.get(catalog);
  if (cached) return cached;
  const index: FieldIndex = {
    byCode: new Map(),
    customByName: new Map(),
    standard: new Map(),
    customNames: [],
    displayKey: new Map(),
  };
  for (const field of catalog.values()) {
    index.byCode.set(field.code.toLowerCase(), field);
    const name = normalizeName(field.name);
    if (field.isCustom) {
      const same = index.customByName.get(name);
      if (same) same.push(field);
      else index.customByName.set(name, [field]);
      index.customNames.push(field.name);
    } else {
      if (!index.standard.has(name)) index.standard.set(name, field);
      index.standard.set(normalizeName(field.code), field);
    }
  }
  for (const fields of index.customByName.values()) {
    for (const field of fields) index.displayKey.set(field.code, fields.length === 1 ? field.name : field.code);
  }
  indexes.set(catalog, index);
  return index;
}

async function indexFor(
  client: PipedriveClient,
  entity: FieldEntity,
  refresh = false,
): Promise<FieldIndex & { cached: boolean }> {
  const catalog = await fieldCatalog(client, entity, { refresh });
  return { ...indexOf(catalog), cached: isFromCache(client, catalog) };
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const listOf = (items: string[], max = 10): string =>
  items.length <= max ? items.join(", ") : `${items.slice(0, max).join(", ")} and ${items.length - max} more`;

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** Up to three names close to what was typed (edit distance, or one containing the other). */
function closeNames(typed: string, names: string[]): string[] {
  const wanted = normalizeName(typed);
  return names
    .map((name) => {
      const candidate = normalizeName(name);
      const contains = wanted.length >= 3 && (candidate.includes(wanted) || wanted.includes(candidate));
      const limit = Math.max(2, Math.floor(Math.max(wanted.length, candidate.length) / 3));
      // The distance is at least the length difference: skip the quadratic work when that is already too far.
      if (contains) return { name, score: 1, limit };
      if (Math.abs(wanted.length - candidate.length) > limit) return { name, score: limit + 1, limit };
      return { name, score: distance(wanted, candidate), limit };
    })
    .filter((c) => c.score <= c.limit)
    .sort((a, b) => a.score - b.score)
    .slice(0, 3)
    .map((c) => c.name);
}

/** A typed key as quoted back in an error: never more than a line. */
const quoted = (typed: string) => (typed.length > 80 ? `${typed.slice(0, 77)}... (${typed.length} characters)` : typed);

function resolveField(index: FieldIndex, entity: FieldEntity, key: string): FieldInfo {
  const typed = key.trim();
  const what = entity === "lead" ? "lead (deal)" : ENTITY_LABEL[entity];
  if (CUSTOM_CODE.test(typed)) {
    const field = index.byCode.get(typed.toLowerCase());
    if (field?.isCustom) return field;
    throw new InputError(
      `${INPUT}: no ${what} custom field has the code "${quoted(typed)}"; use a field name or a code from Pipedrive's Data fields settings.`,
    );
  }
  const name = normalizeName(typed);
  const custom = index.customByName.get(name);
  if (custom?.length === 1) return custom[0];
  if (custom && custom.length > 1) {
    throw new InputError(
      `${INPUT}: ${custom.length} ${what} custom fields are named "${custom[0].name}"; use the field code instead, one of ${custom.map((f) => f.code).join(", ")}.`,
    );
  }
  const standard = index.standard.get(name);
  if (standard) {
    throw new InputError(
      `${INPUT}: "${quoted(typed)}" is the standard ${what} field "${standard.name}", not a custom field; set it with the action's own ${standard.name} input instead of ${INPUT}.`,
    );
  }
  if (!typed)
    throw new InputError(`${INPUT}: a field name is empty; use the custom field's name, e.g. {"Priority": "High"}.`);
  const close = closeNames(typed, index.customNames);
  if (close.length) {
    throw new InputError(
      `${INPUT}: no ${what} custom field is named "${quoted(typed)}"; did you mean ${close.map((n) => `"${n}"`).join(" or ")}?`,
    );
  }
  throw new InputError(
    index.customNames.length
      ? `${INPUT}: no ${what} custom field is named "${quoted(typed)}"; the ${what} custom fields are ${listOf(index.customNames)}.`
      : `${INPUT}: no ${what} custom field is named "${quoted(typed)}"; this Pipedrive company has no ${what} custom fields.`,
  );
}

// --- reading the input -------------------------------------------------------------------------

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const EXPECTED_INPUT =
  'a JSON object keyed by custom field name or code, e.g. {"Priority": "High", "Tags": ["Alpha", "Beta"]}';

/** The builder's input as [key, value] pairs; undefined when nothing was given. */
function readInput(input: unknown): Array<[string, unknown]> | undefined {
  let value = input;
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") {
    const text = value.trim();
    if (!text) return undefined;
    if (text.length > POLICY.maxJsonBodyBytes)
      throw new InputError(
        `${INPUT}: the JSON is ${megabytes(text.length)}; at most ${megabytes(POLICY.maxJsonBodyBytes)} is sent to Pipedrive in one request.`,
      );
    try {
      value = JSON.parse(text);
    } catch {
      throw new InputError(`${INPUT}: expected ${EXPECTED_INPUT}; the text is not valid JSON: ${show(text)}.`);
    }
    if (value === null) return undefined;
  }
  // Prismatic key-value lists: [{key, value}, ...]
  if (Array.isArray(value)) {
    if (!value.every((item) => isRecord(item) && typeof item.key === "string")) {
      throw new InputError(`${INPUT}: expected ${EXPECTED_INPUT} or a list of {key, value} pairs, got ${show(value)}.`);
    }
    const pairs = value.map((item) => [item.key, item.value] as [string, unknown]);
    return pairs.length ? pairs : undefined;
  }
  if (!isRecord(value)) throw new InputError(`${INPUT}: expected ${EXPECTED_INPUT}, got ${show(value)}.`);
  const pairs = Object.entries(value);
  return pairs.length ? pairs : undefined;
}

// --- coercion: the builder's value → Pipedrive's v2 value ------------------------------------

const fail = (field: FieldInfo, expected: string, got: unknown): never => {
  throw new InputError(`${INPUT}: "${field.name}" (${field.type} field) expects ${expected}, got ${show(got)}.`);
};

const isBlank = (value: unknown) =>
  value === null || value === undefined || (typeof value === "string" && value.trim() === "");

function toNumber(field: FieldInfo, value: unknown, wholeOnly = false): number {
  const example = wholeOnly
    ? "a whole number such as 1500"
    : "a number such as 1500 or 1500.5 (no thousands separators or currency symbols)";
  let n: number;
  if (typeof value === "number") n = value;
  else if (typeof value === "string" && NUMBER.test(value.trim())) n = Number(value.trim());
  else return fail(field, example, value);
  if (!Number.isFinite(n) || (wholeOnly && !Number.isSafeInteger(n))) return fail(field, example, value);
  return n;
}

function toText(field: FieldInfo, value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return fail(field, "text", value);
}

function toDate(field: FieldInfo, value: unknown, what = "a date as YYYY-MM-DD, e.g. 2026-12-31"): string {
  const text = typeof value === "string" ? value.trim() : "";
  const parsed = DATE.test(text) ? parse(text, "yyyy-MM-dd", new Date(2000, 0, 1)) : undefined;
  if (!parsed || !isValid(parsed) || format(parsed, "yyyy-MM-dd") !== text) return fail(field, what, value);
  return text;
}

function toTime(field: FieldInfo, value: unknown, what = "a time as HH:MM or HH:MM:SS, e.g. 09:30"): string {
  const match = typeof value === "string" ? TIME.exec(value.trim()) : null;
  if (!match) return fail(field, what, value);
  const [hours, minutes, seconds = "00"] = [Number(match[1]), match[2], match[3]];
  if (hours > 23 || Number(minutes) > 59 || Number(seconds) > 59) return fail(field, what, value);
  return `${String(hours).padStart(2, "0")}:${minutes}:${seconds}`;
}

function onlyKeys(field: FieldInfo, value: Record<string, unknown>, allowed: string[], expected: string): void {
  const extra = Object.keys(value).filter((k) => !allowed.includes(k));
  if (extra.length)
    fail(field, `${expected} (unknown ${extra.length === 1 ? "key" : "keys"} ${extra.join(", ")})`, value);
}

function toCurrency(field: FieldInfo, value: unknown, expected: string): string | undefined {
  if (isBlank(value)) return undefined;
  if (typeof value !== "string" || !/^[A-Za-z]{3}$/.test(value.trim()))
    return fail(field, `${expected} with a 3-letter currency code such as USD`, value);
  return value.trim().toUpperCase();
}

function toMonetary(field: FieldInfo, value: unknown): { value: number; currency?: string } {
  const expected = '{"value": 1500, "currency": "USD"}, "1500 USD" or a number';
  const money = (amount: number, currency: string | undefined) =>
    currency ? { value: amount, currency } : { value: amount };
  if (typeof value === "number") return money(toNumber(field, value), undefined);
  if (typeof value === "string") {
    const text = value.trim();
    const after = /^(-?\d+(?:\.\d+)?)\s*([A-Za-z]{3})?$/.exec(text);
    const before = /^([A-Za-z]{3})\s*(-?\d+(?:\.\d+)?)$/.exec(text);
    if (after) return money(Number(after[1]), after[2]?.toUpperCase());
    if (before) return money(Number(before[2]), before[1].toUpperCase());
    return fail(field, `${expected} (no thousands separators or currency symbols)`, value);
  }
  if (isRecord(value)) {
    onlyKeys(field, value, ["value", "amount", "currency"], expected);
    const amount = value.value !== undefined ? value.value : value.amount;
    if (isBlank(amount)) return fail(field, expected, value);
    return money(toNumber(field, amount), toCurrency(field, value.currency, expected));
  }
  return fail(field, expected, value);
}

function toDateRange(field: FieldInfo, value: unknown): { value: string; until: string } {
  const expected = '{"value": "2026-01-01", "until": "2026-02-01"} or "2026-01-01/2026-02-01"';
  let from: unknown;
  let until: unknown;
  if (typeof value === "string" && value.includes("/")) [from, until] = value.split("/").map((s) => s.trim());
  else if (Array.isArray(value) && value.length === 2) [from, until] = value;
  else if (isRecord(value)) {
    onlyKeys(field, value, ["value", "until"], expected);
    ({ value: from, until } = value);
  } else return fail(field, expected, value);
  const start = toDate(field, from, `${expected}, dates as YYYY-MM-DD`);
  const end = toDate(field, until, `${expected}, dates as YYYY-MM-DD`);
  if (end < start) return fail(field, `${expected} with "until" on or after the start`, value);
  return { value: start, until: end };
}

function toTimezoneId(field: FieldInfo, record: Record<string, unknown>, expected: string): number | undefined {
  const tz = record.timezone_id;
  if (isBlank(tz)) {
    if (!isBlank(record.timezone_name))
      fail(field, `${expected}; give the time zone as timezone_id (Pipedrive's numeric id)`, record);
    return undefined;
  }
  const id = typeof tz === "number" ? tz : typeof tz === "string" && /^\d+$/.test(tz.trim()) ? Number(tz) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1)
    return fail(field, `${expected} with timezone_id a positive whole number`, record);
  return id;
}

function toTimeValue(field: FieldInfo, value: unknown): { value: string; timezone_id?: number } {
  const expected = '"09:30" or {"value": "09:30:00", "timezone_id": 318}';
  if (typeof value === "string") return { value: toTime(field, value, expected) };
  if (!isRecord(value)) return fail(field, expected, value);
  onlyKeys(field, value, ["value", "timezone_id", "timezone_name"], expected);
  const tz = toTimezoneId(field, value, expected);
  const time = toTime(field, value.value, expected);
  return tz === undefined ? { value: time } : { value: time, timezone_id: tz };
}

function toTimeRange(field: FieldInfo, value: unknown): { value: string; until: string; timezone_id?: number } {
  const expected = '{"value": "09:00", "until": "17:00", "timezone_id": 318} or "09:00/17:00"';
  if (typeof value === "string") {
    const parts = value.split(/\s*[/–-]\s*/);
    if (parts.length !== 2) return fail(field, expected, value);
    return { value: toTime(field, parts[0], expected), until: toTime(field, parts[1], expected) };
  }
  if (!isRecord(value)) return fail(field, expected, value);
  onlyKeys(field, value, ["value", "until", "timezone_id", "timezone_name"], expected);
  const tz = toTimezoneId(field, value, expected);
  const range = { value: toTime(field, value.value, expected), until: toTime(field, value.until, expected) };
  return tz === undefined ? range : { ...range, timezone_id: tz };
}

const optionLabels = (field: FieldInfo) =>
  listOf(
    field.options.map((o) => o.label),
    25,
  );

function noOption(field: FieldInfo, typed: unknown): never {
  const shown = typeof typed === "string" ? typed.trim() : show(typed);
  throw new InputError(
    field.options.length
      ? `${INPUT}: "${field.name}" has no option "${shown}"; choose one of ${optionLabels(field)}.`
      : `${INPUT}: "${field.name}" has no options in Pipedrive yet; add them in Pipedrive's Data fields settings.`,
  );
}

/** An option by label (any case), else by id. */
function toOption(field: FieldInfo, value: unknown): number | string {
  let typed = value;
  if (isRecord(typed) && "id" in typed) typed = typed.id; // {id, label} as read with include_option_labels
  if (typeof typed === "string") {
    const wanted = normalizeName(typed);
    const byLabel = field.options.find((o) => normalizeName(o.label) === wanted);
    if (byLabel) return byLabel.id;
  }
  if (typeof typed === "string" || typeof typed === "number") {
    const text = String(typed).trim();
    const byId = field.options.find((o) => String(o.id) === text);
    if (byId) return byId.id;
  }
  return noOption(field, typed);
}

function toOptions(field: FieldInfo, value: unknown): Array<number | string> | null {
  let items: unknown[];
  if (Array.isArray(value)) items = value;
  else if (typeof value === "string") {
    // A label that itself contains a comma wins over splitting.
    const whole = field.options.find((o) => normalizeName(o.label) === normalizeName(value));
    items = whole ? [whole.label] : value.split(",");
  } else if (typeof value === "number" || isRecord(value)) items = [value];
  else return fail(field, 'a list of option labels or ids, e.g. ["Alpha", "Beta"] or "Alpha, Beta"', value);
  const ids: Array<number | string> = [];
  for (const item of items) {
    if (isBlank(item)) continue;
    const id = toOption(field, item);
    if (!ids.includes(id)) ids.push(id);
  }
  return ids.length ? ids : null; // Pipedrive clears a set with null, never []
}

function toAddress(field: FieldInfo, value: unknown): Record<string, string> {
  const expected = 'an address as text, or {"value": "Main St 1, Springfield", "locality": "Springfield", ...}';
  if (typeof value === "string") return { value: value.trim() };
  if (!isRecord(value)) return fail(field, expected, value);
  onlyKeys(field, value, ADDRESS_KEYS, expected);
  const out: Record<string, string> = {};
  for (const key of ADDRESS_KEYS) {
    const part = value[key];
    if (part === undefined || part === null) continue;
    if (typeof part !== "string" && typeof part !== "number")
      return fail(field, `${expected}; "${key}" must be text`, value);
    out[key] = String(part);
  }
  if (!out.value) {
    if (!out.formatted_address) return fail(field, `${expected}; "value" (the full address) is required`, value);
    out.value = out.formatted_address;
  }
  return out;
}

function toId(field: FieldInfo, value: unknown): number {
  const what =
    {
      user: "user",
      org: "organization",
      people: "person",
      deal: "deal",
      stage: "stage",
      project: "project",
      activity: "activity",
    }[field.type] ?? "record";
  let typed = value;
  if (isRecord(typed)) typed = typed.id ?? typed.value; // v1 reads return {value, name, ...}
  const text = typeof typed === "number" ? String(typed) : typeof typed === "string" ? typed.trim() : "";
  const id = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1)
    return fail(field, `a ${what} ID, a positive whole number such as 42`, value);
  return id;
}

function toBoolean(field: FieldInfo, value: unknown): boolean {
  if (typeof value === "boolean") return value;
  const text = String(value).trim().toLowerCase();
  if (["true", "yes", "1"].includes(text)) return true;
  if (["false", "no", "0"].includes(text)) return false;
  return fail(field, "true or false", value);
}

/** The builder's value as Pipedrive's v2 value for the field (null clears). */
export function coerceValue(field: FieldInfo, value: unknown): unknown {
  if (isBlank(value)) return null;
  if (Array.isArray(value) && value.length === 0 && field.type !== "json") return null;
  const type = field.type;
  if (TEXT_TYPES.has(type)) return toText(field, value);
  if (ID_TYPES.has(type)) return toId(field, value);
  switch (type) {
    case "double":
      return toNumber(field, value);
    case "int":
      return toNumber(field, value, true);
    case "monetary":
      return toMonetary(field, value);
    case "date":
      return toDate(field, value);
    case "daterange":
      return toDateRange(field, value);
    case "time":
      return toTimeValue(field, value);
    case "timerange":
      return toTimeRange(field, value);
    case "enum":
      return toOption(field, value);
    case "set":
      return toOptions(field, value);
    case "address":
      return toAddress(field, value);
    case "boolean":
      return toBoolean(field, value);
    case "lead": {
      const text = typeof value === "string" ? value.trim() : "";
      return UUID.test(text) ? text : fail(field, "a lead ID (a UUID)", value);
    }
    case "deals":
      return (Array.isArray(value) ? value : [value]).map((id) => toId({ ...field, type: "deal" }, id));
    default:
      return value;
  }
}

/** A v2 value as v1 top-level keys (`code`, and `code_currency` / `code_until` / `code_timezone_id`). */
function toV1(field: FieldInfo, value: unknown): Array<[string, unknown]> {
  const code = field.code;
  if (value === null) return [[code, null]];
  const v = value as Record<string, unknown>;
  switch (field.type) {
    case "monetary":
      return v.currency
        ? [
            [code, v.value],
            [`${code}_currency`, v.currency],
          ]
        : [[code, v.value]];
    case "daterange":
      return [
        [code, v.value],
        [`${code}_until`, v.until],
      ];
    case "time":
      return v.timezone_id
        ? [
            [code, v.value],
            [`${code}_timezone_id`, v.timezone_id],
          ]
        : [[code, v.value]];
    case "timerange": {
      const pairs: Array<[string, unknown]> = [
        [code, v.value],
        [`${code}_until`, v.until],
      ];
      return v.timezone_id ? [...pairs, [`${code}_timezone_id`, v.timezone_id]] : pairs;
    }
    case "set":
      return [[code, (value as unknown[]).join(",")]];
    case "address":
      return [[code, v.value]];
    default:
      return [[code, value]];
  }
}

/**
 * Turns what a builder typed into Pipedrive's custom fields for the entity: a JSON object (or its
 * text, or a Prismatic key-value list) keyed by field name or 40-character code. Returns undefined
 * when nothing was given; otherwise the values keyed by field code, in the API's shape (v2 for
 * custom_fields; v1 top-level keys for leads or with `version: "v1"`). Throws InputError before
 * any write when a name, option or value is wrong.
 */
export async function encodeCustomFields(
  client: PipedriveClient,
  entity: FieldEntity,
  input: unknown,
  options: EncodeOptions = {},
): Promise<Record<string, unknown> | undefined> {
  const pairs = readInput(input);
  if (!pairs) return undefined;
  const version = entity === "lead" ? "v1" : (options.version ?? "v2");
  const cleared = version === "v2" ? clearsByCode(pairs) : undefined;
  if (cleared) return cleared;
  const index = await indexFor(client, entity);
  try {
    return encodePairs(index, entity, pairs, version);
  } catch (error) {
    // Names and options come from a catalog an earlier execution fetched: a new field or option
    // may be missing from it, so look again before calling the input wrong.
    if (!(error instanceof InputError) || !index.cached) throw error;
    return encodePairs(await indexFor(client, entity, true), entity, pairs, version);
  }
}

const STORED_CODE = /^[0-9a-f]{40}$/;

/**
 * The one input whose v2 body is known without field metadata: every key a field code exactly as
 * Pipedrive writes it (40 lowercase hex characters, nothing around it, each once) and every value
 * blank (null, "" or spaces), which clears the field whatever its type. Any other value is sent in
 * a form that depends on the field's type (a string is text, an address {value}, an option label
 * an option id; a number is "5" for text, {value: 5} for money, an option id for dropdowns; [] is
 * null except on json fields), so it needs the fields. Only v2: v1 bodies (leads) depend on the
 * type too (leads refuse money, ranges and times, even when cleared). An unknown code is then
 * refused by Pipedrive's answer to the write (400) instead of before it.
 */
function clearsByCode(pairs: Array<[string, unknown]>): Record<string, null> | undefined {
  const out: Record<string, null> = {};
  for (const [key, value] of pairs) {
    if (!STORED_CODE.test(key) || key in out || !isBlank(value)) return undefined;
    out[key] = null;
  }
  return out;
}

function encodePairs(
  index: FieldIndex,
  entity: FieldEntity,
  pairs: Array<[string, unknown]>,
  version: "v1" | "v2",
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new Map<string, string>();
  for (const [key, value] of pairs) {
    const field = resolveField(index, entity, key);
    const earlier = seen.get(field.code);
    if (earlier !== undefined) {
      throw new InputError(
        `${INPUT}: "${earlier}" and "${key.trim()}" both name the field "${field.name}"; give it once.`,
      );
    }
    seen.set(field.code, key.trim());
    if (entity === "lead" && MULTI_KEY_TYPES.has(field.type)) {
      throw new InputError(
        `${INPUT}: "${field.name}" is a ${field.type} field, which leads don't take through this component (only text, number, option, date, address and user/person/organization fields); set it on the deal after converting the lead.`,
      );
    }
    const coerced = coerceValue(field, value);
    if (version === "v2") out[field.code] = coerced;
    else for (const [k, v] of toV1(field, coerced)) out[k] = v;
  }
  return out;
}

// --- decoding ----------------------------------------------------------------------------------

function labelOf(field: FieldInfo, id: unknown): unknown {
  if (isRecord(id) && "label" in id) return id.label ?? id.id; // include_option_labels=true
  const option = field.options.find((o) => String(o.id) === String(id).trim());
  return option ? option.label : id;
}

/** A stored value as the builder would read it: option ids become labels, the rest stays. */
function decodeValue(field: FieldInfo, value: unknown): unknown {
  if (value === null || value === undefined || !field.options.length) return value;
  if (field.type === "set") {
    const ids = Array.isArray(value)
      ? value
      : typeof value === "string"
        ? value.split(",").filter((s) => s.trim())
        : [value];
    return ids.map((id) => labelOf(field, id));
  }
  if (field.type === "enum") return labelOf(field, value);
  return value;
}

/** Custom field codes a decode met that its catalog did not know (a field created since it was fetched). */
interface DecodeRun {
  index: FieldIndex;
  /** Distinct unknown custom field codes met. */
  misses: number;
  codes: Map<string, Resolved>;
}

/** What a key of `custom_fields` decodes to: its field and display key, or nothing (kept as it is). */
type Resolved = { field: FieldInfo; key: string } | null;

function resolveCode(run: DecodeRun, code: string): Resolved {
  let resolved = run.codes.get(code);
  if (resolved !== undefined) return resolved;
  const field = run.index.byCode.get(code.toLowerCase());
  if (!field && CUSTOM_CODE.test(code)) run.misses++;
  resolved = field?.isCustom ? { field, key: run.index.displayKey.get(field.code) ?? code } : null;
  run.codes.set(code, resolved);
  return resolved;
}

function decodeMap(run: DecodeRun, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const code in values) {
    const value = values[code];
    // Records of a list share their codes: each is resolved once per decode.
    const resolved = resolveCode(run, code);
    if (!resolved) {
      out[code] = value;
      continue;
    }
    const { key } = resolved;
    out[key in out || key in values ? code : key] = decodeValue(resolved.field, value);
  }
  return out;
}

/** v1 records (leads) carry custom fields at the top level, with `code_suffix` keys for parts. */
function decodeTopLevel(run: DecodeRun, record: Record<string, unknown>): Record<string, unknown> | undefined {
  const { index } = run;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const code = key.slice(0, 40);
    const field = CUSTOM_CODE.test(code) ? index.byCode.get(code.toLowerCase()) : undefined;
    if (!field?.isCustom || (key.length > 40 && key[40] !== "_")) {
      if (!field && key.length === 40 && CUSTOM_CODE.test(code)) run.misses++;
      out[key] = value;
      continue;
    }
    const name = index.displayKey.get(field.code) ?? code;
    const renamed = name + key.slice(40);
    changed = true;
    if (renamed in record || renamed in out) out[key] = key.length === 40 ? decodeValue(field, value) : value;
    else out[renamed] = key.length === 40 ? decodeValue(field, value) : value;
  }
  return changed ? out : undefined;
}

function decodeAny(run: DecodeRun, data: unknown, inPlace: boolean): unknown {
  if (Array.isArray(data)) {
    if (!inPlace) return data.map((item) => decodeAny(run, item, inPlace));
    for (let i = 0; i < data.length; i++) data[i] = decodeAny(run, data[i], inPlace);
    return data;
  }
  if (!isRecord(data)) return data;
  if (isRecord(data.custom_fields)) {
    const named = decodeMap(run, data.custom_fields);
    if (!inPlace) return { ...data, custom_fields: named };
    data.custom_fields = named;
    return data;
  }
  const topLevel = decodeTopLevel(run, data);
  if (topLevel) return topLevel;
  if ("data" in data && (Array.isArray(data.data) || isRecord(data.data))) {
    const inner = decodeAny(run, data.data, inPlace);
    if (!inPlace) return { ...data, data: inner };
    data.data = inner;
    return data;
  }
  return data;
}

/**
 * Resolves custom fields in a record, a list of records or a Pipedrive envelope ({data}): v2
 * `custom_fields` keyed by field name instead of code, v1 top-level codes (leads) renamed to
 * names, enum/set option ids shown as labels, other values as they are. Unknown codes, and codes
 * whose name another custom field shares, are kept as codes. Nothing is changed in place unless
 * `inPlace` is set (for a response the caller owns, e.g. one the action just fetched).
 */
export async function decodeCustomFields(
  client: PipedriveClient,
  entity: FieldEntity,
  data: unknown,
  options: { inPlace?: boolean } = {},
): Promise<unknown> {
  if (!isRecord(data) && !(Array.isArray(data) && data.length > 0)) return data;
  const index = await indexFor(client, entity);
  const first: DecodeRun = { index, misses: 0, codes: new Map() };
  const decoded = decodeAny(first, data, Boolean(options.inPlace));
  // A code the cached catalog lacks is a field created since: fetch the fields again and name it.
  // Decoding decoded output again changes only what is still a code.
  if (!first.misses || !index.cached) return decoded;
  return decodeAny({ index: await indexFor(client, entity, true), misses: 0, codes: new Map() }, decoded, true);
}
