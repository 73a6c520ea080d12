import { PipedriveSimulator } from "../../sim";
import { loadSpecs, type SpecOperation, validateResponse } from "../../sim/spec";
import { call } from "./helpers";

let sim: PipedriveSimulator;

beforeAll(async () => {
  sim = await PipedriveSimulator.start({ burst: { limit: 10_000, windowMs: 2000 } });
});
beforeEach(() => sim.reset());
afterAll(async () => {
  await sim.stop();
});

const VIOLATION_INFO = "Simulator: request does not match the Pipedrive OpenAPI spec";

async function expectViolation(method: string, path: string, reason: RegExp, opts: Parameters<typeof call>[3] = {}) {
  const res = await call(sim, method, path, opts);
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ success: false, error_info: VIOLATION_INFO, data: null, additional_data: null });
  expect(String(res.body.error)).toMatch(reason);
  const violations = sim.takeViolations();
  expect(violations).toHaveLength(1);
  expect(violations[0].reasons.join("\n")).toMatch(reason);
  expect(violations[0].method).toBe(method);
  return violations[0];
}

describe("valid requests pass", () => {
  test("a v2 list with typed, comma-separated enum params", async () => {
    const res = await call(sim, "GET", "/api/v2/deals", {
      query: {
        limit: 500,
        status: "open,won",
        sort_by: "update_time",
        sort_direction: "desc",
        include_option_labels: true,
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: [], additional_data: { next_cursor: null } });
    expect(sim.violations).toEqual([]);
  });

  test("the legacy /v1 prefix is routed to the v1 spec", async () => {
    const res = await call(sim, "GET", "/v1/users/me");
    expect(res.status).toBe(200);
    expect(sim.requests.at(-1)).toMatchObject({ operationId: "getCurrentUser", version: "v1", status: 200 });
  });

  test("POST /api/v2/organizations with `name` passes (the spec's `required: [title]` is corrected)", async () => {
    const res = await call(sim, "POST", "/api/v2/organizations", { body: { name: "Acme" } });
    expect(res.status).toBe(200);
    await expectViolation("POST", "/api/v2/organizations", /unknown property 'title'/, { body: { title: "Acme" } });
  });

  test("v1 lead bodies may carry the deal custom-field keys at the top level", async () => {
    const key = sim.customFieldKey("deal", "Lead source");
    const org = await call(sim, "POST", "/api/v2/organizations", { body: { name: "Lead org" } });
    const res = await call(sim, "POST", "/api/v1/leads", {
      body: { title: "Lead", organization_id: (org.body.data as { id: number }).id, [key]: "Web" },
    });
    expect(res.status).toBe(201);
    await expectViolation("POST", "/api/v1/leads", /unknown property '0{40}'/, {
      body: { title: "Lead", organization_id: 1, ["0".repeat(40)]: "x" },
    });
  });
});

describe("violations answer 400 and are recorded", () => {
  test("wrong enum value", async () => {
    const v = await expectViolation("GET", "/api/v2/deals", /query\.status\[0\] must be one of/, {
      query: { status: "bogus" },
    });
    expect(v).toMatchObject({ path: "/api/v2/deals", operationId: "getDeals", version: "v2", status: 400 });
  });

  test("one bad item in a comma-separated enum list", async () => {
    await expectViolation("GET", "/api/v2/deals", /query\.status\[1\] must be one of/, {
      query: { status: "open,closed" },
    });
  });

  test("unknown query parameter", async () => {
    await expectViolation("GET", "/api/v2/deals", /query parameter 'user_id' is not defined/, {
      query: { user_id: 1 },
    });
  });

  test("unknown body property", async () => {
    await expectViolation("POST", "/api/v2/deals", /body has unknown property 'user_id'/, {
      body: { title: "x", user_id: 1 },
    });
    expect(sim.count("deals")).toBe(0);
  });

  test("limit above 500, and above 100 on files endpoints", async () => {
    await expectViolation("GET", "/api/v2/deals", /limit must be <= 500/, { query: { limit: 501 } });
    await expectViolation("GET", "/api/v1/files", /limit must be <= 100/, { query: { limit: 101 } });
    const ok = await call(sim, "GET", "/api/v1/files", { query: { limit: 100 } });
    expect(ok.status).toBe(200);
  });

  test("wrong types in query, path and body", async () => {
    await expectViolation("GET", "/api/v2/deals", /query\.limit must be integer/, { query: { limit: "ten" } });
    await expectViolation("GET", "/api/v2/deals/abc", /path\.id must be integer/);
    await expectViolation("POST", "/api/v2/deals", /body\.value must be number/, { body: { title: "x", value: "12" } });
    await expectViolation("PATCH", "/api/v2/persons/1", /body\.emails\[0\]\.primary must be boolean/, {
      body: { emails: [{ value: "a@b.c", primary: "yes" }] },
    });
  });

  test("missing required body property and required query parameter", async () => {
    await expectViolation("POST", "/api/v2/pipelines", /must have required property 'name'/, { body: {} });
    await expectViolation("GET", "/api/v2/deals/search", /query parameter 'term' is required/);
  });

  test("rules the spec states only in prose: RFC 3339 times, ids lists, search term length", async () => {
    await expectViolation("GET", "/api/v2/deals", /updated_since must match format "date-time"/, {
      query: { updated_since: "2025-01-01" },
    });
    const ids = Array.from({ length: 101 }, (_, i) => i + 1).join(",");
    await expectViolation("GET", "/api/v2/deals", /at most 100 comma-separated items/, { query: { ids } });
    await expectViolation("GET", "/api/v2/persons/search", /at least 2 characters/, { query: { term: "a" } });
    const exact = await call(sim, "GET", "/api/v2/persons/search", { query: { term: "a", exact_match: true } });
    expect(exact.status).toBe(200);
  });

  test("bad JSON, wrong content type, body on a GET", async () => {
    const res = await fetch(`${sim.url}/api/v2/deals`, {
      method: "POST",
      headers: { "x-api-token": sim.apiToken, "content-type": "application/json" },
      body: "{title:",
    });
    expect(res.status).toBe(400);
    expect(sim.takeViolations()[0].reasons).toContain("request body is not valid JSON");
    const form = await fetch(`${sim.url}/api/v2/deals`, {
      method: "POST",
      headers: { "x-api-token": sim.apiToken, "content-type": "application/x-www-form-urlencoded" },
      body: "title=x",
    });
    expect(form.status).toBe(400);
    expect(sim.takeViolations()[0].reasons.join()).toMatch(
      /content-type 'application\/x-www-form-urlencoded' is not accepted/,
    );
  });

  test("unknown path or method answers 404 like Pipedrive and is recorded", async () => {
    const res = await call(sim, "GET", "/api/v2/dealz");
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, error: "Unknown method ." });
    const put = await call(sim, "PUT", "/api/v2/deals/1", { body: { title: "x" } });
    expect(put.status).toBe(404);
    const outside = await call(sim, "GET", "/deals");
    expect(outside.status).toBe(404);
    const v = sim.takeViolations();
    expect(v.map((x) => x.operationId)).toEqual([null, null, null]);
    expect(v[1].reasons[0]).toMatch(/PUT is not defined for \/deals\/1/);
    expect(v[2].reasons[0]).toMatch(/not a Pipedrive API path/);
  });

  test("a token in the query string is accepted but recorded, and redacted from the log", async () => {
    const res = await call(sim, "GET", "/api/v1/users/me", { noAuth: true, query: { api_token: sim.apiToken } });
    expect(res.status).toBe(200);
    const v = sim.takeViolations();
    expect(v).toHaveLength(1);
    expect(v[0].reasons[0]).toMatch(/api_token sent in the query string/);
    expect(sim.requests.at(-1)?.query).toEqual({ api_token: "[redacted]" });
    expect(JSON.stringify(sim.requests)).not.toContain(sim.apiToken);
  });
});

describe("deprecated and generic operations", () => {
  test("a deprecated operation is recorded, not flagged", async () => {
    const res = await call(sim, "GET", "/api/v1/deals/archived");
    expect(res.status).toBe(200);
    expect(sim.violations).toEqual([]);
    expect(sim.deprecatedCalls).toEqual([expect.objectContaining({ operationId: "getArchivedDeals", version: "v1" })]);
  });

  test("operations without a stateful implementation are validated, then answered generically", async () => {
    const list = await call(sim, "GET", "/api/v2/deals/1/followers");
    expect(list.body).toEqual({ success: true, data: [], additional_data: { next_cursor: null } });
    const add = await call(sim, "POST", "/api/v2/deals/7/followers", { body: { user_id: 1 } });
    // In the documented shape, with what the request sent.
    expect(add.body).toEqual({ success: true, data: { user_id: 1, add_time: expect.any(String) } });
    expect(sim.genericCalls.map((g) => g.operationId)).toEqual(["getDealFollowers", "addDealFollower"]);
    await expectViolation("POST", "/api/v2/deals/7/followers", /must have required property 'user_id'/, { body: {} });
  });
});

describe("responses against the documented response schemas (validateResponses)", () => {
  const getDeal = () => loadSpecs().v2.route("GET", "/deals/{id}") as SpecOperation;

  test("a body that departs from the spec is reported, field by field", () => {
    expect(validateResponse(getDeal(), { success: true, data: { id: "seven", title: 5 } })).toEqual([
      "response.data.id must be integer,null",
      "response.data.title must be string,null",
    ]);
  });

  test("null is accepted for any field (Pipedrive's unset fields), the documented shape otherwise", () => {
    expect(validateResponse(getDeal(), { success: true, data: { id: 7, title: "Acme", org_id: null } })).toEqual([]);
  });

  test("a simulator started with validateResponses records a departing response and still sends it", async () => {
    const checked = await PipedriveSimulator.start({ validateResponses: true });
    try {
      await call(checked, "POST", "/api/v2/deals/7/followers", { body: { user_id: 1 } });
      expect(checked.violations).toEqual([]);
      const [deal] = checked.seed("deals", 1) as { id: number; title: unknown }[];
      deal.title = 5; // a record the simulator would never hold
      const res = await call(checked, "GET", `/api/v2/deals/${deal.id}`);
      expect(res.status).toBe(200);
      expect(checked.violations).toEqual([
        expect.objectContaining({
          operationId: "getDeal",
          status: 200,
          reasons: ["response.data.title must be string,null"],
        }),
      ]);
    } finally {
      await checked.stop();
    }
  });
});
