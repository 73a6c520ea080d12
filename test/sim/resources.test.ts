import { call, useSimulator } from "./helpers";

const sim = useSimulator({ burst: { limit: 10_000, windowMs: 2000 } });

type One = { success: boolean; data: Record<string, unknown> & { id: number } };
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe("v2 deals", () => {
  test("create, get, patch, delete with Pipedrive's envelopes and v2 shapes", async () => {
    const created = await call<One>(sim, "POST", "/api/v2/deals", {
      body: { title: "Acme", value: 100, currency: "EUR" },
    });
    expect(created.status).toBe(200);
    const deal = created.body.data;
    expect(deal).toMatchObject({
      title: "Acme",
      value: 100,
      currency: "EUR",
      owner_id: 1,
      pipeline_id: 1,
      stage_id: 1,
      status: "open",
      is_deleted: false,
      visible_to: 3,
    });
    expect(deal.add_time).toMatch(RFC3339);
    expect(Object.keys(deal.custom_fields as object)).toHaveLength(6);

    const got = await call<One>(sim, "GET", `/api/v2/deals/${deal.id}`);
    expect(got.body).toEqual({ success: true, data: deal });

    const won = await call<One>(sim, "PATCH", `/api/v2/deals/${deal.id}`, { body: { status: "won", stage_id: 5 } });
    expect(won.body.data).toMatchObject({ status: "won", stage_id: 5, pipeline_id: 2 });
    expect(won.body.data.won_time).toMatch(RFC3339);

    const del = await call(sim, "DELETE", `/api/v2/deals/${deal.id}`);
    expect(del.body).toEqual({ success: true, data: { id: deal.id } });
    expect(sim.get("deals", deal.id)).toMatchObject({ is_deleted: true });
    const gone = await call(sim, "GET", `/api/v2/deals/${deal.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({
      success: false,
      error: "Deal not found",
      error_info: "Please check developers.pipedrive.com",
      data: null,
      additional_data: null,
    });
  });

  test("semantic checks the spec can't express answer 400 (not violations)", async () => {
    const empty = await call(sim, "POST", "/api/v2/deals", { body: { title: "  " } });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ success: false, error: "title must not be empty" });
    const person = await call(sim, "POST", "/api/v2/deals", { body: { title: "x", person_id: 999 } });
    expect(person.body.error).toBe("person_id: Person with id 999 not found");
    const mismatch = await call(sim, "POST", "/api/v2/deals", { body: { title: "x", pipeline_id: 1, stage_id: 5 } });
    expect(mismatch.body.error).toBe("stage_id 5 does not belong to pipeline_id 1");
    const deleted = await call(sim, "POST", "/api/v2/deals", { body: { title: "x", status: "deleted" } });
    expect(deleted.status).toBe(400);
    const currency = await call(sim, "POST", "/api/v2/deals", { body: { title: "x", currency: "XXX" } });
    expect(currency.body.error).toMatch(/Currency 'XXX' is not supported/);
    expect(sim.count("deals")).toBe(0);
  });

  test("custom fields: typed values, unknown keys refused, option labels on request", async () => {
    const budget = sim.customFieldKey("deal", "Budget");
    const priority = sim.customFieldKey("deal", "Priority");
    const tags = sim.customFieldKey("deal", "Tags");
    const fields = await call<{
      data: Array<{ field_code: string; options: Array<{ id: number; label: string }> | null }>;
    }>(sim, "GET", "/api/v2/dealFields");
    const high = fields.body.data.find((f) => f.field_code === priority)?.options?.find((o) => o.label === "High")
      ?.id as number;
    const beta = fields.body.data.find((f) => f.field_code === tags)?.options?.find((o) => o.label === "Beta")
      ?.id as number;
    const created = await call<One>(sim, "POST", "/api/v2/deals", {
      body: {
        title: "cf",
        custom_fields: { [budget]: { value: 5, currency: "USD" }, [priority]: high, [tags]: [beta] },
      },
    });
    expect(created.status).toBe(200);
    const labelled = await call<One>(sim, "GET", `/api/v2/deals/${created.body.data.id}`, {
      query: { include_option_labels: true, custom_fields: `${priority},${tags}` },
    });
    expect(labelled.body.data.custom_fields).toEqual({
      [priority]: { id: high, label: "High" },
      [tags]: [{ id: beta, label: "Beta" }],
    });

    const unknown = await call(sim, "PATCH", `/api/v2/deals/${created.body.data.id}`, {
      body: { custom_fields: { ["a".repeat(40)]: 1 } },
    });
    expect(unknown.status).toBe(400);
    const badMoney = await call(sim, "PATCH", `/api/v2/deals/${created.body.data.id}`, {
      body: { custom_fields: { [budget]: 5 } },
    });
    expect(badMoney.body.error).toMatch(/Budget.*monetary/);
    const emptySet = await call(sim, "PATCH", `/api/v2/deals/${created.body.data.id}`, {
      body: { custom_fields: { [tags]: [] } },
    });
    expect(emptySet.body.error).toMatch(/use null to clear/);
  });

  test("search: term, items[].item, result_score", async () => {
    sim.seed("deals", 5, (i) => ({ title: i === 2 ? "Big Acme renewal" : `Other ${i}` }));
    const res = await call<{ data: { items: Array<{ result_score: number; item: Record<string, unknown> }> } }>(
      sim,
      "GET",
      "/api/v2/deals/search",
      { query: { term: "acme" } },
    );
    expect(res.body.data.items).toHaveLength(1);
    expect(res.body.data.items[0].item).toMatchObject({
      id: 3,
      type: "deal",
      title: "Big Acme renewal",
      stage: { id: 1, name: "Qualified" },
    });
    expect(res.body.data.items[0].result_score).toBeGreaterThan(0);
  });
});

describe("v2 persons, organizations, activities, products, pipelines, stages", () => {
  test("persons: emails/phones arrays, derived names, search by email", async () => {
    const org = await call<One>(sim, "POST", "/api/v2/organizations", {
      body: { name: "Acme Ltd", address: { value: "1 Main St" } },
    });
    const p = await call<One>(sim, "POST", "/api/v2/persons", {
      body: { name: "Jane Q Doe", org_id: org.body.data.id, emails: [{ value: "jane@acme.test", label: "work" }] },
    });
    expect(p.body.data).toMatchObject({
      first_name: "Jane",
      last_name: "Q Doe",
      emails: [{ value: "jane@acme.test", primary: true, label: "work" }],
      phones: [],
    });
    const found = await call<{ data: { items: Array<{ item: Record<string, unknown> }> } }>(
      sim,
      "GET",
      "/api/v2/persons/search",
      {
        query: { term: "jane@acme.test", fields: "email" },
      },
    );
    expect(found.body.data.items[0].item).toMatchObject({
      name: "Jane Q Doe",
      organization: { id: org.body.data.id, name: "Acme Ltd" },
    });
    const orgs = await call<{ data: { items: unknown[] } }>(sim, "GET", "/api/v2/organizations/search", {
      query: { term: "acme" },
    });
    expect(orgs.body.data.items).toHaveLength(1);
    const noName = await call(sim, "POST", "/api/v2/persons", { body: { emails: [] } });
    expect(noName.body.error).toBe("name is required");
  });

  test("activities: type must exist, subject defaults to the type name, done sets marked_as_done_time", async () => {
    const a = await call<One>(sim, "POST", "/api/v2/activities", { body: { type: "meeting", due_date: "2026-02-01" } });
    expect(a.body.data).toMatchObject({ subject: "Meeting", type: "meeting", done: false, marked_as_done_time: null });
    const done = await call<One>(sim, "PATCH", `/api/v2/activities/${a.body.data.id}`, { body: { done: true } });
    expect(done.body.data.marked_as_done_time).toMatch(RFC3339);
    const bad = await call(sim, "POST", "/api/v2/activities", { body: { type: "party" } });
    expect(bad.body.error).toBe("Activity type 'party' does not exist");
    const list = await call<{ data: unknown[] }>(sim, "GET", "/api/v2/activities", { query: { done: true } });
    expect(list.body.data).toHaveLength(1);
  });

  test("products, pipelines and stages", async () => {
    const prod = await call<One>(sim, "POST", "/api/v2/products", {
      body: { name: "Widget", prices: [{ price: 5, currency: "EUR" }] },
    });
    expect(prod.body.data).toMatchObject({ name: "Widget", is_linkable: true, billing_frequency: "one-time" });
    const pipe = await call<One>(sim, "POST", "/api/v2/pipelines", { body: { name: "Renewals" } });
    expect(pipe.body.data).toMatchObject({ id: 3, order_nr: 3 });
    const stage = await call<One>(sim, "POST", "/api/v2/stages", { body: { name: "New", pipeline_id: 2 } });
    expect(stage.body.data).toMatchObject({ pipeline_id: 2, order_nr: 3 });
    const stages = await call<{ data: Array<{ id: number }> }>(sim, "GET", "/api/v2/stages", {
      query: { pipeline_id: 2 },
    });
    expect(stages.body.data.map((s) => s.id)).toEqual([5, 6, stage.body.data.id]);
    const missing = await call(sim, "GET", "/api/v2/pipelines/99");
    expect(missing.body.error).toBe("Pipeline not found");
  });

  test("v2 fields lists: field_code, field_name, field_type, is_custom_field, options", async () => {
    const res = await call<{ data: Array<Record<string, unknown>>; additional_data: { next_cursor: string | null } }>(
      sim,
      "GET",
      "/api/v2/personFields",
    );
    const custom = res.body.data.filter((f) => f.is_custom_field);
    expect(custom.map((f) => f.field_type)).toEqual(["varchar", "monetary", "enum", "set", "date", "address"]);
    for (const f of custom) expect(f.field_code).toMatch(/^[0-9a-f]{40}$/);
    expect(custom[2].options).toEqual([
      expect.objectContaining({ label: "Gold" }),
      expect.objectContaining({ label: "Silver" }),
      expect.objectContaining({ label: "Bronze" }),
    ]);
    expect(res.body.additional_data.next_cursor).toBeNull();
    const one = await call<One>(sim, "GET", `/api/v2/personFields/${custom[0].field_code}`);
    expect(one.body.data.field_name).toBe("Nickname");
  });
});

describe("v1 resources", () => {
  test("users, /users/me with company fields, 404 for unknown users", async () => {
    const me = await call<One>(sim, "GET", "/api/v1/users/me");
    expect(me.body.data).toMatchObject({
      id: 1,
      name: "Sim Admin",
      is_admin: true,
      company_id: 1,
      company_domain: "sim",
      is_you: true,
    });
    const users = await call<{ data: Array<{ id: number; is_you: boolean }> }>(sim, "GET", "/api/v1/users");
    expect(users.body.data.map((u) => [u.id, u.is_you])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect((await call(sim, "GET", "/api/v1/users/9")).body.error).toBe("User not found");
  });

  test("activity types, currencies (term filter), lead labels", async () => {
    const types = await call<{ data: Array<{ key_string: string }> }>(sim, "GET", "/api/v1/activityTypes");
    expect(types.body.data.map((t) => t.key_string)).toContain("call");
    const eur = await call<{ data: Array<{ code: string }> }>(sim, "GET", "/api/v1/currencies", {
      query: { term: "euro" },
    });
    expect(eur.body.data.map((c) => c.code)).toEqual(["EUR"]);
    const label = await call<{ data: { id: string } }>(sim, "POST", "/api/v1/leadLabels", {
      body: { name: "VIP", color: "purple" },
    });
    expect(label.body.data.id).toMatch(/^[0-9a-f-]{36}$/);
    const del = await call(sim, "DELETE", `/api/v1/leadLabels/${label.body.data.id}`);
    expect(del.body).toEqual({ success: true, data: { id: label.body.data.id } });
  });

  test("leads: need a person or organization; archive moves them to /leads/archived", async () => {
    const unlinked = await call(sim, "POST", "/api/v1/leads", { body: { title: "Lonely" } });
    expect(unlinked.status).toBe(400);
    const org = await call<One>(sim, "POST", "/api/v2/organizations", { body: { name: "Org" } });
    const lead = await call<{ data: { id: string } }>(sim, "POST", "/api/v1/leads", {
      body: { title: "Lead", organization_id: org.body.data.id, value: { amount: 10, currency: "USD" } },
    });
    expect(lead.status).toBe(201);
    await call(sim, "PATCH", `/api/v1/leads/${lead.body.data.id}`, { body: { is_archived: true } });
    expect((await call<{ data: unknown[] }>(sim, "GET", "/api/v1/leads")).body.data).toHaveLength(0);
    expect((await call<{ data: unknown[] }>(sim, "GET", "/api/v1/leads/archived")).body.data).toHaveLength(1);
    const missing = await call(sim, "GET", "/api/v1/leads/00000000-0000-4000-8000-000000000000");
    expect(missing.body.error).toBe("Lead not found");
  });

  test("notes: v1 shape with nested names, must be attached to something, DELETE answers data: true", async () => {
    const deal = await call<One>(sim, "POST", "/api/v2/deals", { body: { title: "Noted deal" } });
    const note = await call<One>(sim, "POST", "/api/v1/notes", {
      body: { content: "hello", deal_id: deal.body.data.id, pinned_to_deal_flag: 1 },
    });
    expect(note.body.data).toMatchObject({
      content: "hello",
      deal: { title: "Noted deal" },
      user: { name: "Sim Admin", is_you: true },
      pinned_to_deal_flag: true,
      active_flag: true,
    });
    expect(note.body.data.add_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const updated = await call<One>(sim, "PUT", `/api/v1/notes/${note.body.data.id}`, { body: { content: "bye" } });
    expect(updated.body.data.content).toBe("bye");
    expect((await call(sim, "POST", "/api/v1/notes", { body: { content: "floating" } })).status).toBe(400);
    expect((await call(sim, "DELETE", `/api/v1/notes/${note.body.data.id}`)).body).toEqual({
      success: true,
      data: true,
    });
  });
});

describe("v1 recents", () => {
  test("changes since a v1 timestamp, oldest first, filtered by item type, v1 timestamps", async () => {
    sim.seed("notes", 3, (i) => ({ content: `old ${i}`, update_time: "2020-01-01 00:00:00" }));
    const since = new Date(sim.now() - 60_000).toISOString().slice(0, 19).replace("T", " ");
    const deal = await call<One>(sim, "POST", "/api/v2/deals", { body: { title: "recent deal" } });
    const note = await call<One>(sim, "POST", "/api/v1/notes", {
      body: { content: "recent note", deal_id: deal.body.data.id },
    });
    await call(sim, "POST", "/api/v2/persons", { body: { name: "not asked for" } });
    const res = await call<{
      data: Array<{ item: string; id: number; data: { update_time: string } }>;
      additional_data: Record<string, unknown>;
    }>(sim, "GET", "/api/v1/recents", { query: { since_timestamp: since, items: "note,deal" } });
    expect(res.status).toBe(200);
    expect(res.body.data.map((e) => [e.item, e.id])).toEqual([
      ["deal", deal.body.data.id],
      ["note", note.body.data.id],
    ]);
    expect(res.body.data[0].data.update_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(res.body.additional_data).toMatchObject({
      since_timestamp: since,
      pagination: { start: 0, limit: 100, more_items_in_collection: false },
    });
    const bad = await call(sim, "GET", "/api/v1/recents", { query: { since_timestamp: "yesterday" } });
    expect(bad.status).toBe(400);
  });
});

describe("store helpers", () => {
  // How fast seeding is belongs to the bench (bench/scenarios/gate.ts).
  test("seed() inserts 50,000 records; count/get/all; reset() restores the seeded state", () => {
    const deals = sim.seed("deals", 50_000, (i) => ({ value: i }));
    expect(sim.count("deals")).toBe(50_000);
    expect(sim.get("deals", deals[49_999].id)).toMatchObject({ value: 49_999, stage_id: 1 });
    expect(sim.all("deals")).toHaveLength(50_000);
    expect(sim.stats.requests).toBe(0);
    expect(sim.budget.used).toBe(0);
    sim.reset();
    expect(sim.count("deals")).toBe(0);
    expect(sim.count("stages")).toBe(6);
    expect(sim.seed("deals", 1)[0].id).toBe(1);
  });

  test("collections without a resource definition cannot be seeded", () => {
    expect(() => sim.seed("webhooks", 1)).toThrow(/cannot be seeded/);
  });
});
