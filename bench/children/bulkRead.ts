/**
 * One bulk-read run in a fresh process (spawned by bench/scenarios/bulkRead.ts): reads every deal
 * of the simulator at SIM_URL with the implementation named by IMPL and prints one JSON line with
 * the time, the record count and the memory figures.
 *
 *   IMPL=ours  the component's getDeals action (Fetch All, Max Records 0) through spectral's harness,
 *              default output (custom fields under their keys: no field metadata, no renaming)
 *   IMPL=oursNamed  the same with Name Custom Fields on (one /dealFields request, every record renamed)
 *   IMPL=raw   a loop over undici.request (the floor: no client layers), 500 a page, following
 *              additional_data.next_cursor
 *   IMPL=sdk   the official pipedrive SDK: new v2.DealsApi(...).getDeals({ limit: 500, cursor })
 *   IMPL=nodeHttp  the same loop as raw over node:http (keep-alive agent, chunks concatenated and
 *              parsed): a reference, since Node's built-in parser spends less CPU than undici's
 *              on pages this size
 *
 * Memory: the baseline is this process's RSS after every module is loaded (and one warm-up page
 * is read, so lazy initialisation is not counted as the run's cost); the peak is getrusage's
 * ru_maxrss after the run (or, if loading had set a higher lifetime peak, the highest RSS sampled
 * every 5 ms during the run). Peak RSS delta = peak - baseline.
 */
import * as http from "node:http";
import { peakRss, rawGet } from "../lib";

const url = process.env.SIM_URL as string;
const token = process.env.SIM_TOKEN as string;
const impl = process.env.IMPL as "ours" | "oursNamed" | "raw" | "nodeHttp" | "sdk";
const PAGE = 500;

type Reader = { warmUp: () => Promise<void>; readAll: () => Promise<number> };

async function ours(named: boolean): Promise<Reader> {
  const { createConnection, createHarness } = await import("@prismatic-io/spectral/dist/testing");
  const component = (await import("../../src")).default;
  const { apiToken } = await import("../../src/connections");
  const { quietContext } = await import("../lib");
  const harness = createHarness(component);
  const connection = createConnection(apiToken, { apiToken: token, companyDomain: url });
  const run = async (params: Record<string, string>) =>
    (await harness.action("getDeals", { connection, ...params }, quietContext)) as { data: { data: unknown[] } };
  return {
    warmUp: async () => {
      await run({ limit: "1" });
    },
    readAll: async () =>
      (await run({ fetchAll: "true", maxRecords: "0", ...(named ? { nameCustomFields: "true" } : {}) })).data.data
        .length,
  };
}

async function raw(): Promise<Reader> {
  const headers = { "x-api-token": token, Accept: "application/json" };
  type Page = { data: unknown[]; additional_data?: { next_cursor?: string | null } };
  const page = async (cursor?: string) => {
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (cursor) query.set("cursor", cursor);
    const { body } = await rawGet<Page>(`${url}/api/v2/deals?${query}`, headers);
    if (!body) throw new Error("raw undici.request: HTTP 429");
    return body;
  };
  return {
    warmUp: async () => {
      await rawGet(`${url}/api/v2/deals?limit=1`, headers);
    },
    readAll: async () => {
      const all: unknown[] = [];
      let cursor: string | undefined;
      do {
        const body = await page(cursor);
        all.push(...body.data);
        cursor = body.additional_data?.next_cursor ?? undefined;
      } while (cursor);
      return all.length;
    },
  };
}

async function nodeHttp(): Promise<Reader> {
  const agent = new http.Agent({ keepAlive: true });
  const headers = { "x-api-token": token, Accept: "application/json" };
  type Page = { data: unknown[]; additional_data?: { next_cursor?: string | null } };
  const get = (address: string) =>
    new Promise<Page>((resolve, reject) => {
      http
        .get(address, { headers, agent }, (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", reject);
          response.on("end", () => {
            if (response.statusCode !== 200) return reject(new Error(`node:http: HTTP ${response.statusCode}`));
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Page);
          });
        })
        .on("error", reject);
    });
  return {
    warmUp: async () => {
      await get(`${url}/api/v2/deals?limit=1`);
    },
    readAll: async () => {
      const all: unknown[] = [];
      let cursor: string | undefined;
      do {
        const query = new URLSearchParams({ limit: String(PAGE) });
        if (cursor) query.set("cursor", cursor);
        const body = await get(`${url}/api/v2/deals?${query}`);
        all.push(...body.data);
        cursor = body.additional_data?.next_cursor ?? undefined;
      } while (cursor);
      return all.length;
    },
  };
}

async function sdk(): Promise<Reader> {
  const { v2 } = await import("pipedrive");
  const api = new v2.DealsApi(new v2.Configuration({ apiKey: token, basePath: `${url}/api/v2` }));
  return {
    warmUp: async () => {
      await api.getDeals({ limit: 1 });
    },
    readAll: async () => {
      const all: unknown[] = [];
      let cursor: string | undefined;
      do {
        const body = await api.getDeals({ limit: PAGE, cursor });
        all.push(...(body.data ?? []));
        cursor = body.additional_data?.next_cursor ?? undefined;
      } while (cursor);
      return all.length;
    },
  };
}

async function main() {
  const reader = await { ours: () => ours(false), oursNamed: () => ours(true), raw, nodeHttp, sdk }[impl]();
  await reader.warmUp();
  const baseline = process.memoryUsage().rss;
  const peakBefore = peakRss();
  let sampled = baseline;
  const sampler = setInterval(() => {
    sampled = Math.max(sampled, process.memoryUsage().rss);
  }, 5);
  const startedAt = Date.now();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const records = await reader.readAll();
  const ms = performance.now() - started;
  const cpuUsed = process.cpuUsage(cpu);
  const cpuMs = (cpuUsed.user + cpuUsed.system) / 1000;
  clearInterval(sampler);
  // ru_maxrss is exact when the run set a new lifetime peak; otherwise fall back to the 5 ms samples.
  const peakAfter = peakRss();
  const peak = peakAfter > peakBefore ? peakAfter : Math.max(sampled, process.memoryUsage().rss);
  const result = {
    impl,
    records,
    ms,
    cpuMs,
    startedAt,
    endedAt: Date.now(),
    baselineRss: baseline,
    peakRss: peak,
    peakDelta: peak - baseline,
    exactPeak: peakAfter > peakBefore,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
