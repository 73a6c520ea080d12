/**
 * Shared helpers for the benchmarks and the fault drill: machine info, statistics, child processes
 * (for clean time and memory figures), progress bars and a quiet action context.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Presets, SingleBar } from "cli-progress";
import { request } from "undici";

// The bench points connections at the simulator on this machine, which only this opt-in allows.
process.env.PIPEDRIVE_ALLOW_LOOPBACK = "1";

export const ROOT = path.resolve(__dirname, "..");
export const RESULTS_DIR = path.join(ROOT, "bench", "results");
export const RAW_DIR = path.join(RESULTS_DIR, "raw");

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
  /** 1-minute load average when the run started (other work on the machine skews wall times). */
  loadAverage: number;
  at: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverage: round(os.loadavg()[0], 2),
    at: new Date().toISOString(),
  };
}

export const median = (values: number[]): number => {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const round = (value: number, digits = 0): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export const mb = (bytes: number): number => round(bytes / 1024 / 1024, 1);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A logger that drops everything (benchmarks measure the component, not console output). */
const drop = () => undefined;
export const quietLogger = { trace: drop, debug: drop, info: drop, log: drop, warn: drop, error: drop, metric: drop };
export const quietContext = { logger: quietLogger } as never;

/** Rejects when `promise` takes longer than `ms` (every run is bounded). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Peak RSS of this process so far, in bytes (getrusage ru_maxrss). */
export const peakRss = () => process.resourceUsage().maxRSS * 1024;

/**
 * Runs a TypeScript file (through tsx) or a plain `node -e` script in a fresh child process and
 * returns the JSON object it printed on its last stdout line. Killed after `timeoutMs`.
 */
export function runChild<T>(
  args: { file?: string; eval?: string; env?: Record<string, string>; cwd?: string },
  timeoutMs: number,
): Promise<T> {
  const nodeArgs = args.file ? ["--import", "tsx", args.file] : ["-e", args.eval ?? ""];
  return new Promise<T>((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, ...args.env };
    // A plain `node -e` child must load nothing it did not ask for.
    if (!args.file) delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, nodeArgs, {
      cwd: args.cwd ?? ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`child ${args.file ?? "node -e"} killed after ${timeoutMs} ms`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`child exited with ${code}: ${err.trim().slice(-2000) || last}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`child printed no JSON result: ${out.slice(-500)} ${err.slice(-500)}`));
      }
    });
  });
}

export interface Bar {
  increment(n?: number): void;
  stop(): void;
}

/** A progress bar on stderr for `total` steps of `task`; a no-op when stderr is not a terminal or BENCH_QUIET is set. */
export function bar(total: number, task: string): Bar {
  if (process.env.BENCH_QUIET || !process.stderr.isTTY) {
    return { increment: () => undefined, stop: () => undefined };
  }
  const single = new SingleBar(
    { format: ` {bar} {percentage}% | {value}/{total} | ${task}`, hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  single.start(total, 0);
  return { increment: (n = 1) => single.increment(n), stop: () => single.stop() };
}

export function log(line: string): void {
  if (!process.env.BENCH_SILENT) process.stderr.write(`${line}\n`);
}

export function writeRaw(name: string, data: unknown): string {
  fs.mkdirSync(RAW_DIR, { recursive: true });
  const file = path.join(RAW_DIR, name);
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

/**
 * The raw-HTTP baseline: one GET through undici.request, the leanest HTTP client for Node (no
 * WHATWG Request/Response/stream layers, unlike fetch), so "x raw" is measured against the floor.
 * Returns the status, the headers and the parsed body (undefined on a 429, whose body is drained).
 */
export async function rawGet<T>(
  url: string | URL,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body?: T }> {
  const response = await request(url, { headers });
  if (response.statusCode === 429) {
    await response.body.dump();
    return { status: 429, headers: response.headers };
  }
  if (response.statusCode >= 300) {
    await response.body.dump();
    throw new Error(`raw undici.request: HTTP ${response.statusCode}`);
  }
  return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as T };
}

/** Retry-After (else x-ratelimit-reset, else 2) of a raw 429, in ms. */
export const rawWaitMs = (headers: Record<string, string | string[] | undefined>): number =>
  Number(headers["retry-after"] ?? headers["x-ratelimit-reset"] ?? 2) * 1000;
