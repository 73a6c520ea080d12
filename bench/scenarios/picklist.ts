/**
 * Picklists: selectDeal over 10,000 deals. The measuring is bench/picklists.ts's benchPicklists
 * (simulator in a child process, component vs a raw undici.request loop, alternating runs); this adapts its
 * figures to the report.
 */

import { round } from "../lib";
import { benchPicklists } from "../picklists";
import type { ScenarioOptions, ScenarioResult } from "../types";

export async function picklist(options: ScenarioOptions): Promise<ScenarioResult> {
  const deals = 10_000;
  const runs = options.quick ? 3 : 10;
  const result = await benchPicklists({ runs, deals });
  const minimum = Math.ceil(deals / 500);
  const rows = [result.ours, result.raw].map((r) => [
    r.name,
    r.records,
    r.requests,
    round(r.medianMs, 1),
    round(r.p95Ms, 1),
    round(r.medianMs / result.raw.medianMs, 2),
    round(r.peakRssDeltaMb, 1),
  ]);
  return {
    key: "picklist",
    title: `Picklists: selectDeal over ${deals.toLocaleString("en-US")} deals`,
    method: `bench/picklists.ts (benchPicklists): the simulator runs in a child process with ${deals.toLocaleString("en-US")} deals and no effective burst limit; selectDeal runs through spectral's harness and, alternately, the same work as a raw loop (undici.request over the same pages, mapped to {key, label}, sorted with the same collator). One warm-up each, then ${runs} runs each, a full GC before every run, RSS sampled every 2 ms; peak RSS delta is the largest growth seen in any run.`,
    columns: [
      "Variant",
      "Records",
      "Requests / run",
      "Median (ms)",
      "p95 (ms)",
      "vs raw (median)",
      "Peak RSS delta (MB)",
    ],
    rows,
    goals: [
      {
        text: `the minimum number of requests (${minimum} pages of 500)`,
        met: result.ours.requests <= minimum + 1,
        detail: `${result.ours.requests} requests for ${result.ours.records} records`,
      },
    ],
    charts: [
      {
        title: `selectDeal over ${deals.toLocaleString("en-US")} deals (ms, median of ${runs})`,
        unit: "ms",
        bars: [
          { label: "raw undici.request loop", value: round(result.raw.medianMs, 1) },
          { label: "selectDeal (component)", value: round(result.ours.medianMs, 1), ours: true },
        ],
      },
    ],
    summary: [
      `selectDeal: ${result.ours.records} records, ${result.ours.requests} requests, median ${round(result.ours.medianMs, 1)} ms (x${round(
        result.ratio.median,
        2,
      )} the raw loop's ${round(result.raw.medianMs, 1)} ms), peak RSS +${round(result.ours.peakRssDeltaMb, 1)} MB`,
    ],
    raw: result,
  };
}
