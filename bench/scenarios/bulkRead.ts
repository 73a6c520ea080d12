/**
 * Bulk read: every one of 50,000 deals through the component's getDeals (Fetch All, Max Records 0)
 * vs a raw-HTTP loop (undici.request, 500 a page) vs the official SDK's DealsApi.getDeals loop. Each
 * run is a fresh child process (bench/children/bulkRead.ts); runs are interleaved (raw, ours, sdk,
 * raw, ...) against one simulator so drift hits every implementation alike.
 */
import * as path from "node:path";
import { PipedriveSimulator } from "../../sim";
import { bar, mb, median, round, runChild } from "../lib";
import type { ScenarioOptions, ScenarioResult } from "../types";

const IMPLS = ["raw", "ours", "oursNamed", "sdk", "nodeHttp"] as const;
type Impl = (typeof IMPLS)[number];
const LABEL: Record<Impl, string> = {
  ours: "component getDeals (Fetch All), default output",
  oursNamed: "component getDeals, Name Custom Fields on",
  raw: "raw HTTP (undici.request loop)",
  sdk: "official SDK (v2.DealsApi loop)",
  nodeHttp: "node:http loop (reference)",
};

interface ChildResult {
  impl: Impl;
  records: number;
  ms: number;
  /** CPU time (user + system) of the client process during the run. */
  cpuMs: number;
  startedAt: number;
  endedAt: number;
  baselineRss: number;
  peakRss: number;
  peakDelta: number;
  exactPeak: boolean;
}

interface Run extends ChildResult {
  requests: number;
  byOperation: Record<string, number>;
}

export async function bulkRead(options: ScenarioOptions): Promise<ScenarioResult> {
  const deals = options.quick ? 10_000 : 50_000;
  const runs = options.quick ? 3 : 9;
  // No burst limit in the way: this scenario measures the client, not the pacing.
  const sim = await PipedriveSimulator.start({ burst: { limit: 10_000_000, windowMs: 2000 }, dailyBudget: 1e12 });
  const all: Run[] = [];
  try {
    sim.seed("deals", deals);
    const progress = bar(
      runs * IMPLS.length,
      `bulk read: ${deals.toLocaleString("en-US")} deals, ${runs} runs x ${IMPLS.length}`,
    );
    for (let i = 0; i < runs; i++) {
      for (const impl of IMPLS) {
        const child = await runChild<ChildResult>(
          {
            file: path.join("bench", "children", "bulkRead.ts"),
            env: { SIM_URL: sim.url, SIM_TOKEN: sim.apiToken, IMPL: impl },
          },
          120_000,
        );
        if (child.records !== deals) throw new Error(`${impl} read ${child.records} deals, expected ${deals}`);
        const during = sim.requests.filter((r) => r.at >= child.startedAt && r.at <= child.endedAt + 5);
        const byOperation: Record<string, number> = {};
        for (const r of during) byOperation[r.operationId ?? r.path] = (byOperation[r.operationId ?? r.path] ?? 0) + 1;
        all.push({ ...child, requests: during.length, byOperation });
        progress.increment();
      }
    }
    progress.stop();
    if (sim.violations.length)
      throw new Error(`bulk read: ${sim.violations.length} spec violations: ${JSON.stringify(sim.violations[0])}`);
  } finally {
    await sim.stop();
  }

  const of = (impl: Impl) => all.filter((r) => r.impl === impl);
  const med = (impl: Impl, pick: (r: Run) => number) => median(of(impl).map(pick));
  const time = (impl: Impl) => med(impl, (r) => r.ms);
  const ratio = (impl: Impl) => time(impl) / time("raw");
  const cpu = (impl: Impl) => med(impl, (r) => r.cpuMs);
  // Round i of impl against round i of raw (they ran back to back): the spread the medians hide.
  const paired = (impl: Impl, pick: (r: Run) => number) => {
    const ratios = of(impl).map((r, i) => pick(r) / pick(of("raw")[i]));
    return `${round(Math.min(...ratios), 2)}–${round(Math.max(...ratios), 2)}`;
  };
  const spread = (impl: Impl) =>
    `per round ${paired(impl, (r) => r.ms)}, CPU ${round(cpu(impl) / cpu("raw"), 2)} (per round ${paired(impl, (r) => r.cpuMs)})`;
  const rows = IMPLS.map((impl) => [
    LABEL[impl],
    round(time(impl)),
    `${round(Math.min(...of(impl).map((r) => r.ms)))}–${round(Math.max(...of(impl).map((r) => r.ms)))}`,
    round(ratio(impl), 2),
    round(deals / (time(impl) / 1000)),
    round(med(impl, (r) => r.cpuMs)),
    round(med(impl, (r) => r.cpuMs) / med("raw", (r) => r.cpuMs), 2),
    med(impl, (r) => r.requests),
    Object.entries(of(impl)[0].byOperation)
      .map(([op, n]) => `${op} ${n}`)
      .join(", "),
    mb(med(impl, (r) => r.peakDelta)),
    mb(med(impl, (r) => r.baselineRss)),
  ]);
  const oursRatio = ratio("ours");
  return {
    key: "bulkRead",
    title: `Bulk read: ${deals.toLocaleString("en-US")} deals`,
    method: `Every deal of a simulator holding ${deals.toLocaleString("en-US")} deals, 500 a page, no burst limit. Each run is a fresh child process (Node ${process.version}, tsx); the simulator runs in the parent. Time = median of ${runs} runs per implementation, interleaved. Client CPU = user + system CPU time of the client's process during the run (less sensitive than wall time to other load on the machine). Requests = what the simulator logged during the timed run. Memory: RSS after loading and one warm-up call (baseline), then the run's peak from getrusage ru_maxrss (5 ms RSS sampling as fallback); delta = peak - baseline, median of the runs.`,
    columns: [
      "Implementation",
      "Time (ms, median)",
      "Range (ms)",
      "vs raw",
      "Deals/s",
      "Client CPU (ms, median)",
      "CPU vs raw",
      "Requests",
      "Requests by operation",
      "Peak RSS delta (MB)",
      "Baseline RSS (MB)",
    ],
    rows,
    goals: [
      {
        text: "component within 1.1 x raw HTTP (undici.request; time), default output",
        met: oursRatio <= 1.1,
        detail: `ours/raw = ${round(oursRatio, 2)} (${round(time("ours"))} ms vs ${round(time("raw"))} ms; ${spread("ours")}); SDK/raw ${round(ratio("sdk"), 2)}; node:http loop/raw ${round(ratio("nodeHttp"), 2)}, CPU ${round(cpu("nodeHttp") / cpu("raw"), 2)}`,
      },
      {
        text: "component within 1.15 x raw HTTP (undici.request; time), Name Custom Fields on",
        met: ratio("oursNamed") <= 1.15,
        detail: `ours/raw = ${round(ratio("oursNamed"), 2)} (${round(time("oursNamed"))} ms vs ${round(time("raw"))} ms; ${spread("oursNamed")})`,
      },
    ],
    charts: [
      {
        title: `Bulk read of ${deals.toLocaleString("en-US")} deals: time (ms, median of ${runs})`,
        unit: "ms",
        bars: IMPLS.map((impl) => ({ label: LABEL[impl], value: round(time(impl)), ours: impl.startsWith("ours") })),
      },
      {
        title: "Bulk read: peak RSS delta (MB)",
        unit: "MB",
        bars: IMPLS.map((impl) => ({
          label: LABEL[impl],
          value: mb(med(impl, (r) => r.peakDelta)),
          ours: impl.startsWith("ours"),
        })),
      },
    ],
    summary: IMPLS.map(
      (impl) =>
        `${LABEL[impl]}: ${round(time(impl))} ms (x${round(ratio(impl), 2)} raw), client CPU ${round(med(impl, (r) => r.cpuMs))} ms, ${med(impl, (r) => r.requests)} requests, +${mb(
          med(impl, (r) => r.peakDelta),
        )} MB peak RSS`,
    ),
    notes: [
      "The node:http loop is the raw loop over Node's built-in HTTP client (keep-alive agent, chunks concatenated, one JSON.parse): not a goal's baseline, but on pages this size (about 450 KB) in a fresh process it spends less CPU than undici.request, whose parser runs in WebAssembly; axios's http adapter, which the component and the SDK use, is built on node:http.",
      "By default getDeals returns Pipedrive's shape (custom fields under their keys), the same work as the raw loop: pages through spectral's axios client, the pacing gate and the retry plumbing. Name Custom Fields adds one GET /api/v2/dealFields (cached across executions in the flow's state) and a renaming pass over every record, work the raw loop and the SDK do not do.",
    ],
    raw: { deals, runs: all },
  };
}
