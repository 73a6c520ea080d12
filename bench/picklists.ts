/**
 * Picklist benchmark: selectDeal over 10,000 deals, through the component (spectral's harness, so
 * inputs are cleaned and the error hook runs, as on the platform), against a raw-HTTP baseline
 * (undici.request over the same pages, mapped to {key, label} and sorted the same way).
 *
 *   npm run bench:picklists            # BENCH_RUNS=10 BENCH_DEALS=10000 by default
 *
 * `benchPicklists({ runs, deals })` returns the same figures for other reports.
 *
 * The simulator runs in a child process so that its memory and CPU stay out of the figures; it
 * gets a burst limit high enough that no run waits for Pipedrive's rate limit. Prints a Markdown
 * table: requests per run, time (median, p95) and peak RSS growth during a run.
 */
import { type ChildProcess, fork } from "node:child_process";
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createConnection, createHarness } from "@prismatic-io/spectral/dist/testing";
import { PipedriveSimulator } from "../sim";

// Connections point at the simulator on this machine, which only this opt-in allows.
process.env.PIPEDRIVE_ALLOW_LOOPBACK = "1";

import component from "../src";
import { apiToken } from "../src/connections";
import { rawGet } from "./lib";

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
// A full GC before each run makes the RSS figures comparable (works without node --expose-gc).
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const DEALS = Number(process.env.BENCH_DEALS ?? 10_000);

type Request = { cmd: "clear" | "count" | "stop" };
type Reply = { cmd: "ready"; url: string; token: string } | { cmd: "cleared" } | { cmd: "count"; count: number };

// --- the simulator side (child process) ----------------------------------------------------------

async function serve(): Promise<void> {
  const sim = await PipedriveSimulator.start({ burst: { limit: 1_000_000, windowMs: 2_000 } });
  sim.seed("deals", DEALS, (i) => ({ title: `Deal ${String(i).padStart(5, "0")}`, status: i % 3 ? "open" : "won" }));
  const send = (reply: Reply) => process.send?.(reply);
  process.on("message", async (message: Request) => {
    if (message.cmd === "clear") {
      sim.clearRequests();
      send({ cmd: "cleared" });
    } else if (message.cmd === "count") {
      if (sim.violations.length) console.error("spec violations:", JSON.stringify(sim.violations));
      send({ cmd: "count", count: sim.requests.length });
    } else {
      await sim.stop();
      process.exit(0);
    }
  });
  send({ cmd: "ready", url: sim.url, token: sim.apiToken });
}

// --- the measuring side --------------------------------------------------------------------------

function ask(child: ChildProcess, request: Request, expect: Reply["cmd"]): Promise<Reply> {
  return new Promise((resolve) => {
    const onMessage = (reply: Reply) => {
      if (reply.cmd !== expect) return;
      child.off("message", onMessage);
      resolve(reply);
    };
    child.on("message", onMessage);
    child.send(request);
  });
}

interface Sample {
  ms: number;
  requests: number;
  rssDeltaMb: number;
  records: number;
}

/** Runs one measured call: wall time, requests the simulator saw, and peak RSS above the start. */
async function measure(child: ChildProcess, run: () => Promise<number>): Promise<Sample> {
  gc();
  await ask(child, { cmd: "clear" }, "cleared");
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 2);
  const started = performance.now();
  const records = await run();
  const ms = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const { count } = (await ask(child, { cmd: "count" }, "count")) as { count: number };
  return { ms, requests: count, rssDeltaMb: (peak - baseline) / 1024 / 1024, records };
}

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

/** The baseline: the same pages with undici.request, mapped to {key, label}, sorted the same way. */
async function rawSelectDeal(url: string, token: string): Promise<number> {
  const elements: { key: string; label: string }[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ limit: "500", ...(cursor ? { cursor } : {}) });
    const { body } = await rawGet<{
      data: { id: number; title: string; status: string }[];
      additional_data?: { next_cursor?: string | null };
    }>(`${url}/api/v2/deals?${query}`, { "x-api-token": token, accept: "application/json" });
    if (!body) throw new Error("raw loop: 429");
    for (const deal of body.data) elements.push({ key: String(deal.id), label: `${deal.title} - ${deal.status}` });
    cursor = body.additional_data?.next_cursor ?? undefined;
  } while (cursor);
  elements.sort((a, b) => collator.compare(a.label, b.label) || collator.compare(a.key, b.key));
  return elements.length;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
/** Nearest-rank percentile. */
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

export interface PicklistRow {
  name: string;
  records: number;
  /** Requests per run (the most any run made). */
  requests: number;
  medianMs: number;
  p95Ms: number;
  /** The largest RSS growth seen during a run. */
  peakRssDeltaMb: number;
}

export interface PicklistBench {
  deals: number;
  runs: number;
  ours: PicklistRow;
  raw: PicklistRow;
  ratio: { median: number; p95: number; rss: number };
}

/** Seeds `deals` deals in a child-process simulator and measures selectDeal against the raw loop. */
export async function benchPicklists({ runs = RUNS, deals = DEALS } = {}): Promise<PicklistBench> {
  const child = fork(__filename, ["--serve"], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, BENCH_DEALS: String(deals) },
  });
  const ready = (await new Promise<Reply>((resolve) => child.once("message", resolve))) as {
    url: string;
    token: string;
  };
  const connection = createConnection(apiToken, { apiToken: ready.token, companyDomain: ready.url });
  const harness = createHarness(component);
  const logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (m: string) => console.warn(m),
    error: () => undefined,
  };
  const ours = async () =>
    (
      (await harness.dataSource("selectDeal", { connectionInput: connection }, { logger } as never)) as {
        result: unknown[];
      }
    ).result.length;
  const raw = () => rawSelectDeal(ready.url, ready.token);

  try {
    // One warm-up each (JIT, keep-alive sockets), then alternate so drift hits both alike.
    await measure(child, ours);
    await measure(child, raw);
    const samples: Record<"ours" | "raw", Sample[]> = { ours: [], raw: [] };
    for (let i = 0; i < runs; i++) {
      samples.ours.push(await measure(child, ours));
      samples.raw.push(await measure(child, raw));
    }
    const row = (name: string, list: Sample[]): PicklistRow => ({
      name,
      records: list[0].records,
      requests: Math.max(...list.map((s) => s.requests)),
      medianMs: median(list.map((s) => s.ms)),
      p95Ms: percentile(
        list.map((s) => s.ms),
        95,
      ),
      peakRssDeltaMb: Math.max(...list.map((s) => s.rssDeltaMb)),
    });
    const a = row("selectDeal (component)", samples.ours);
    const b = row("raw undici.request loop", samples.raw);
    return {
      deals,
      runs,
      ours: a,
      raw: b,
      ratio: {
        median: a.medianMs / b.medianMs,
        p95: a.p95Ms / b.p95Ms,
        rss: a.peakRssDeltaMb / Math.max(b.peakRssDeltaMb, 0.1),
      },
    };
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.send({ cmd: "stop" } satisfies Request);
    await exited;
  }
}

async function main(): Promise<void> {
  const result = await benchPicklists();
  const fmt = (n: number) => n.toFixed(1);
  console.log(
    `\nselectDeal over ${result.deals.toLocaleString("en-US")} deals, ${result.runs} runs each after one warm-up (Node ${process.version}, ${process.platform}/${process.arch})\n`,
  );
  console.log("| Variant | Records | Requests / run | Median ms | p95 ms | Peak RSS Δ MB |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const r of [result.ours, result.raw])
    console.log(
      `| ${r.name} | ${r.records} | ${r.requests} | ${fmt(r.medianMs)} | ${fmt(r.p95Ms)} | ${fmt(r.peakRssDeltaMb)} |`,
    );
  console.log(
    `\nRatio ours/raw: median ${result.ratio.median.toFixed(2)}x, p95 ${result.ratio.p95.toFixed(2)}x, peak RSS Δ ${result.ratio.rss.toFixed(2)}x`,
  );
}

if (require.main === module) {
  if (process.argv.includes("--serve")) void serve();
  else
    main().catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
