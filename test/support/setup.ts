import { type createConnection, createHarness } from "@prismatic-io/spectral/dist/testing";
import type { PipedriveSimulator, SimulatorOptions } from "../../sim";
import component from "../../src";
import { startPipedrive } from "../../src/testing";

/** Every line any logger or console printed during the test file, to scan for secrets. */
export const capturedLines: string[] = [];
/** Every error message the tests saw, to scan for secrets. */
export const seenErrors: string[] = [];

const record =
  (level: string) =>
  (...args: unknown[]) => {
    capturedLines.push(`${level}: ${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")}`);
  };

export const logger = {
  trace: record("trace"),
  debug: record("debug"),
  info: record("info"),
  log: record("log"),
  warn: record("warn"),
  error: record("error"),
  metric: record("metric"),
};

/** Action context with debug logging on, so the debug path is exercised and scanned too. */
export const context = {
  logger,
  // spectral rebuilds context.debug from globalDebug.
  globalDebug: true,
  debug: {
    enabled: true,
    timeElapsed: { mark: () => undefined, measure: () => undefined },
    memoryUsage: () => undefined,
    results: { timeElapsed: { marks: {}, measurements: {} }, memoryUsage: [], allowedMemory: 1024 },
  },
} as never;

export const harness = createHarness(component);

export interface TestBed {
  sim: PipedriveSimulator;
  oauth: ReturnType<typeof createConnection>;
  token: ReturnType<typeof createConnection>;
  secrets: string[];
}

export async function startTestBed(options: SimulatorOptions = {}): Promise<TestBed> {
  const { sim, oauth, token } = await startPipedrive(options);
  const issued = oauth.token as Record<string, string>; // the kit issued it
  return {
    sim,
    oauth,
    token,
    secrets: [sim.apiToken, issued.access_token, issued.refresh_token, sim.defaultOAuthApp.clientSecret],
  };
}

/** Runs fn, expects it to reject, records the message for the secret scan and returns the error. */
export async function failure(fn: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await fn();
  } catch (error) {
    const e = error as Error & Record<string, unknown>;
    seenErrors.push(`${e.message} ${JSON.stringify(e)}`);
    return e;
  }
  throw new Error("expected a failure, but the call succeeded");
}

/** Fails when a known secret shows up in any captured log line or error. */
export function expectNoSecretsLeaked(secrets: string[]): void {
  const everything = [...capturedLines, ...seenErrors].join("\n");
  for (const secret of secrets.filter((s) => s && s.length >= 6)) expect(everything.includes(secret)).toBe(false);
}

for (const level of ["log", "info", "warn", "error", "debug"] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    record(`console.${level}`)(...args);
    original(...args);
  };
}

/**
 * Starts a simulator for the test file and registers the checks every file makes: no spec
 * violation after any test, no secret in any captured line at the end. The returned object is
 * filled in before the first test runs.
 */
export function useTestBed(options: SimulatorOptions = {}, { resetEachTest = false } = {}): TestBed {
  const bed = {} as TestBed;
  beforeAll(async () => {
    Object.assign(bed, await startTestBed(options));
  });
  if (resetEachTest) beforeEach(() => bed.sim.reset());
  afterEach(() => {
    expect(bed.sim.violations).toEqual([]);
  });
  afterAll(async () => {
    if (!bed.sim) return;
    // Stop the simulator even when the scan fails, so a leak fails the file instead of hanging Jest.
    try {
      expectNoSecretsLeaked(bed.secrets);
    } finally {
      await bed.sim.stop();
    }
  });
  return bed;
}
