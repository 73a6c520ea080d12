/**
 * Handlers that don't fit the generic table: /users/me, the *Fields lists (v1 and v2 shapes) and
 * the webhooks API (per-user visibility, the 40-per-user limit, masked credentials).
 */
import { cursorPage, offsetPage, v1Pagination } from "../pagination";
import { COMPANY, type FieldDef, fieldsOf } from "../seed";
import type { LoadedSpecs } from "../spec";
import type { ApiVersion, CollectionName, FieldEntity } from "../types";
import { ApiError, badRequest, formatTime, notFound, parseTime } from "../util";
import { V2_ONLY_OBJECTS } from "../webhooks";
import type { ApiRequest, Handler, Rec, SimCore } from "./context";
import { type HandlerMap, handlerKey, present, ViolationError } from "./generic";
import { RESOURCES } from "./table";

function add(specs: LoadedSpecs, handlers: HandlerMap, version: ApiVersion, method: string, path: string, h: Handler) {
  const op = specs[version].route(method, path);
  if (!op) throw new Error(`Pipedrive simulator: ${version} ${method} ${path} is not in the spec (special handlers)`);
  handlers.set(handlerKey(version, op.operationId), h);
}

// --- users -----------------------------------------------------------------------------------

const currentUser: Handler = (core, req) => {
  const user = core.store.collection("users").get(req.caller.userId);
  if (!user) throw notFound("User");
  return {
    status: 200,
    body: {
      success: true,
      data: {
        ...user,
        is_you: true,
        company_id: COMPANY.id,
        company_name: COMPANY.name,
        company_domain: COMPANY.domain,
        company_country: COMPANY.country,
        company_industry: COMPANY.industry,
        language: { language_code: "en", country_code: "US" },
      },
    },
  };
};

// --- fields ----------------------------------------------------------------------------------

function presentFieldV2(f: FieldDef) {
  return {
    field_name: f.name,
    field_code: f.key,
    description: null,
    field_type: f.field_type,
    options: f.options
      ? f.options.map((o) => ({ id: o.id, label: o.label, color: null, add_time: null, update_time: null }))
      : null,
    subfields: null,
    is_custom_field: f.is_custom,
    is_optional_response_field: false,
  };
}

function presentFieldV1(f: FieldDef) {
  const t = formatTime(parseTime(f.add_time), "v1");
  return {
    id: f.id,
    key: f.v1_key ?? f.key,
    name: f.name,
    order_nr: f.order_nr,
    field_type: f.field_type,
    add_time: t,
    update_time: t,
    last_updated_by_user_id: null,
    created_by_user_id: null,
    active_flag: true,
    edit_flag: f.is_custom,
    index_visible_flag: true,
    details_visible_flag: true,
    add_visible_flag: true,
    important_flag: false,
    bulk_edit_allowed: true,
    searchable_flag: false,
    filtering_allowed: true,
    sortable_flag: true,
    mandatory_flag: f.mandatory,
    options: f.options ? f.options.map((o) => ({ id: o.id, label: o.label })) : null,
  };
}

function fieldsListV2(entity: FieldEntity): Handler {
  return (core, req) => {
    const q = req.query;
    let page: ReturnType<typeof cursorPage>;
    try {
      page = cursorPage(
        fieldsOf(core.store, entity),
        "id",
        "asc",
        (q.limit as number) ?? 100,
        q.cursor as string | undefined,
      );
    } catch (e) {
      throw new ViolationError([`query.cursor: ${(e as Error).message}`]);
    }
    return {
      status: 200,
      body: {
        success: true,
        data: (page.items as FieldDef[]).map(presentFieldV2),
        additional_data: { next_cursor: page.nextCursor },
      },
    };
  };
}

function fieldGetV2(entity: FieldEntity): Handler {
  return (core, req) => {
    const f = fieldsOf(core.store, entity).find((x) => x.key === req.pathParams.field_code);
    if (!f) throw notFound("Field");
    return { status: 200, body: { success: true, data: presentFieldV2(f) } };
  };
}

/** v1 *Fields: the schema documents a flat additional_data, the examples (and the live API) use `pagination`. */
function fieldsListV1(entity: FieldEntity): Handler {
  return (core, req) => {
    const all = fieldsOf(core.store, entity);
    const q = req.query;
    const page = offsetPage(all, (q.start as number) ?? 0, (q.limit as number) ?? 100);
    return {
      status: 200,
      body: { success: true, data: page.items.map(presentFieldV1), additional_data: v1Pagination(page) },
    };
  };
}

// --- webhooks --------------------------------------------------------------------------------

const WEBHOOK_LIMIT = 40;

function webhookError(status: number, errors: Record<string, string[]>): ApiError {
  return new ApiError(status, { status: "error", success: false, errors });
}

function ownWebhooks(core: SimCore, req: ApiRequest): Rec[] {
  return core.store
    .collection("webhooks")
    .values()
    .filter(
      (w) =>
        w.owner_id === req.caller.userId &&
        (core.webhookSecrets.get(w.id as number)?.clientId ?? null) === req.caller.clientId,
    );
}

function presentWebhook(w: Rec) {
  // http_auth_password is never returned in plain text
  return { ...w, http_auth_password: null };
}

const listWebhooks: Handler = (core, req) => ({
  status: 200,
  body: { status: "ok", success: true, data: ownWebhooks(core, req).map(presentWebhook) },
});

const addWebhook: Handler = (core, req) => {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const url = String(body.subscription_url ?? "");
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:") || !parsed.hostname) {
    throw webhookError(400, { subscription_url: ["invalid or non-reachable URL"] });
  }
  if (url.startsWith(`${core.url}/api/`) || url.startsWith(`${core.url}/v1/`)) {
    throw webhookError(400, { subscription_url: ["Pipedrive API endpoints cannot be used as subscription_url"] });
  }
  if (body.version === "1.0" && V2_ONLY_OBJECTS.includes(String(body.event_object))) {
    throw webhookError(400, { event_object: [`${body.event_object} webhooks are only available in webhooks v2`] });
  }
  const userId = (body.user_id as number | undefined) ?? req.caller.userId;
  if (!core.store.collection("users").get(userId)) throw webhookError(400, { user_id: ["not found"] });
  if (ownWebhooks(core, req).length >= WEBHOOK_LIMIT) {
    throw new ApiError(422, { success: false, error: "Webhooks limit reached", errorCode: 422 });
  }
  const col = core.store.collection("webhooks");
  const id = col.allocateId() as number;
  const hook: Rec = {
    id,
    company_id: COMPANY.id,
    owner_id: req.caller.userId,
    user_id: userId,
    event_action: body.event_action,
    event_object: body.event_object,
    subscription_url: url,
    version: body.version ?? "2.0",
    is_active: 1,
    add_time: formatTime(core.now(), "iso"),
    remove_time: null,
    type: req.caller.clientId ? "application" : "general",
    http_auth_user: (body.http_auth_user as string | null | undefined) ?? null,
    http_auth_password: null,
    remove_reason: null,
    last_delivery_time: null,
    last_http_status: null,
    admin_id: req.caller.userId,
    name: body.name,
  };
  col.insert(hook);
  core.webhookSecrets.set(id, {
    password: (body.http_auth_password as string | null | undefined) ?? null,
    clientId: req.caller.clientId,
  });
  return { status: req.op.successStatus, body: { status: "ok", success: true, data: presentWebhook(hook) } };
};

const deleteWebhook: Handler = (core, req) => {
  const id = req.pathParams.id as number;
  const hook = ownWebhooks(core, req).find((w) => w.id === id);
  if (!hook) throw webhookError(404, { id: ["not found"] });
  core.store.collection("webhooks").remove(id);
  core.webhookSecrets.delete(id);
  return { status: 200, body: { status: "ok", success: true } };
};

// --- recents (v1) ----------------------------------------------------------------------------

const RECENT_ITEMS: Record<string, CollectionName> = {
  activity: "activities",
  activityType: "activityTypes",
  deal: "deals",
  note: "notes",
  person: "persons",
  organization: "organizations",
  pipeline: "pipelines",
  product: "products",
  stage: "stages",
  user: "users",
};

/**
 * The v1 shapes /recents documents per item: deals, persons and organizations write visible_to as a
 * string; organizations write owner_id as the owner's user object (v2 records hold numbers);
 * activities write location as its address text (v2 holds an address object).
 */
function v1Shape(core: SimCore, item: string, shaped: Record<string, unknown>): Record<string, unknown> {
  if (item === "activity" && shaped.location !== null && typeof shaped.location === "object")
    shaped.location = (shaped.location as { value?: string }).value ?? null;
  if (["deal", "person", "organization"].includes(item) && typeof shaped.visible_to === "number")
    shaped.visible_to = String(shaped.visible_to);
  if (item === "organization" && typeof shaped.owner_id === "number") {
    const user = core.store.collection("users").get(shaped.owner_id);
    shaped.owner_id = {
      id: shaped.owner_id,
      name: user?.name ?? null,
      email: user?.email ?? null,
      has_pic: 0,
      pic_hash: null,
      active_flag: true,
      value: shaped.owner_id,
    };
  }
  return shaped;
}

const V1_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/**
 * GET /v1/recents: records of the requested item types changed at or after since_timestamp,
 * oldest first, offset-paginated. Timestamps in `data` are given in the v1 format.
 * (files and filters are not simulated and never appear.)
 */
const recents: Handler = (core, req) => {
  const since = String(req.query.since_timestamp ?? "");
  if (!V1_TIME.test(since) || Number.isNaN(parseTime(since))) {
    throw badRequest("since_timestamp must be a UTC time as YYYY-MM-DD HH:MM:SS");
  }
  const sinceMs = parseTime(since);
  const wanted = Array.isArray(req.query.items) ? (req.query.items as string[]) : Object.keys(RECENT_ITEMS);
  const entries: Array<{ item: string; id: unknown; data: Record<string, unknown>; at: number }> = [];
  for (const item of wanted) {
    const collection = RECENT_ITEMS[item];
    if (!collection) continue;
    const def = RESOURCES.find((r) => r.collection === collection);
    for (const rec of core.store.collection(collection).ordered()) {
      const at = parseTime(rec.update_time ?? rec.modified ?? rec.add_time);
      if (!(at >= sinceMs)) continue;
      const shaped = def ? present(def, rec, core, { query: {}, caller: req.caller }) : { ...rec };
      for (const k of ["add_time", "update_time"]) {
        const t = parseTime(shaped[k]);
        if (!Number.isNaN(t)) shaped[k] = formatTime(t, "v1");
      }
      entries.push({ item, id: rec.id, data: v1Shape(core, item, shaped), at });
    }
  }
  entries.sort((a, b) => a.at - b.at || String(a.id).localeCompare(String(b.id), "en", { numeric: true }));
  const page = offsetPage(entries, (req.query.start as number) ?? 0, (req.query.limit as number) ?? 100);
  const last = page.items[page.items.length - 1];
  return {
    status: 200,
    body: {
      success: true,
      data: page.items.map(({ item, id, data }) => ({ item, id, data })),
      additional_data: {
        since_timestamp: since,
        last_timestamp_on_page: last ? formatTime(last.at, "v1") : null,
        ...v1Pagination(page),
      },
    },
  };
};

export function registerSpecial(specs: LoadedSpecs, handlers: HandlerMap): void {
  add(specs, handlers, "v1", "GET", "/users/me", currentUser);
  const v2Fields: Array<[string, FieldEntity]> = [
    ["/dealFields", "deal"],
    ["/personFields", "person"],
    ["/organizationFields", "organization"],
    ["/productFields", "product"],
    ["/activityFields", "activity"],
  ];
  for (const [path, entity] of v2Fields) {
    add(specs, handlers, "v2", "GET", path, fieldsListV2(entity));
    add(specs, handlers, "v2", "GET", `${path}/{field_code}`, fieldGetV2(entity));
  }
  const v1Fields: Array<[string, FieldEntity]> = [
    ["/dealFields", "deal"],
    ["/personFields", "person"],
    ["/organizationFields", "organization"],
    ["/productFields", "product"],
    ["/activityFields", "activity"],
    ["/noteFields", "note"],
    ["/leadFields", "lead"],
  ];
  for (const [path, entity] of v1Fields) add(specs, handlers, "v1", "GET", path, fieldsListV1(entity));
  add(specs, handlers, "v1", "GET", "/recents", recents);
  add(specs, handlers, "v1", "GET", "/webhooks", listWebhooks);
  add(specs, handlers, "v1", "POST", "/webhooks", addWebhook);
  add(specs, handlers, "v1", "DELETE", "/webhooks/{id}", deleteWebhook);
}
