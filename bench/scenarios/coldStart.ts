/**
 * Cold start: the bundle's size, and the time and RSS to require() it in a fresh `node` process,
 * against the floor (a one-action component on the same spectral, bundled by the same webpack
 * configuration in this run: bench/floor/), require('pipedrive') (the official SDK) and a bare
 * process. Several runs each, interleaved; medians reported.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { bar, mb, median, ROOT, round, runChild } from "../lib";
import type { ScenarioOptions, ScenarioResult } from "../types";

const BUNDLE = path.join(ROOT, "dist", "index.js");
const FLOOR = path.join(ROOT, "node_modules", ".cache", "bench-floor", "index.js");

interface Load {
  ms: number;
  /** CPU time (user + system) of the require, less sensitive than wall time to other load. */
  cpuMs: number;
  rss: number;
  heapUsed: number;
}

const TARGETS = [
  { key: "bare", label: "bare node (nothing required)", module: null },
  { key: "ours", label: "component bundle (dist/index.js)", module: BUNDLE },
  { key: "floor", label: "floor: one-action component, same spectral and webpack", module: FLOOR },
  { key: "sdk", label: "official SDK (require('pipedrive'))", module: "pipedrive" },
  { key: "sdkV2", label: "official SDK v2 only (require('pipedrive/v2'))", module: "pipedrive/v2" },
  { key: "spectral", label: "spectral alone (unbundled)", module: "@prismatic-io/spectral" },
] as const;

/** A `node -e` script: time the require and report RSS once it returns. */
const script = (module: string | null) => `
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
${module ? `require(${JSON.stringify(module)});` : ""}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const c = process.cpuUsage(c0);
const m = process.memoryUsage();
process.stdout.write(JSON.stringify({ ms, cpuMs: (c.user + c.system) / 1000, rss: m.rss, heapUsed: m.heapUsed }) + "\\n");
`;

/** Builds the component and the floor now, with the same webpack configuration, so both are this run's. */
function buildBoth(): void {
  const npx = process.platform === "win32" ? "npx.cmd" : "npx";
  execFileSync(npx, ["webpack"], { cwd: ROOT, stdio: "ignore" });
  execFileSync(npx, ["webpack", "-c", path.join("bench", "floor", "webpack.config.js")], {
    cwd: ROOT,
    stdio: "ignore",
  });
}

export async function coldStart(options: ScenarioOptions): Promise<ScenarioResult> {
  buildBoth();
  const runs = options.quick ? 5 : 15;
  const bytes = fs.statSync(BUNDLE).size;
  const gzipped = gzipSync(fs.readFileSync(BUNDLE)).length;
  const sdkDir = path.join(ROOT, "node_modules", "pipedrive", "dist");
  const sdkBytes = dirSize(sdkDir);
  const results: Record<string, Load[]> = Object.fromEntries(TARGETS.map((t) => [t.key, [] as Load[]]));
  const progress = bar(runs * TARGETS.length, `cold start: ${runs} fresh processes per target`);
  for (let i = 0; i < runs; i++) {
    for (const target of TARGETS) {
      const load = await runChild<Load>({ eval: script(target.module) }, 30_000);
      results[target.key].push(load);
      progress.increment();
    }
  }
  progress.stop();
  const ms = (key: string) => median(results[key].map((r) => r.ms));
  const rss = (key: string) => median(results[key].map((r) => r.rss));
  const cpu = (key: string) => median(results[key].map((r) => r.cpuMs));
  const bare = rss("bare");
  const rows = TARGETS.map((t) => [
    t.label,
    t.key === "bare" ? "-" : round(ms(t.key), 1),
    t.key === "bare"
      ? "-"
      : `${round(Math.min(...results[t.key].map((r) => r.ms)), 1)}–${round(Math.max(...results[t.key].map((r) => r.ms)), 1)}`,
    t.key === "bare" ? "-" : round(cpu(t.key), 1),
    mb(rss(t.key)),
    t.key === "bare" ? "-" : `+${mb(rss(t.key) - bare)}`,
  ]);
  const timeRatio = ms("ours") / ms("floor");
  const cpuRatio = cpu("ours") / cpu("floor");
  const overFloor = mb(rss("ours") - rss("floor"));
  return {
    key: "coldStart",
    title: "Cold start",
    method: `Bundle: dist/index.js (built for this run by webpack, as is the floor), ${(bytes / 1024).toFixed(0)} KiB (${(gzipped / 1024).toFixed(0)} KiB gzipped); the SDK's dist/ directory is ${(sdkBytes / 1024 / 1024).toFixed(1)} MiB (CJS and ESM). Each figure: a fresh \`node -e\` process that times require() with process.hrtime (wall) and process.cpuUsage (CPU: user + system, less sensitive to other load on the machine), then reads process.memoryUsage().rss; ${runs} runs per target, interleaved, median.`,
    columns: [
      "Target",
      "require() time (ms, median)",
      "Range (ms)",
      "CPU time (ms, median)",
      "RSS after require (MB)",
      "RSS over bare node (MB)",
    ],
    rows,
    goals: [
      {
        text: "require() within 1.3 x the floor's time",
        met: timeRatio <= 1.3,
        detail: `${round(timeRatio, 2)} wall (${round(ms("ours"), 1)} vs ${round(ms("floor"), 1)} ms), ${round(cpuRatio, 2)} CPU (${round(cpu("ours"), 1)} vs ${round(cpu("floor"), 1)} ms)`,
      },
      {
        text: "RSS within 12 MB of the floor",
        met: overFloor <= 12,
        detail: `+${overFloor} MB (${mb(rss("ours"))} vs ${mb(rss("floor"))} MB)`,
      },
    ],
    notes: [
      "The floor is bench/floor/index.ts: one action (GET /api/v2/deals through spectral's createClient) and one connection, built in this run by the component's own webpack configuration. What the component costs beyond it is its own code: connections, triggers, data sources and the declarations of every operation are loaded, but each action, trigger and data source is built and converted only when first read (src/lazy.ts).",
      "The bundle carries spectral (the Prismatic SDK every custom component is built on, with its dependencies such as zod and axios), date-fns and the declarations of every Pipedrive operation; spectral alone, loaded unbundled from node_modules, is shown for scale.",
    ],
    charts: [
      {
        title: "Cold start: require() time (ms, median)",
        unit: "ms",
        bars: TARGETS.filter((t) => t.key !== "bare").map((t) => ({
          label: t.label,
          value: round(ms(t.key), 1),
          ours: t.key === "ours",
        })),
      },
      {
        title: "Cold start: RSS over bare node (MB)",
        unit: "MB",
        bars: TARGETS.filter((t) => t.key !== "bare").map((t) => ({
          label: t.label,
          value: mb(rss(t.key) - bare),
          ours: t.key === "ours",
        })),
      },
    ],
    summary: [
      `bundle dist/index.js: ${(bytes / 1024).toFixed(0)} KiB (${(gzipped / 1024).toFixed(0)} KiB gzipped)`,
      ...TARGETS.filter((t) => t.key !== "bare").map(
        (t) =>
          `${t.label}: ${round(ms(t.key), 1)} ms, RSS ${mb(rss(t.key))} MB (+${mb(rss(t.key) - bare)} over bare node)`,
      ),
    ],
    raw: { bytes, gzipped, sdkBytes, runs, results },
  };
}

function dirSize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? dirSize(full) : fs.statSync(full).size;
  }
  return total;
}
