/**
 * Under rate limits: the simulator enforces 80 requests per rolling 2 s window per token. 400
 * pages (limit 50, following next_cursor over 20,000 deals) are read by 400 sequential calls of the
 * component's getDeals action, then by the official SDK doing the same loop. Ideal time is
 * pages / limit x window = 10 s. Each run uses a fresh API token (its own burst window and, in
 * our client, its own pacing gate).
 */
import { createConnection, createHarness } from "@prismatic-io/spectral/dist/testing";
import { v2 } from "pipedrive";
import { PipedriveSimulator } from "../../sim";
import component from "../../src";
import { apiToken } from "../../src/connections";
import { bar, median, quietContext, round, withTimeout } from "../lib";
import type { ScenarioOptions, ScenarioResult } from "../types";

const LIMIT = 80;
const WINDOW_MS = 2000;
const PAGE = 50;

interface Run {
  impl: Variant | "sdk";
  ok: boolean;
  pages: number;
  ms: number;
  requests: number;
  rateLimited: number;
  error?: string;
}

const harness = createHarness(component);

type Variant = "sequential" | "concurrent" | "named";
const VARIANT_LABEL: Record<Variant, string> = {
  sequential: "component getDeals, sequential calls",
  concurrent: "component getDeals, 4 concurrent loops",
  named: "component getDeals, sequential, custom fields named (default)",
};

/**
 * `workers` loops share one token (and so one pacing gate); each follows its own cursor chain for
 * pages / workers pages. `named` leaves Raw Custom Fields off: each execution also reads /dealFields.
 */
async function oursRun(
  sim: PipedriveSimulator,
  pages: number,
  variant: Variant,
  progress: { increment(): void },
): Promise<Omit<Run, "requests" | "rateLimited">> {
  const connection = createConnection(apiToken, { apiToken: sim.createApiToken(1), companyDomain: sim.url });
  const workers = variant === "concurrent" ? 4 : 1;
  let done = 0;
  const started = performance.now();
  const loop = async (count: number) => {
    let cursor: string | undefined;
    for (let i = 0; i < count; i++) {
      const result = (await harness.action(
        "getDeals",
        {
          connection,
          limit: String(PAGE),
          ...(cursor ? { cursor } : {}),
          nameCustomFields: variant === "named" ? "true" : "false",
        },
        quietContext,
      )) as { data: { data: unknown[]; additional_data?: { next_cursor?: string | null } } };
      if (result.data.data.length !== PAGE) throw new Error(`page ${i + 1} had ${result.data.data.length} deals`);
      done += 1;
      progress.increment();
      cursor = result.data.additional_data?.next_cursor ?? undefined;
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, () => loop(pages / workers)));
    return { impl: variant, ok: true, pages: done, ms: performance.now() - started };
  } catch (error) {
    return { impl: variant, ok: false, pages: done, ms: performance.now() - started, error: (error as Error).message };
  }
}

async function sdkRun(sim: PipedriveSimulator, pages: number): Promise<Omit<Run, "requests" | "rateLimited">> {
  const api = new v2.DealsApi(new v2.Configuration({ apiKey: sim.createApiToken(1), basePath: `${sim.url}/api/v2` }));
  let done = 0;
  const started = performance.now();
  try {
    let cursor: string | undefined;
    for (let i = 0; i < pages; i++) {
      const body = await api.getDeals({ limit: PAGE, cursor });
      done += 1;
      cursor = body.additional_data?.next_cursor ?? undefined;
    }
    return { impl: "sdk", ok: true, pages: done, ms: performance.now() - started };
  } catch (error) {
    // The SDK rejects with Pipedrive's JSON body itself: no status, no headers, not an Error.
    const shown = error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error);
    return { impl: "sdk", ok: false, pages: done, ms: performance.now() - started, error: shown };
  }
}

export async function rateLimits(options: ScenarioOptions): Promise<ScenarioResult> {
  const pages = options.quick ? 200 : 400;
  const runs = options.quick ? 1 : 3;
  const ideal = (pages / LIMIT) * WINDOW_MS;
  const plan: [Variant, number][] = [
    ["sequential", runs],
    ["concurrent", runs],
    ["named", 1],
  ];
  const sim = await PipedriveSimulator.start({ burst: { limit: LIMIT, windowMs: WINDOW_MS }, dailyBudget: 1e12 });
  const all: Run[] = [];
  try {
    sim.seed("deals", pages * PAGE);
    const total = plan.reduce((n, [, count]) => n + count * pages, 0);
    const progress = bar(
      total,
      `under rate limits: ${pages} pages a run at ${LIMIT} req / 2 s (ideal ${ideal / 1000} s)`,
    );
    const measure = async (run: () => Promise<Omit<Run, "requests" | "rateLimited">>) => {
      const requests = sim.stats.requests;
      const limited = sim.stats.rateLimited;
      const result = await withTimeout(run(), ideal * 5 + 20_000, "rate-limit run");
      all.push({ ...result, requests: sim.stats.requests - requests, rateLimited: sim.stats.rateLimited - limited });
    };
    for (const [variant, count] of plan)
      for (let i = 0; i < count; i++) await measure(() => oursRun(sim, pages, variant, progress));
    progress.stop();
    // Fresh tokens: the SDK starts with an empty window, as ours did.
    for (let i = 0; i < runs; i++) await measure(() => sdkRun(sim, pages));
    if (sim.violations.length)
      throw new Error(`rate limits: ${sim.violations.length} spec violations: ${JSON.stringify(sim.violations[0])}`);
  } finally {
    await sim.stop();
  }

  const of = (impl: Run["impl"]) => all.filter((r) => r.impl === impl);
  const sdk = of("sdk");
  const sdkFailed = sdk.filter((r) => !r.ok).length;
  const row = (impl: Variant) => {
    const list = of(impl);
    const ms = median(list.map((r) => r.ms));
    return [
      VARIANT_LABEL[impl],
      `${list.filter((r) => r.ok).length}/${list.length}`,
      round(median(list.map((r) => r.pages))),
      round(ms),
      round(ms / ideal, 2),
      round(median(list.map((r) => r.requests))),
      list.map((r) => r.rateLimited).join(", "),
      list.filter((r) => !r.ok).length,
    ];
  };
  const seq = of("sequential");
  const seqMs = median(seq.map((r) => r.ms));
  const ratio = seqMs / ideal;
  const oursRuns = all.filter((r) => r.impl !== "sdk");
  const oursFailed = oursRuns.filter((r) => !r.ok);
  const rows = [
    ...plan.map(([variant]) => row(variant)),
    [
      "official SDK, sequential (no retries)",
      `${sdk.length - sdkFailed}/${sdk.length}`,
      round(median(sdk.map((r) => r.pages))),
      round(median(sdk.map((r) => r.ms))),
      "n/a (aborted)",
      round(median(sdk.map((r) => r.requests))),
      sdk.map((r) => r.rateLimited).join(", "),
      sdkFailed,
    ],
  ];
  const concurrentMs = median(of("concurrent").map((r) => r.ms));
  const namedMs = median(of("named").map((r) => r.ms));
  return {
    key: "rateLimits",
    title: `Under rate limits: ${pages} pages at ${LIMIT} requests / 2 s`,
    method: `The simulator enforces ${LIMIT} requests per rolling 2 s window per token. ${pages} pages of ${PAGE} deals (following next_cursor over ${(pages * PAGE).toLocaleString("en-US")} deals) are read by ${pages} action calls; ideal time = ${pages} / ${LIMIT} x 2 s = ${ideal / 1000} s. Each run uses a fresh API token. Variants: sequential calls (${runs} runs; the goal), 4 concurrent cursor loops of ${pages / 4} pages sharing the token (${runs} runs), and sequential calls with custom fields named, the action's default, which adds one GET /dealFields per execution (1 run). The SDK runs the sequential loop; it has no retries, so its run ends at the first 429 (a flow step would fail there).`,
    columns: [
      "Implementation",
      "Runs completed",
      "Pages read (median)",
      "Time (ms, median)",
      "Time / ideal",
      "Requests (median)",
      "429s per run",
      "Failed runs",
    ],
    rows,
    goals: [
      {
        text: "time / ideal <= 1.1 (sequential)",
        met: ratio <= 1.1,
        detail: `${round(ratio, 2)} (${round(seqMs)} ms vs ideal ${ideal} ms)`,
      },
      {
        text: "0 failed runs (all component variants)",
        met: oursFailed.length === 0,
        detail: `${oursFailed.length} of ${oursRuns.length} failed${oursFailed[0]?.error ? `: ${oursFailed[0].error}` : ""}`,
      },
    ],
    charts: [
      {
        title: `Under rate limits: time for ${pages} pages (ms)`,
        unit: "ms",
        bars: [
          { label: "ideal (pages / limit x window)", value: ideal },
          { label: "component, sequential", value: round(seqMs), ours: true },
          { label: "component, 4 concurrent loops", value: round(concurrentMs), ours: true },
          { label: "component, named fields (2 req/call)", value: round(namedMs), ours: true },
        ],
      },
    ],
    summary: [
      ...plan.map(([variant]) => {
        const r = row(variant);
        return `${VARIANT_LABEL[variant]}: ${r[1]} runs completed, median ${r[3]} ms = ${r[4]} x ideal (${ideal} ms), 429s per run: ${r[6]}`;
      }),
      `official SDK: ${sdk.length - sdkFailed}/${sdk.length} runs completed; each stopped after ${sdk.map((r) => r.pages).join(", ")} pages with ${sdk[0]?.error ?? "no error"}`,
    ],
    notes: [
      "The goal variant sets Raw Custom Fields so each call is one request, matching the ideal's request count; with names on (the default) each execution adds one GET /dealFields, so the same pages cost twice the requests.",
      "The SDK's rejection is Pipedrive's JSON body itself, without HTTP status or headers, so a caller cannot even read Retry-After.",
    ],
    raw: { pages, runs, ideal, all },
  };
}
