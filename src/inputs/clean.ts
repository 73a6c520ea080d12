import { util } from "@prismatic-io/spectral";
import { isValid, parseISO } from "date-fns";
import { InputError } from "../client/errors";
import { megabytes, POLICY } from "../client/policy";

/**
 * Cleaners turn the designer's raw values (mostly strings) into what Pipedrive expects, or fail
 * before any request with an error naming the input and the expected form. `clean` runs for every
 * declared input, set or not, so each one accepts undefined/null/"" as "not set".
 */
export type Cleaner<T> = (value: unknown) => T;

/**
 * A value a cleaner lowered or dropped to what Pipedrive takes now (a Limit above the cap, a sort
 * field Pipedrive no longer sorts by): the action logs the warning and sends `value` instead.
 */
export class Adjusted {
  constructor(
    readonly value: unknown,
    readonly warning: string,
  ) {}
}

const isBlank = (value: unknown) =>
  value === undefined || value === null || (typeof value === "string" && value.trim() === "");

const show = (value: unknown) => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const fail = (label: string, expected: string, value: unknown): never => {
  throw new InputError(`${label}: expected ${expected}, got "${show(value)}".`);
};

const requiredCheck =
  <T>(label: string, inner: (value: unknown) => T): Cleaner<T> =>
  (value) => {
    if (isBlank(value)) throw new InputError(`${label} is required.`);
    return inner(value);
  };

const optional =
  <T>(inner: (value: unknown) => T): Cleaner<T | undefined> =>
  (value) =>
    isBlank(value) ? undefined : inner(value);

const toInteger =
  (label: string, min = 1, max = Number.MAX_SAFE_INTEGER) =>
  (value: unknown): number => {
    const text = typeof value === "number" ? String(value) : util.types.toString(value).trim();
    if (!/^-?\d+$/.test(text))
      return fail(label, min >= 1 ? "a positive whole number such as 123" : "a whole number", value);
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < min || n > max)
      return fail(
        label,
        max < Number.MAX_SAFE_INTEGER ? `a whole number from ${min} to ${max}` : `a whole number of at least ${min}`,
        value,
      );
    return n;
  };

const toDecimal =
  (label: string) =>
  (value: unknown): number => {
    const text = typeof value === "number" ? String(value) : util.types.toString(value).trim();
    if (!/^-?\d+(\.\d+)?$/.test(text)) return fail(label, "a number such as 1500 or 99.95", value);
    const n = Number(text);
    // 309+ digits pass the pattern but overflow to Infinity, which JSON would send as null.
    if (!Number.isFinite(n)) return fail(label, "a number such as 1500 or 99.95", value);
    return n;
  };

const toText =
  (label: string, maxLength?: number) =>
  (value: unknown): string => {
    if (typeof value === "object") return fail(label, "text", value);
    const text = util.types.toString(value);
    if (maxLength && text.length > maxLength) return fail(label, `at most ${maxLength} characters`, value);
    return text;
  };

const toChoice =
  <T extends string>(label: string, allowed: readonly T[]) =>
  (value: unknown): T => {
    const text = util.types.toString(value).trim();
    if (!(allowed as readonly string[]).includes(text)) return fail(label, `one of ${allowed.join(", ")}`, value);
    return text as T;
  };

const toBoolean =
  (label: string) =>
  (value: unknown): boolean => {
    if (typeof value === "boolean") return value;
    const text = util.types.toString(value).trim().toLowerCase();
    if (["true", "t", "yes", "y", "1"].includes(text)) return true;
    if (["false", "f", "no", "n", "0"].includes(text)) return false;
    return fail(label, "true or false", value);
  };

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const toDateOnly =
  (label: string) =>
  (value: unknown): string => {
    const text = util.types.toString(value).trim();
    // Keep the calendar day the builder typed: no time zone shift.
    if (!DATE_ONLY.test(text) || !isValid(parseISO(text)))
      return fail(label, "a date as YYYY-MM-DD, e.g. 2026-12-31", value);
    return text;
  };

/** RFC 3339 in UTC without milliseconds, as Pipedrive v2 expects (2026-01-31T09:30:00Z). */
const toDateTime =
  (label: string) =>
  (value: unknown): string => {
    const text = util.types.toString(value).trim();
    const parsed = DATE_ONLY.test(text) ? parseISO(`${text}T00:00:00Z`) : parseISO(text);
    const hasZone = DATE_ONLY.test(text) || /(Z|[+-]\d{2}:?\d{2})$/i.test(text);
    if (!isValid(parsed) || !hasZone)
      return fail(label, "a date-time with a time zone, e.g. 2026-01-31T09:30:00Z (or a date, 2026-01-31)", value);
    return parsed.toISOString().replace(/\.\d{3}Z$/, "Z");
  };

const PIPEDRIVE_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(:\d{2})?)$/;

/**
 * Pipedrive's v1 "YYYY-MM-DD HH:MM:SS" in UTC: taken as written (a time without zone is UTC there),
 * or from a date-time with a zone, or a date (midnight UTC).
 */
const toUtcDateTime =
  (label: string) =>
  (value: unknown): string => {
    const text = util.types.toString(value).trim();
    const plain = PIPEDRIVE_TIME.exec(text);
    const parsed = plain
      ? parseISO(`${plain[1]}T${plain[3] ? plain[2] : `${plain[2]}:00`}Z`)
      : DATE_ONLY.test(text)
        ? parseISO(`${text}T00:00:00Z`)
        : /(Z|[+-]\d{2}:?\d{2})$/i.test(text)
          ? parseISO(text)
          : new Date(Number.NaN);
    if (!isValid(parsed))
      return fail(
        label,
        "a UTC date-time as YYYY-MM-DD HH:MM:SS, e.g. 2026-01-31 09:30:00 (or 2026-01-31T09:30:00Z)",
        value,
      );
    return parsed
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d{3}Z$/, "");
  };

const toIdList =
  (label: string, max: number) =>
  (value: unknown): number[] => {
    const parts = Array.isArray(value) ? value : util.types.toString(value).split(",");
    const ids = parts
      .map((part) => util.types.toString(part).trim())
      .filter(Boolean)
      .map(toInteger(label));
    if (ids.length > max) return fail(label, `at most ${max} IDs`, value);
    return ids;
  };

const toJson =
  (label: string, shape: "object" | "array" | "any") =>
  (value: unknown): unknown => {
    let parsed = value;
    if (typeof value === "string") {
      if (value.length > POLICY.maxJsonBodyBytes)
        throw new InputError(
          `${label}: the JSON is ${megabytes(value.length)}; at most ${megabytes(POLICY.maxJsonBodyBytes)} is sent to Pipedrive in one request. Split it or send less.`,
        );
      try {
        parsed = JSON.parse(value);
      } catch {
        return fail(label, shape === "array" ? 'JSON such as [{"id": 1}]' : 'JSON such as {"key": "value"}', value);
      }
    }
    if (shape === "object" && (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)))
      return fail(label, 'a JSON object such as {"key": "value"}', value);
    if (shape === "array" && !Array.isArray(parsed)) return fail(label, 'a JSON array such as [{"id": 1}]', value);
    return parsed;
  };

/**
 * A money value: {"amount": 1500, "currency": "USD"}, or a bare amount ("1500"), which comes back
 * without a currency for the action to complete.
 */
const toMoney =
  (label: string) =>
  (value: unknown): { amount: number; currency?: string } => {
    const text = typeof value === "string" ? value.trim() : value;
    if (typeof text === "number" || (typeof text === "string" && /^-?\d+(\.\d+)?$/.test(text)))
      return { amount: Number(text) };
    const parsed = toJson(label, "object")(text) as Record<string, unknown>;
    const expected = 'an amount such as 1500, or {"amount": 1500, "currency": "USD"}';
    const amount = typeof parsed.amount === "string" ? Number(parsed.amount.trim()) : parsed.amount;
    if (typeof amount !== "number" || !Number.isFinite(amount)) return fail(label, expected, value);
    if (parsed.currency === undefined || parsed.currency === null || parsed.currency === "") return { amount };
    if (typeof parsed.currency !== "string" || !/^[A-Za-z]{3}$/.test(parsed.currency.trim()))
      return fail(label, `${expected} (a 3-letter currency code)`, value);
    return { amount, currency: parsed.currency.trim().toUpperCase() };
  };

export interface ContactItem {
  value: string;
  primary?: boolean;
  label?: string;
}

const CONTACT_FORMS =
  'a comma-separated list such as ada@example.com,bob@example.com, or JSON such as [{"value": "ada@example.com", "primary": true, "label": "work"}]';

/** Emails or phones: one value, a comma-separated list, or JSON [{value, primary, label}] (or plain strings). */
const toContactList =
  (label: string) =>
  (value: unknown): ContactItem[] => {
    let items: unknown[];
    if (Array.isArray(value)) items = value;
    else if (typeof value === "string" && /^\s*\[/.test(value)) {
      try {
        items = JSON.parse(value);
      } catch {
        return fail(label, CONTACT_FORMS, value);
      }
      if (!Array.isArray(items)) return fail(label, CONTACT_FORMS, value);
    } else if (typeof value === "string" || typeof value === "number") items = String(value).split(",");
    else return fail(label, CONTACT_FORMS, value);
    const out: ContactItem[] = [];
    for (const item of items) {
      if (typeof item === "string" || typeof item === "number") {
        const text = String(item).trim();
        if (text) out.push({ value: text });
        continue;
      }
      const { value: itemValue, primary, label: itemLabel } = (item ?? {}) as Record<string, unknown>;
      if (typeof itemValue !== "string" || !itemValue.trim()) return fail(label, CONTACT_FORMS, value);
      const contact: ContactItem = { value: itemValue.trim() };
      if (primary !== undefined) contact.primary = toBoolean(label)(primary);
      if (itemLabel !== undefined && itemLabel !== null) contact.label = toText(label)(itemLabel);
      out.push(contact);
    }
    return out;
  };

const toTextList =
  (label: string) =>
  (value: unknown): string[] => {
    if (Array.isArray(value)) return value.map((item) => toText(label)(item).trim()).filter(Boolean);
    return toText(label)(value)
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean);
  };

export const clean = {
  id: (label: string) => requiredCheck(label, toInteger(label)),
  integer: (label: string, min = Number.MIN_SAFE_INTEGER) => requiredCheck(label, toInteger(label, min)),
  number: (label: string) => requiredCheck(label, toDecimal(label)),
  json: (label: string, shape: "object" | "array" | "any" = "any") => requiredCheck(label, toJson(label, shape)),
  optionalJson: (label: string, shape: "object" | "array" | "any" = "any") => optional(toJson(label, shape)),
  optionalMoney: (label: string) => optional(toMoney(label)),
  optionalTextList: (label: string) => optional(toTextList(label)),
  optionalContactList: (label: string) =>
    optional((value: unknown) => {
      const items = toContactList(label)(value);
      return items.length ? items : undefined;
    }),
  optionalId: (label: string) => optional(toInteger(label)),
  optionalInteger: (label: string, min = 0, max?: number) => optional(toInteger(label, min, max)),
  /** A page size: above Pipedrive's cap it is lowered to the cap, with a warning. */
  optionalPageSize: (label: string, cap: number) =>
    optional((value: unknown) => {
      const n = toInteger(label, 1)(value);
      return n > cap ? new Adjusted(cap, `${label} ${n} is above Pipedrive's maximum of ${cap} here; ${cap} used.`) : n;
    }),
  optionalNumber: (label: string) => optional(toDecimal(label)),
  text: (label: string, maxLength?: number) => requiredCheck(label, toText(label, maxLength)),
  optionalText: (label: string, maxLength?: number) => optional(toText(label, maxLength)),
  /** A free-text ID (channel, conversation, hash ids): surrounding spaces are never part of it. */
  textId: (label: string) => requiredCheck(label, (value: unknown) => toText(label)(value).trim()),
  optionalTextId: (label: string) => optional((value: unknown) => toText(label)(value).trim()),
  choice: <T extends string>(label: string, allowed: readonly T[]) => requiredCheck(label, toChoice(label, allowed)),
  optionalChoice: <T extends string>(label: string, allowed: readonly T[]) => optional(toChoice(label, allowed)),
  /**
   * A sort field: one of the list's fields; another field name (Prismatic's Sort By example "title",
   * which Pipedrive's v2 lists refuse) is dropped with a warning, so the list comes in Pipedrive's
   * default order. Anything that is not a field name is refused as usual.
   */
  optionalSortField: (label: string, allowed: readonly string[]) =>
    optional((value: unknown) => {
      const text = util.types.toString(value).trim();
      if (/^[a-z][a-z0-9_]*$/i.test(text) && !allowed.includes(text))
        return new Adjusted(
          undefined,
          `${label} "${text}" is not a field Pipedrive sorts this list by (${allowed.join(", ")}); the list comes in Pipedrive's default order.`,
        );
      return toChoice(label, allowed)(value);
    }),
  optionalBoolean: (label: string) => optional(toBoolean(label)),
  boolean: (label: string) => (value: unknown) => (isBlank(value) ? false : toBoolean(label)(value)),
  optionalDate: (label: string) => optional(toDateOnly(label)),
  optionalDateTime: (label: string) => optional(toDateTime(label)),
  utcDateTime: (label: string) => requiredCheck(label, toUtcDateTime(label)),
  optionalUtcDateTime: (label: string) => optional(toUtcDateTime(label)),
  /** Text that must match a pattern after trimming and optional normalisation (e.g. upper case). */
  optionalPattern: (label: string, pattern: RegExp, expected: string, normalise: (text: string) => string = (t) => t) =>
    optional((value: unknown) => {
      const text = normalise(toText(label)(value).trim());
      return pattern.test(text) ? text : fail(label, expected, value);
    }),
  uuid: (label: string) =>
    requiredCheck(label, (value: unknown) => {
      const text = toText(label)(value).trim();
      return UUID.test(text) ? text : fail(label, "a UUID such as adf21080-0e10-11eb-879b-05d71fb426ec", value);
    }),
  optionalUuid: (label: string) =>
    optional((value: unknown) => {
      const text = toText(label)(value).trim();
      return UUID.test(text) ? text : fail(label, "a UUID such as adf21080-0e10-11eb-879b-05d71fb426ec", value);
    }),
  optionalIdList: (label: string, max = 100) => optional(toIdList(label, max)),
};
