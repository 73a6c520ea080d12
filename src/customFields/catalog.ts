import type { PipedriveClient } from "../client";

/** A field's metadata, from Pipedrive's *Fields endpoints (v2 shape; v1 mapped onto it). */
export interface FieldInfo {
  code: string;
  name: string;
  type: string;
  isCustom: boolean;
  options: { id: number | string; label: string }[];
}

export type FieldEntity = "deal" | "person" | "organization" | "product" | "activity" | "lead" | "note";

const SOURCES: Record<FieldEntity, { version: "v1" | "v2"; path: string; unpaged?: true }> = {
  deal: { version: "v2", path: "/dealFields" },
  person: { version: "v2", path: "/personFields" },
  organization: { version: "v2", path: "/organizationFields" },
  product: { version: "v2", path: "/productFields" },
  activity: { version: "v2", path: "/activityFields" },
  lead: { version: "v1", path: "/leadFields" },
  // /v1/noteFields takes no paging parameters: one request returns them all.
  note: { version: "v1", path: "/noteFields", unpaged: true },
};

export const hasFieldCatalog = (entity: string): entity is FieldEntity => entity in SOURCES;

interface RawField {
  field_code?: string;
  field_name?: string;
  field_type?: string;
  is_custom_field?: boolean;
  key?: string;
  name?: string;
  edit_flag?: boolean;
  options?: { id: number | string; label: string }[] | null;
}

const CUSTOM_CODE = /^[0-9a-f]{40}$/;

/** How long field metadata kept in the flow's instance state is used before it is fetched again. */
export const FIELD_CACHE_TTL_MS = 5 * 60_000;
const STATE_PREFIX = "pipedriveFields:";

/** The compact form kept in instance state: [code, name, type, custom (1/0), [[option id, label]...]]. */
type StoredField = [string, string, string, 0 | 1, [number | string, string][]];
interface StoredCatalog {
  /** The company's API origin: fields belong to one Pipedrive company. */
  origin: string;
  /** When the fields were fetched (epoch ms). */
  at: number;
  fields: StoredField[];
}

export type Catalog = Map<string, FieldInfo>;

interface ClientFields {
  catalogs: Map<FieldEntity, Promise<Catalog>>;
  /** Catalogs that came from instance state (fetched by an earlier execution), not from Pipedrive now. */
  fromState: WeakSet<Catalog>;
  /** The flow's instance state when the caller has one (actions and triggers; not data sources). */
  state?: Record<string, unknown>;
  /** Entries fetched in this execution, for the caller to return as instance state. */
  updates: Record<string, StoredCatalog>;
  now: () => number;
}

const perClient = new WeakMap<PipedriveClient, ClientFields>();

function fieldsOf(client: PipedriveClient): ClientFields {
  let entry = perClient.get(client);
  if (!entry) {
    entry = { catalogs: new Map(), fromState: new WeakSet(), updates: {}, now: Date.now };
    perClient.set(client, entry);
  }
  return entry;
}

/**
 * Lets field metadata outlive the execution: catalogs are read from, and fetched ones offered to,
 * the flow's instance state (`context.instanceState`), for FIELD_CACHE_TTL_MS. Return
 * `fieldCacheState(client, context.instanceState)` as the step's instanceState to keep them.
 */
export function useFieldCache(
  client: PipedriveClient,
  instanceState: Record<string, unknown> | undefined,
  now: () => number = Date.now,
): void {
  const entry = fieldsOf(client);
  entry.state = instanceState;
  entry.now = now;
}

/**
 * The instance state to return: what the step was given plus the catalogs fetched in this
 * execution, or undefined when nothing changed (so the step returns no state at all).
 */
export function fieldCacheState(
  client: PipedriveClient,
  base: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  const updates = perClient.get(client)?.updates;
  if (!updates || Object.keys(updates).length === 0) return undefined;
  return { ...base, ...updates };
}

function fromStored(stored: StoredCatalog): Catalog {
  const byCode: Catalog = new Map();
  for (const [code, name, type, custom, options] of stored.fields)
    byCode.set(code, {
      code,
      name,
      type,
      isCustom: custom === 1,
      options: options.map(([id, label]) => ({ id, label })),
    });
  return byCode;
}

function toStored(origin: string, at: number, catalog: Catalog): StoredCatalog {
  const fields: StoredField[] = [];
  for (const f of catalog.values())
    fields.push([f.code, f.name, f.type, f.isCustom ? 1 : 0, f.options.map((o) => [o.id, o.label])]);
  return { origin, at, fields };
}

function cached(client: PipedriveClient, entry: ClientFields, entity: FieldEntity): Catalog | undefined {
  const stored = entry.state?.[STATE_PREFIX + entity] as StoredCatalog | undefined;
  if (!stored || stored.origin !== client.origin || !Array.isArray(stored.fields)) return undefined;
  const age = entry.now() - stored.at;
  if (!(age >= 0 && age < FIELD_CACHE_TTL_MS)) return undefined;
  return fromStored(stored);
}

function fetchCatalog(client: PipedriveClient, entity: FieldEntity): Promise<Catalog> {
  const source = SOURCES[entity];
  const fetched: Promise<{ items: RawField[] }> = source.unpaged
    ? client
        .request<{ data: RawField[] | null }>({ method: "GET", version: source.version, path: source.path })
        .then((envelope) => ({ items: envelope.data ?? [] }))
    : client.collect<RawField>({
        version: source.version,
        path: source.path,
        pagination: source.version === "v2" ? "cursor" : "offset",
      });
  return fetched.then(({ items }) => {
    const byCode: Catalog = new Map();
    for (const raw of items) {
      const code = raw.field_code ?? raw.key;
      if (!code) continue;
      byCode.set(code, {
        code,
        name: raw.field_name ?? raw.name ?? code,
        type: raw.field_type ?? "varchar",
        isCustom: raw.is_custom_field ?? raw.edit_flag ?? CUSTOM_CODE.test(code),
        options: raw.options ?? [],
      });
    }
    return byCode;
  });
}

/**
 * Field metadata for an entity, every page (500 a page): once per client (one client per
 * execution), and across executions through the flow's instance state when `useFieldCache` gave
 * it. Concurrent callers share the one request; a failed fetch is not kept, so a later call tries
 * again. `refresh` fetches again when the catalog in hand came from instance state (a field or
 * option it lacks may be new); a catalog fetched in this execution is already current.
 */
export function fieldCatalog(
  client: PipedriveClient,
  entity: FieldEntity,
  options: { refresh?: boolean } = {},
): Promise<Catalog> {
  const entry = fieldsOf(client);
  const current = entry.catalogs.get(entity);
  if (current && !options.refresh) return current;
  if (current && options.refresh) {
    return current.then((catalog) =>
      entry.fromState.has(catalog) && entry.catalogs.get(entity) === current
        ? load(client, entry, entity, false)
        : catalog,
    );
  }
  return load(client, entry, entity, true);
}

function load(client: PipedriveClient, entry: ClientFields, entity: FieldEntity, useState: boolean): Promise<Catalog> {
  const stored = useState ? cached(client, entry, entity) : undefined;
  if (stored) {
    entry.fromState.add(stored);
    const ready = Promise.resolve(stored);
    entry.catalogs.set(entity, ready);
    return ready;
  }
  const pending = fetchCatalog(client, entity).then((catalog) => {
    if (entry.state) entry.updates[STATE_PREFIX + entity] = toStored(client.origin, entry.now(), catalog);
    return catalog;
  });
  pending.catch(() => {
    if (entry.catalogs.get(entity) === pending) entry.catalogs.delete(entity);
  });
  entry.catalogs.set(entity, pending);
  return pending;
}

/** True when the catalog came from instance state, so a miss in it is worth a fresh fetch. */
export function isFromCache(client: PipedriveClient, catalog: Catalog): boolean {
  return perClient.get(client)?.fromState.has(catalog) ?? false;
}
