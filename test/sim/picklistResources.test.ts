import { call, useSimulator } from "./helpers";

/** The resources added for the picklists: v1 files and filters, v2 projects, v2 lead search. */

const sim = useSimulator({ burst: { limit: 10_000, windowMs: 2000 } });

type List<T = Record<string, unknown>> = { success: boolean; data: T[]; additional_data?: Record<string, unknown> };

describe("v1 files", () => {
  test("offset pages of at most 100, names of what a file is attached to, get and delete", async () => {
    const [deal] = sim.seed("deals", 1, () => ({ title: "Acme" }));
    const files = sim.seed("files", 150, (i) => ({ name: `f${i}.pdf`, deal_id: i === 0 ? deal.id : null }));
    const first = await call<List>(sim, "GET", "/api/v1/files", { query: { start: 0, limit: 100 } });
    expect(first.body.data).toHaveLength(100);
    expect(first.body.data[0]).toMatchObject({
      id: files[0].id,
      name: "f0.pdf",
      deal_id: deal.id,
      deal_name: "Acme",
      active_flag: true,
    });
    expect(first.body.additional_data).toEqual({
      pagination: { start: 0, limit: 100, more_items_in_collection: true, next_start: 100 },
    });
    const second = await call<List>(sim, "GET", "/api/v1/files", { query: { start: 100, limit: 100 } });
    expect(second.body.data).toHaveLength(50);
    expect(second.body.additional_data).toMatchObject({ pagination: { more_items_in_collection: false } });

    expect((await call(sim, "GET", `/api/v1/files/${files[1].id}`)).body).toMatchObject({ data: { name: "f1.pdf" } });
    expect((await call(sim, "DELETE", `/api/v1/files/${files[1].id}`)).status).toBe(200);
    expect((await call(sim, "GET", `/api/v1/files/${files[1].id}`)).status).toBe(404);
  });

  test("limit above 100 is a violation, as the spec says", async () => {
    const res = await call(sim, "GET", "/api/v1/files", { query: { limit: 500 } });
    expect(res.status).toBe(400);
    expect(sim.takeViolations().map((v) => v.reasons)).toEqual([
      ["query.limit must be <= 100 (Pipedrive's maximum page size here)"],
    ]);
  });
});

describe("v1 filters", () => {
  test("create, list by type, update, delete", async () => {
    const created = await call<{ data: { id: number } }>(sim, "POST", "/api/v1/filters", {
      body: { name: "Big deals", type: "deals", conditions: { glue: "and", conditions: [] } },
    });
    expect(created.status).toBe(200);
    sim.seed("filters", 1, () => ({ name: "My contacts", type: "people" }));
    const deals = await call<List<{ name: string; type: string }>>(sim, "GET", "/api/v1/filters", {
      query: { type: "deals" },
    });
    expect(deals.body.data.map((f) => f.name)).toEqual(["Big deals"]);
    expect((await call<List>(sim, "GET", "/api/v1/filters")).body.data).toHaveLength(2);
    await call(sim, "PUT", `/api/v1/filters/${created.body.data.id}`, {
      body: { name: "Bigger deals", conditions: { glue: "and", conditions: [] } },
    });
    expect(sim.get("filters", created.body.data.id)).toMatchObject({ name: "Bigger deals" });
    expect((await call(sim, "DELETE", `/api/v1/filters/${created.body.data.id}`)).status).toBe(200);
    expect(sim.count("filters")).toBe(1);
  });
});

describe("v2 projects", () => {
  test("create, list by status (deleted only on request), search, delete", async () => {
    const created = await call<{ data: { id: number; status: string } }>(sim, "POST", "/api/v2/projects", {
      body: { title: "Onboarding" },
    });
    expect(created.body.data).toMatchObject({ title: "Onboarding", status: "open", owner_id: 1 });
    sim.seed("projects", 2, (i) => ({ title: `Migration ${i}`, status: i ? "completed" : "canceled" }));
    const all = await call<List<{ title: string }>>(sim, "GET", "/api/v2/projects", { query: { limit: 500 } });
    expect(all.body.data.map((p) => p.title)).toEqual(["Onboarding", "Migration 0", "Migration 1"]);
    const some = await call<List<{ title: string }>>(sim, "GET", "/api/v2/projects", {
      query: { status: "open,completed" },
    });
    expect(some.body.data.map((p) => p.title)).toEqual(["Onboarding", "Migration 1"]);

    const found = await call<{ data: { items: { item: { id: number; title: string; status: string } }[] } }>(
      sim,
      "GET",
      "/api/v2/projects/search",
      {
        query: { term: "migration" },
      },
    );
    expect(found.body.data.items.map((i) => i.item.title)).toEqual(["Migration 0", "Migration 1"]);

    expect((await call(sim, "POST", "/api/v2/projects", { body: { title: "x", status: "bogus" } })).status).toBe(400);
    await call(sim, "DELETE", `/api/v2/projects/${created.body.data.id}`);
    expect((await call<List>(sim, "GET", "/api/v2/projects")).body.data).toHaveLength(2);
    expect((await call<List>(sim, "GET", "/api/v2/projects", { query: { status: "deleted" } })).body.data).toHaveLength(
      1,
    );
  });
});

describe("v2 lead search", () => {
  test("GET /api/v2/leads/search finds v1 leads by title, filtered by person", async () => {
    const [person] = sim.seed("persons", 1);
    const leads = sim.seed("leads", 3, (i) => ({
      title: i ? `Inbound ${i}` : "Trade show",
      person_id: i === 2 ? person.id : null,
    }));
    type Found = {
      data: { items: { item: { id: string; title: string; person: { id: number } | null } }[] };
      additional_data: { next_cursor: string | null };
    };
    const found = await call<Found>(sim, "GET", "/api/v2/leads/search", { query: { term: "inbound" } });
    expect(found.body.data.items.map((i) => i.item.id)).toEqual([leads[1].id, leads[2].id]);
    expect(found.body.additional_data.next_cursor).toBeNull();
    const byPerson = await call<Found>(sim, "GET", "/api/v2/leads/search", {
      query: { term: "inbound", person_id: person.id as number },
    });
    expect(byPerson.body.data.items.map((i) => i.item)).toEqual([
      expect.objectContaining({ id: leads[2].id, person: { id: person.id, name: person.name } }),
    ]);
  });
});
