import { runDrill, verdict } from "../bench/drill";

/**
 * The fault drill (npm run drill) at small scale: 300 mixed deal operations through the actions,
 * 6 at a time, with seeded 5xx, resets, latency spikes, 429 storms and failures after commit.
 */
test("300 operations under faults: no lost writes, no duplicates, every failure clear, no spec violations", async () => {
  const report = await runDrill({
    operations: 300,
    concurrency: 6,
    stormEvery: 100,
    progress: false,
    timeoutMs: 35_000,
  });

  expect(report.lostWrites).toEqual([]);
  expect(report.duplicatedTitles).toEqual([]);
  expect(report.unclearFailures).toEqual([]);
  expect(report.staleReads).toEqual([]);
  expect(report.violationExamples).toEqual([]);
  expect(verdict(report).filter((v) => !v.ok)).toEqual([]);

  // The drill did meet the faults it is about.
  expect(report.sim.errors5xx).toBeGreaterThan(10);
  expect(report.sim.resets).toBeGreaterThan(0);
  expect(report.sim.rateLimited).toBeGreaterThan(0);
  expect(report.reportedFailedActuallyWritten.creates).toBeGreaterThanOrEqual(1);
  const total = Object.values(report.operations).reduce((n, o) => n + o.attempted, 0);
  expect(total).toBe(300);

  // Every failure is a PipedriveError naming the request; creates are never re-sent after a 5xx.
  for (const failure of report.failures) {
    expect(failure.name).toBe("PipedriveError");
    expect(failure.message).toContain(`${failure.method} ${failure.path}`);
    if (failure.method === "POST" && (failure.kind === "network" || (failure.status ?? 0) >= 500))
      expect(failure.message).toMatch(/not re-sent|never re-sent/);
  }
}, 40_000);
