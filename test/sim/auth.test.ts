import { call, useSimulator } from "./helpers";

const sim = useSimulator({ accessTokenTtlMs: 60 * 60_000 });

const UNAUTHORIZED = {
  success: false,
  error: "unauthorized access",
  errorCode: 401,
  error_info: "Please check developers.pipedrive.com",
};

describe("401", () => {
  test("no credentials", async () => {
    const res = await call(sim, "GET", "/api/v2/deals", { noAuth: true });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHORIZED);
    expect(sim.requests.at(-1)).toMatchObject({ status: 401, auth: "none", operationId: null });
  });

  test("unknown API token and unknown bearer token", async () => {
    const bad = await call(sim, "GET", "/api/v1/users/me", { token: "0".repeat(40) });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual(UNAUTHORIZED);
    const bearer = await call(sim, "GET", "/api/v1/users/me", { bearer: "v1u:not-issued" });
    expect(bearer.status).toBe(401);
    expect(sim.requests.at(-1)?.auth).toBe("bearer");
  });

  test("an expired access token", async () => {
    const token = sim.issueOAuthToken();
    expect(token.expires_in).toBe(3599);
    expect((await call(sim, "GET", "/api/v1/users/me", { bearer: token.access_token })).status).toBe(200);
    sim.advanceTime(60 * 60_000 + 1);
    const res = await call(sim, "GET", "/api/v1/users/me", { bearer: token.access_token });
    expect(res.status).toBe(401);
  });

  test("auth comes before routing: an unknown path without a token is 401, not 404", async () => {
    const res = await call(sim, "GET", "/api/v2/nothing-here", { noAuth: true });
    expect(res.status).toBe(401);
  });
});

describe("OAuth scopes", () => {
  test("a missing scope answers 403 and names the scopes that would do", async () => {
    const token = sim.issueOAuthToken({ scopes: ["deals:read"] });
    const read = await call(sim, "GET", "/api/v2/deals", { bearer: token.access_token });
    expect(read.status).toBe(200);
    const write = await call(sim, "POST", "/api/v2/deals", { bearer: token.access_token, body: { title: "x" } });
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({
      success: false,
      error: "Scope and URL mismatch",
      error_info: "Missing scope: one of deals:full",
    });
    expect(sim.count("deals")).toBe(0);
  });

  test("any one listed scope suffices; base endpoints need no extra scope", async () => {
    const token = sim.issueOAuthToken({ scopes: ["search:read"] });
    expect(
      (await call(sim, "GET", "/api/v2/deals/search", { bearer: token.access_token, query: { term: "ab" } })).status,
    ).toBe(200);
    expect((await call(sim, "GET", "/api/v1/users/me", { bearer: token.access_token })).status).toBe(200);
    expect((await call(sim, "GET", "/api/v2/persons", { bearer: token.access_token })).status).toBe(403);
  });

  test("webhooks need admin; an admin token passes everything", async () => {
    const noAdmin = sim.issueOAuthToken({ scopes: ["deals:full", "contacts:full"] });
    const res = await call(sim, "GET", "/api/v1/webhooks", { bearer: noAdmin.access_token });
    expect(res.status).toBe(403);
    expect(res.body.error_info).toBe("Missing scope: one of admin");
    const admin = sim.issueOAuthToken({ scopes: ["admin"] });
    expect((await call(sim, "GET", "/api/v1/webhooks", { bearer: admin.access_token })).status).toBe(200);
    expect(
      (await call(sim, "POST", "/api/v2/deals", { bearer: admin.access_token, body: { title: "x" } })).status,
    ).toBe(200);
  });

  test("API tokens have every scope and belong to a user", async () => {
    const second = sim.createApiToken(2);
    const me = await call<{ data: { id: number; is_admin: boolean } }>(sim, "GET", "/api/v1/users/me", {
      token: second,
    });
    expect(me.body.data).toMatchObject({ id: 2, is_admin: false });
    expect((await call(sim, "GET", "/api/v1/webhooks", { token: second })).status).toBe(200);
  });
});
