import { call, useSimulator } from "./helpers";

const sim = useSimulator({ burst: { limit: 10_000, windowMs: 2000 } });

type V2Page = { data: Array<{ id: number; update_time: string }>; additional_data: { next_cursor: string | null } };

describe("v2 cursor pagination", () => {
  test("1,200 deals with records added between pages: none skipped, none repeated", async () => {
    sim.seed("deals", 1200);
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: V2Page } = await call<V2Page>(sim, "GET", "/api/v2/deals", {
        query: { limit: 250, ...(cursor ? { cursor } : {}) },
      });
      seen.push(...res.body.data.map((d) => d.id));
      cursor = res.body.additional_data.next_cursor;
      pages++;
      // another client adds deals while we page
      for (let i = 0; i < 5 && pages <= 3; i++) {
        const created = await call(sim, "POST", "/api/v2/deals", { body: { title: `added ${pages}-${i}` } });
        expect(created.status).toBe(200);
      }
    } while (cursor);
    expect(seen.length).toBe(1215);
    expect(new Set(seen).size).toBe(1215);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(sim.count("deals")).toBe(1215);
  });

  test("the cursor is keyset base64url JSON and next_cursor is null at the end", async () => {
    sim.seed("deals", 3);
    const first = await call<V2Page>(sim, "GET", "/api/v2/deals", { query: { limit: 2 } });
    const cursor = first.body.additional_data.next_cursor as string;
    expect(JSON.parse(Buffer.from(cursor, "base64url").toString())).toEqual({
      field: "id",
      fieldValue: 2,
      sortDirection: "asc",
      id: 2,
    });
    const last = await call<V2Page>(sim, "GET", "/api/v2/deals", { query: { limit: 2, cursor } });
    expect(last.body.data.map((d) => d.id)).toEqual([3]);
    expect(last.body.additional_data.next_cursor).toBeNull();
  });

  test("sort_by=update_time desc pages through every record once", async () => {
    sim.seed("deals", 120, (i) => ({ update_time: `2026-01-${String((i % 28) + 1).padStart(2, "0")}T00:00:00Z` }));
    const seen: number[] = [];
    const times: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: V2Page } = await call<V2Page>(sim, "GET", "/api/v2/deals", {
        query: { limit: 7, sort_by: "update_time", sort_direction: "desc", ...(cursor ? { cursor } : {}) },
      });
      seen.push(...res.body.data.map((d) => d.id));
      times.push(...res.body.data.map((d) => d.update_time));
      cursor = res.body.additional_data.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(120);
    expect(times).toEqual([...times].sort().reverse());
  });

  test("a cursor that was not issued by the API, or reused with another sort, is a violation", async () => {
    sim.seed("deals", 5);
    const bad = await call(sim, "GET", "/api/v2/deals", { query: { cursor: "not-a-cursor" } });
    expect(bad.status).toBe(400);
    const first = await call<V2Page>(sim, "GET", "/api/v2/deals", { query: { limit: 2 } });
    const other = await call(sim, "GET", "/api/v2/deals", {
      query: { cursor: first.body.additional_data.next_cursor as string, sort_by: "add_time" },
    });
    expect(other.status).toBe(400);
    expect(sim.takeViolations().map((v) => v.reasons[0])).toEqual([
      expect.stringMatching(/query\.cursor: cursor is not a cursor issued by the API/),
      expect.stringMatching(/keep sort_by\/sort_direction unchanged/),
    ]);
  });

  test("deal filters: status default excludes deleted, status=deleted shows them; owner, pipeline, ids", async () => {
    const deals = sim.seed("deals", 10, (i) => ({
      status: i < 3 ? "won" : "open",
      owner_id: i < 5 ? 1 : 2,
      pipeline_id: i % 2 ? 2 : 1,
    }));
    await call(sim, "DELETE", `/api/v2/deals/${deals[9].id}`);
    const ids = async (query: Record<string, string | number>) =>
      (await call<V2Page>(sim, "GET", "/api/v2/deals", { query })).body.data.map((d) => d.id);
    expect(await ids({})).toHaveLength(9);
    expect(await ids({ status: "won" })).toEqual(deals.slice(0, 3).map((d) => d.id));
    expect(await ids({ status: "deleted" })).toEqual([deals[9].id]);
    expect(await ids({ status: "open,deleted" })).toHaveLength(7);
    expect(await ids({ owner_id: 2 })).toEqual(deals.slice(5, 9).map((d) => d.id));
    expect((await ids({ pipeline_id: 2 })).length).toBe(4);
    expect(await ids({ ids: `${deals[0].id},${deals[4].id},999` })).toEqual([deals[0].id, deals[4].id]);
  });
});

describe("v1 offset pagination", () => {
  type V1Page = {
    data: Array<{ id: number }>;
    additional_data: {
      pagination: { start: number; limit: number; more_items_in_collection: boolean; next_start?: number };
    };
  };

  test("notes: additional_data.pagination with next_start only while there is more; appends don't shift pages", async () => {
    sim.seed("notes", 250);
    const seen: number[] = [];
    let start: number | undefined = 0;
    const paginations: V1Page["additional_data"]["pagination"][] = [];
    while (start !== undefined) {
      const res: { body: V1Page } = await call<V1Page>(sim, "GET", "/api/v1/notes", { query: { start, limit: 100 } });
      seen.push(...res.body.data.map((n) => n.id));
      paginations.push(res.body.additional_data.pagination);
      start = res.body.additional_data.pagination.next_start;
      if (paginations.length === 1) sim.seed("notes", 10);
    }
    expect(paginations[0]).toEqual({ start: 0, limit: 100, more_items_in_collection: true, next_start: 100 });
    expect(paginations.at(-1)).toEqual({ start: 200, limit: 100, more_items_in_collection: false });
    expect(seen.length).toBe(260);
    expect(new Set(seen).size).toBe(260);
  });

  test("leads use the flat additional_data variant", async () => {
    sim.seed("leads", 7);
    const res = await call<{ data: Array<{ id: string }>; additional_data: Record<string, unknown> }>(
      sim,
      "GET",
      "/api/v1/leads",
      {
        query: { start: 5, limit: 5 },
      },
    );
    expect(res.body.data).toHaveLength(2);
    expect(res.body.data[0].id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.additional_data).toEqual({ start: 5, limit: 5, more_items_in_collection: false });
  });

  test("v1 *Fields lists are offset-paginated", async () => {
    const res = await call<V1Page>(sim, "GET", "/api/v1/dealFields", { query: { start: 0, limit: 5 } });
    expect(res.body.data).toHaveLength(5);
    expect(res.body.additional_data.pagination).toMatchObject({
      start: 0,
      limit: 5,
      more_items_in_collection: true,
      next_start: 5,
    });
  });
});
