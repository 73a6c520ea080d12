import type { FieldInfo } from "../../customFields/catalog";

/** A Pipedrive webhooks v2 delivery. */
export interface PipedriveEvent {
  meta: {
    id: string;
    action: "create" | "change" | "delete";
    entity: string;
    entity_id?: string;
    timestamp?: string;
    user_id?: string;
    company_id?: string;
    webhook_id?: string;
    attempt?: number;
    change_source?: string;
    is_bulk_edit?: boolean;
    [key: string]: unknown;
  };
  data: Record<string, unknown> | null;
  previous: Record<string, unknown> | null;
}

export interface ChangedField {
  /** The field's key: a standard name such as stage_id, or a custom field's 40-character code. */
  field: string;
  /** A readable name: the custom field's name in Pipedrive, or the standard key. */
  name: string;
  isCustom: boolean;
  previous: unknown;
  current: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Returns the event, or the reason the body is not a Pipedrive v2 webhook payload. */
export function parseEvent(body: unknown): PipedriveEvent | { problem: string } {
  let value = body;
  if (Buffer.isBuffer(value)) value = value.toString("utf8");
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return { problem: "the body is not JSON" };
    }
  }
  if (!isRecord(value)) return { problem: "the body is not a JSON object" };
  const meta = value.meta;
  if (!isRecord(meta)) return { problem: "meta is missing (only Pipedrive webhooks v2 payloads are accepted)" };
  if (typeof meta.id !== "string" || !meta.id) return { problem: "meta.id (the event id) is missing" };
  if (meta.id.length > 100) return { problem: "meta.id is longer than an event id can be" };
  if (!["create", "change", "delete"].includes(String(meta.action)))
    return {
      problem: `meta.action must be create, change or delete, got ${JSON.stringify(meta.action)?.slice(0, 40)}`,
    };
  if (typeof meta.entity !== "string") return { problem: "meta.entity is missing" };
  const data = value.data ?? null;
  const previous = value.previous ?? null;
  if (data !== null && !isRecord(data)) return { problem: "data must be an object or null" };
  if (previous !== null && !isRecord(previous)) return { problem: "previous must be an object or null" };
  return { meta: meta as PipedriveEvent["meta"], data, previous };
}

const label = (field: FieldInfo | undefined, value: unknown): unknown => {
  if (!field?.options.length || value === null || value === undefined) return value;
  const byId = (id: unknown) => field.options.find((option) => String(option.id) === String(id))?.label ?? id;
  return Array.isArray(value) ? value.map(byId) : byId(value);
};

/**
 * What a change event changed. v2's `previous` holds only the changed fields, custom fields nested
 * under custom_fields; option ids of enum/set custom fields are shown as their labels.
 */
export function changedFields(event: PipedriveEvent, fields: Map<string, FieldInfo> = new Map()): ChangedField[] {
  if (event.meta.action !== "change" || !event.previous) return [];
  const changes: ChangedField[] = [];
  for (const [key, before] of Object.entries(event.previous)) {
    if (key === "custom_fields" && isRecord(before)) {
      const after = isRecord(event.data?.custom_fields) ? event.data.custom_fields : {};
      for (const [code, old] of Object.entries(before)) {
        const field = fields.get(code);
        changes.push({
          field: code,
          name: field?.name ?? code,
          isCustom: true,
          previous: label(field, old),
          current: label(field, after[code]),
        });
      }
      continue;
    }
    changes.push({
      field: key,
      name: fields.get(key)?.name ?? key,
      isCustom: false,
      previous: before,
      current: event.data?.[key],
    });
  }
  return changes;
}

/** True when one of the wanted fields (keys or names, any case) is among the changes. */
export function touchesAny(changes: ChangedField[], wanted: string[]): boolean {
  const lookup = new Set(wanted.map((w) => w.trim().toLowerCase()).filter(Boolean));
  return changes.some((change) => lookup.has(change.field.toLowerCase()) || lookup.has(change.name.toLowerCase()));
}
