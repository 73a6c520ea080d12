import { call, useSimulator } from "./helpers";

const sim = useSimulator();

describe("burst limit", () => {
  test("defaults to 100 per 2 s and every API answer carries the rate-limit headers", async () => {
    const res = await call(sim, "GET", "/api/v2/deals");
    expect(res.headers.get("x-ratelimit-limit")).toBe("100");
    expect(res.headers.get("x-ratelimit-remaining")).toBe("99");
    expect(res.headers.get("x-ratelimit-reset")).toBe("2");
    expect(res.headers.get("x-daily-ratelimit-token-limit")).toBe("1000000");
    expect(res.headers.get("x-daily-ratelimit-token-remaining")).toBe("999990");
    const unauth = await call(sim, "GET", "/api/v2/deals", { noAuth: true });
    expect(unauth.headers.get("x-ratelimit-limit")).toBe("100");
  });

  test("over the burst: 429 with Retry-After and x-ratelimit-*; other tokens unaffected; the window rolls", async () => {
    sim.setBurst(5, 1000);
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const ok = await call(sim, "GET", "/api/v1/users/me");
      expect(ok.status).toBe(200);
      remaining.push(ok.headers.get("x-ratelimit-remaining") as string);
    }
    expect(remaining).toEqual(["4", "3", "2", "1", "0"]);
    const limited = await call(sim, "GET", "/api/v1/users/me");
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ success: false, error: "Request over limit", errorCode: 429 });
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(limited.headers.get("x-ratelimit-reset"))).toBeGreaterThanOrEqual(1);
    expect(sim.stats.rateLimited).toBe(1);

    const other = sim.createApiToken(1);
    expect((await call(sim, "GET", "/api/v1/users/me", { token: other })).status).toBe(200);

    await new Promise((r) => setTimeout(r, 1050));
    expect((await call(sim, "GET", "/api/v1/users/me")).status).toBe(200);
  });
});

describe("daily token budget", () => {
  test("charged with x-token-cost per operation; exhausted -> 429 with remaining 0, no quick retry", async () => {
    sim.setDailyBudget(25);
    const a = await call(sim, "GET", "/api/v2/deals"); // cost 10
    expect(a.headers.get("x-daily-ratelimit-token-remaining")).toBe("15");
    const b = await call(sim, "GET", "/api/v1/users/me"); // cost 2
    expect(b.headers.get("x-daily-ratelimit-token-remaining")).toBe("13");
    await call(sim, "GET", "/api/v1/notes"); // cost 20 -> 33 used
    expect(sim.budget).toEqual({ limit: 25, used: 32, remaining: 0 });
    const spent = await call(sim, "GET", "/api/v2/deals/1");
    expect(spent.status).toBe(429);
    expect(spent.headers.get("x-daily-ratelimit-token-remaining")).toBe("0");
    expect(String(spent.body.error)).toMatch(/Daily API token budget exhausted/);
    expect(Number(spent.headers.get("retry-after"))).toBeGreaterThan(60);
    expect(sim.stats.rateLimited).toBe(1);
    expect(sim.stats.byOperation).toMatchObject({ getDeals: 1, getCurrentUser: 1, getNotes: 1 });
  });

  test("OAuth endpoints cost nothing and are not rate limited", async () => {
    sim.setDailyBudget(0);
    const res = await fetch(`${sim.url}/oauth/token`, { method: "POST" });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-ratelimit-limit")).toBeNull();
  });
});

describe("storm429", () => {
  test("the next N API requests answer 429 with Retry-After", async () => {
    sim.storm429({ count: 2, retryAfterSec: 3 });
    const first = await call(sim, "GET", "/api/v2/deals");
    const second = await call(sim, "GET", "/api/v2/deals");
    const third = await call(sim, "GET", "/api/v2/deals");
    expect([first.status, second.status, third.status]).toEqual([429, 429, 200]);
    expect(first.headers.get("retry-after")).toBe("3");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(sim.stats.rateLimited).toBe(2);
  });

  test("retryAfterSec: null sends only x-ratelimit-reset", async () => {
    sim.storm429({ count: 1, retryAfterSec: null, resetSec: 4 });
    const res = await call(sim, "GET", "/api/v2/deals");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBeNull();
    expect(res.headers.get("x-ratelimit-reset")).toBe("4");
  });
});
