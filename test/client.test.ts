import { createConnection } from "@prismatic-io/spectral/dist/testing";
import { createPipedriveClient, PipedriveError } from "../src/client";
import { companyDomainToOrigin, DEFAULT_API_ORIGIN } from "../src/client/auth";
import { oauth2 } from "../src/connections";
import { capturedLines, failure, logger, useTestBed } from "./support/setup";

const bed = useTestBed({ webhookRetryDelaysMs: [20, 40, 60] });
const client = (connection = bed.oauth, options = {}) =>
  createPipedriveClient(connection as never, { logger, debug: true, ...options });
const lastRequest = () => bed.sim.requests[bed.sim.requests.length - 1];
const requestsTo = (method: string, path: string) =>
  bed.sim.requests.filter((r) => r.method === method && r.path === path);

describe("connections", () => {
  test("OAuth calls go to the token's api_domain with a Bearer header", async () => {
    const c = client(bed.oauth);
    expect(c.origin).toBe(bed.sim.url);
    const me = await c.request<{ data: { id: number } }>({ method: "GET", version: "v1", path: "/users/me" });
    expect(me.data.id).toBe(1);
    expect(lastRequest()).toMatchObject({ path: "/api/v1/users/me", auth: "bearer" });
  });

  test("without api_domain the OAuth client falls back to api.pipedrive.com", () => {
    const connection = createConnection(oauth2, {}, { access_token: "abc-token-123456" });
    expect(createPipedriveClient(connection as never).origin).toBe(DEFAULT_API_ORIGIN);
  });

  test("an api_domain that is not https is refused", () => {
    const connection = createConnection(
      oauth2,
      {},
      { access_token: "abc-token-123456", api_domain: "http://evil.example.com" },
    );
    expect(() => createPipedriveClient(connection as never)).toThrow(/not a Pipedrive origin/);
  });

  test("API-token calls send x-api-token and never put the token in the URL", async () => {
    const c = client(bed.token);
    await c.request({ method: "GET", version: "v2", path: "/deals", query: { limit: 1 } });
    const request = lastRequest();
    expect(request.auth).toBe("api_token");
    expect(JSON.stringify(request.query)).not.toContain(bed.sim.apiToken);
  });

  test.each([
    ["acme", "https://acme.pipedrive.com"],
    ["acme.pipedrive.com", "https://acme.pipedrive.com"],
    ["https://Acme.pipedrive.com/", "https://acme.pipedrive.com"],
    ["http://127.0.0.1:4010", "http://127.0.0.1:4010"],
  ])("company domain %s -> %s", (input, origin) => {
    expect(companyDomainToOrigin(input)).toBe(origin);
  });

  test.each(["", "acme.evil.com", "http://acme.pipedrive.com", "acme/../x", "https://evil.com"])(
    "company domain %p is refused with a clear message",
    (input) => {
      expect(() => companyDomainToOrigin(input)).toThrow(/Company Domain: expected your Pipedrive company domain/);
    },
  );

  test("v2 and v1 paths use /api/v2 and /api/v1, with path segments encoded", async () => {
    const c = client();
    await failure(() => c.request({ method: "GET", version: "v2", path: "/deals/{id}", pathParams: { id: "1 2/3" } }));
    expect(lastRequest().path).toBe("/api/v2/deals/1%202%2F3");
    bed.sim.takeViolations();
    await expect(
      c.request({ method: "GET", version: "v2", path: "/deals/{id}", pathParams: { id: ".." } }),
    ).rejects.toThrow(/Path parameter "id"/);
  });
});

describe("pagination", () => {
  test("v2 cursor: 1,234 deals, 10 added mid-walk, none skipped or repeated", async () => {
    bed.sim.reset();
    bed.sim.seed("deals", 1234);
    const c = client();
    const seen: number[] = [];
    let pages = 0;
    for await (const page of c.pages<{ id: number }>({ version: "v2", path: "/deals", pagination: "cursor" })) {
      pages += 1;
      seen.push(...page.items.map((d) => d.id));
      if (pages === 1)
        for (let i = 0; i < 10; i++)
          await c.request({ method: "POST", version: "v2", path: "/deals", body: { title: `Added mid-walk ${i}` } });
    }
    expect(pages).toBe(3);
    expect(seen.length).toBe(1244);
    expect(new Set(seen).size).toBe(1244);
  });

  test("collect honours a cap and says where to resume", async () => {
    bed.sim.reset();
    bed.sim.seed("deals", 1200);
    const c = client();
    const first = await c.collect<{ id: number }>({ version: "v2", path: "/deals", pagination: "cursor" }, 700);
    expect(first.items.length).toBe(700);
    expect(first.truncated).toBe(true);
    const rest = await c.collect<{ id: number }>({
      version: "v2",
      path: "/deals",
      pagination: "cursor",
      from: first.next,
    });
    expect(rest.truncated).toBe(false);
    const all = [...first.items, ...rest.items].map((d) => d.id);
    expect(rest.items.length).toBe(bed.sim.count("deals") - 700);
    expect(new Set(all).size).toBe(bed.sim.count("deals"));
  });

  test("v1 offset (notes, with additional_data.pagination): 1,100 records", async () => {
    bed.sim.seed("notes", 1100);
    const result = await client().collect<{ id: number }>({ version: "v1", path: "/notes", pagination: "offset" });
    expect(result.items.length).toBe(bed.sim.count("notes"));
    expect(new Set(result.items.map((n) => n.id)).size).toBe(result.items.length);
    expect(result.pages).toBe(Math.ceil(result.items.length / 500));
  });

  test("v1 offset, flat /leads variant: 1,005 leads", async () => {
    bed.sim.seed("leads", 1005);
    const result = await client().collect<{ id: string }>({ version: "v1", path: "/leads", pagination: "offset" });
    expect(result.items.length).toBe(bed.sim.count("leads"));
    expect(new Set(result.items.map((l) => l.id)).size).toBe(result.items.length);
  });
});

describe("rate limits and retries", () => {
  test("429 with Retry-After is waited out and retried", async () => {
    const before = bed.sim.stats.rateLimited;
    bed.sim.storm429({ count: 2, retryAfterSec: 1 });
    const started = Date.now();
    const result = await client().request<{ data: unknown[] }>({
      method: "GET",
      version: "v2",
      path: "/deals",
      query: { limit: 5 },
    });
    expect(result.data.length).toBe(5);
    expect(bed.sim.stats.rateLimited - before).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  test("429 with only x-ratelimit-reset is waited out and retried", async () => {
    bed.sim.storm429({ count: 1, retryAfterSec: null, resetSec: 1 });
    const started = Date.now();
    await client().request({ method: "GET", version: "v2", path: "/deals", query: { limit: 1 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  test("a POST refused with 429 is retried (nothing was processed): exactly one deal", async () => {
    const before = bed.sim.count("deals");
    bed.sim.storm429({ count: 1, retryAfterSec: 1 });
    await client().request({ method: "POST", version: "v2", path: "/deals", body: { title: "After a 429" } });
    expect(bed.sim.count("deals")).toBe(before + 1);
  });

  test("5xx on GET is retried", async () => {
    bed.sim.injectNext({ count: 2, status: 502, match: { method: "GET", path: "/api/v2/deals/1" } });
    bed.sim.clearRequests();
    const deal = await client().request<{ data: { id: number } }>({
      method: "GET",
      version: "v2",
      path: "/deals/{id}",
      pathParams: { id: 1 },
    });
    expect(deal.data.id).toBe(1);
    expect(requestsTo("GET", "/api/v2/deals/1").length).toBe(3);
  });

  test("5xx on POST is not retried: the simulator holds exactly one new deal", async () => {
    const before = bed.sim.count("deals");
    bed.sim.injectNext({ status: 500, afterCommit: true, match: { method: "POST", path: "/api/v2/deals" } });
    bed.sim.clearRequests();
    const error = await failure(() =>
      client().request({ method: "POST", version: "v2", path: "/deals", body: { title: "Maybe created" } }),
    );
    expect(error).toBeInstanceOf(PipedriveError);
    expect(error.status).toBe(500);
    expect(error.message).toMatch(/never re-sent/);
    expect(requestsTo("POST", "/api/v2/deals").length).toBe(1);
    expect(bed.sim.count("deals")).toBe(before + 1);
  });

  test("a connection reset on POST is not retried; on GET it is", async () => {
    bed.sim.injectNext({ reset: true, match: { method: "POST" } });
    bed.sim.clearRequests();
    const error = await failure(() =>
      client().request({ method: "POST", version: "v2", path: "/deals", body: { title: "Reset" } }),
    );
    expect(error.kind).toBe("network");
    expect(error.message).toMatch(/not re-sent/);
    expect(requestsTo("POST", "/api/v2/deals").length).toBeLessThanOrEqual(1);

    bed.sim.injectNext({ reset: true, match: { method: "GET" } });
    const ok = await client().request<{ data: unknown[] }>({
      method: "GET",
      version: "v2",
      path: "/deals",
      query: { limit: 2 },
    });
    expect(ok.data.length).toBe(2);
  });

  test("slows down before the burst limit instead of collecting 429s", async () => {
    bed.sim.setBurst(10, 1000);
    try {
      const before = bed.sim.stats.rateLimited;
      const c = client(bed.token);
      for (let i = 0; i < 25; i++) await c.request({ method: "GET", version: "v1", path: "/users/me" });
      expect(bed.sim.stats.rateLimited - before).toBe(0);
    } finally {
      bed.sim.setBurst(100, 2000);
    }
  });

  test("a spent daily budget fails at once with a clear message", async () => {
    bed.sim.setDailyBudget(0);
    try {
      bed.sim.clearRequests();
      const error = await failure(() => client().request({ method: "GET", version: "v2", path: "/deals" }));
      expect(error.kind).toBe("dailyBudget");
      expect(error.message).toMatch(/daily API token budget .* spent/);
      expect(bed.sim.requests.length).toBe(1);
    } finally {
      bed.sim.setDailyBudget(1_000_000);
    }
  });
});

describe("errors", () => {
  test("401 says to reconnect", async () => {
    const bad = createConnection(oauth2, {}, { access_token: "not-a-real-token-123", api_domain: bed.sim.url });
    const error = await failure(() => client(bad).request({ method: "GET", version: "v1", path: "/users/me" }));
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/reconnect the Pipedrive connection/);
    expect(error.message).not.toContain("not-a-real-token-123");
  });

  test("403 names the missing scope", async () => {
    const limited = bed.sim.issueOAuthToken({ scopes: ["deals:read", "base"] });
    const connection = createConnection(oauth2, {}, limited as unknown as Record<string, unknown>);
    const error = await failure(() =>
      client(connection).request({ method: "POST", version: "v2", path: "/deals", body: { title: "No scope" } }),
    );
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/needs the OAuth scope .*deals:full/);
  });

  test("404 names the path and says to check the ID", async () => {
    const error = await failure(() =>
      client().request({ method: "GET", version: "v2", path: "/deals/{id}", pathParams: { id: 987654 } }),
    );
    expect(error.status).toBe(404);
    expect(error.message).toMatch(/GET \/api\/v2\/deals\/987654/);
    expect(error.message).toMatch(/Check that the ID exists/);
  });

  test("410 says the resource is gone", async () => {
    bed.sim.injectNext({ status: 410, body: { success: false, error: "Gone" }, match: { method: "GET" } });
    const error = await failure(() =>
      client().request({ method: "GET", version: "v2", path: "/deals/{id}", pathParams: { id: 1 } }),
    );
    expect(error.status).toBe(410);
    expect(error.message).toMatch(/gone for good/);
  });

  test("422 on the 41st webhook explains the 40-webhook limit", async () => {
    const c = client();
    const existing = await c.request<{ data: unknown[] }>({ method: "GET", version: "v1", path: "/webhooks" });
    for (let i = existing.data.length; i < 40; i++)
      await c.request({
        method: "POST",
        version: "v1",
        path: "/webhooks",
        body: {
          subscription_url: `http://127.0.0.1:9/hook-${i}`,
          event_action: "*",
          event_object: "deal",
          name: `hook ${i}`,
          version: "2.0",
        },
      });
    const error = await failure(() =>
      c.request({
        method: "POST",
        version: "v1",
        path: "/webhooks",
        body: {
          subscription_url: "http://127.0.0.1:9/hook-41",
          event_action: "*",
          event_object: "deal",
          name: "hook 41",
          version: "2.0",
        },
      }),
    );
    expect(error.status).toBe(422);
    expect(error.message).toMatch(/limit of 40 webhooks/);
    const all = await c.request<{ data: { id: number }[] }>({ method: "GET", version: "v1", path: "/webhooks" });
    for (const hook of all.data)
      await c.request({ method: "DELETE", version: "v1", path: "/webhooks/{id}", pathParams: { id: hook.id } });
  });
});

describe("contract", () => {
  test("a request that breaks the spec is flagged by the simulator", async () => {
    const error = await failure(() =>
      client().request({ method: "GET", version: "v2", path: "/deals", query: { status: "bogus", limit: 1 } }),
    );
    expect(error.status).toBe(400);
    const violations = bed.sim.takeViolations();
    expect(violations.length).toBe(1);
    expect(JSON.stringify(violations[0])).toMatch(/status/);
  });

  test("an unknown body field is flagged", async () => {
    await failure(() =>
      client().request({ method: "POST", version: "v2", path: "/deals", body: { title: "x", user_id: 1 } }),
    );
    const violations = bed.sim.takeViolations();
    expect(JSON.stringify(violations)).toMatch(/user_id/);
  });
});

test.each(["oauth", "token"] as const)(
  "debug logging (%s) names method, path and status but no credentials",
  async (which) => {
    // Only this test's lines (the earlier ones stay captured for the end-of-file secret scan).
    const from = capturedLines.length;
    await createPipedriveClient(bed[which] as never, { logger, debug: true }).request({
      method: "GET",
      version: "v1",
      path: "/users/me",
    });
    const lines = capturedLines.slice(from);
    expect(
      lines.filter((line) => /^debug: Pipedrive GET \/api\/v1\/users\/me -> 200 in \d+ ms$/.test(line)),
    ).toHaveLength(1);
    for (const secret of bed.secrets) expect(lines.join("\n")).not.toContain(secret);
  },
);
