import { InputError } from "../client/errors";
import type { Param } from "./operation";

/** Field keys as Pipedrive's field lists name them, where the v2 body field is another: key -> body field. */
const LIST_FIELDS: Record<string, string> = { email: "emails", phone: "phones" };

/**
 * The body that sets one field of a record by its key: a standard field (name, owner_id, email, ...)
 * top-level, cleaned as the record's update action cleans it; any other key (a custom field's
 * 40-character key) under custom_fields.
 */
export function fieldValueBody(
  standard: Record<string, Param>,
  key: string,
  value: unknown,
  label = "Value",
): Record<string, unknown> {
  const name = LIST_FIELDS[key] ?? key;
  const param = Object.values(standard).find((p) => p.in === "body" && p.name === name);
  if (!param) return { custom_fields: { [key]: value } };
  const cleaner = (param.input as { clean?: (value: unknown) => unknown }).clean;
  const cleaned = cleaner ? cleaner(value) : value;
  if (cleaned === undefined) throw new InputError(`${label}: set a value for ${key}.`);
  // One email or phone set this way becomes the record's primary one.
  if (LIST_FIELDS[key] && Array.isArray(cleaned) && cleaned.length === 1)
    return { [name]: [{ ...cleaned[0], primary: true }] };
  return { [name]: cleaned };
}
