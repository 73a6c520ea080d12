/**
 * npm run bench: every scenario against its own fresh simulator, then bench/results/latest.md,
 * bench/results/latest.svg, the raw figures under bench/results/raw/ (git-ignored) and a summary.
 *
 *   BENCH_QUICK=1            fewer runs and less data (a smoke run; figures not for comparison)
 *   BENCH_ONLY=bulkRead,...  run some scenarios only (results go to raw/ only, latest.* untouched)
 *   BENCH_QUIET=1            no progress bars
 *
 * Scenarios: bulkRead, rateLimits, coldStart, triggers, picklist, historyLoad, gate, tokens.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { log, machine, RESULTS_DIR, ROOT, writeRaw } from "./lib";
import { markdown, svg } from "./report";
import { bulkRead } from "./scenarios/bulkRead";
import { coldStart } from "./scenarios/coldStart";
import { gate } from "./scenarios/gate";
import { historyLoad } from "./scenarios/historyLoad";
import { picklist } from "./scenarios/picklist";
import { rateLimits } from "./scenarios/rateLimits";
import { tokens } from "./scenarios/tokens";
import { triggerThroughput } from "./scenarios/triggers";
import type { ScenarioOptions, ScenarioResult } from "./types";

const SCENARIOS: Record<string, (options: ScenarioOptions) => Promise<ScenarioResult>> = {
  bulkRead,
  rateLimits,
  coldStart,
  triggers: triggerThroughput,
  picklist,
  historyLoad,
  gate,
  tokens,
};

function git(args: string[]): string {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

async function main(): Promise<void> {
  const quick = process.env.BENCH_QUICK === "1";
  const only = process.env.BENCH_ONLY?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only?.filter((k) => !SCENARIOS[k]) ?? [];
  if (unknown.length)
    throw new Error(
      `BENCH_ONLY: unknown scenario(s) ${unknown.join(", ")}; known: ${Object.keys(SCENARIOS).join(", ")}`,
    );
  const keys = only?.length ? only : Object.keys(SCENARIOS);
  const info = machine();
  log(
    `Benchmarks on ${info.cpu}, ${info.cores} cores, Node ${info.node}${quick ? " (quick)" : ""}: ${keys.join(", ")}`,
  );
  const started = performance.now();
  const results: ScenarioResult[] = [];
  for (const key of keys) {
    const t = performance.now();
    log(`\n== ${key}`);
    const result = await SCENARIOS[key]({ quick });
    log(`   done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    results.push(result);
  }
  const totalMs = performance.now() - started;
  const commit = git(["rev-parse", "--short", "HEAD"]) || "unknown";
  const dirty = git(["status", "--porcelain", "--untracked-files=no"]) !== "";
  const stamp = info.at.replace(/[:.]/g, "-");
  const rawFile = writeRaw(`bench-${stamp}.json`, { machine: info, commit, dirty, quick, totalMs, results });
  const full = keys.length === Object.keys(SCENARIOS).length;
  if (full) {
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.writeFileSync(path.join(RESULTS_DIR, "latest.md"), markdown(info, { commit, dirty, quick, totalMs }, results));
    const caption = `Pipedrive component benchmarks, ${info.at.slice(0, 10)}, ${info.cpu}, ${info.cores} cores, Node ${info.node}. Blue: this component; grey: baselines.`;
    fs.writeFileSync(
      path.join(RESULTS_DIR, "latest.svg"),
      svg(
        results.flatMap((r) => r.charts),
        caption,
      ),
    );
  }

  const out: string[] = [
    "",
    `Summary (${info.cpu}, ${info.cores} cores, Node ${info.node}${quick ? ", quick run" : ""})`,
  ];
  for (const r of results) {
    out.push(`\n${r.title}`);
    for (const line of r.summary) out.push(`  ${line}`);
    for (const g of r.goals) out.push(`  goal: ${g.text}: ${g.met ? "MET" : "NOT MET"} (${g.detail})`);
  }
  const goals = results.flatMap((r) => r.goals);
  out.push(
    `\n${goals.filter((g) => g.met).length}/${goals.length} goals met. Raw figures: ${path.relative(ROOT, rawFile)}`,
  );
  out.push(
    full
      ? "Report: bench/results/latest.md, bench/results/latest.svg"
      : "Partial run (BENCH_ONLY): latest.md and latest.svg left as they were.",
  );
  console.log(out.join("\n"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
