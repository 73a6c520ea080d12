/**
 * The client's own costs: the pacing gate's work per request (on a simulated clock, so only the
 * gate's code is timed), the heap that per-credential state holds after many distinct tokens, and
 * the simulator's cached start and bulk seeding (figures that used to be upper bounds in tests).
 *
 *   BENCH_ONLY=gate npm run bench      (or: npx tsx bench/scenarios/gate.ts)
 */
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { PipedriveSimulator } from "../../sim";
import { createPipedriveClient, POLICY } from "../../src/client";
import { gateFor, RateLimitGate } from "../../src/client/rateLimit";
import { registerSecret } from "../../src/client/redact";
import { round } from "../lib";
import type { ScenarioOptions, ScenarioResult } from "../types";
import { startSimChild } from "./historyLoad";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapMb = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

/**
 * `requests` requests through one gate at `limit` per 2 s, as fast as the gate lets them: the
 * clock advances by one slot's share of the window per request, and the answer's remaining count
 * is what a rolling-window server would say. Returns gate requests per second of real time.
 */
export async function gateThroughput(limit: number, requests: number): Promise<number> {
  const gate = new RateLimitGate();
  // 1% slower than the limit, so the gate never has to wait (a wait would sleep in real time).
  const step = (POLICY.windowMs / limit) * 1.01;
  const sent: number[] = [];
  let clock = 1_000_000;
  let head = 0;
  const started = performance.now();
  for (let i = 0; i < requests; i++) {
    const slot = await gate.acquire(() => clock);
    sent.push(clock);
    while (sent[head] <= clock - POLICY.windowMs) head++;
    gate.update(
      {
        "x-ratelimit-limit": String(limit),
        "x-ratelimit-remaining": String(Math.max(0, limit - (sent.length - head))),
        "x-ratelimit-reset": "2",
      },
      slot,
      clock,
    );
    clock += step;
  }
  return requests / ((performance.now() - started) / 1000);
}

const REQUESTS_PER_TOKEN = 10;

/** Heap growth after a few requests on each of `tokens` distinct API tokens, against the simulator. */
async function heapAfterTokens(
  tokens: number,
): Promise<{ before: number; after: number; afterIdle: number; perToken: number }> {
  // The simulator in its own process, so its per-token state is not counted.
  const sim = await startSimChild(0, tokens + 1);
  try {
    const request = (token: string) =>
      createPipedriveClient({
        key: "apiToken",
        configVarKey: "",
        fields: { apiToken: token, companyDomain: sim.url },
      } as never).request({ method: "GET", version: "v1", path: "/users/me" });
    // Warm up the code paths, so the figure is state, not code.
    for (let i = 0; i < REQUESTS_PER_TOKEN; i++) await request(sim.tokens[tokens]);
    const before = heapMb();
    for (const token of sim.tokens.slice(0, tokens)) for (let i = 0; i < REQUESTS_PER_TOKEN; i++) await request(token);
    const after = heapMb();
    // One more execution after the idle time: the 200 tokens' state is dropped.
    const later = Date.now() + POLICY.idleMs + 1;
    gateFor("bench-later", later);
    registerSecret("bench-later-secret", later);
    const afterIdle = heapMb();
    return { before, after, afterIdle, perToken: ((after - before) * 1024) / tokens };
  } finally {
    await sim.ask("stop").catch(() => undefined);
  }
}

export async function gate(options: ScenarioOptions): Promise<ScenarioResult> {
  const requests = options.quick ? 20_000 : 100_000;
  const at480 = await gateThroughput(480, requests);
  const atHigh = await gateThroughput(100_000, options.quick ? 10_000 : 40_000);
  const tokens = await heapAfterTokens(200);
  const cold = await PipedriveSimulator.start({});
  await cold.stop();
  const warm = await PipedriveSimulator.start({});
  const seedStarted = performance.now();
  warm.seed("deals", 50_000, (i) => ({ value: i }));
  const seedMs = performance.now() - seedStarted;
  await warm.stop();
  const heapGrowth = tokens.after - tokens.before;
  return {
    key: "gate",
    title: "The client's own costs: pacing gate, per-credential state, simulator start",
    method: `The gate is driven directly on a simulated clock (${requests.toLocaleString("en-US")} requests at 480 per 2 s, one slot's share of the window apart, and 40,000 at 100,000 per 2 s), with the answer a rolling-window server would give, so the figure is the gate's own work per request. Heap: ${REQUESTS_PER_TOKEN} requests through a new client each for 200 distinct API tokens against the simulator, heapUsed after a full GC before and after. Simulator: a second start (spec cache warm) and seeding 50,000 deals.`,
    columns: ["Measure", "Value"],
    rows: [
      ["gate requests/s at 480 per 2 s", Math.round(at480)],
      ["gate requests/s at 100,000 per 2 s", Math.round(atHigh)],
      ["heap growth after 200 distinct tokens (MB)", round(heapGrowth, 2)],
      ["the same once they were idle for the policy's idle time (MB)", round(tokens.afterIdle - tokens.before, 2)],
      ["simulator start, spec cache warm (ms)", warm.startupMs],
      ["simulator seed of 50,000 deals (ms)", Math.round(seedMs)],
    ],
    goals: [
      {
        text: "the gate costs under 20 us a request at 480 per 2 s (>= 50,000 requests/s)",
        met: at480 >= 50_000,
        detail: `${Math.round(at480)} requests/s`,
      },
      {
        text: "200 distinct tokens hold under 2 MB of heap",
        met: heapGrowth < 2,
        detail: `${round(heapGrowth, 2)} MB`,
      },
      { text: "a warm simulator start under 200 ms", met: warm.startupMs < 200, detail: `${warm.startupMs} ms` },
      { text: "seeding 50,000 deals under 1.5 s", met: seedMs < 1500, detail: `${Math.round(seedMs)} ms` },
    ],
    charts: [],
    summary: [
      `gate: ${Math.round(at480)} requests/s at 480/2 s, ${Math.round(atHigh)} at 100,000/2 s; heap +${round(heapGrowth, 2)} MB after 200 tokens; simulator warm start ${warm.startupMs} ms, seed 50k ${Math.round(seedMs)} ms`,
    ],
    raw: { at480, atHigh, tokens, warmStartMs: warm.startupMs, seedMs },
  };
}

if (require.main === module)
  gate({ quick: process.env.BENCH_QUICK === "1" }).then((result) => {
    for (const [what, value] of result.rows) console.log(`${what}: ${value}`);
    process.exit(0);
  });
