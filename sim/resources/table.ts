/**
 * The resource table: one declarative entry per stateful Pipedrive resource. Generic handlers
 * (./generic.ts) implement list/get/create/update/delete/search from these entries; every route
 * named here must exist in the spec (checked at startup).
 */
import type { Store } from "../store";
import type { ApiVersion, CollectionName, FieldEntity } from "../types";
import { badRequest, formatTime, isPlainObject, parseTime, type TimeFormat } from "../util";
import type { ApiRequest, Caller, Rec, SimCore } from "./context";
import { presentCustomFields } from "./customFields";
import { savedFilter } from "./savedFilters";

export type FilterFactory = (value: unknown, core: SimCore, req: ApiRequest) => (rec: Rec) => boolean;

export interface PresentCtx {
  query: Record<string, unknown>;
  caller: Caller;
}

export interface SearchDef {
  /** Searchable fields (names as in the operation's `fields` enum) -> strings to match. */
  fields: Record<string, (rec: Rec, core: SimCore) => string[]>;
  filters?: Record<string, FilterFactory>;
  item: (rec: Rec, core: SimCore) => Record<string, unknown>;
}

export type OperationKind = "list" | "get" | "create" | "update" | "delete" | "search";

export interface ResourceDef {
  collection: CollectionName;
  version: ApiVersion;
  /** Spec path of the collection, e.g. "/deals". */
  path: string;
  idType: "int" | "uuid";
  /** Used in messages: "Deal not found". */
  label: string;
  /** Webhook event_object; omit for resources that emit no webhooks. */
  entity?: string;
  /** Entity whose custom fields the records carry. */
  fieldEntity?: FieldEntity;
  /** v2: `custom_fields` object; v1 (leads): top-level 40-hex keys. */
  customFields?: "nested" | "top-level";
  timeFormat: TimeFormat;
  pagination: "cursor" | "offset" | "offset-flat" | "none";
  operations: OperationKind[];
  updateMethod?: "PATCH" | "PUT";
  /** soft: is_deleted=true, kept (v2 semantics); hard: removed. */
  deleteMode?: "soft" | "hard";
  /** v1 notes answer {data: true}; everything else {data: {id}}. */
  deleteResponse?: "id" | "true";
  /** Defaults of a new record (before the request body is applied). */
  defaults: (core: SimCore, caller: Caller, now: string) => Record<string, unknown>;
  /** Sample values for `sim.seed()` when no `make` is given. */
  sample: (id: number | string, i: number) => Record<string, unknown>;
  /** Fields that must be non-empty on create (semantic; the spec may not say so). */
  required?: string[];
  /** Reference fields that must point at an existing, non-deleted record. */
  refs?: Record<string, CollectionName>;
  /** Listing filters by query parameter. */
  filters?: Record<string, FilterFactory>;
  /** Which records a plain list shows (default: not deleted). */
  visible?: (rec: Rec, query: Record<string, unknown>) => boolean;
  /** Extra list routes, e.g. /deals/archived. */
  variants?: Array<{ suffix: string; visible: (rec: Rec, query: Record<string, unknown>) => boolean }>;
  /** API-only semantic checks on the request body (create: prev undefined). */
  check?: (input: Record<string, unknown>, prev: Rec | undefined, core: SimCore) => void;
  /** Derived fields and invariants (API writes and seed). */
  normalize?: (rec: Rec, prev: Rec | undefined, input: Record<string, unknown>, core: SimCore, now: number) => void;
  present?: (rec: Rec, core: SimCore, ctx: PresentCtx) => Record<string, unknown>;
  search?: SearchDef;
  /** API version of the search route when it differs from the resource's (v1 leads, v2 /leads/search). */
  searchVersion?: ApiVersion;
}

// --- filter helpers --------------------------------------------------------------------------

const eq =
  (field: string): FilterFactory =>
  (value) =>
  (rec) =>
    rec[field] === value;

/**
 * Compares a record's time with a bound. RFC 3339 UTC times to the second (v2's own format) compare
 * as strings, which keeps lists over 100,000 records fast; any other form is parsed.
 */
const timeTest = (value: unknown, test: (recordMs: number, boundMs: number) => boolean, field: string) => {
  const t = Date.parse(String(value));
  const canonical = t % 1000 === 0 ? new Date(t).toISOString().replace(".000Z", "Z") : undefined;
  return (rec: Rec) => {
    const v = rec[field];
    if (canonical && typeof v === "string" && v.length === 20 && v[10] === "T" && v[19] === "Z")
      return test(v < canonical ? -1 : v > canonical ? 1 : 0, 0);
    return test(parseTime(v), t);
  };
};

const since =
  (field: string): FilterFactory =>
  (value) =>
    timeTest(value, (a, b) => a >= b, field);

const until =
  (field: string): FilterFactory =>
  (value) =>
    timeTest(value, (a, b) => a < b, field);

const idsIn: FilterFactory = (value) => {
  const set = new Set(
    String(value)
      .split(",")
      .map((s) => Number(s.trim())),
  );
  return (rec) => set.has(rec.id as number);
};

const dateFrom =
  (field: string): FilterFactory =>
  (value) =>
  (rec) =>
    String(rec[field] ?? "").slice(0, 10) >= String(value);

const dateTo =
  (field: string): FilterFactory =>
  (value) =>
  (rec) =>
    String(rec[field] ?? "").slice(0, 10) <= String(value);

const flag =
  (field: string): FilterFactory =>
  (value) =>
  (rec) =>
    !!rec[field] === (value === 1 || value === true);

const v2Common = (): Record<string, FilterFactory> => ({
  ids: idsIn,
  owner_id: eq("owner_id"),
  updated_since: since("update_time"),
  updated_until: until("update_time"),
});

// --- shared semantics ------------------------------------------------------------------------

const notDeleted = (rec: Rec) => rec.is_deleted !== true;

function requireVisibleTo(input: Record<string, unknown>, allowed: unknown[]) {
  if (input.visible_to !== undefined && input.visible_to !== null && !allowed.includes(input.visible_to)) {
    throw badRequest(`visible_to must be one of ${allowed.join(", ")}`);
  }
}

function currencyExists(store: Store, code: unknown): boolean {
  return store
    .collection("currencies")
    .values()
    .some((c) => c.code === code);
}

function presentV2(entity: FieldEntity | undefined) {
  return (rec: Rec, core: SimCore, ctx: PresentCtx): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...rec };
    if (entity) {
      out.custom_fields = presentCustomFields(
        core.store,
        entity,
        rec.custom_fields as Record<string, unknown>,
        ctx.query,
      );
    }
    return out;
  };
}

function nameOf(core: SimCore, collection: CollectionName, id: unknown, field = "name") {
  if (id === null || id === undefined) return null;
  const rec = core.store.collection(collection).get(id as number);
  return rec ? { id: rec.id, [field]: rec[field] } : null;
}

function textMatches(values: unknown[]): string[] {
  return values.filter((v): v is string => typeof v === "string" && v !== "");
}

function customStrings(rec: Rec): string[] {
  const cf = (rec.custom_fields ?? {}) as Record<string, unknown>;
  return textMatches(Object.values(cf).map((v) => (isPlainObject(v) ? v.value : v)));
}

function firstStage(store: Store, pipelineId: unknown): Rec | undefined {
  return store
    .collection("stages")
    .values()
    .filter((s) => s.pipeline_id === pipelineId && !s.is_deleted)
    .sort((a, b) => (a.order_nr as number) - (b.order_nr as number))[0];
}

// --- the table -------------------------------------------------------------------------------

const deals: ResourceDef = {
  collection: "deals",
  version: "v2",
  path: "/deals",
  idType: "int",
  label: "Deal",
  entity: "deal",
  fieldEntity: "deal",
  customFields: "nested",
  timeFormat: "rfc3339",
  pagination: "cursor",
  operations: ["list", "get", "create", "update", "delete", "search"],
  updateMethod: "PATCH",
  deleteMode: "soft",
  defaults: (_core, caller, now) => ({
    title: "",
    creator_user_id: caller.userId,
    owner_id: caller.userId,
    value: 0,
    currency: "USD",
    person_id: null,
    org_id: null,
    pipeline_id: null,
    stage_id: null,
    add_time: now,
    update_time: now,
    stage_change_time: null,
    is_deleted: false,
    is_archived: false,
    archive_time: null,
    status: "open",
    probability: null,
    lost_reason: null,
    visible_to: 3,
    close_time: null,
    won_time: null,
    lost_time: null,
    expected_close_date: null,
    label_ids: [],
    origin: "API",
    origin_id: null,
    channel: null,
    channel_id: null,
    source_lead_id: null,
    arr: null,
    mrr: null,
    acv: null,
  }),
  sample: (id) => ({ title: `Sim deal ${id}`, value: 1000 }),
  required: ["title"],
  refs: {
    owner_id: "users",
    person_id: "persons",
    org_id: "organizations",
    pipeline_id: "pipelines",
    stage_id: "stages",
  },
  filters: {
    filter_id: savedFilter("deals", "deal"),
    ...v2Common(),
    person_id: eq("person_id"),
    org_id: eq("org_id"),
    pipeline_id: eq("pipeline_id"),
    stage_id: eq("stage_id"),
    status: (value) => {
      const wanted = new Set(Array.isArray(value) ? value : [value]);
      return (rec) => wanted.has(rec.is_deleted ? "deleted" : rec.status);
    },
  },
  // GET /deals: not archived; deleted only when status=deleted is asked for
  visible: (rec, q) => !rec.is_archived && (q.status !== undefined || !rec.is_deleted),
  variants: [
    { suffix: "/archived", visible: (rec, q) => !!rec.is_archived && (q.status !== undefined || !rec.is_deleted) },
  ],
  check: (input) => {
    if (input.status === "deleted") {
      throw badRequest("A deal cannot be set to status 'deleted'; use DELETE /api/v2/deals/{id}");
    }
    if (input.status !== undefined && !["open", "won", "lost"].includes(input.status as string)) {
      throw badRequest("status must be one of open, won, lost");
    }
    if (typeof input.probability === "number" && (input.probability < 0 || input.probability > 100)) {
      throw badRequest("probability must be between 0 and 100");
    }
    requireVisibleTo(input, [1, 3, 5, 7]);
  },
  normalize: (rec, prev, input, core, now) => {
    const store = core.store;
    const t = formatTime(now, "rfc3339");
    if (!currencyExists(store, rec.currency)) throw badRequest(`Currency '${String(rec.currency)}' is not supported`);
    const stageGiven = input.stage_id !== undefined && input.stage_id !== null;
    const pipelineGiven = input.pipeline_id !== undefined && input.pipeline_id !== null;
    if (stageGiven) {
      const stage = store.collection("stages").get(rec.stage_id as number);
      if (!stage) throw badRequest(`Stage ${String(rec.stage_id)} not found`);
      if (pipelineGiven && stage.pipeline_id !== rec.pipeline_id) {
        throw badRequest(`stage_id ${String(rec.stage_id)} does not belong to pipeline_id ${String(rec.pipeline_id)}`);
      }
      rec.pipeline_id = stage.pipeline_id;
    } else if (pipelineGiven || !prev) {
      const pipelineId = rec.pipeline_id ?? 1;
      if (!prev || pipelineId !== prev.pipeline_id || rec.stage_id === null) {
        const stage = firstStage(store, pipelineId);
        if (!stage) throw badRequest(`Pipeline ${String(pipelineId)} has no stages`);
        rec.pipeline_id = pipelineId;
        rec.stage_id = stage.id;
      }
    }
    if (prev && prev.stage_id !== rec.stage_id) rec.stage_change_time = t;
    if (!prev || prev.status !== rec.status) {
      if (rec.status === "won") {
        rec.won_time = t;
        rec.close_time = t;
        rec.lost_time = null;
      } else if (rec.status === "lost") {
        rec.lost_time = t;
        rec.close_time = t;
        rec.won_time = null;
      } else if (prev) {
        rec.won_time = null;
        rec.lost_time = null;
        rec.close_time = null;
      }
    }
    if (input.is_archived === true && !prev?.is_archived) rec.archive_time = t;
    if (input.is_archived === false) rec.archive_time = null;
  },
  present: presentV2("deal"),
  search: {
    fields: {
      title: (rec) => textMatches([rec.title]),
      custom_fields: customStrings,
      notes: () => [],
    },
    filters: {
      person_id: eq("person_id"),
      organization_id: eq("org_id"),
      status: (value) => (rec) => rec.status === value,
    },
    item: (rec, core) => ({
      id: rec.id,
      type: "deal",
      title: rec.title,
      value: rec.value,
      currency: rec.currency,
      status: rec.status,
      visible_to: rec.visible_to,
      owner: { id: rec.owner_id },
      stage: nameOf(core, "stages", rec.stage_id),
      person: nameOf(core, "persons", rec.person_id),
      organization: nameOf(core, "organizations", rec.org_id),
      custom_fields: customStrings(rec),
      notes: [],
      is_archived: rec.is_archived,
    }),
  },
};

function contactList(value: unknown, what: string): Array<Record<string, unknown>> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw badRequest(`${what} must be an array of {value, primary, label}`);
  const list = value.map((v) => {
    if (!isPlainObject(v) || typeof v.value !== "string" || v.value === "") {
      throw badRequest(`${what}[].value must be a non-empty string`);
    }
    return { value: v.value, primary: v.primary === true, label: typeof v.label === "string" ? v.label : "work" };
  });
  if (list.length && !list.some((x) => x.primary)) list[0].primary = true;
  return list;
}

const persons: ResourceDef = {
  collection: "persons",
  version: "v2",
  path: "/persons",
  idType: "int",
  label: "Person",
  entity: "person",
  fieldEntity: "person",
  customFields: "nested",
  timeFormat: "rfc3339",
  pagination: "cursor",
  operations: ["list", "get", "create", "update", "delete", "search"],
  updateMethod: "PATCH",
  deleteMode: "soft",
  defaults: (_core, caller, now) => ({
    name: "",
    first_name: null,
    last_name: null,
    owner_id: caller.userId,
    org_id: null,
    add_time: now,
    update_time: now,
    emails: [],
    phones: [],
    is_deleted: false,
    visible_to: 3,
    label_ids: [],
    picture_id: null,
  }),
  sample: (id) => ({
    name: `Sim Person ${id}`,
    emails: [{ value: `person${id}@example.com`, primary: true, label: "work" }],
  }),
  required: ["name"],
  refs: { owner_id: "users", org_id: "organizations" },
  filters: {
    filter_id: savedFilter("people", "person"),
    ...v2Common(),
    org_id: eq("org_id"),
    deal_id: (value, core) => {
      const deal = core.store.collection("deals").get(value as number);
      return (rec) => !!deal && deal.person_id === rec.id;
    },
  },
  check: (input) => {
    requireVisibleTo(input, [1, 3, 5, 7]);
    contactList(input.emails, "emails");
    contactList(input.phones, "phones");
  },
  normalize: (rec, _prev, input) => {
    if (input.emails !== undefined) rec.emails = contactList(input.emails, "emails");
    if (input.phones !== undefined) rec.phones = contactList(input.phones, "phones");
    if (input.name !== undefined || rec.first_name === null) {
      const parts = String(rec.name ?? "")
        .trim()
        .split(/\s+/);
      rec.first_name = parts[0] ?? "";
      rec.last_name = parts.length > 1 ? parts.slice(1).join(" ") : null;
    }
  },
  present: presentV2("person"),
  search: {
    fields: {
      name: (rec) => textMatches([rec.name]),
      email: (rec) => textMatches(((rec.emails ?? []) as Array<{ value: string }>).map((e) => e.value)),
      phone: (rec) => textMatches(((rec.phones ?? []) as Array<{ value: string }>).map((e) => e.value)),
      custom_fields: customStrings,
      notes: () => [],
    },
    filters: { organization_id: eq("org_id") },
    item: (rec, core) => ({
      id: rec.id,
      type: "person",
      name: rec.name,
      phones: ((rec.phones ?? []) as Array<{ value: string }>).map((p) => p.value),
      emails: ((rec.emails ?? []) as Array<{ value: string }>).map((e) => e.value),
      visible_to: rec.visible_to,
      owner: { id: rec.owner_id },
      organization: nameOf(core, "organizations", rec.org_id),
      custom_fields: customStrings(rec),
      notes: [],
    }),
  },
};

const organizations: ResourceDef = {
  collection: "organizations",
  version: "v2",
  path: "/organizations",
  idType: "int",
  label: "Organization",
  entity: "organization",
  fieldEntity: "organization",
  customFields: "nested",
  timeFormat: "rfc3339",
  pagination: "cursor",
  operations: ["list", "get", "create", "update", "delete", "search"],
  updateMethod: "PATCH",
  deleteMode: "soft",
  defaults: (_core, caller, now) => ({
    name: "",
    owner_id: caller.userId,
    add_time: now,
    update_time: now,
    is_deleted: false,
    visible_to: 3,
    address: null,
    label_ids: [],
  }),
  sample: (id) => ({ name: `Sim Organization ${id}` }),
  required: ["name"],
  refs: { owner_id: "users" },
  filters: { ...v2Common(), filter_id: savedFilter("org", "organization") },
  check: (input) => {
    requireVisibleTo(input, [1, 3, 5, 7]);
    if (input.address !== undefined && input.address !== null && !isPlainObject(input.address)) {
      throw badRequest("address must be an object {value, ...}");
    }
  },
  present: presentV2("organization"),
  search: {
    fields: {
      name: (rec) => textMatches([rec.name]),
      address: (rec) => textMatches([isPlainObject(rec.address) ? rec.address.value : null]),
      custom_fields: customStrings,
      notes: () => [],
    },
    item: (rec) => ({
      id: rec.id,
      type: "organization",
      name: rec.name,
      address: isPlainObject(rec.address) ? (rec.address.value ?? null) : null,
      visible_to: rec.visible_to,
      owner: { id: rec.owner_id },
      custom_fields: customStrings(rec),
      notes: [],
    }),
  },
};

const TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;

const activities: ResourceDef = {
  collection: "activities",
  version: "v2",
  path: "/activities",
  idType: "int",
  label: "Activity",
  entity: "activity",
  timeFormat: "rfc3339",
  pagination: "cursor",
  operations: ["list", "get", "create", "update", "delete"],
  updateMethod: "PATCH",
  deleteMode: "soft",
  defaults: (_core, caller, now) => ({
    subject: null,
    type: "task",
    owner_id: caller.userId,
    creator_user_id: caller.userId,
    is_deleted: false,
    add_time: now,
    update_time: now,
    deal_id: null,
    lead_id: null,
    person_id: null,
    org_id: null,
    project_id: null,
    due_date: null,
    due_time: null,
    duration: null,
    busy: false,
    done: false,
    marked_as_done_time: null,
    location: null,
    participants: [],
    attendees: [],
    public_description: null,
    priority: null,
    note: null,
  }),
  sample: (id) => ({ subject: `Sim activity ${id}`, type: "call" }),
  refs: { owner_id: "users", deal_id: "deals", person_id: "persons", org_id: "organizations", lead_id: "leads" },
  filters: {
    filter_id: savedFilter("activity", "activity"),
    ...v2Common(),
    deal_id: eq("deal_id"),
    lead_id: eq("lead_id"),
    person_id: eq("person_id"),
    org_id: eq("org_id"),
    done: eq("done"),
  },
  check: (input, _prev, core) => {
    if (input.type !== undefined) {
      const known = core.store
        .collection("activityTypes")
        .values()
        .some((t) => t.key_string === input.type && t.active_flag);
      if (!known) throw badRequest(`Activity type '${String(input.type)}' does not exist`);
    }
    if (typeof input.due_date === "string" && !/^\d{4}-\d{2}-\d{2}$/.test(input.due_date)) {
      throw badRequest("due_date must be YYYY-MM-DD");
    }
    for (const k of ["due_time", "duration"]) {
      if (typeof input[k] === "string" && input[k] !== "" && !TIME.test(input[k] as string)) {
        throw badRequest(`${k} must be HH:MM`);
      }
    }
    if (Array.isArray(input.participants)) {
      for (const p of input.participants) {
        const pid = isPlainObject(p) ? p.person_id : undefined;
        if (typeof pid !== "number" || !core.store.collection("persons").get(pid)) {
          throw badRequest(`participants: person ${String(pid)} not found`);
        }
      }
    }
  },
  normalize: (rec, prev, input, core, now) => {
    if (rec.subject === null || rec.subject === "") {
      const type = core.store
        .collection("activityTypes")
        .values()
        .find((t) => t.key_string === rec.type);
      rec.subject = type ? type.name : "Activity";
    }
    if (Array.isArray(input.participants)) {
      const list = input.participants as Array<{ person_id: number; primary?: boolean }>;
      const primary = list.find((p) => p.primary) ?? list[0];
      rec.participants = list.map((p) => ({ person_id: p.person_id, primary: p === primary }));
      rec.person_id = primary ? primary.person_id : null;
    }
    if (rec.done === true && !prev?.done) rec.marked_as_done_time = formatTime(now, "rfc3339");
    if (rec.done === false) rec.marked_as_done_time = null;
  },
  present: presentV2(undefined),
};

const products: ResourceDef = {
  collection: "products",
  version: "v2",
  path: "/products",
  idType: "int",
  label: "Product",
  entity: "product",
  fieldEntity: "product",
  customFields: "nested",
  timeFormat: "rfc3339",
  pagination: "cursor",
  operations: ["list", "get", "create", "update", "delete", "search"],
  updateMethod: "PATCH",
  deleteMode: "soft",
  defaults: (_core, caller, now) => ({
    name: "",
    code: null,
    description: null,
    unit: null,
    tax: 0,
    category: null,
    is_linkable: true,
    is_deleted: false,
    visible_to: 3,
    owner_id: caller.userId,
    add_time: now,
    update_time: now,
    billing_frequency: "one-time",
    billing_frequency_cycles: null,
    prices: [],
  }),
  sample: (id) => ({ name: `Sim product ${id}`, code: `SKU-${id}` }),
  required: ["name"],
  refs: { owner_id: "users" },
  filters: { ids: idsIn, owner_id: eq("owner_id") },
  check: (input, _prev, core) => {
    requireVisibleTo(input, [1, 3, 5, 7]);
    if (Array.isArray(input.prices)) {
      for (const p of input.prices) {
        if (!isPlainObject(p) || typeof p.price !== "number" || !currencyExists(core.store, p.currency)) {
          throw badRequest("prices[] must be {price: number, currency: <known code>, ...}");
        }
      }
    }
  },
  present: presentV2("product"),
  search: {
    fields: {
      name: (rec) => textMatches([rec.name]),
      code: (rec) => textMatches([rec.code]),
      custom_fields: customStrings,
    },
    item: (rec) => ({
      id: rec.id,
      type: "product",
      name: rec.name,
      code: rec.code,
      visible_to: rec.visible_to,
      owner: { id: rec.owner_id },
      custom_fields: customStrings(rec),
    }),
  },
};

const pipelines: ResourceDef = {
  collection: "pipelines",
  version: "v2",
  path: "/pipelines",
  idType: "int",
  label: "Pipeline",
  entity: "pipeline",
  timeFormat: "rfc3339",
  pagination: "cursor",
  operations: ["list", "get", "create", "update", "delete"],
  updateMethod: "PATCH",
  deleteMode: "soft",
  defaults: (core, _caller, now) => ({
    name: "",
    order_nr: core.store.collection("pipelines").size + 1,
    is_deleted: false,
    is_deal_probability_enabled: false,
    add_time: now,
    update_time: now,
  }),
  sample: (id) => ({ name: `Sim pipeline ${id}` }),
  required: ["name"],
  present: presentV2(undefined),
};

const stages: ResourceDef = {
  collection: "stages",
  version: "v2",
  path: "/stages",
  idType: "int",
  label: "Stage",
  entity: "stage",
  timeFormat: "rfc3339",
  pagination: "cursor",
  operations: ["list", "get", "create", "update", "delete"],
  updateMethod: "PATCH",
  deleteMode: "soft",
  defaults: (_core, _caller, now) => ({
    order_nr: 0,
    name: "",
    is_deleted: false,
    deal_probability: 100,
    pipeline_id: null,
    is_deal_rot_enabled: false,
    days_to_rotten: null,
    add_time: now,
    update_time: now,
  }),
  sample: (id) => ({ name: `Sim stage ${id}`, pipeline_id: 1 }),
  required: ["name"],
  refs: { pipeline_id: "pipelines" },
  filters: { pipeline_id: eq("pipeline_id") },
  normalize: (rec, prev, _input, core) => {
    if (!prev || prev.pipeline_id !== rec.pipeline_id) {
      const siblings = core.store
        .collection("stages")
        .values()
        .filter((s) => s.pipeline_id === rec.pipeline_id && s.id !== rec.id);
      rec.order_nr = siblings.reduce((m, s) => Math.max(m, s.order_nr as number), 0) + 1;
    }
  },
  present: presentV2(undefined),
};

const leads: ResourceDef = {
  collection: "leads",
  version: "v1",
  path: "/leads",
  idType: "uuid",
  label: "Lead",
  entity: "lead",
  fieldEntity: "deal",
  customFields: "top-level",
  timeFormat: "iso",
  pagination: "offset-flat",
  operations: ["list", "get", "create", "update", "delete", "search"],
  updateMethod: "PATCH",
  deleteMode: "hard",
  defaults: (_core, caller, now) => ({
    title: "",
    owner_id: caller.userId,
    creator_id: caller.userId,
    label_ids: [],
    person_id: null,
    organization_id: null,
    source_name: "API",
    origin: "API",
    origin_id: null,
    channel: null,
    channel_id: null,
    source_deal_id: null,
    is_archived: false,
    was_seen: false,
    value: null,
    expected_close_date: null,
    next_activity_id: null,
    add_time: now,
    update_time: now,
    visible_to: "3",
    cc_email: `sim+1+lead${Math.random().toString(36).slice(2, 12)}@sim.pipedrivemail.com`,
  }),
  sample: (id) => ({ title: `Sim lead ${String(id).slice(0, 8)}` }),
  required: ["title"],
  refs: { owner_id: "users", person_id: "persons", organization_id: "organizations" },
  filters: {
    owner_id: eq("owner_id"),
    person_id: eq("person_id"),
    organization_id: eq("organization_id"),
    updated_since: since("update_time"),
  },
  visible: (rec) => !rec.is_archived,
  variants: [{ suffix: "/archived", visible: (rec) => !!rec.is_archived }],
  check: (input, prev, core) => {
    const person = input.person_id !== undefined ? input.person_id : (prev?.person_id ?? null);
    const org = input.organization_id !== undefined ? input.organization_id : (prev?.organization_id ?? null);
    if (person === null && org === null) {
      throw badRequest("A lead must be linked to a person or an organization (person_id or organization_id)");
    }
    if (Array.isArray(input.label_ids)) {
      const labels = core.store.collection("leadLabels");
      for (const id of input.label_ids)
        if (!labels.get(id as string)) throw badRequest(`Lead label ${String(id)} not found`);
    }
    if (isPlainObject(input.value)) {
      if (typeof input.value.amount !== "number" || !currencyExists(core.store, input.value.currency)) {
        throw badRequest("value must be {amount: number, currency: <known code>}");
      }
    }
    requireVisibleTo(input, ["1", "3", "5", "7"]);
  },
  // Leads are listed on v1 but searched on v2 (GET /api/v2/leads/search).
  searchVersion: "v2",
  search: {
    fields: {
      title: (rec) => textMatches([rec.title]),
      custom_fields: () => [],
      notes: () => [],
    },
    filters: { person_id: eq("person_id"), organization_id: eq("organization_id") },
    item: (rec, core) => {
      const value = isPlainObject(rec.value) ? rec.value : null;
      return {
        id: rec.id,
        type: "lead",
        title: rec.title,
        owner: { id: rec.owner_id },
        person: nameOf(core, "persons", rec.person_id),
        organization: nameOf(core, "organizations", rec.organization_id),
        phones: [],
        emails: [],
        custom_fields: [],
        notes: [],
        value: value ? value.amount : null,
        currency: value ? value.currency : null,
        visible_to: Number(rec.visible_to),
        is_archived: rec.is_archived,
      };
    },
  },
};

function pinned(v: unknown): boolean {
  return v === true || v === 1 || v === "1" || v === "true";
}

const notes: ResourceDef = {
  collection: "notes",
  version: "v1",
  path: "/notes",
  idType: "int",
  label: "Note",
  entity: "note",
  timeFormat: "v1",
  pagination: "offset",
  operations: ["list", "get", "create", "update", "delete"],
  updateMethod: "PUT",
  deleteMode: "hard",
  deleteResponse: "true",
  defaults: (_core, caller, now) => ({
    active_flag: true,
    add_time: now,
    content: "",
    lead_id: null,
    deal_id: null,
    org_id: null,
    person_id: null,
    project_id: null,
    task_id: null,
    last_update_user_id: caller.userId,
    pinned_to_lead_flag: false,
    pinned_to_deal_flag: false,
    pinned_to_organization_flag: false,
    pinned_to_person_flag: false,
    pinned_to_project_flag: false,
    pinned_to_task_flag: false,
    update_time: now,
    user_id: caller.userId,
  }),
  sample: (id) => ({ content: `Sim note ${id}`, deal_id: null }),
  required: ["content"],
  refs: { deal_id: "deals", person_id: "persons", org_id: "organizations", lead_id: "leads", user_id: "users" },
  filters: {
    user_id: eq("user_id"),
    lead_id: eq("lead_id"),
    deal_id: eq("deal_id"),
    person_id: eq("person_id"),
    org_id: eq("org_id"),
    project_id: eq("project_id"),
    task_id: eq("task_id"),
    start_date: dateFrom("add_time"),
    end_date: dateTo("add_time"),
    updated_since: since("update_time"),
    pinned_to_lead_flag: flag("pinned_to_lead_flag"),
    pinned_to_deal_flag: flag("pinned_to_deal_flag"),
    pinned_to_organization_flag: flag("pinned_to_organization_flag"),
    pinned_to_person_flag: flag("pinned_to_person_flag"),
    pinned_to_project_flag: flag("pinned_to_project_flag"),
    pinned_to_task_flag: flag("pinned_to_task_flag"),
  },
  check: (input, prev) => {
    const links = ["deal_id", "person_id", "org_id", "lead_id", "project_id", "task_id"];
    const linked = links.some((k) => (input[k] ?? prev?.[k] ?? null) !== null);
    if (!linked) {
      throw badRequest("A note must be attached to a deal, person, organization, lead, project or task");
    }
  },
  normalize: (rec, _prev, input, _core) => {
    for (const k of Object.keys(input)) if (k.startsWith("pinned_to_")) rec[k] = pinned(input[k]);
  },
  present: (rec, core, ctx) => ({
    ...rec,
    deal: rec.deal_id ? { title: core.store.collection("deals").get(rec.deal_id as number)?.title ?? null } : null,
    person: rec.person_id
      ? { name: core.store.collection("persons").get(rec.person_id as number)?.name ?? null }
      : null,
    organization: rec.org_id
      ? { name: core.store.collection("organizations").get(rec.org_id as number)?.name ?? null }
      : null,
    user: (() => {
      const u = core.store.collection("users").get(rec.user_id as number);
      return u ? { email: u.email, icon_url: u.icon_url, is_you: u.id === ctx.caller.userId, name: u.name } : null;
    })(),
  }),
};

const leadLabels: ResourceDef = {
  collection: "leadLabels",
  version: "v1",
  path: "/leadLabels",
  idType: "uuid",
  label: "Lead label",
  timeFormat: "iso",
  pagination: "none",
  operations: ["list", "create", "update", "delete"],
  updateMethod: "PATCH",
  deleteMode: "hard",
  defaults: (_core, _caller, now) => ({ name: "", color: "gray", add_time: now, update_time: now }),
  sample: (_id, i) => ({ name: `Label ${i}`, color: "green" }),
  required: ["name"],
};

const users: ResourceDef = {
  collection: "users",
  version: "v1",
  path: "/users",
  idType: "int",
  label: "User",
  timeFormat: "v1",
  pagination: "none",
  operations: ["list", "get"],
  defaults: () => ({}),
  sample: (id) => ({ name: `Sim User ${id}`, email: `user${id}@sim.example`, is_admin: false, is_deleted: false }),
  present: (rec, _core, ctx) => ({ ...rec, is_you: rec.id === ctx.caller.userId }),
};

const activityTypes: ResourceDef = {
  collection: "activityTypes",
  version: "v1",
  path: "/activityTypes",
  idType: "int",
  label: "Activity type",
  timeFormat: "v1",
  pagination: "none",
  operations: ["list"],
  defaults: () => ({}),
  sample: (id) => ({ name: `Type ${id}`, key_string: `type_${id}`, icon_key: "task", active_flag: true }),
};

const currencies: ResourceDef = {
  collection: "currencies",
  version: "v1",
  path: "/currencies",
  idType: "int",
  label: "Currency",
  timeFormat: "v1",
  pagination: "none",
  operations: ["list"],
  defaults: () => ({}),
  sample: (id) => ({ code: `C${id}`, name: `Currency ${id}`, decimal_points: 2, symbol: "¤", active_flag: true }),
  filters: {
    term: (value) => {
      const t = String(value).toLowerCase();
      return (rec) => String(rec.code).toLowerCase().includes(t) || String(rec.name).toLowerCase().includes(t);
    },
  },
};

const files: ResourceDef = {
  collection: "files",
  version: "v1",
  path: "/files",
  idType: "int",
  label: "File",
  timeFormat: "v1",
  pagination: "offset",
  // Uploads are multipart (POST /files): seed files with sim.seed("files", n, ...) instead.
  operations: ["list", "get", "delete"],
  deleteMode: "hard",
  defaults: (_core, caller, now) => ({
    user_id: caller.userId,
    deal_id: null,
    person_id: null,
    org_id: null,
    product_id: null,
    activity_id: null,
    lead_id: null,
    add_time: now,
    update_time: now,
    file_name: "",
    file_size: 0,
    active_flag: true,
    inline_flag: false,
    remote_location: "s3",
    remote_id: null,
    cid: null,
    s3_bucket: null,
    mail_message_id: null,
    mail_template_id: null,
    url: null,
    name: "",
    description: null,
  }),
  sample: (id) => ({ file_name: `sim-file-${id}.pdf`, name: `sim-file-${id}.pdf`, file_size: 1024 }),
  present: (rec, core) => ({
    ...rec,
    deal_name: core.store.collection("deals").get(rec.deal_id as number)?.title ?? null,
    person_name: core.store.collection("persons").get(rec.person_id as number)?.name ?? null,
    org_name: core.store.collection("organizations").get(rec.org_id as number)?.name ?? null,
    product_name: core.store.collection("products").get(rec.product_id as number)?.name ?? null,
    lead_name: rec.lead_id ? (core.store.collection("leads").get(rec.lead_id as string)?.title ?? null) : null,
  }),
};

const filters: ResourceDef = {
  collection: "filters",
  version: "v1",
  path: "/filters",
  idType: "int",
  label: "Filter",
  timeFormat: "v1",
  pagination: "none",
  operations: ["list", "get", "create", "update", "delete"],
  updateMethod: "PUT",
  deleteMode: "hard",
  defaults: (_core, caller, now) => ({
    name: "",
    filter_code: null,
    is_editable: true,
    active_flag: true,
    type: "deals",
    temporary_flag: null,
    user_id: caller.userId,
    add_time: now,
    update_time: now,
    visible_to: "7",
    last_used_time: null,
    custom_view_id: null,
    conditions: { glue: "and", conditions: [] },
  }),
  sample: (id) => ({ name: `Sim filter ${id}`, type: "deals" }),
  required: ["name"],
  filters: { type: eq("type") },
};

const PROJECT_STATUSES = ["open", "completed", "canceled"];

const projects: ResourceDef = {
  collection: "projects",
  version: "v2",
  path: "/projects",
  idType: "int",
  label: "Project",
  entity: "project",
  timeFormat: "rfc3339",
  pagination: "cursor",
  operations: ["list", "get", "create", "update", "delete", "search"],
  updateMethod: "PATCH",
  deleteMode: "soft",
  defaults: (_core, caller, now) => ({
    title: "",
    status: "open",
    description: null,
    board_id: null,
    phase_id: null,
    owner_id: caller.userId,
    start_date: null,
    end_date: null,
    deal_ids: [],
    person_ids: [],
    org_ids: [],
    label_ids: [],
    health_status: null,
    add_time: now,
    update_time: now,
    status_change_time: now,
    archive_time: null,
    is_deleted: false,
    custom_fields: {},
  }),
  sample: (id) => ({ title: `Sim project ${id}` }),
  required: ["title"],
  refs: { owner_id: "users" },
  filters: {
    // a plain string in the spec ("open,completed"), so split here
    status: (value) => {
      const wanted = new Set(
        String(value)
          .split(",")
          .map((s) => s.trim()),
      );
      return (rec) => wanted.has(rec.is_deleted ? "deleted" : (rec.status as string));
    },
    phase_id: eq("phase_id"),
  },
  visible: (rec, q) => q.status !== undefined || !rec.is_deleted,
  check: (input) => {
    if (input.status !== undefined && !PROJECT_STATUSES.includes(input.status as string)) {
      throw badRequest(`status must be one of ${PROJECT_STATUSES.join(", ")}`);
    }
  },
  search: {
    fields: {
      title: (rec) => textMatches([rec.title]),
      description: (rec) => textMatches([rec.description]),
      custom_fields: () => [],
      notes: () => [],
    },
    filters: {
      person_id: (value) => (rec) => ((rec.person_ids ?? []) as unknown[]).includes(value),
      organization_id: (value) => (rec) => ((rec.org_ids ?? []) as unknown[]).includes(value),
    },
    item: (rec) => ({
      id: rec.id,
      type: "project",
      title: rec.title,
      status: rec.status,
      owner: { id: rec.owner_id },
      board_id: rec.board_id,
      phase: null,
      person: null,
      organization: null,
      deal: null,
      deal_count: ((rec.deal_ids ?? []) as unknown[]).length,
      end_date: rec.end_date,
      custom_fields: [],
      notes: [],
    }),
  },
};

const tasks: ResourceDef = {
  collection: "tasks",
  version: "v2",
  path: "/tasks",
  idType: "int",
  label: "Task",
  entity: "task",
  timeFormat: "rfc3339",
  pagination: "cursor",
  operations: ["list", "get", "create", "update", "delete"],
  updateMethod: "PATCH",
  deleteMode: "hard",
  defaults: (_core, caller, now) => ({
    title: "",
    creator_id: caller.userId,
    description: null,
    project_id: null,
    is_done: false,
    is_milestone: false,
    due_date: null,
    start_date: null,
    parent_task_id: null,
    assignee_ids: [],
    priority: null,
    add_time: now,
    update_time: now,
    marked_as_done_time: null,
  }),
  sample: (id) => ({ title: `Sim task ${id}` }),
  required: ["title"],
  refs: { project_id: "projects" },
  filters: {
    project_id: eq("project_id"),
    is_done: flag("is_done"),
    is_milestone: flag("is_milestone"),
    parent_task_id: eq("parent_task_id"),
  },
  // The request body says done/milestone (0 or 1) and assignee_id; the task answers is_done, is_milestone, assignee_ids.
  normalize: (rec, _prev, input) => {
    if (input.done !== undefined) rec.is_done = input.done === 1 || input.done === true;
    if (input.milestone !== undefined) rec.is_milestone = input.milestone === 1 || input.milestone === true;
    if (input.assignee_id !== undefined && input.assignee_ids === undefined)
      rec.assignee_ids = input.assignee_id === null ? [] : [input.assignee_id];
    delete rec.done;
    delete rec.milestone;
    delete rec.assignee_id;
  },
};

export const RESOURCES: ResourceDef[] = [
  deals,
  persons,
  organizations,
  activities,
  products,
  pipelines,
  stages,
  leads,
  notes,
  leadLabels,
  users,
  activityTypes,
  currencies,
  files,
  filters,
  projects,
  tasks,
];

export function resourceFor(collection: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.collection === collection);
}

/** Deleted records are hidden from plain lists and from GET one (see README). */
export { notDeleted };
