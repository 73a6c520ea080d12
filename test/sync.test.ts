import { createPipedriveClient } from "../src/client";
import { PollingHost } from "../src/testing";
import { logger, useTestBed } from "./support/setup";

const bed = useTestBed();

interface Item {
  item: string;
  id: number;
  data: { id: number; update_time: string; add_time: string };
}

const HISTORY_START = Date.parse("2026-01-01T00:00:00Z");
const LOOK_BACK = "2026-01-01";
const keyOf = (item: Item) => `${item.id}@${item.data.update_time}`;
const itemsOf = (executions: unknown[]): Item[] =>
  executions.flatMap((execution) =>
    Array.isArray(execution)
      ? (execution as Item[])
      : [...(execution as { created: Item[] }).created, ...(execution as { updated: Item[] }).updated],
  );

/** 10,000 deals whose last change is spread over a week from the look-back date, plus a few older ones. */
function seedHistory(n = 10_000) {
  bed.sim.reset();
  bed.sim.setBurst(100_000, 2000);
  const older = bed.sim.seed("deals", 20, () => ({
    add_time: "2025-06-01T00:00:00Z",
    update_time: "2025-06-01T00:00:00Z",
  }));
  const deals = bed.sim.seed("deals", n, (i) => {
    const time = new Date(HISTORY_START + i * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    return { add_time: time, update_time: time };
  });
  const expected = new Map<number, string>();
  for (const deal of bed.sim.all("deals")) {
    if (Date.parse(String(deal.update_time)) >= HISTORY_START)
      expected.set(deal.id as number, String(deal.update_time));
  }
  expect(expected.size).toBeGreaterThanOrEqual(n);
  expect(older.every((deal) => !expected.has(deal.id as number))).toBe(true);
  return { deals, expected };
}

const client = () => createPipedriveClient(bed.oauth as never, { logger });
let counter = 0;
async function change(ids: number[]): Promise<string[]> {
  bed.sim.advanceTime(1500);
  const api = client();
  const keys: string[] = [];
  for (const id of ids) {
    counter += 1;
    const deal = await api.request<{ data: { id: number; update_time: string } }>({
      method: "PATCH",
      version: "v2",
      path: "/deals/{id}",
      pathParams: { id },
      body: { value: 200_000 + counter },
    });
    keys.push(`${id}@${deal.data.update_time}`);
  }
  return keys;
}

async function runUntilCaughtUp(host: PollingHost, maxRuns = 50) {
  for (let run = 0; run < maxRuns; run++) {
    const report = await host.run();
    if (report.failed) throw report.failed;
    if (!host.pollingState.round) return run + 1;
  }
  throw new Error("the load never completed");
}

const params = (extra: Record<string, unknown> = {}) => ({
  connection: bed.oauth,
  resourceType: "deal",
  showNewRecords: "true",
  showUpdatedRecords: "true",
  lookBackDate: LOOK_BACK,
  ...extra,
});

test("10,000 deals load from a look-back date in batches of 50, each once; 1,000 changes during and after the load, each once; a redeploy re-sends nothing", async () => {
  const { expected } = seedHistory();
  const ids = [...expected.keys()];
  const host = new PollingHost("pollChangesTrigger", params({ maxPagesPerRun: "8" }), 50);

  // Run 1 stops at the page cap (8 pages of 500), saying so, with the round in flight.
  const first = await host.run();
  expect(first.failed).toBeUndefined();
  expect(first.performs).toBe(8);
  expect(itemsOf(first.executions)).toHaveLength(4000);
  expect(first.executions.every((batch) => Array.isArray(batch) && batch.length === 50)).toBe(true);
  expect(host.logged(/reached Max Pages Per Run \(8 pages\)/)).toBe(true);
  expect(host.pollingState.round).toBeDefined();

  // 500 changes while the load is in flight: half on deals already sent, half on deals not yet read.
  const duringLoad = await change([
    ...ids.slice(0, 250).map((_, i) => ids[i * 8]),
    ...ids.slice(0, 250).map((_, i) => ids[ids.length - 1 - i * 8]),
  ]);
  const runs = await runUntilCaughtUp(host);
  expect(runs).toBeGreaterThanOrEqual(2);
  // 500 more changes after the load, picked up by the next runs.
  const afterLoad = await change(ids.slice(1000, 1500));
  await runUntilCaughtUp(host);

  const reported = itemsOf(host.executions);
  const keys = reported.map(keyOf);
  expect(keys.length).toBe(new Set(keys).size);
  const reportedKeys = new Set(keys);
  // Every record's latest version is reported, and nothing that never existed.
  for (const [id, time] of expected) {
    const latest = String(bed.sim.get("deals", id)?.update_time);
    expect(reportedKeys.has(`${id}@${latest}`) || reportedKeys.has(`${id}@${time}`)).toBe(true);
  }
  for (const key of [...duringLoad, ...afterLoad]) expect(reportedKeys.has(key)).toBe(true);
  const versions = new Set([...[...expected].map(([id, time]) => `${id}@${time}`), ...duringLoad, ...afterLoad]);
  for (const key of keys) expect(versions.has(key)).toBe(true);
  // Deals changed before the load reached them are sent once, in their changed version only.
  expect(reported.length).toBe(expected.size + duringLoad.length + afterLoad.length - 250);
  expect(host.executions.every((batch) => Array.isArray(batch) && batch.length <= 50)).toBe(true);

  // A redeploy keeps the instance's state: no history is sent again, only what changed since.
  const redeployed = new PollingHost("pollChangesTrigger", params({ maxPagesPerRun: "8" }), 50);
  redeployed.instanceState = host.instanceState;
  bed.sim.advanceTime(1500);
  const quiet = await redeployed.run();
  expect(quiet.executions).toEqual([]);
  const one = await change([ids[5]]);
  const next = await redeployed.run();
  expect(itemsOf(next.executions).map(keyOf)).toEqual(one);

  // Asking again (a new Look Back Date) loads the history from that date.
  redeployed.params = params({ lookBackDate: "2026-01-07", maxPagesPerRun: "100" });
  await runUntilCaughtUp(redeployed);
  const since = Date.parse("2026-01-07T00:00:00Z");
  const again = itemsOf(redeployed.executions).slice(1);
  const wanted = bed.sim.all("deals").filter((deal) => Date.parse(String(deal.update_time)) >= since);
  expect(new Set(again.map((item) => item.id))).toEqual(new Set(wanted.map((deal) => deal.id)));
}, 60_000);

test("a daily budget spent in the middle of a load stops the run cleanly and the next run resumes: nothing lost or repeated", async () => {
  const { expected } = seedHistory(6000);
  const host = new PollingHost("pollChangesTrigger", params(), 50);
  // 10 tokens a page: the budget allows a few pages today.
  bed.sim.setDailyBudget(1000, 1000 - 45);
  try {
    await spentThenReset(host, expected);
  } finally {
    // Whatever fails, the next test gets an ample budget back.
    bed.sim.setDailyBudget(1_000_000, 0);
  }
}, 60_000);

async function spentThenReset(host: PollingHost, expected: Map<number, string>) {
  const first = await host.run();
  expect(first.failed).toBeUndefined();
  expect(host.logged(/daily API token budget is spent/)).toBe(true);
  const afterFirst = itemsOf(host.executions).length;
  expect(afterFirst).toBeGreaterThan(0);
  expect(afterFirst).toBeLessThan(expected.size);

  // Still spent: the next run gets a 429 on its first page and stops cleanly, sending nothing.
  bed.sim.setDailyBudget(1000, 1000);
  const spent = await host.run();
  expect(spent.failed).toBeUndefined();
  expect(spent.executions).toEqual([]);

  // The budget resets (a new day): the load resumes where it stopped.
  bed.sim.setDailyBudget(1_000_000, 0);
  await runUntilCaughtUp(host);
  const keys = itemsOf(host.executions).map(keyOf);
  expect(keys.length).toBe(new Set(keys).size);
  expect(new Set(keys)).toEqual(new Set([...expected].map(([id, time]) => `${id}@${time}`)));
}

test("an interrupted round resumes from its cursor: the failed page is read again, nothing else", async () => {
  const { expected } = seedHistory(3000);
  const host = new PollingHost("pollChangesTrigger", params(), 50);
  // The fourth page fails beyond the client's retries: that perform fails and the run stops there.
  host.beforePerform = (n) => {
    if (n === 4) bed.sim.injectNext({ count: 4, status: 500, match: { method: "GET", path: "/deals" } });
  };
  const first = await host.run();
  expect(first.failed).toBeDefined();
  expect(first.performs).toBe(4);
  expect(itemsOf(host.executions)).toHaveLength(1500);
  const round = host.pollingState.round as { from: string; pages: number };
  expect(round.pages).toBe(3);

  host.beforePerform = undefined;
  const from = bed.sim.requests.length;
  await runUntilCaughtUp(host);
  const reads = bed.sim.requests.slice(from).filter((r) => r.method === "GET" && r.path === "/api/v2/deals");
  // The next run starts at the saved cursor (the failed page), not at the beginning.
  expect(reads[0].query.cursor).toBe(round.from);
  expect(reads).toHaveLength(Math.ceil(expected.size / 500) - 3);
  const keys = itemsOf(host.executions).map(keyOf);
  expect(keys.length).toBe(new Set(keys).size);
  expect(new Set(keys)).toEqual(new Set([...expected].map(([id, time]) => `${id}@${time}`)));
}, 60_000);

test("docs/triggers.md is up to date (npm run docs)", () => {
  const fs = require("node:fs") as typeof import("node:fs");
  const { renderTriggersDoc, TRIGGERS_DOC } =
    require("../scripts/generate-docs") as typeof import("../scripts/generate-docs");
  expect(fs.readFileSync(TRIGGERS_DOC, "utf8")).toBe(renderTriggersDoc());
});

test("a type read from /v1/recents (products) loads history from a look-back date in batches, each once, then changes", async () => {
  bed.sim.reset();
  bed.sim.setBurst(100_000, 2000);
  bed.sim.seed("products", 1200, (i) => {
    const time = new Date(HISTORY_START + i * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    return { add_time: time, update_time: time };
  });
  const expected = bed.sim.all("products").filter((p) => Date.parse(String(p.update_time)) >= HISTORY_START);
  const host = new PollingHost("pollChangesTrigger", params({ resourceType: "product", maxPagesPerRun: "2" }), 50);
  await runUntilCaughtUp(host);
  const items = itemsOf(host.executions);
  expect(items.every((item) => item.item === "product")).toBe(true);
  expect(items.map((item) => item.id).sort((a, b) => a - b)).toEqual(
    expected.map((p) => p.id as number).sort((a, b) => a - b),
  );
  bed.sim.advanceTime(1500);
  const product = expected[7].id as number;
  await client().request({
    method: "PATCH",
    version: "v2",
    path: "/products/{id}",
    pathParams: { id: product },
    body: { name: "Renamed" },
  });
  const next = await host.run();
  expect(itemsOf(next.executions).map((item) => [item.id, (item.data as unknown as { name: string }).name])).toEqual([
    [product, "Renamed"],
  ]);
}, 60_000);
