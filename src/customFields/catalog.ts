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

const catalogs = new WeakMap<PipedriveClient, Map<FieldEntity, Promise<Map<string, FieldInfo>>>>();

const CUSTOM_CODE = /^[0-9a-f]{40}$/;

/**
 * Field metadata for an entity, every page (500 a page), fetched once per client (one client per
 * execution). Concurrent callers share the one request; a failed fetch is not kept, so a later
 * call tries again.
 */
export function fieldCatalog(client: PipedriveClient, entity: FieldEntity): Promise<Map<string, FieldInfo>> {
  let perClient = catalogs.get(client);
  if (!perClient) {
    perClient = new Map();
    catalogs.set(client, perClient);
  }
  let catalog = perClient.get(entity);
  if (!catalog) {
    const source = SOURCES[entity];
    const cache = perClient;
    const fetched: Promise<{ items: RawField[] }> = source.unpaged
      ? client
          .request<{ data: RawField[] | null }>({ method: "GET", version: source.version, path: source.path })
          .then((envelope) => ({ items: envelope.data ?? [] }))
      : client.collect<RawField>({
          version: source.version,
          path: source.path,
          pagination: source.version === "v2" ? "cursor" : "offset",
        });
    catalog = fetched.then(({ items }) => {
      const byCode = new Map<string, FieldInfo>();
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
    const pending = catalog;
    pending.catch(() => {
      if (cache.get(entity) === pending) cache.delete(entity);
    });
    perClient.set(entity, catalog);
  }
  return catalog;
}
