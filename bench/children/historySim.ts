/**
 * The simulator of the historyLoad scenario in its own process, so serving pages does not compete
 * with the trigger for one event loop. Prints {url, tokens} once seeded; then answers "stats" (the
 * request and 429 counters and spec violations) and "stop" on stdin, one JSON line each.
 */
import { createInterface } from "node:readline";
import { PipedriveSimulator } from "../../sim";

const deals = Number(process.env.HISTORY_DEALS ?? 100_000);
const tokens = Number(process.env.HISTORY_TOKENS ?? 9);
const lookBack = Date.parse(process.env.HISTORY_LOOK_BACK ?? "2026-01-01T00:00:00Z");

(async () => {
  const sim = await PipedriveSimulator.start({ burst: { limit: 80, windowMs: 2000 }, dailyBudget: 1e12 });
  sim.seed("deals", deals, (i) => {
    const time = new Date(lookBack + i * 30_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    return { add_time: time, update_time: time };
  });
  const expected = sim.all("deals").filter((d) => Date.parse(String(d.update_time)) >= lookBack).length;
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
  print({ url: sim.url, expected, tokens: Array.from({ length: tokens }, () => sim.createApiToken(1)) });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "stats")
      print({
        requests: sim.stats.requests,
        rateLimited: sim.stats.rateLimited,
        violations: sim.violations.slice(0, 3),
      });
    if (line === "stop") {
      await sim.stop();
      print({ stopped: true });
      process.exit(0);
    }
  }
})();
