import { PipedriveSimulator } from "../../sim";
import { basic, call, postForm, useSimulator } from "./helpers";

const sim = useSimulator({ burst: { limit: 10_000, windowMs: 2000 } });

describe("injectNext", () => {
  test("a one-shot 5xx, then normal service", async () => {
    sim.injectNext({ status: 503 });
    const failed = await call(sim, "GET", "/api/v2/deals");
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ success: false });
    expect(failed.headers.get("x-ratelimit-limit")).not.toBeNull();
    expect((await call(sim, "GET", "/api/v2/deals")).status).toBe(200);
  });

  test("count, match by method and path (URL path, version-relative path or RegExp), custom body and headers", async () => {
    sim.injectNext({ count: 2, status: 502, match: { method: "GET", path: "/deals/1" } });
    sim.injectNext({
      status: 418,
      body: { teapot: true },
      headers: { "x-test": "yes" },
      match: { path: /\/persons$/ },
    });
    expect((await call(sim, "GET", "/api/v2/deals")).status).toBe(200);
    expect((await call(sim, "GET", "/api/v2/deals/1")).status).toBe(502);
    expect((await call(sim, "GET", "/api/v2/deals/1")).status).toBe(502);
    expect((await call(sim, "GET", "/api/v2/deals/1")).status).toBe(404);
    const teapot = await call(sim, "GET", "/api/v2/persons");
    expect(teapot.status).toBe(418);
    expect(teapot.body).toEqual({ teapot: true });
    expect(teapot.headers.get("x-test")).toBe("yes");
  });

  test("reset destroys the connection; the request is logged with status 0", async () => {
    sim.injectNext({ reset: true });
    await expect(call(sim, "GET", "/api/v2/deals")).rejects.toThrow(/fetch failed/);
    expect(sim.requests.at(-1)).toMatchObject({ path: "/api/v2/deals", status: 0 });
    expect((await call(sim, "GET", "/api/v2/deals")).status).toBe(200);
  });

  test("afterCommit: the write happens, then the response fails", async () => {
    sim.injectNext({ status: 500, afterCommit: true, match: { method: "POST" } });
    // a request that never reaches the operation does not use up the injection
    expect((await call(sim, "POST", "/api/v2/deals", { body: { title: 1 } })).status).toBe(400);
    expect(sim.takeViolations()).toHaveLength(1);
    const res = await call(sim, "POST", "/api/v2/deals", { body: { title: "committed" } });
    expect(res.status).toBe(500);
    expect(sim.all("deals").map((d) => d.title)).toEqual(["committed"]);
    sim.injectNext({ reset: true, afterCommit: true, match: { method: "POST" } });
    await expect(call(sim, "POST", "/api/v2/deals", { body: { title: "committed too" } })).rejects.toThrow();
    expect(sim.count("deals")).toBe(2);
  });

  test("OAuth routes are untouched unless matched explicitly", async () => {
    const app = sim.defaultOAuthApp;
    const auth = { authorization: basic(app.clientId, app.clientSecret) };
    sim.injectNext({ status: 500 });
    const token = await postForm(
      `${sim.url}/oauth/token`,
      { grant_type: "refresh_token", refresh_token: "1:1:x" },
      auth,
    );
    expect(token.status).toBe(400);
    expect((await call(sim, "GET", "/api/v2/deals")).status).toBe(500);
    sim.injectNext({ status: 503, match: { path: "/oauth/token" } });
    const failing = await postForm(
      `${sim.url}/oauth/token`,
      { grant_type: "refresh_token", refresh_token: "1:1:x" },
      auth,
    );
    expect(failing.status).toBe(503);
  });
});

describe("setFaults", () => {
  async function statuses(seed: number): Promise<number[]> {
    const s = await PipedriveSimulator.start({ faults: { error5xxRate: 0.5, random: seed } });
    try {
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await call(s, "GET", "/api/v1/users/me")).status);
      return out;
    } finally {
      await s.stop();
    }
  }

  test("a seeded fault sequence is deterministic", async () => {
    const a = await statuses(42);
    const b = await statuses(42);
    expect(a).toEqual(b);
    expect(a.some((s) => s >= 500)).toBe(true);
    expect(a.some((s) => s === 200)).toBe(true);
  });

  test("latency and resets", async () => {
    sim.setFaults({ latencyMs: 120 });
    const started = performance.now();
    await call(sim, "GET", "/api/v1/users/me");
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    sim.setFaults({ resetRate: 1 });
    await expect(call(sim, "GET", "/api/v1/users/me")).rejects.toThrow();
    sim.setFaults({});
    expect((await call(sim, "GET", "/api/v1/users/me")).status).toBe(200);
  });
});
