/**
 * npm start: runs the built component (dist/index.js, as Prismatic would load it) end to end.
 * - No credentials: starts the embedded Pipedrive simulator, connects through the real OAuth
 *   authorization-code flow (authorize -> callback with code and state -> token exchange with
 *   Basic client auth), then adds, reads, updates, lists, picks and deletes deals.
 * - PIPEDRIVE_API_TOKEN and PIPEDRIVE_COMPANY_DOMAIN set: read-only calls against that account.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createHarness } from "@prismatic-io/spectral/dist/testing";
import { PipedriveSimulator } from "../sim";

type Harness = ReturnType<typeof createHarness>;

const bundle = require(path.resolve(__dirname, "../dist/index.js")).default;
const harness: Harness = createHarness(bundle);
const quietContext = {
  logger: { debug() {}, info() {}, log() {}, trace() {}, warn: console.warn, error: console.error, metric() {} },
} as never;

const step = (text: string) => console.log(`\n> ${text}`);
const show = (label: string, value: unknown) =>
  console.log(`  ${label}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
const payload = <T>(result: unknown) =>
  (result as { data: { data: T; additional_data?: Record<string, unknown> } }).data;

async function runOnRealAccount(apiToken: string, companyDomain: string) {
  const connection = { key: "apiToken", configVarKey: "", fields: { apiToken, companyDomain } };
  console.log(`Pipedrive component demo, read-only, against ${companyDomain}`);
  step("getDeals (first page of 5)");
  const page = payload<{ id: number; title: string; status: string }[]>(
    await harness.action("getDeals", { connection, limit: "5" }, quietContext),
  );
  for (const deal of page.data) show(`deal ${deal.id}`, `${deal.title} - ${deal.status}`);
  if (page.data[0]) {
    step(`getDeal ${page.data[0].id}`);
    const deal = payload<Record<string, unknown>>(
      await harness.action("getDeal", { connection, id: String(page.data[0].id) }, quietContext),
    );
    show("title", deal.data.title);
    show("custom fields", Object.keys((deal.data.custom_fields as object) ?? {}).length);
  }
  step("selectDeal picklist");
  const { result } = (await harness.dataSource("selectDeal", { connectionInput: connection }, quietContext)) as {
    result: { label: string }[];
  };
  show("choices", result.length);
  for (const choice of result.slice(0, 5)) show("choice", choice.label);
}

async function oauthConnect(sim: PipedriveSimulator) {
  // A stand-in for the platform's OAuth callback endpoint.
  let resolveCode: (value: { code: string; state: string | null }) => void = () => undefined;
  const codeArrived = new Promise<{ code: string; state: string | null }>((resolve) => {
    resolveCode = resolve;
  });
  const callback = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    res.end("Connected. You can close this window.");
    resolveCode({ code: url.searchParams.get("code") ?? "", state: url.searchParams.get("state") });
  });
  await new Promise<void>((resolve) => callback.listen(0, "127.0.0.1", resolve));
  const redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
  const clientId = "demo-client";
  const clientSecret = randomBytes(16).toString("hex");
  sim.registerOAuthApp({
    clientId,
    clientSecret,
    redirectUri,
    scopes: ["base", "deals:full", "contacts:full", "admin"],
  });

  const state = randomBytes(8).toString("hex");
  step("OAuth: open the authorize URL (the simulator plays Pipedrive's consent screen)");
  const authorize = `${sim.url}/oauth/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, state })}`;
  const consent = await fetch(authorize, { redirect: "manual" });
  show("authorize answered", `${consent.status}, redirecting to the callback`);
  await fetch(consent.headers.get("location") ?? "", { redirect: "manual" });
  const { code, state: returnedState } = await codeArrived;
  callback.close();
  show("callback received", `a code, and state ${returnedState === state ? "matching" : "NOT matching"}`);
  if (returnedState !== state) throw new Error("OAuth state mismatch");

  step("OAuth: exchange the code at the token URL (form body, Basic client auth)");
  const tokenResponse = await fetch(`${sim.url}/oauth/token`, {
    method: "POST",
    headers: {
      Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri }).toString(),
  });
  const token = (await tokenResponse.json()) as Record<string, unknown>;
  show(
    "token",
    `status ${tokenResponse.status}, expires_in ${token.expires_in}, scope ${token.scope}, api_domain ${token.api_domain}`,
  );
  return {
    key: "oauth2",
    configVarKey: "",
    fields: {
      authorizeUrl: `${sim.url}/oauth/authorize`,
      tokenUrl: `${sim.url}/oauth/token`,
      scopes: "",
      clientId,
      clientSecret,
    },
    token,
  };
}

async function runOnSimulator() {
  // The simulator runs on this machine; loopback connections are refused without this opt-in.
  process.env.PIPEDRIVE_ALLOW_LOOPBACK = "1";
  const sim = await PipedriveSimulator.start();
  console.log(`Pipedrive component demo against the embedded simulator at ${sim.url}`);
  try {
    const connection = await oauthConnect(sim);

    step("addDeal x3");
    const ids: number[] = [];
    for (const [title, value] of [
      ["Acme - 50 seats", "12500"],
      ["Globex renewal", "8000"],
      ["Initech pilot", "1500"],
    ]) {
      const deal = payload<{ id: number; title: string; value: number; currency: string }>(
        await harness.action(
          "addDeal",
          { connection, title, value, currency: "EUR", expectedCloseDate: "2026-12-31" },
          quietContext,
        ),
      ).data;
      ids.push(deal.id);
      show(`deal ${deal.id}`, `${deal.title}, ${deal.value} ${deal.currency}`);
    }

    step(`getDeal ${ids[0]}`);
    const fetched = payload<{ title: string; status: string; stage_id: number }>(
      await harness.action("getDeal", { connection, id: String(ids[0]) }, quietContext),
    ).data;
    show("deal", `${fetched.title}, status ${fetched.status}, stage ${fetched.stage_id}`);

    step(`updateDeal ${ids[0]}: status won`);
    const updated = payload<{ status: string }>(
      await harness.action("updateDeal", { connection, id: String(ids[0]), status: "won" }, quietContext),
    ).data;
    show("status", updated.status);

    step("getDeals status=won");
    const won = payload<{ id: number; title: string }[]>(
      await harness.action("getDeals", { connection, status: "won" }, quietContext),
    ).data;
    show(
      "won deals",
      won.map((d) => `${d.id} ${d.title}`),
    );

    step("getDeals Fetch All over 1,200 seeded deals");
    sim.seed("deals", 1200);
    const all = payload<unknown[]>(await harness.action("getDeals", { connection, fetchAll: "true" }, quietContext));
    show("records", all.data.length);
    show("pages", all.additional_data?.pages);

    step("selectDeal picklist");
    const { result } = (await harness.dataSource("selectDeal", { connectionInput: connection }, quietContext)) as {
      result: { key: string; label: string }[];
    };
    show("choices", result.length);
    show(
      "first three",
      result.slice(0, 3).map((c) => c.label),
    );

    step(`deleteDeal ${ids[2]}`);
    show("deleted", payload(await harness.action("deleteDeal", { connection, id: String(ids[2]) }, quietContext)).data);

    step("bad input is caught before any request");
    try {
      await harness.action("getDeal", { connection, id: "not-a-number" }, quietContext);
    } catch (error) {
      show("error", (error as Error).message);
    }

    step("simulator summary");
    show("API requests", sim.stats.requests);
    show("429s", sim.stats.rateLimited);
    show("spec violations", sim.violations.length);
    if (sim.violations.length) {
      console.error(JSON.stringify(sim.violations, null, 2));
      process.exitCode = 1;
    }
  } finally {
    await sim.stop();
  }
}

const { PIPEDRIVE_API_TOKEN, PIPEDRIVE_COMPANY_DOMAIN } = process.env;
(PIPEDRIVE_API_TOKEN && PIPEDRIVE_COMPANY_DOMAIN
  ? runOnRealAccount(PIPEDRIVE_API_TOKEN, PIPEDRIVE_COMPANY_DOMAIN)
  : runOnSimulator()
).catch((error: Error) => {
  console.error(`Demo failed: ${error.message}`);
  process.exitCode = 1;
});
