import { PipedriveSimulator } from "../../sim";
import { basic, call, postForm } from "./helpers";

let sim: PipedriveSimulator;
const REDIRECT = "https://app.example.com/oauth/callback";
const CLIENT = {
  clientId: "test-client",
  clientSecret: "test-secret",
  redirectUri: REDIRECT,
  scopes: ["deals:full", "base", "admin"],
};
const auth = () => ({ authorization: basic(CLIENT.clientId, CLIENT.clientSecret) });

beforeAll(async () => {
  sim = await PipedriveSimulator.start();
  sim.registerOAuthApp(CLIENT);
});
beforeEach(() => sim.setConsent("auto"));
afterAll(async () => {
  await sim.stop();
});

async function authorize(params: Record<string, string>) {
  const res = await fetch(`${sim.url}/oauth/authorize?${new URLSearchParams(params)}`, { redirect: "manual" });
  return { status: res.status, location: res.headers.get("location"), text: await res.text() };
}

async function code(state?: string): Promise<string> {
  const res = await authorize({ client_id: CLIENT.clientId, redirect_uri: REDIRECT, ...(state ? { state } : {}) });
  expect(res.status).toBe(302);
  return new URL(res.location as string).searchParams.get("code") as string;
}

const exchange = (c: string, extra: Record<string, string> = {}, headers: Record<string, string> = auth()) =>
  postForm(
    `${sim.url}/oauth/token`,
    { grant_type: "authorization_code", code: c, redirect_uri: REDIRECT, ...extra },
    headers,
  );

describe("authorize", () => {
  test("redirects to the registered redirect_uri with a code and the state unchanged", async () => {
    const state = "a b&c=d/é";
    const res = await authorize({ client_id: CLIENT.clientId, redirect_uri: REDIRECT, state });
    expect(res.status).toBe(302);
    const loc = new URL(res.location as string);
    expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT);
    expect(loc.searchParams.get("state")).toBe(state);
    expect(loc.searchParams.get("code")).toMatch(/^[0-9a-f]{40}$/);
  });

  test("without state, the redirect carries no state", async () => {
    const res = await authorize({ client_id: CLIENT.clientId, redirect_uri: REDIRECT });
    const loc = new URL(res.location as string);
    expect(loc.searchParams.has("state")).toBe(false);
    expect(loc.searchParams.has("code")).toBe(true);
  });

  test("a redirect_uri that differs from the registered one is refused", async () => {
    const res = await authorize({ client_id: CLIENT.clientId, redirect_uri: `${REDIRECT}/other` });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({ error: "Invalid redirect URL" });
  });

  test("deny redirects with error=user_denied and no code", async () => {
    sim.setConsent("deny");
    const res = await authorize({ client_id: CLIENT.clientId, redirect_uri: REDIRECT, state: "s1" });
    const loc = new URL(res.location as string);
    expect(loc.searchParams.get("error")).toBe("user_denied");
    expect(loc.searchParams.has("code")).toBe(false);
  });

  test("consent page: Allow and Install submits a GET form that redirects with code and state", async () => {
    sim.setConsent("page");
    const res = await authorize({ client_id: CLIENT.clientId, redirect_uri: REDIRECT, state: "xyz" });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/id="allow"[^>]*>Allow and Install</);
    expect(res.text).toMatch(/id="deny"/);
    const action = /action="([^"]+)"/.exec(res.text)?.[1];
    const ticket = /name="ticket" value="([^"]+)"/.exec(res.text)?.[1];
    const decision = await fetch(`${sim.url}${action}?ticket=${ticket}&decision=allow`, { redirect: "manual" });
    expect(decision.status).toBe(302);
    const loc = new URL(decision.headers.get("location") as string);
    expect(loc.searchParams.get("state")).toBe("xyz");
    expect((await exchange(loc.searchParams.get("code") as string)).status).toBe(200);
    const replay = await fetch(`${sim.url}${action}?ticket=${ticket}&decision=allow`, { redirect: "manual" });
    expect(replay.status).toBe(400);
  });

  test("marketplace install redirects to the app's redirect URI with a code and no state", async () => {
    const res = await fetch(`${sim.url}/marketplace/install?client_id=${CLIENT.clientId}`, { redirect: "manual" });
    expect(res.status).toBe(302);
    const loc = new URL(res.headers.get("location") as string);
    expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT);
    expect(loc.searchParams.has("state")).toBe(false);
    const token = await exchange(loc.searchParams.get("code") as string);
    expect(token.status).toBe(200);
  });

  test("registerOAuthApp with the same clientId replaces the redirect URI", async () => {
    const app = sim.defaultOAuthApp;
    sim.registerOAuthApp({ ...app, redirectUri: "https://new.example.com/cb" });
    const res = await authorize({ client_id: app.clientId, redirect_uri: "https://new.example.com/cb" });
    expect(res.status).toBe(302);
    sim.registerOAuthApp(app);
  });
});

describe("token", () => {
  test("code exchange with Basic client auth; api_domain points at the simulator", async () => {
    const res = await exchange(await code("s"));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      token_type: "Bearer",
      expires_in: 3599,
      scope: "deals:full,base,admin",
      api_domain: sim.url,
    });
    const me = await call<{ data: { id: number; company_domain: string } }>(sim, "GET", "/api/v1/users/me", {
      bearer: res.body.access_token as string,
    });
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ id: 1, company_domain: "sim", company_id: 1 });
  });

  test("a code works once", async () => {
    const c = await code();
    expect((await exchange(c)).status).toBe(200);
    const again = await exchange(c);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({
      success: false,
      message: "Invalid grant: authorization_code is invalid",
      error: "invalid_grant",
    });
  });

  test("a code expires after 5 minutes", async () => {
    const c = await code();
    sim.advanceTime(5 * 60_000 + 1);
    const res = await exchange(c);
    expect(res.body).toMatchObject({
      message: "Invalid grant: authorization_code has expired",
      error: "invalid_grant",
    });
  });

  test("redirect_uri must equal the one used at authorize", async () => {
    const res = await exchange(await code(), { redirect_uri: "https://app.example.com/elsewhere" });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ message: "Invalid request: redirect_uri is invalid" });
  });

  test("client errors, content type, grant type", async () => {
    const wrongSecret = await exchange(await code(), {}, { authorization: basic(CLIENT.clientId, "nope") });
    expect(wrongSecret.body).toMatchObject({ message: "Invalid client: client is invalid", error: "invalid_client" });
    const none = await exchange(await code(), {}, {});
    expect(none.body).toMatchObject({ message: "Invalid client: cannot retrieve client credentials" });
    const inBody = await exchange(await code(), { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }, {});
    expect(inBody.status).toBe(200);
    const json = await fetch(`${sim.url}/oauth/token`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "authorization_code", code: "x" }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { message: string }).message).toBe(
      "Invalid request: content must be application/x-www-form-urlencoded",
    );
    const grant = await postForm(`${sim.url}/oauth/token`, { grant_type: "password" }, auth());
    expect(grant.body).toMatchObject({ message: "Unsupported grant type: grant_type is invalid" });
    const missing = await postForm(`${sim.url}/oauth/token`, {}, auth());
    expect(missing.body).toMatchObject({ message: "Missing parameter: grant_type" });
  });

  test("refresh gives a new access token, keeps the refresh token and the api_domain", async () => {
    const first = (await exchange(await code())).body;
    const refreshed = await postForm(
      `${sim.url}/oauth/token`,
      { grant_type: "refresh_token", refresh_token: first.refresh_token as string },
      auth(),
    );
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).not.toBe(first.access_token);
    expect(refreshed.body.refresh_token).toBe(first.refresh_token);
    expect(refreshed.body.api_domain).toBe(sim.url);
    const bad = await postForm(
      `${sim.url}/oauth/token`,
      { grant_type: "refresh_token", refresh_token: "1:1:nope" },
      auth(),
    );
    expect(bad.body).toMatchObject({ message: "Invalid grant: refresh_token is invalid", error: "invalid_grant" });
  });

  test("revoking the refresh token revokes the whole install; revoking an access token only that token", async () => {
    const t = (await exchange(await code())).body;
    const t2 = (
      await postForm(
        `${sim.url}/oauth/token`,
        { grant_type: "refresh_token", refresh_token: t.refresh_token as string },
        auth(),
      )
    ).body;
    const revokeAccess = await postForm(
      `${sim.url}/oauth/revoke`,
      { token: t2.access_token as string, token_type_hint: "access_token" },
      auth(),
    );
    expect(revokeAccess.status).toBe(200);
    expect((await call(sim, "GET", "/api/v1/users/me", { bearer: t2.access_token as string })).status).toBe(401);
    expect((await call(sim, "GET", "/api/v1/users/me", { bearer: t.access_token as string })).status).toBe(200);

    const revokeRefresh = await postForm(
      `${sim.url}/oauth/revoke`,
      { token: t.refresh_token as string, token_type_hint: "refresh_token" },
      auth(),
    );
    expect(revokeRefresh.status).toBe(200);
    expect((await call(sim, "GET", "/api/v1/users/me", { bearer: t.access_token as string })).status).toBe(401);
    const refresh = await postForm(
      `${sim.url}/oauth/token`,
      { grant_type: "refresh_token", refresh_token: t.refresh_token as string },
      auth(),
    );
    expect(refresh.status).toBe(400);
    const unknown = await postForm(`${sim.url}/oauth/revoke`, { token: "whatever" }, auth());
    expect(unknown.status).toBe(200);
  });

  test("no token, secret or code is recorded in the request log", async () => {
    const t = (await exchange(await code("st"))).body;
    const log = JSON.stringify(sim.requests);
    expect(log).not.toContain(t.access_token as string);
    expect(log).not.toContain(t.refresh_token as string);
    expect(log).not.toContain(CLIENT.clientSecret);
  });
});
