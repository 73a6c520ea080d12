/**
 * Saved filters (v1 /filters) applied by the v2 lists' `filter_id`: the conditions object Pipedrive
 * documents on POST /v1/filters, `{glue, conditions: [{glue, conditions: [leaf...]}...]}`, with
 * leaves `{object, field_id, operator, value}`. `field_id` is the field's id from the entity's
 * fields endpoint (or, for convenience, its key). Conditions on other objects than the list's own
 * are not simulated and answer 400, so a test never relies on a silently ignored condition.
 */
import { fieldsOf } from "../seed";
import type { FieldEntity } from "../types";
import { badRequest, isPlainObject, notFound, parseTime } from "../util";
import type { Rec, SimCore } from "./context";
import type { FilterFactory } from "./table";

type Leaf = { object?: string; field_id?: unknown; operator?: string; value?: unknown };
type Group = { glue?: string; conditions?: Array<Group | Leaf> };

const isGroup = (node: unknown): node is Group => isPlainObject(node) && Array.isArray((node as Group).conditions);

function compare(actual: unknown, expected: unknown): number {
  const a =
    typeof actual === "number"
      ? actual
      : Number.isFinite(Number(actual)) && actual !== "" && actual !== null
        ? Number(actual)
        : NaN;
  const b = Number(expected);
  if (!Number.isNaN(a) && !Number.isNaN(b)) return a - b;
  const ta = parseTime(actual);
  const tb = parseTime(expected);
  if (!Number.isNaN(ta) && !Number.isNaN(tb)) return ta - tb;
  const sa = String(actual ?? "");
  const sb = String(expected ?? "");
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function leafMatches(leaf: Leaf, rec: Rec, key: string): boolean {
  const custom = isPlainObject(rec.custom_fields) ? (rec.custom_fields as Record<string, unknown>) : {};
  const actual = key in rec ? rec[key] : custom[key];
  const empty = actual === null || actual === undefined || actual === "";
  const text = String(leaf.value ?? "");
  switch (leaf.operator) {
    case "IS NULL":
      return empty;
    case "IS NOT NULL":
      return !empty;
    case "=":
      return !empty && compare(actual, leaf.value) === 0;
    case "!=":
      return empty || compare(actual, leaf.value) !== 0;
    case "<":
      return !empty && compare(actual, leaf.value) < 0;
    case ">":
      return !empty && compare(actual, leaf.value) > 0;
    case "<=":
      return !empty && compare(actual, leaf.value) <= 0;
    case ">=":
      return !empty && compare(actual, leaf.value) >= 0;
    case "LIKE '$%'":
      return String(actual ?? "")
        .toLowerCase()
        .startsWith(text.toLowerCase());
    case "LIKE '%$%'":
      return String(actual ?? "")
        .toLowerCase()
        .includes(text.toLowerCase());
    case "NOT LIKE '$%'":
      return !String(actual ?? "")
        .toLowerCase()
        .startsWith(text.toLowerCase());
    default:
      throw badRequest(`Filter condition operator '${String(leaf.operator)}' is not supported`);
  }
}

/** `filter_id` for a v2 list of `entity` records; `filterType` is the saved filter's `type`. */
export const savedFilter =
  (filterType: string, entity: FieldEntity): FilterFactory =>
  (value, core: SimCore) => {
    const filter = core.store.collection("filters").get(Number(value));
    if (!filter) throw notFound("Filter");
    if (filter.type !== filterType)
      throw badRequest(`Filter ${String(value)} is a '${String(filter.type)}' filter, not '${filterType}'`);
    const fields = fieldsOf(core.store, entity);
    const keyOf = (leaf: Leaf): string => {
      if (leaf.object !== undefined && leaf.object !== entity)
        throw badRequest(`Filter conditions on '${leaf.object}' are not simulated for ${entity} lists`);
      const field = fields.find((f) => String(f.id) === String(leaf.field_id) || f.key === leaf.field_id);
      if (!field) throw badRequest(`Filter condition field_id '${String(leaf.field_id)}' is not a ${entity} field`);
      return field.key;
    };
    const compile = (node: Group | Leaf): ((rec: Rec) => boolean) => {
      if (isGroup(node)) {
        const parts = (node.conditions ?? []).map(compile);
        if (parts.length === 0) return () => true;
        return node.glue === "or" ? (rec) => parts.some((p) => p(rec)) : (rec) => parts.every((p) => p(rec));
      }
      const key = keyOf(node);
      return (rec) => leafMatches(node, rec, key);
    };
    return compile((filter.conditions as Group) ?? { conditions: [] });
  };
