/**
 * Cold start: the bundle's size, and the time and RSS to require() it in a fresh `node` process,
 * against require('pipedrive') (the official SDK) and a bare process. Several runs each,
 * interleaved; medians reported.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { bar, mb, median, ROOT, round, runChild } from "../lib";
import type { ScenarioOptions, ScenarioResult } from "../types";

const BUNDLE = path.join(ROOT, "dist", "index.js");

interface Load {
  ms: number;
  rss: number;
  heapUsed: number;
}

const TARGETS = [
  { key: "bare", label: "bare node (nothing required)", module: null },
  { key: "ours", label: "component bundle (dist/index.js)", module: BUNDLE },
  { key: "sdk", label: "official SDK (require('pipedrive'))", module: "pipedrive" },
  { key: "sdkV2", label: "official SDK v2 only (require('pipedrive/v2'))", module: "pipedrive/v2" },
  { key: "spectral", label: "spectral alone (unbundled)", module: "@prismatic-io/spectral" },
] as const;

/** A `node -e` script: time the require and report RSS once it returns. */
const script = (module: string | null) => `
const t0 = process.hrtime.bigint();
${module ? `require(${JSON.stringify(module)});` : ""}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const m = process.memoryUsage();
process.stdout.write(JSON.stringify({ ms, rss: m.rss, heapUsed: m.heapUsed }) + "\\n");
`;

export function ensureBundle(): { built: boolean } {
  if (fs.existsSync(BUNDLE)) return { built: false };
  execFileSync(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  return { built: true };
}

export async function coldStart(options: ScenarioOptions): Promise<ScenarioResult> {
  const { built } = ensureBundle();
  const runs = options.quick ? 3 : 9;
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
  const bare = rss("bare");
  const rows = TARGETS.map((t) => [
    t.label,
    t.key === "bare" ? "-" : round(ms(t.key), 1),
    t.key === "bare"
      ? "-"
      : `${round(Math.min(...results[t.key].map((r) => r.ms)), 1)}–${round(Math.max(...results[t.key].map((r) => r.ms)), 1)}`,
    mb(rss(t.key)),
    t.key === "bare" ? "-" : `+${mb(rss(t.key) - bare)}`,
  ]);
  return {
    key: "coldStart",
    title: "Cold start",
    method: `Bundle: dist/index.js${built ? " (built for this run with npm run build)" : " as found (npm run build if it is missing)"}, ${(bytes / 1024).toFixed(0)} KiB (${(gzipped / 1024).toFixed(0)} KiB gzipped); the SDK's dist/ directory is ${(sdkBytes / 1024 / 1024).toFixed(1)} MiB (CJS and ESM). Each figure: a fresh \`node -e\` process that times require() with process.hrtime and then reads process.memoryUsage().rss; ${runs} runs per target, interleaved, median.`,
    columns: [
      "Target",
      "require() time (ms, median)",
      "Range (ms)",
      "RSS after require (MB)",
      "RSS over bare node (MB)",
    ],
    rows,
    // No goal was set for cold start; the comparison is reported as measured.
    goals: [],
    notes: [
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
