import * as fs from "node:fs";
import * as path from "node:path";
import { PipedriveSimulator, SPEC_ERRATA } from "../../sim";
import { call } from "./helpers";

let sim: PipedriveSimulator;

beforeAll(async () => {
  sim = await PipedriveSimulator.start();
});
afterAll(async () => {
  await sim.stop();
});

test("starts on a random port and loads both specs", async () => {
  expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(sim.specInfo.operations).toEqual({ v1: 213, v2: 158 });
  expect(sim.specInfo.specDir).toBe(path.resolve(__dirname, "../../../shared/pipedrive-openapi"));
  expect(sim.apiToken).toMatch(/^[0-9a-f]{40}$/);
  const health = await call(sim, "GET", "/", { noAuth: true });
  expect(health.status).toBe(200);
});

test("the parsed spec is cached on disk, and a second start is fast", async () => {
  const dir = path.resolve(__dirname, "../../node_modules/.cache/pipedrive-sim");
  expect(fs.readdirSync(dir).some((f) => /^specs-[0-9a-f]{40}\.json$/.test(f))).toBe(true);
  const second = await PipedriveSimulator.start();
  try {
    // How fast it is belongs to the bench (bench/scenarios/gate.ts); here, that the cache was used.
    expect(second.specInfo.fromCache).toBe(true);
    expect(second.url).not.toBe(sim.url);
  } finally {
    await second.stop();
  }
});

test("a missing spec directory fails with a message that says what to set", async () => {
  await expect(PipedriveSimulator.start({ specDir: "/nonexistent/specs" })).rejects.toThrow(/PIPEDRIVE_OPENAPI_DIR/);
});

test("the default OAuth app and the seeded users exist", async () => {
  const app = sim.defaultOAuthApp;
  expect(app).toMatchObject({
    clientId: "sim-client-id",
    clientSecret: "sim-client-secret",
    redirectUri: "http://127.0.0.1/callback",
  });
  expect(app.scopes).toEqual(expect.arrayContaining(["admin", "base", "deals:full", "contacts:read", "leads:full"]));
  expect(sim.count("users")).toBe(2);
  expect(sim.count("pipelines")).toBe(2);
  expect(sim.all("stages").map((s) => s.pipeline_id)).toEqual([1, 1, 1, 1, 2, 2]);
});

test("known spec errata are documented", () => {
  expect(SPEC_ERRATA.map((e) => e.operationId)).toContain("addOrganization");
});

test("stop() closes the port", async () => {
  const other = await PipedriveSimulator.start();
  const url = other.url;
  await other.stop();
  await expect(fetch(`${url}/`)).rejects.toThrow();
});
