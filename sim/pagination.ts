/**
 * Pagination as Pipedrive does it.
 * - v2: keyset cursor, base64url JSON {field, fieldValue, sortDirection, id} of the last item
 *   returned; the next page starts strictly after (fieldValue, id). Opaque to clients.
 * - v1: offset (start/limit) over id-ascending (insertion) order, in three envelope variants.
 * Neither skips nor repeats a record when records are appended between pages.
 */
import type { SimRecord } from "./types";

export class CursorError extends Error {}

export interface CursorPosition {
  field: string;
  fieldValue: unknown;
  sortDirection: "asc" | "desc";
  id: number | string;
}

export function encodeCursor(pos: CursorPosition): string {
  return Buffer.from(JSON.stringify(pos)).toString("base64url");
}

export function decodeCursor(raw: string): CursorPosition {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+={0,2}$/.test(raw)) throw new Error("charset");
    parsed = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    throw new CursorError("cursor is not a cursor issued by the API (pass additional_data.next_cursor unchanged)");
  }
  const p = parsed as Partial<CursorPosition>;
  if (
    !p ||
    typeof p !== "object" ||
    typeof p.field !== "string" ||
    (p.sortDirection !== "asc" && p.sortDirection !== "desc") ||
    (typeof p.id !== "number" && typeof p.id !== "string")
  ) {
    throw new CursorError("cursor is not a cursor issued by the API (pass additional_data.next_cursor unchanged)");
  }
  return p as CursorPosition;
}

type Key = number | string;

function keyOf(v: unknown): Key {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v === null || v === undefined) return "";
  return String(v);
}

function compareKeys(a: Key, b: Key): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  // nulls ("" ) sort first; mixed number/string compare as strings
  const sa = typeof a === "number" ? String(a) : a;
  const sb = typeof b === "number" ? String(b) : b;
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function compareIds(a: number | string, b: number | string): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** The keyset order: the sort field, then the id. */
export function sortComparator(sortBy: string, direction: "asc" | "desc") {
  const sign = direction === "asc" ? 1 : -1;
  return (a: SimRecord, b: SimRecord) =>
    sign * (compareKeys(keyOf(a[sortBy]), keyOf(b[sortBy])) || compareIds(a.id, b.id));
}

export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * One keyset page. `items` must be in insertion (id-ascending) order; they are sorted here only
 * when the sort is not `id asc`.
 */
export function cursorPage(
  items: SimRecord[],
  sortBy: string,
  direction: "asc" | "desc",
  limit: number,
  cursor: string | undefined,
): CursorPage<SimRecord> {
  const cmp = sortComparator(sortBy, direction);
  let sorted = items;
  if (sortBy !== "id") sorted = [...items].sort(cmp);
  else if (direction === "desc") sorted = [...items].reverse();

  return cursorPageSorted(sorted, () => true, sortBy, direction, limit, cursor);
}

/** A cursor's position, refused when it was issued for another sort. */
function decodedCursorFor(cursor: string, sortBy: string, direction: "asc" | "desc") {
  const pos = decodeCursor(cursor);
  if (pos.field !== sortBy || pos.sortDirection !== direction) {
    throw new CursorError(
      `cursor was issued for sort_by=${pos.field}&sort_direction=${pos.sortDirection}; keep sort_by/sort_direction unchanged while paging`,
    );
  }
  return pos;
}

/** Up to `limit` kept records from `start` walking by `step`, and whether one more exists. */
function collectPage(
  list: SimRecord[],
  start: number,
  step: 1 | -1,
  keep: (rec: SimRecord) => boolean,
  limit: number,
): { items: SimRecord[]; more: boolean } {
  const items: SimRecord[] = [];
  for (let i = start; i >= 0 && i < list.length; i += step) {
    if (!keep(list[i])) continue;
    if (items.length === limit) return { items, more: true };
    items.push(list[i]);
  }
  return { items, more: false };
}

/** The first index of a keyset-ordered list strictly after the cursor's record (0 without a cursor). */
function startAfterCursor(
  sorted: SimRecord[],
  cmp: (a: SimRecord, b: SimRecord) => number,
  sortBy: string,
  direction: "asc" | "desc",
  cursor: string | undefined,
): number {
  if (!cursor) return 0;
  const pos = decodedCursorFor(cursor, sortBy, direction);
  const marker = { id: pos.id, [sortBy]: pos.fieldValue } as SimRecord;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(sorted[mid], marker) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One keyset page over a list already in keyset order (`sortComparator`), filtered lazily: the page
 * starts after the cursor (binary search over the whole list) and reads only until it has `limit`
 * matching items and knows whether one more exists. Same answer as filtering first, then cursorPage.
 */
export function cursorPageSorted(
  sorted: SimRecord[],
  keep: (rec: SimRecord) => boolean,
  sortBy: string,
  direction: "asc" | "desc",
  limit: number,
  cursor: string | undefined,
): CursorPage<SimRecord> {
  const cmp = sortComparator(sortBy, direction);
  const start = startAfterCursor(sorted, cmp, sortBy, direction, cursor);
  const { items, more } = collectPage(sorted, start, 1, keep, limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      more && last
        ? encodeCursor({ field: sortBy, fieldValue: last[sortBy] ?? null, sortDirection: direction, id: last.id })
        : null,
  };
}

/**
 * Fast path for `sort_by=id`: `ordered` is id-ascending; finds the cursor by binary search and
 * scans only until the page is full (O(limit) instead of O(n) per page).
 */
export function cursorPageById(
  ordered: SimRecord[],
  direction: "asc" | "desc",
  limit: number,
  cursor: string | undefined,
  keep: (rec: SimRecord) => boolean,
): CursorPage<SimRecord> {
  let start = direction === "asc" ? 0 : ordered.length - 1;
  if (cursor) {
    const pos = decodedCursorFor(cursor, "id", direction);
    // first index with id > pos.id
    let lo = 0;
    let hi = ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(ordered[mid].id, pos.id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    if (direction === "asc") start = lo;
    else {
      // last index with id < pos.id
      let l = 0;
      let h = ordered.length;
      while (l < h) {
        const mid = (l + h) >>> 1;
        if (compareIds(ordered[mid].id, pos.id) < 0) l = mid + 1;
        else h = mid;
      }
      start = l - 1;
    }
  }
  const { items, more } = collectPage(ordered, start, direction === "asc" ? 1 : -1, keep, limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      more && last ? encodeCursor({ field: "id", fieldValue: last.id, sortDirection: direction, id: last.id }) : null,
  };
}

export interface OffsetPage<T> {
  items: T[];
  start: number;
  limit: number;
  more: boolean;
}

export function offsetPage<T>(items: T[], start: number, limit: number): OffsetPage<T> {
  const page = items.slice(start, start + limit);
  return { items: page, start, limit, more: start + limit < items.length };
}

/** v1 `additional_data.pagination` (next_start only when there are more items). */
export function v1Pagination(p: OffsetPage<unknown>) {
  return {
    pagination: {
      start: p.start,
      limit: p.limit,
      more_items_in_collection: p.more,
      ...(p.more ? { next_start: p.start + p.limit } : {}),
    },
  };
}

/** The flat variant used by GET /v1/leads: {start, limit, more_items_in_collection}. */
export function v1FlatPagination(p: OffsetPage<unknown>) {
  return { start: p.start, limit: p.limit, more_items_in_collection: p.more };
}
