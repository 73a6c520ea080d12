/**
 * Under rate limits: page-by-page reads (one getDeals page of 50 per execution, the common flow
 * shape) at Pipedrive's real burst limits, 20 requests / 2 s (API-token Lite) and 80 / 2 s (OAuth
 * Lite), with whole-second x-ratelimit-reset, on a rolling window and on a fixed one. Each cell
 * reads 5 windows' worth of pages, sequentially and as 4 concurrent loops sharing the token. Goals
 * are against the burst-aware floor: a fresh window lets the first `limit` requests out at once, so
 * the last window opens at 4 x 2 s (rolling) or 4 x 2 s - 500 ms (fixed, runs start 500 ms into a
 * window); no client can finish earlier. Baselines on the same pages: a raw undici.request loop that waits out
 * each 429 (Retry-After), and the official SDK (no retries: it stops at the first 429). Then
 * requests per execution with Name Custom Fields on, with and without the flow's state. Every run
 * uses a fresh API token (its own window on the server and its own gate in the client).
 */
import { createConnection, createHarness } from "@prismatic-io/spectral/dist/testing";
import { v2 } from "pipedrive";
import { PipedriveSimulator } from "../../sim";
import component from "../../src";
import { apiToken } from "../../src/connections";
import { bar, quietLogger, rawGet, rawWaitMs, round, sleep, withTimeout } from "../lib";
import type { ScenarioOptions, ScenarioResult } from "../types";

const WINDOW_MS = 2000;
const PAGE = 50;
const WINDOWS = 5;
const FIXED_PHASE_MS = 500;
type Model = "rolling" | "fixed";
type Impl = "sequential" | "concurrent" | "raw" | "sdk";
/** The burst-aware lower bound: when the last of the WINDOWS windows opens for a run started at a window's start (rolling) or FIXED_PHASE_MS into one (fixed). */
const floorMs = (model: Model) => (WINDOWS - 1) * WINDOW_MS - (model === "fixed" ? FIXED_PHASE_MS : 0);

interface Run {
  limit: number;
  model: Model;
  impl: Impl;
  ok: boolean;
  pages: number;
  ms: number;
  requests: number;
  rateLimited: number;
  error?: string;
}

const harness = createHarness(component);
type Progress = { increment(): void };
type Page = { data: { data: unknown[]; additional_data?: { next_cursor?: string | null } } };

/** `workers` loops of getDeals executions on one token, each following its own cursor chain. */
async function oursRun(
  sim: PipedriveSimulator,
  pages: number,
  workers: number,
  progress: Progress,
  named?: { state: boolean },
): Promise<{ ok: boolean; pages: number; ms: number; error?: string }> {
  const connection = createConnection(apiToken, { apiToken: sim.createApiToken(1), companyDomain: sim.url });
  // The platform hands each execution the state the flow's earlier executions returned.
  const instanceState: Record<string, unknown> = {};
  let done = 0;
  const started = performance.now();
  const loop = async (count: number) => {
    let cursor: string | undefined;
    for (let i = 0; i < count; i++) {
      const context = { logger: quietLogger, ...(named?.state ? { instanceState: { ...instanceState } } : {}) };
      const result = (await harness.action(
        "getDeals",
        {
          connection,
          limit: String(PAGE),
          ...(cursor ? { cursor } : {}),
          ...(named ? { nameCustomFields: "true" } : {}),
        },
        context as never,
      )) as Page & { instanceState?: Record<string, unknown> };
      if (result.instanceState) Object.assign(instanceState, result.instanceState);
      if (result.data.data.length !== PAGE) throw new Error(`page ${i + 1} had ${result.data.data.length} deals`);
      done += 1;
      progress.increment();
      cursor = result.data.additional_data?.next_cursor ?? undefined;
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, () => loop(pages / workers)));
    return { ok: true, pages: done, ms: performance.now() - started };
  } catch (error) {
    return { ok: false, pages: done, ms: performance.now() - started, error: (error as Error).message };
  }
}

/** The raw loop: undici.request, and on a 429 sleep for Retry-After (else x-ratelimit-reset, else 2 s), then again. */
async function rawRun(sim: PipedriveSimulator, pages: number) {
  const headers = { "x-api-token": sim.createApiToken(1), Accept: "application/json" };
  let done = 0;
  const started = performance.now();
  let cursor: string | undefined;
  while (done < pages) {
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (cursor) query.set("cursor", cursor);
    const response = await rawGet<Page["data"]>(`${sim.url}/api/v2/deals?${query}`, headers);
    if (!response.body) {
      await sleep(rawWaitMs(response.headers));
      continue;
    }
    const body = response.body;
    done += 1;
    cursor = body.additional_data?.next_cursor ?? undefined;
  }
  return { ok: true, pages: done, ms: performance.now() - started };
}

async function sdkRun(sim: PipedriveSimulator, pages: number) {
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
    return { ok: true, pages: done, ms: performance.now() - started };
  } catch (error) {
    // The SDK rejects with Pipedrive's JSON body itself: no status, no headers, not an Error.
    const shown = error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error);
    return { ok: false, pages: done, ms: performance.now() - started, error: shown };
  }
}

const LABEL: Record<Impl, string> = {
  sequential: "component, sequential executions",
  concurrent: "component, 4 concurrent loops",
  raw: "raw undici.request loop, waits out each 429",
  sdk: "official SDK (no retries)",
};

export async function rateLimits(options: ScenarioOptions): Promise<ScenarioResult> {
  const limits = options.quick ? [80] : [20, 80];
  const models: Model[] = ["rolling", "fixed"];
  const sim = await PipedriveSimulator.start({ burst: { limit: 80, windowMs: WINDOW_MS }, dailyBudget: 1e12 });
  const all: Run[] = [];
  const named: { state: boolean; pages: number; requests: number; fieldRequests: number; ms: number }[] = [];
  try {
    sim.seed("deals", Math.max(...limits) * WINDOWS * PAGE);
    const cells = limits.length * models.length;
    const progress = bar(
      cells * (3 * WINDOWS) * Math.max(...limits),
      `under rate limits: ${limits.join(" and ")} req / 2 s, rolling and fixed`,
    );
    // A fixed window's result depends on where in the clock's window a run starts: every run
    // on a fixed window starts at the same phase, 500 ms into a window, so the cells compare alike.
    const atPhase = async (model: Model) => {
      if (model !== "fixed") return;
      await sleep((FIXED_PHASE_MS - (sim.now() % WINDOW_MS) + WINDOW_MS) % WINDOW_MS);
    };
    const measure = async (
      limit: number,
      model: Model,
      impl: Impl,
      run: () => Promise<Omit<Run, "limit" | "model" | "impl" | "requests" | "rateLimited">>,
    ) => {
      const requests = sim.stats.requests;
      const limited = sim.stats.rateLimited;
      const ideal = WINDOWS * WINDOW_MS;
      await atPhase(model);
      const result = await withTimeout(run(), ideal * 5 + 20_000, `rate-limit run ${impl} ${limit} ${model}`);
      all.push({
        limit,
        model,
        impl,
        ...result,
        requests: sim.stats.requests - requests,
        rateLimited: sim.stats.rateLimited - limited,
      });
    };
    for (const limit of limits) {
      for (const model of models) {
        sim.setBurst(limit, WINDOW_MS, model);
        const pages = limit * WINDOWS;
        await measure(limit, model, "sequential", () => oursRun(sim, pages, 1, progress));
        await measure(limit, model, "concurrent", () => oursRun(sim, pages, 4, progress));
        await measure(limit, model, "raw", () => rawRun(sim, pages));
        await measure(limit, model, "sdk", () => sdkRun(sim, pages));
      }
    }
    // Requests per execution with custom fields named, page by page, at 80 / 2 s rolling.
    sim.setBurst(80, WINDOW_MS, "rolling");
    for (const state of [true, false]) {
      const pages = options.quick ? 40 : 200;
      const before = sim.stats.requests;
      const fieldsBefore = sim.stats.byOperation.getDealFields ?? 0;
      const result = await oursRun(sim, pages, 1, progress, { state });
      if (!result.ok) throw new Error(`named run failed: ${result.error}`);
      named.push({
        state,
        pages,
        requests: sim.stats.requests - before,
        fieldRequests: (sim.stats.byOperation.getDealFields ?? 0) - fieldsBefore,
        ms: result.ms,
      });
    }
    progress.stop();
    if (sim.violations.length)
      throw new Error(`rate limits: ${sim.violations.length} spec violations: ${JSON.stringify(sim.violations[0])}`);
  } finally {
    await sim.stop();
  }

  const ideal = WINDOWS * WINDOW_MS;
  const floorOf = (r: Run) => floorMs(r.model);
  const ours = all.filter((r) => r.impl === "sequential" || r.impl === "concurrent");
  const worst = ours.reduce((a, b) => (b.ms / floorOf(b) > a.ms / floorOf(a) ? b : a), ours[0]);
  const oursLimited = ours.reduce((n, r) => n + r.rateLimited, 0);
  const rawOf = (r: Run) => all.find((x) => x.impl === "raw" && x.limit === r.limit && x.model === r.model);
  const vsRaw = (r: Run) => {
    const raw = rawOf(r);
    return (r.impl === "sequential" || r.impl === "concurrent") && raw?.ok ? round(r.ms / raw.ms, 2) : "-";
  };
  const rows = all.map((r) => [
    `${r.limit} / 2 s`,
    r.model,
    LABEL[r.impl],
    r.ok ? "yes" : `no (stopped after ${r.pages} pages)`,
    r.pages,
    round(r.ms),
    r.ok ? round(r.ms / floorOf(r), 2) : "n/a",
    r.ok ? round(r.ms / ideal, 2) : "n/a",
    vsRaw(r),
    r.requests,
    r.rateLimited,
  ]);
  const withState = named.find((n) => n.state);
  const withoutState = named.find((n) => !n.state);
  const perExecution = (n?: (typeof named)[number]) => (n ? round(n.requests / n.pages, 3) : Number.NaN);
  const cell = (r: Run) => `${r.limit}/2 s ${r.model} ${r.impl}`;
  return {
    key: "rateLimits",
    title: "Under rate limits: 20 and 80 requests / 2 s, rolling and fixed windows",
    method: `The simulator enforces the burst limit per token with whole-second x-ratelimit-reset (rounded up, as Pipedrive sends it), on a rolling 2 s window or on fixed 2 s windows aligned to the clock. Each cell reads ${WINDOWS} windows' worth of pages of ${PAGE} deals (${WINDOWS} x limit pages, following next_cursor), one getDeals execution per page through spectral's harness (a new client per execution; the pacing gate is shared per credential); burst-aware floor = the opening of the last window (${floorMs("rolling")} ms rolling, ${floorMs("fixed")} ms fixed); pages / limit x 2 s = ${ideal / 1000} s is shown too. Sequential: one loop; concurrent: 4 loops of pages / 4 sharing the token. Baselines on the same pages and window: a raw undici.request loop that sleeps for Retry-After on each 429 and tries again, and the official SDK (v2.DealsApi), which has no retries and stops at the first 429. One run per cell; every run uses a fresh token; on a fixed window every run starts ${FIXED_PHASE_MS} ms into a window of the clock, so the first window is partial alike for all. Then page-by-page executions with Name Custom Fields on at 80 / 2 s: with the flow's instance state kept between executions (as the platform does) and without it.`,
    columns: [
      "Limit",
      "Window",
      "Implementation",
      "Completed",
      "Pages",
      "Time (ms)",
      "Time / floor",
      "Time / ideal",
      "vs raw loop",
      "Requests",
      "429s",
    ],
    rows: [
      ...rows,
      ...named.map((n) => [
        "80 / 2 s",
        "rolling",
        `component, Name Custom Fields on, ${n.state ? "flow state kept" : "no flow state"}`,
        "yes",
        n.pages,
        round(n.ms),
        round(n.ms / ((Math.max(0, n.pages - 80) / 80) * WINDOW_MS), 2),
        round(n.ms / ((n.pages / 80) * WINDOW_MS), 2),
        "-",
        `${n.requests} (${perExecution(n)} per execution; /dealFields ${n.fieldRequests})`,
        "-",
      ]),
    ],
    goals: [
      {
        text: "every component cell (both limits, both windows, sequential and 4 concurrent) within 1.05 x the burst-aware floor",
        met: ours.every((r) => r.ok && r.ms / floorOf(r) <= 1.05),
        detail: `floor ${floorMs("rolling")} ms rolling, ${floorMs("fixed")} ms fixed; worst ${worst ? `${round(worst.ms / floorOf(worst), 2)} (${cell(worst)})` : "n/a"}; ${ours
          .map((r) => `${r.limit}/${r.model[0]}/${r.impl[0]} ${round(r.ms / floorOf(r), 2)}`)
          .join(", ")}`,
      },
      {
        text: "0 429s in every component cell",
        met: oursLimited === 0,
        detail: `${oursLimited} 429s over ${ours.length} runs (raw loop: ${all
          .filter((r) => r.impl === "raw")
          .map((r) => r.rateLimited)
          .join(", ")})`,
      },
      {
        text: "every component cell within 1.05 x the raw loop that waits out each 429 (same pages, same window)",
        met: ours.every((r) => typeof vsRaw(r) === "number" && (vsRaw(r) as number) <= 1.05),
        detail: ours.map((r) => `${r.limit}/${r.model[0]}/${r.impl[0]} ${vsRaw(r)}`).join(", "),
      },
      {
        text: "page-by-page with Name Custom Fields: about 1 request per execution (flow state kept)",
        met: withState !== undefined && perExecution(withState) <= 1.01,
        detail: `${perExecution(withState)} requests per execution with state (${withState?.fieldRequests} /dealFields for ${withState?.pages} pages); ${perExecution(withoutState)} without`,
      },
    ],
    charts: [
      {
        title: "Under rate limits: time / burst-aware floor, sequential executions",
        unit: "x",
        bars: all
          .filter((r) => r.impl === "sequential" || (r.impl === "raw" && r.ok))
          .map((r) => ({
            label: `${r.impl === "raw" ? "raw loop" : "component"} ${r.limit}/2 s ${r.model}`,
            value: round(r.ms / floorOf(r), 2),
            ours: r.impl === "sequential",
          })),
      },
    ],
    summary: [
      ...all.map(
        (r) =>
          `${r.limit}/2 s ${r.model}, ${LABEL[r.impl]}: ${r.ok ? `${round(r.ms)} ms = ${round(r.ms / floorOf(r), 2)} x the floor (${round(r.ms / ideal, 2)} x pages / limit x 2 s), ${vsRaw(r)} x the raw loop` : `stopped after ${r.pages} pages (${r.error})`}, ${r.requests} requests, ${r.rateLimited} 429s`,
      ),
      ...named.map(
        (n) =>
          `Name Custom Fields, ${n.state ? "flow state kept" : "no flow state"}: ${n.requests} requests for ${n.pages} pages (${perExecution(n)} per execution)`,
      ),
    ],
    notes: [
      "The gate keeps its own log of the window: a request holds its slot from when it is sent until one window after its response arrived, so it never waits for the rounded-up reset and never sends into a full window, whichever way the window moves. It loses at most one request's latency per slot per window.",
      "On a fixed window the raw loop can come out ahead by up to one window: its first window is the clock's current one, often partly over, and it simply sends again when that window resets, at the price of a 429 per window. The gate holds each slot a full window after its response, so it gives away the rest of that first partial window; from then on its windows start at the clock's boundaries and are used fully. With whole-second resets a probe at the rounded-up reset would gain back about half of that once, at the risk of a 429 on a rolling window.",
      `The floor is burst-aware: the first window's requests go out at once, so the last window opens at ${WINDOWS - 1} x 2 s = ${floorMs("rolling")} ms on a rolling window and ${FIXED_PHASE_MS} ms earlier (${floorMs("fixed")} ms) on a fixed one, where a run starts ${FIXED_PHASE_MS} ms into the clock's window; no client finishes before it, and the last window's own requests come on top. pages / limit x 2 s (${ideal} ms, the old "ideal") is above the floor, so a goal against it would allow about 1.3 x the floor.`,
      "Without the flow's state (e.g. a designer test run, or a step whose state the platform does not keep) every execution fetches the field metadata once: 2 requests per page.",
      "The SDK's rejection is Pipedrive's JSON body itself, without HTTP status or headers, so a caller cannot even read Retry-After.",
    ],
    raw: { ideal, floor: { rolling: floorMs("rolling"), fixed: floorMs("fixed") }, all, named },
  };
}
