/**
 * Generic handlers built from the resource table: list (cursor / offset / flat / none), get,
 * create, update, delete and search, with Pipedrive's envelopes, 404s, semantic 400s, webhook
 * events and change diffs. Also the fallback for spec operations that are not stateful.
 */

import * as crypto from "node:crypto";
import {
  CursorError,
  cursorPageById,
  cursorPageSorted,
  decodeCursor,
  encodeCursor,
  offsetPage,
  sortComparator,
  v1FlatPagination,
  v1Pagination,
} from "../pagination";
import type { JsonSchema, LoadedSpecs, SpecOperation } from "../spec";
import type { ApiVersion, CollectionName } from "../types";
import { badRequest, formatTime, isPlainObject, notFound } from "../util";
import type { ApiRequest, ApiResponse, Caller, Handler, Rec, SimCore } from "./context";
import { customFieldDefs, emptyCustomFields, isCustomFieldKey, validateCustomFields } from "./customFields";
import { type OperationKind, type PresentCtx, RESOURCES, type ResourceDef } from "./table";

/** Thrown by handlers for client mistakes that are contract violations (e.g. a forged cursor). */
export class ViolationError extends Error {
  readonly reasons: string[];
  constructor(reasons: string[]) {
    super(reasons.join("; "));
    this.reasons = reasons;
  }
}

export function present(def: ResourceDef, rec: Rec, core: SimCore, ctx: PresentCtx): Record<string, unknown> {
  return def.present ? def.present(rec, core, ctx) : { ...rec };
}

function ok(status: number, body: unknown): ApiResponse {
  return { status, body };
}

function lookup(def: ResourceDef, core: SimCore, id: unknown): Rec {
  const rec = core.store.collection(def.collection).get(id as number | string);
  if (!rec || rec.is_deleted === true) throw notFound(def.label);
  return rec;
}

function ctxOf(req: ApiRequest): PresentCtx {
  return { query: req.query, caller: req.caller };
}

// --- list ------------------------------------------------------------------------------------

function listHandler(def: ResourceDef, visible?: (rec: Rec, q: Record<string, unknown>) => boolean): Handler {
  return (core, req) => {
    const q = req.query;
    const show = visible ?? def.visible ?? ((rec: Rec) => rec.is_deleted !== true);
    const preds: Array<(r: Rec) => boolean> = [];
    for (const [name, factory] of Object.entries(def.filters ?? {})) {
      if (q[name] !== undefined) preds.push(factory(q[name], core, req));
    }
    const keep = (rec: Rec) => show(rec, q) && preds.every((p) => p(rec));
    const col = core.store.collection(def.collection);
    const ctx = ctxOf(req);
    const shape = (rec: Rec) => present(def, rec, core, ctx);
    const sortBy = (q.sort_by as string) ?? "id";
    const direction = ((q.sort_direction as string) ?? "asc") as "asc" | "desc";
    const limit = (q.limit as number) ?? 100;
    if (def.pagination === "cursor") {
      const page = withCursor(() =>
        sortBy === "id"
          ? cursorPageById(col.ordered(), direction, limit, q.cursor as string | undefined, keep)
          : cursorPageSorted(
              sortedBy(col, sortBy, direction),
              keep,
              sortBy,
              direction,
              limit,
              q.cursor as string | undefined,
            ),
      );
      return ok(200, { success: true, data: page.items.map(shape), additional_data: { next_cursor: page.nextCursor } });
    }
    const items = col.ordered().filter(keep);
    switch (def.pagination) {
      case "offset":
      case "offset-flat": {
        const sorted = sortV1(items, req.rawQuery.get("sort"));
        const page = offsetPage(sorted, (q.start as number) ?? 0, (q.limit as number) ?? 100);
        const additional = def.pagination === "offset" ? v1Pagination(page) : v1FlatPagination(page);
        return ok(200, { success: true, data: page.items.map(shape), additional_data: additional });
      }
      default:
        return ok(200, { success: true, data: items.map(shape) });
    }
  };
}

/** A collection in keyset order, sorted once per change of the collection (lists re-read it page after page). */
const sortCache = new WeakMap<object, { version: number; key: string; list: Rec[] }>();
function sortedBy(col: ReturnType<SimCore["store"]["collection"]>, sortBy: string, direction: "asc" | "desc"): Rec[] {
  const key = `${sortBy}:${direction}`;
  const cached = sortCache.get(col);
  if (cached && cached.version === col.version && cached.key === key) return cached.list;
  const list = [...col.ordered()].sort(sortComparator(sortBy, direction));
  sortCache.set(col, { version: col.version, key, list });
  return list;
}

function withCursor<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CursorError) throw new ViolationError([`query.cursor: ${e.message}`]);
    throw e;
  }
}

/** v1 `sort=field ASC, other DESC`; default is insertion (id-ascending) order. */
function sortV1(items: Rec[], sort: string | null): Rec[] {
  if (!sort) return items;
  const keys = sort
    .split(",")
    .map((s) => s.trim().split(/\s+/))
    .filter((p) => p[0])
    .map(([field, dir]) => ({ field, sign: /^desc$/i.test(dir ?? "") ? -1 : 1 }));
  return [...items].sort((a, b) => {
    for (const { field, sign } of keys) {
      const x = a[field] ?? "";
      const y = b[field] ?? "";
      if (x < y) return -sign;
      if (x > y) return sign;
    }
    return 0;
  });
}

// --- get / create / update / delete --------------------------------------------------------

function getHandler(def: ResourceDef): Handler {
  return (core, req) =>
    ok(200, { success: true, data: present(def, lookup(def, core, req.pathParams.id), core, ctxOf(req)) });
}

function checkRefs(def: ResourceDef, core: SimCore, input: Record<string, unknown>) {
  for (const [field, collection] of Object.entries(def.refs ?? {})) {
    const v = input[field];
    if (v === undefined || v === null) continue;
    const target = core.store.collection(collection).get(v as number | string);
    if (!target || target.is_deleted === true) {
      throw badRequest(`${field}: ${labelOf(collection)} with id ${String(v)} not found`);
    }
  }
}

function labelOf(collection: CollectionName): string {
  return RESOURCES.find((r) => r.collection === collection)?.label ?? collection;
}

function checkRequired(def: ResourceDef, input: Record<string, unknown>, creating: boolean) {
  for (const field of def.required ?? []) {
    const v = input[field];
    if (creating && (v === undefined || v === null)) throw badRequest(`${field} is required`);
    if (v !== undefined && (v === null || (typeof v === "string" && v.trim() === ""))) {
      throw badRequest(`${field} must not be empty`);
    }
  }
}

function checkCustom(def: ResourceDef, core: SimCore, input: Record<string, unknown>) {
  if (!def.fieldEntity) return;
  if (def.customFields === "nested") validateCustomFields(core.store, def.fieldEntity, input.custom_fields);
}

/** Builds a new record from defaults + input (shared by the API and `sim.seed`). */
export function buildRecord(
  def: ResourceDef,
  core: SimCore,
  caller: Caller,
  input: Record<string, unknown>,
  now: number,
  id?: number | string,
): Rec {
  const col = core.store.collection(def.collection);
  const t = formatTime(now, def.timeFormat);
  const rec = { id: id ?? col.allocateId(), ...def.defaults(core, caller, t) } as Rec;
  if (def.customFields === "nested" && def.fieldEntity) {
    rec.custom_fields = emptyCustomFields(customFieldDefs(core.store, def.fieldEntity));
  }
  for (const [k, v] of Object.entries(input)) {
    if (k === "id") continue;
    if (k === "custom_fields" && isPlainObject(v) && isPlainObject(rec.custom_fields)) {
      rec.custom_fields = { ...rec.custom_fields, ...v };
    } else {
      rec[k] = v;
    }
  }
  def.normalize?.(rec, undefined, input, core, now);
  return rec;
}

function createHandler(def: ResourceDef): Handler {
  return (core, req) => {
    const input = (req.body ?? {}) as Record<string, unknown>;
    checkRequired(def, input, true);
    checkRefs(def, core, input);
    checkCustom(def, core, input);
    def.check?.(input, undefined, core);
    const rec = buildRecord(def, core, req.caller, input, core.now());
    core.store.collection(def.collection).insert(rec);
    const shaped = present(def, rec, core, ctxOf(req));
    if (def.entity) {
      core.emit({
        entity: def.entity,
        action: "create",
        entityId: rec.id,
        current: present(def, rec, core, { query: {}, caller: req.caller }),
        previous: null,
        userId: req.caller.userId,
      });
    }
    return ok(req.op.successStatus, { success: true, data: shaped });
  };
}

function updateHandler(def: ResourceDef): Handler {
  return (core, req) => {
    const prev = lookup(def, core, req.pathParams.id);
    const input = (req.body ?? {}) as Record<string, unknown>;
    checkRequired(def, input, false);
    checkRefs(def, core, input);
    checkCustom(def, core, input);
    def.check?.(input, prev, core);
    const next = structuredClone(prev);
    for (const [k, v] of Object.entries(input)) {
      if (k === "id") continue;
      if (k === "custom_fields" && isPlainObject(v)) next.custom_fields = { ...(prev.custom_fields as object), ...v };
      else next[k] = v;
    }
    const now = core.now();
    def.normalize?.(next, prev, input, core, now);
    const blank = { query: {}, caller: req.caller };
    const before = present(def, prev, core, blank);
    let after = present(def, next, core, blank);
    const changed = diff(before, after);
    let stored = prev;
    if (changed) {
      if ("update_time" in next) next.update_time = formatTime(now, def.timeFormat);
      if ("last_update_user_id" in next) next.last_update_user_id = req.caller.userId;
      core.store.collection(def.collection).replace(next);
      stored = next;
      after = present(def, next, core, blank);
      if (def.entity) {
        core.emit({
          entity: def.entity,
          action: "change",
          entityId: next.id,
          current: after,
          previous: changed,
          userId: req.caller.userId,
        });
      }
    }
    return ok(200, { success: true, data: present(def, stored, core, ctxOf(req)) });
  };
}

function deleteHandler(def: ResourceDef): Handler {
  return (core, req) => {
    const prev = lookup(def, core, req.pathParams.id);
    const col = core.store.collection(def.collection);
    const last = present(def, prev, core, { query: {}, caller: req.caller });
    if (def.deleteMode === "soft") {
      col.replace({ ...prev, is_deleted: true, update_time: formatTime(core.now(), def.timeFormat) });
    } else {
      col.remove(prev.id);
    }
    if (def.entity) {
      core.emit({
        entity: def.entity,
        action: "delete",
        entityId: prev.id,
        current: null,
        previous: last,
        userId: req.caller.userId,
      });
    }
    return ok(200, { success: true, data: def.deleteResponse === "true" ? true : { id: prev.id } });
  };
}

// --- search ----------------------------------------------------------------------------------

function searchHandler(def: ResourceDef): Handler {
  const search = def.search;
  if (!search) throw new Error(`resource ${def.collection} has no search definition`);
  return (core, req) => {
    const q = req.query;
    const term = String(q.term ?? "")
      .trim()
      .toLowerCase();
    const exact = q.exact_match === true;
    const wanted = Array.isArray(q.fields) ? (q.fields as string[]) : Object.keys(search.fields);
    const preds: Array<(r: Rec) => boolean> = [];
    for (const [name, factory] of Object.entries(search.filters ?? {})) {
      if (q[name] !== undefined) preds.push(factory(q[name], core, req));
    }
    const scored: Array<{ rec: Rec; score: number }> = [];
    for (const rec of core.store.collection(def.collection).records.values()) {
      if (rec.is_deleted === true || !preds.every((p) => p(rec))) continue;
      let score = 0;
      for (const f of wanted) {
        for (const raw of search.fields[f]?.(rec, core) ?? []) {
          const s = raw.toLowerCase();
          if (s === term) score = Math.max(score, 1);
          else if (!exact && s.startsWith(term)) score = Math.max(score, 0.75);
          else if (!exact && s.includes(term)) score = Math.max(score, 0.5);
        }
      }
      if (score > 0) scored.push({ rec, score });
    }
    scored.sort((a, b) => b.score - a.score || (a.rec.id as number) - (b.rec.id as number));
    let start = 0;
    if (typeof q.cursor === "string") {
      const pos = withCursor(() => decodeCursor(q.cursor as string));
      if (pos.field !== "search_offset" || typeof pos.fieldValue !== "number") {
        throw new ViolationError(["query.cursor: not a cursor issued by this search"]);
      }
      start = pos.fieldValue;
    }
    const limit = (q.limit as number) ?? 100;
    const page = scored.slice(start, start + limit);
    const more = start + limit < scored.length;
    const last = page[page.length - 1];
    return ok(200, {
      success: true,
      data: { items: page.map(({ rec, score }) => ({ result_score: score, item: search.item(rec, core) })) },
      additional_data: {
        next_cursor:
          more && last
            ? encodeCursor({ field: "search_offset", fieldValue: start + limit, sortDirection: "asc", id: last.rec.id })
            : null,
      },
    });
  };
}

// --- diff for change events ------------------------------------------------------------------

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

const NOT_A_CHANGE = new Set(["update_time", "last_update_user_id"]);

/** Old values of the fields that changed (custom fields nested under custom_fields); null if none. */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (NOT_A_CHANGE.has(k)) continue;
    if (k === "custom_fields" && isPlainObject(before[k]) && isPlainObject(after[k])) {
      const b = before[k] as Record<string, unknown>;
      const a = after[k] as Record<string, unknown>;
      const cf: Record<string, unknown> = {};
      for (const ck of new Set([...Object.keys(b), ...Object.keys(a)])) {
        if (!deepEqual(b[ck], a[ck])) cf[ck] = b[ck] ?? null;
      }
      if (Object.keys(cf).length) out.custom_fields = cf;
      continue;
    }
    if (!deepEqual(before[k], after[k])) out[k] = before[k] ?? null;
  }
  return Object.keys(out).length ? out : null;
}

// --- registration ----------------------------------------------------------------------------

export type HandlerMap = Map<string, Handler>;

export function handlerKey(version: ApiVersion, operationId: string): string {
  return `${version} ${operationId}`;
}

function routeOrThrow(specs: LoadedSpecs, version: ApiVersion, method: string, path: string): SpecOperation {
  const op = specs[version].route(method, path);
  if (!op) throw new Error(`Pipedrive simulator: ${version} ${method} ${path} is not in the spec (resource table)`);
  return op;
}

export function registerResources(specs: LoadedSpecs, handlers: HandlerMap): void {
  for (const def of RESOURCES) {
    const add = (method: string, path: string, h: Handler, version: ApiVersion = def.version) =>
      handlers.set(handlerKey(version, routeOrThrow(specs, version, method, path).operationId), h);
    const kinds = new Set<OperationKind>(def.operations);
    const item = `${def.path}/{id}`;
    if (kinds.has("list")) add("GET", def.path, listHandler(def));
    if (kinds.has("get")) add("GET", item, getHandler(def));
    if (kinds.has("create")) add("POST", def.path, createHandler(def));
    if (kinds.has("update")) add(def.updateMethod ?? "PATCH", item, updateHandler(def));
    if (kinds.has("delete")) add("DELETE", item, deleteHandler(def));
    if (kinds.has("search")) add("GET", `${def.path}/search`, searchHandler(def), def.searchVersion);
    for (const v of def.variants ?? []) add("GET", def.path + v.suffix, listHandler(def, v.visible));
  }
}

/** Allows v1 bodies to carry the entity's custom-field keys at the top level (leads). */
export function topLevelCustomKeyCheck(core: SimCore, op: SpecOperation): ((key: string) => boolean) | undefined {
  const def = RESOURCES.find(
    (r) => r.version === op.version && r.customFields === "top-level" && op.path.startsWith(r.path),
  );
  if (!def?.fieldEntity) return undefined;
  const entity = def.fieldEntity;
  return (key) => isCustomFieldKey(core.store, entity, key);
}

// --- generic (non-stateful) answers ----------------------------------------------------------

/**
 * GENERIC HANDLER: spec operations without a stateful implementation are validated like every
 * other request and then answered with a plausible success envelope of the documented shape: the
 * response schema's required properties with typed values, the path's id as `data.id`.
 */
export const genericHandler: Handler = (_core, req) => {
  const op = req.op;
  if (op.method === "GET" && op.responseKind === "list") {
    const body: Record<string, unknown> = { success: true, data: [] };
    const limit = (req.query.limit as number) ?? 100;
    if (op.pagination === "cursor") body.additional_data = { next_cursor: null };
    if (op.pagination === "offset") {
      body.additional_data = {
        pagination: { start: (req.query.start as number) ?? 0, limit, more_items_in_collection: false },
      };
    }
    if (op.pagination === "offset-flat") {
      body.additional_data = { start: (req.query.start as number) ?? 0, limit, more_items_in_collection: false };
    }
    return ok(op.successStatus, body);
  }
  const firstParam = Object.values(req.pathParams)[0];
  const id = typeof firstParam === "number" || typeof firstParam === "string" ? firstParam : 1;
  if (!op.response) return ok(op.successStatus, { success: true, data: { id } });
  const sent = isPlainObject(req.body) ? (req.body as Record<string, unknown>) : {};
  const body = instanceOf(op.response, id, 0, sent);
  return ok(op.successStatus, isPlainObject(body) ? { ...body, success: true } : body);
};

/** Whether a value has one of the schema's types (enums and formats aside). */
function fits(value: unknown, schema: JsonSchema): boolean {
  if (Array.isArray(schema.enum)) return schema.enum.includes(value);
  if (schema.type === undefined || schema.format !== undefined) return false;
  return [schema.type].flat().some((type) => {
    if (type === "integer") return Number.isInteger(value);
    if (type === "array") return Array.isArray(value) && value.every((item) => typeof item !== "object");
    if (type === "object") return false;
    if (type === "null") return value === null;
    return typeof value === type;
  });
}

/** allOf merged into one schema (types, enums, formats, properties, required). */
function merged(schema: JsonSchema): JsonSchema {
  if (!Array.isArray(schema.allOf)) return schema;
  const out: JsonSchema = { ...schema, allOf: undefined };
  for (const raw of schema.allOf as JsonSchema[]) {
    const part = merged(raw);
    for (const key of ["type", "enum", "format", "items"]) out[key] ??= part[key];
    out.properties = { ...(part.properties as object), ...(out.properties as object) };
    out.required = [...((out.required as string[]) ?? []), ...((part.required as string[]) ?? [])];
  }
  return out;
}

/**
 * A plausible value of a documented schema: the record in `data` with every property (the request
 * body's value where it sent one, the path's id as `id`), deeper objects with their required ones.
 */
function instanceOf(raw: JsonSchema, id: number | string, depth: number, sent: Record<string, unknown> = {}): unknown {
  const schema = merged(raw);
  if (Array.isArray(schema.enum)) return schema.enum.find((value) => value !== null) ?? null;
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (branches?.length && !schema.type && !schema.properties) return instanceOf(branches[0], id, depth, sent);
  const type = [schema.type].flat().find((t) => t && t !== "null") ?? (schema.properties ? "object" : undefined);
  switch (type) {
    case "object": {
      if (depth > 6) return {};
      const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const names = new Set<string>((schema.required as string[]) ?? []);
      if (props.id) names.add("id");
      if (props.data && depth === 0) names.add("data");
      if (depth === 1) for (const name of Object.keys(props)) names.add(name);
      const out: Record<string, unknown> = {};
      for (const name of names) {
        const prop = merged(props[name] ?? {});
        const propType = [prop.type].flat().find((t) => t && t !== "null");
        if (name === "id" && depth <= 1)
          out.id = propType === "array" ? [id] : propType === "string" ? String(id) : Number(id) || 1;
        else if (depth === 1 && sent[name] !== undefined && fits(sent[name], prop)) out[name] = sent[name];
        else out[name] = instanceOf(prop, id, depth + 1, sent);
      }
      return out;
    }
    case "array":
      return [];
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return true;
    case "string":
      if (schema.format === "date-time") return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
      if (schema.format === "date" || schema.format === "YYYY-MM-DD") return new Date().toISOString().slice(0, 10);
      if (schema.format === "uuid") return crypto.randomUUID();
      if (schema.format === "url" || schema.format === "uri") return "https://example.com";
      if (schema.format === "email") return "ada@example.com";
      return "text";
    default:
      return null;
  }
}
