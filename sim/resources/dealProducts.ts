/**
 * A deal's products (v2 /deals/{id}/products): attach, list, update and detach, with webhook events
 * on the `deal_product` object (webhooks v2). Nested under a deal, so not in the generic table.
 */
import { CursorError, cursorPageById } from "../pagination";
import type { LoadedSpecs } from "../spec";
import { formatTime, notFound } from "../util";
import type { ApiRequest, Handler, Rec, SimCore } from "./context";
import { type HandlerMap, handlerKey, ViolationError } from "./generic";

const EDITABLE = [
  "product_id",
  "item_price",
  "quantity",
  "tax",
  "comments",
  "discount",
  "is_enabled",
  "tax_method",
  "discount_type",
  "product_variation_id",
  "billing_frequency",
  "billing_frequency_cycles",
  "billing_start_date",
];

function deal(core: SimCore, id: unknown): Rec {
  const rec = core.store.collection("deals").get(id as number);
  if (!rec || rec.is_deleted === true) throw notFound("Deal");
  return rec;
}

function attachment(core: SimCore, req: ApiRequest): Rec {
  const rec = core.store.collection("dealProducts").get(req.pathParams.product_attachment_id as number);
  if (!rec || rec.deal_id !== req.pathParams.id) throw notFound("Deal product");
  return rec;
}

/** Derived money fields, as Pipedrive answers them. */
function withSum(rec: Rec): Rec {
  const gross = Number(rec.item_price ?? 0) * Number(rec.quantity ?? 0);
  const discount =
    rec.discount_type === "amount" ? Number(rec.discount ?? 0) : (gross * Number(rec.discount ?? 0)) / 100;
  return { ...rec, sum: Math.round((gross - discount) * 100) / 100 };
}

function diff(before: Rec, after: Rec): Record<string, unknown> | null {
  const changed: Record<string, unknown> = {};
  for (const key of Object.keys(after))
    if (key !== "update_time" && JSON.stringify(before[key]) !== JSON.stringify(after[key])) changed[key] = before[key];
  return Object.keys(changed).length ? changed : null;
}

const add: Handler = (core, req) => {
  const owner = deal(core, req.pathParams.id);
  const input = (req.body ?? {}) as Record<string, unknown>;
  if (!core.store.collection("products").get(input.product_id as number)) throw notFound("Product");
  const col = core.store.collection("dealProducts");
  const now = formatTime(core.now(), "rfc3339");
  const rec: Rec = withSum({
    id: col.allocateId(),
    deal_id: owner.id,
    tax: 0,
    discount: 0,
    discount_type: "percentage",
    tax_method: "inclusive",
    is_enabled: true,
    comments: null,
    currency: owner.currency ?? "USD",
    add_time: now,
    update_time: now,
    ...Object.fromEntries(EDITABLE.filter((k) => input[k] !== undefined).map((k) => [k, input[k]])),
  });
  col.insert(rec);
  core.emit({
    entity: "deal_product",
    action: "create",
    entityId: rec.id,
    current: { ...rec },
    previous: null,
    userId: req.caller.userId,
  });
  return { status: req.op.successStatus, body: { success: true, data: rec } };
};

const list: Handler = (core, req) => {
  const owner = deal(core, req.pathParams.id);
  const col = core.store.collection("dealProducts");
  const direction = ((req.query.sort_direction as string) ?? "asc") as "asc" | "desc";
  try {
    const page = cursorPageById(
      col.ordered(),
      direction,
      (req.query.limit as number) ?? 100,
      req.query.cursor as string | undefined,
      (rec) => rec.deal_id === owner.id,
    );
    return {
      status: 200,
      body: { success: true, data: page.items, additional_data: { next_cursor: page.nextCursor } },
    };
  } catch (error) {
    if (error instanceof CursorError) throw new ViolationError([error.message]);
    throw error;
  }
};

const update: Handler = (core, req) => {
  deal(core, req.pathParams.id);
  const before = attachment(core, req);
  const input = (req.body ?? {}) as Record<string, unknown>;
  const next = withSum({
    ...before,
    ...Object.fromEntries(EDITABLE.filter((k) => input[k] !== undefined).map((k) => [k, input[k]])),
  });
  const changed = diff(before, next);
  if (changed) {
    next.update_time = formatTime(core.now(), "rfc3339");
    core.store.collection("dealProducts").replace(next);
    core.emit({
      entity: "deal_product",
      action: "change",
      entityId: next.id,
      current: { ...next },
      previous: changed,
      userId: req.caller.userId,
    });
  }
  return { status: 200, body: { success: true, data: changed ? next : before } };
};

const remove: Handler = (core, req) => {
  deal(core, req.pathParams.id);
  const last = attachment(core, req);
  core.store.collection("dealProducts").remove(last.id);
  core.emit({
    entity: "deal_product",
    action: "delete",
    entityId: last.id,
    current: null,
    previous: { ...last },
    userId: req.caller.userId,
  });
  return { status: 200, body: { success: true, data: { id: last.id } } };
};

export function registerDealProducts(specs: LoadedSpecs, handlers: HandlerMap): void {
  const routes: Array<[string, string, Handler]> = [
    ["POST", "/deals/{id}/products", add],
    ["GET", "/deals/{id}/products", list],
    ["PATCH", "/deals/{id}/products/{product_attachment_id}", update],
    ["DELETE", "/deals/{id}/products/{product_attachment_id}", remove],
  ];
  for (const [method, path, handler] of routes) {
    const op = specs.v2.route(method, path);
    if (!op) throw new Error(`Pipedrive simulator: v2 ${method} ${path} is not in the spec (deal products)`);
    handlers.set(handlerKey("v2", op.operationId), handler);
  }
}
