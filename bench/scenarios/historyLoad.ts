/**
 * History load under rate limits: pollChangesTrigger loads every deal from a Look Back Date
 * (v2 /deals?updated_since=&sort_by=update_time, 500 a page) while the simulator enforces 80
 * requests per rolling 2 s window per token. The goal is against the burst-aware floor: a fresh
 * window lets the first 80 pages out at once, so no client finishes before (pages - 80) / 80 x 2 s
 * (the steady-state 80 pages / 2 s = 20,000 records/s is shown too). Variants, each in a fresh token's window, run through the test suite's
 * platform stand-in (src/testing/pollingHost.ts): batched (batch size 50, one page a perform, the
 * platform calling the perform again with payload.paginationState), and unbatched (one perform
 * reads every page, up to Max Pages Per Run). A plain undici.request loop that sleeps Retry-After on a 429
 * is the baseline. The simulator runs in a child process (bench/children/historySim.ts), so serving
 * pages does not share the trigger's event loop.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { createConnection } from "@prismatic-io/spectral/dist/testing";
import { apiToken } from "../../src/connections";
import { PollingHost } from "../../src/testing";
import { bar, median, ROOT, rawGet, rawWaitMs, round, sleep, withTimeout } from "../lib";
import type { ScenarioOptions, ScenarioResult } from "../types";

const LIMIT = 80;
const WINDOW_MS = 2000;
const PAGE = 500;
const LOOK_BACK = "2026-01-01T00:00:00Z";

type Impl = "batched" | "unbatched" | "raw";
const LABEL: Record<Impl, string> = {
  batched: "pollChangesTrigger, batched (50), one page a perform",
  unbatched: "pollChangesTrigger, unbatched, one perform",
  raw: "raw undici.request loop (sleeps Retry-After on 429)",
};

interface Run {
  impl: Impl;
  ok: boolean;
  records: number;
  unique: number;
  ms: number;
  requests: number;
  rateLimited: number;
  error?: string;
}

interface SimChild {
  url: string;
  expected: number;
  tokens: string[];
  ask: (command: "stats" | "stop") => Promise<{ requests: number; rateLimited: number; violations: unknown[] }>;
}

export async function startSimChild(deals: number, tokens: number): Promise<SimChild> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bench/children/historySim.ts")], {
    cwd: ROOT,
    env: { ...process.env, HISTORY_DEALS: String(deals), HISTORY_TOKENS: String(tokens), HISTORY_LOOK_BACK: LOOK_BACK },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error("the simulator child exited");
    return JSON.parse(line.value);
  };
  const ready = (await next()) as { url: string; expected: number; tokens: string[] };
  return {
    ...ready,
    ask: async (command) => {
      child.stdin.write(`${command}\n`);
      return next();
    },
  };
}

async function componentRun(sim: SimChild, token: string, impl: "batched" | "unbatched") {
  const connection = createConnection(apiToken, { apiToken: token, companyDomain: sim.url });
  const host = new PollingHost(
    "pollChangesTrigger",
    {
      connection,
      resourceType: "deal",
      showNewRecords: "true",
      showUpdatedRecords: "true",
      lookBackDate: LOOK_BACK,
      maxPagesPerRun: "100000",
    },
    impl === "batched" ? 50 : undefined,
  );
  // Count, do not keep: a flow would hand each batch on, not hold 100,000 records.
  host.retain = false;
  const ids = new Set<number>();
  let records = 0;
  host.onExecution = (data) => {
    const items = Array.isArray(data)
      ? (data as { id: number }[])
      : [...(data as { created: { id: number }[] }).created, ...(data as { updated: { id: number }[] }).updated];
    records += items.length;
    for (const item of items) ids.add(item.id);
  };
  const started = performance.now();
  const report = await host.run();
  const ms = performance.now() - started;
  if (report.failed) throw report.failed;
  return { records, unique: ids.size, ms };
}

async function rawRun(sim: SimChild, token: string) {
  const started = performance.now();
  const ids = new Set<number>();
  let records = 0;
  let cursor: string | undefined;
  for (;;) {
    const url = new URL(`${sim.url}/api/v2/deals`);
    url.searchParams.set("updated_since", LOOK_BACK);
    url.searchParams.set("sort_by", "update_time");
    url.searchParams.set("sort_direction", "asc");
    url.searchParams.set("limit", String(PAGE));
    if (cursor) url.searchParams.set("cursor", cursor);
    const response = await rawGet<{ data: { id: number }[]; additional_data?: { next_cursor?: string | null } }>(url, {
      "x-api-token": token,
      Accept: "application/json",
    });
    if (!response.body) {
      await sleep(rawWaitMs(response.headers));
      continue;
    }
    const body = response.body;
    records += body.data.length;
    for (const deal of body.data) ids.add(deal.id);
    cursor = body.additional_data?.next_cursor ?? undefined;
    if (!cursor) break;
  }
  return { records, unique: ids.size, ms: performance.now() - started };
}

export async function historyLoad(options: ScenarioOptions): Promise<ScenarioResult> {
  const deals = options.quick ? 60_000 : 200_000;
  const runs = options.quick ? 1 : 3;
  const pages = Math.ceil(deals / PAGE);
  const idealMs = (pages / LIMIT) * WINDOW_MS;
  const idealRate = (LIMIT / (WINDOW_MS / 1000)) * PAGE;
  // The fastest any client can finish: a fresh rolling window lets the first 80 pages through at once.
  const boundMs = (Math.max(0, pages - LIMIT) / LIMIT) * WINDOW_MS;
  const plan: Impl[] = ["batched", "unbatched", "raw"];
  const sim = await startSimChild(deals, plan.length * runs);
  const expected = sim.expected;
  const all: Run[] = [];
  try {
    const progress = bar(
      plan.length * runs,
      `history load: ${deals} deals at ${LIMIT} req / 2 s (ideal ${idealMs} ms)`,
    );
    // Interleaved, so a change in the machine's load does not favour one variant.
    for (let i = 0; i < runs; i++)
      for (const impl of plan) {
        const before = await sim.ask("stats");
        const token = sim.tokens[all.length];
        // A fresh window for every run.
        await sleep(WINDOW_MS + 100);
        try {
          const result = await withTimeout(
            impl === "raw" ? rawRun(sim, token) : componentRun(sim, token, impl),
            idealMs * 10 + 30_000,
            "history load",
          );
          const after = await sim.ask("stats");
          all.push({
            impl,
            ok: result.unique === expected && result.records === expected,
            ...result,
            requests: after.requests - before.requests,
            rateLimited: after.rateLimited - before.rateLimited,
          });
        } catch (error) {
          all.push({
            impl,
            ok: false,
            records: 0,
            unique: 0,
            ms: 0,
            requests: 0,
            rateLimited: 0,
            error: String(error),
          });
        }
        progress.increment();
      }
    progress.stop();
    const { violations } = await sim.ask("stats");
    if (violations.length) throw new Error(`history load: spec violations: ${JSON.stringify(violations[0])}`);
  } finally {
    await sim.ask("stop");
  }

  const of = (impl: Impl) => all.filter((r) => r.impl === impl);
  const stats = (impl: Impl) => {
    const list = of(impl);
    const ms = median(list.map((r) => r.ms));
    const rate = expected / (ms / 1000);
    return { list, ms, rate, vsIdeal: rate / idealRate, vsBound: ms / boundMs };
  };
  const batched = stats("batched");
  const row = (impl: Impl) => {
    const s = stats(impl);
    return [
      LABEL[impl],
      `${s.list.filter((r) => r.ok).length}/${s.list.length}`,
      round(s.ms),
      round(s.rate),
      round(s.vsIdeal, 2),
      round(s.vsBound, 2),
      round(median(s.list.map((r) => r.requests))),
      s.list.map((r) => r.rateLimited).join(", "),
    ];
  };
  const impls: Impl[] = ["batched", "unbatched", "raw"];
  const failed = all.filter((r) => r.impl !== "raw" && !r.ok);
  return {
    key: "historyLoad",
    title: `History load: ${deals.toLocaleString("en-US")} deals from a Look Back Date at ${LIMIT} requests / 2 s`,
    method: `pollChangesTrigger with a Look Back Date loads ${expected.toLocaleString("en-US")} deals (${pages} pages of ${PAGE}, v2 /deals?updated_since=&sort_by=update_time) through the platform stand-in of the test suite, in a fresh token's burst window each run (${runs} runs a variant, median). The simulator allows ${LIMIT} requests per rolling 2 s window, so the ideal is ${LIMIT} pages / 2 s = ${idealRate.toLocaleString("en-US")} records/s (${idealMs} ms for the whole load); since a fresh rolling window lets the first ${LIMIT} pages through at once, the fastest possible load takes ${boundMs} ms (the bound), so a client can beat the steady-state ideal by a little. A run counts as completed when every deal arrived exactly once.`,
    columns: [
      "Implementation",
      "Runs completed",
      "Time (ms, median)",
      "Records/s",
      "Records/s / ideal",
      "Time / floor",
      "Requests",
      "429s per run",
    ],
    rows: impls.map(row),
    goals: [
      {
        text: "batched history load within 1.1 x the burst-aware floor ((pages - 80) / 80 x 2 s)",
        met: batched.ms / boundMs <= 1.1,
        detail: `${round(batched.ms)} ms = ${round(batched.ms / boundMs, 2)} x the floor ${boundMs} ms (${round(batched.rate)} records/s = ${round(batched.vsIdeal, 2)} x the steady-state ${idealRate})`,
      },
      {
        text: "every deal exactly once (component variants)",
        met: failed.length === 0,
        detail: `${failed.length} of ${all.filter((r) => r.impl !== "raw").length} runs failed${failed[0]?.error ? `: ${failed[0].error}` : ""}`,
      },
    ],
    charts: [
      {
        title: "History load throughput (records/s)",
        unit: "records/s",
        bars: [
          { label: "ideal (80 pages / 2 s)", value: idealRate },
          { label: "batched, one page a perform", value: round(batched.rate), ours: true },
          { label: "unbatched, one perform", value: round(stats("unbatched").rate), ours: true },
          { label: "raw undici.request loop", value: round(stats("raw").rate) },
          { label: "burst-aware floor", value: round(expected / (boundMs / 1000)) },
        ],
      },
    ],
    summary: impls.map((impl) => {
      const r = row(impl);
      return `${LABEL[impl]}: ${r[1]} runs completed, median ${r[2]} ms, ${r[3]} records/s = ${r[4]} x ideal (${idealRate}), time / floor ${r[5]}, 429s per run: ${r[7]}`;
    }),
    notes: [
      "Pages are 500 records, Pipedrive's maximum; the trigger's client paces itself from the x-ratelimit-* headers, so it waits for the window instead of collecting 429s.",
      "The stand-in runs the batches' executions inline (it only records them), so the figure is the trigger's read rate, not a flow's processing rate.",
    ],
    raw: { deals, runs, idealMs, idealRate, boundMs, all },
  };
}
