/**
 * Trigger throughput: 10,000 webhook deliveries through the converted triggers' perform (Basic
 * auth check, v2 payload parsing, dedupe against flow state, shaping and field filter), no network:
 * the connection points at a closed loopback port, so any request would fail the delivery.
 * Half the deliveries are deal creates to a New Deal flow, half deal changes to an Updated Deal
 * flow watching value and stage_id; 5% repeat a recent event id (Pipedrive's at-least-once
 * delivery). Bodies arrive as the raw JSON text, so parsing is part of the cost.
 */
import { randomUUID } from "node:crypto";
import { createConnection } from "@prismatic-io/spectral/dist/testing";
import { PipedriveSimulator } from "../../sim";
import component from "../../src";
import { apiToken } from "../../src/connections";
import { generateCredentials } from "../../src/triggers/webhook/credentials";
import { bar, median, quietLogger, round } from "../lib";
import type { ScenarioOptions, ScenarioResult } from "../types";

type Perform = (context: unknown, payload: unknown, params: unknown) => Promise<Record<string, unknown> | undefined>;
const triggers = component.triggers as unknown as Record<string, { perform: Perform }>;

interface Flow {
  key: string;
  stableId: string;
  params: Record<string, unknown>;
  instanceState: Record<string, unknown>;
  crossFlowState: Record<string, unknown>;
  auth: string;
}

interface Delivery {
  flow: Flow;
  body: string;
  duplicate: boolean;
}

export function makeFlow(key: string, params: Record<string, unknown>): Flow {
  const stableId = `bench-${key}`;
  const credentials = generateCredentials();
  return {
    key,
    stableId,
    params,
    instanceState: {},
    crossFlowState: {
      [`pipedriveWebhook:${stableId}`]: {
        webhookId: 1,
        url: `https://hooks.example.invalid/trigger/${stableId}`,
        eventObject: "deal",
        eventAction: key === "newDeal" ? "create" : "change",
        credentials,
      },
    },
    auth: `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString("base64")}`,
  };
}

/** Runs one delivery the way the platform would, and merges the instance state it returns. */
export async function deliver(
  flow: Flow,
  body: string,
  authorization: string | undefined,
): Promise<{ branch?: string; status: number }> {
  const context = {
    logger: quietLogger,
    flow: { id: flow.stableId, name: flow.stableId, stableId: flow.stableId },
    instance: { id: "bench-instance", name: "Bench" },
    webhookUrls: { [flow.stableId]: `https://hooks.example.invalid/trigger/${flow.stableId}` },
    crossFlowState: flow.crossFlowState,
    instanceState: flow.instanceState,
    executionState: {},
    integrationState: {},
    configVars: {},
    isSimulatedTestExecution: false,
  };
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...(authorization ? { authorization } : {}),
  };
  const payload = {
    headers,
    queryParameters: {},
    rawBody: { data: body, contentType: "application/json" },
    body: { data: body, contentType: "application/json" },
    pathFragment: "",
    webhookUrls: context.webhookUrls,
    webhookApiKeys: {},
    invokeUrl: context.webhookUrls[flow.stableId],
    executionId: randomUUID(),
  };
  const result = await triggers[flow.key].perform(context, payload, flow.params);
  if (!result) throw new Error(`${flow.key} returned nothing`);
  const updates = result.instanceState as Record<string, unknown> | undefined;
  if (updates) for (const [k, v] of Object.entries(updates)) flow.instanceState[k] = v;
  return {
    branch: result.branch as string | undefined,
    status: (result.response as { statusCode?: number } | undefined)?.statusCode ?? 200,
  };
}

async function sampleDeals(n: number): Promise<Record<string, unknown>[]> {
  const sim = await PipedriveSimulator.start();
  try {
    // A realistic v2 deal record (as the simulator stores and delivers it), custom fields included.
    return sim.seed("deals", n).map((deal) => JSON.parse(JSON.stringify(deal)));
  } finally {
    await sim.stop();
  }
}

function buildDeliveries(
  total: number,
  flows: { create: Flow; change: Flow },
  deals: Record<string, unknown>[],
): Delivery[] {
  const out: Delivery[] = [];
  const recent: Delivery[] = [];
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (let i = 0; i < total; i++) {
    if (recent.length > 20 && random() < 0.05) {
      const again = recent[Math.floor(random() * Math.min(recent.length, 100))];
      out.push({ ...again, duplicate: true });
      continue;
    }
    const deal = deals[i % deals.length];
    const create = i % 2 === 0;
    const meta = {
      action: create ? "create" : "change",
      entity: "deal",
      company_id: "1",
      correlation_id: randomUUID(),
      entity_id: String(deal.id),
      id: randomUUID(),
      is_bulk_edit: false,
      timestamp: new Date(Date.UTC(2026, 0, 6, 14, 0, i % 60)).toISOString(),
      type: "general",
      user_id: "1",
      version: "2.0",
      webhook_id: "1",
      webhook_owner_id: "1",
      change_source: "app",
      attempt: 1,
      host: "sim.pipedrive.com",
      permitted_user_ids: ["1", "2", "3"],
    };
    // Changes alternate between value (watched: Event) and title only (not watched: Ignored).
    const watched = i % 4 === 1;
    const data = create
      ? deal
      : { ...deal, ...(watched ? { value: Number(deal.value ?? 0) + 100 } : { title: `${deal.title} (renamed)` }) };
    const previous = create ? null : watched ? { value: deal.value ?? 0 } : { title: deal.title };
    const delivery = {
      flow: create ? flows.create : flows.change,
      body: JSON.stringify({ meta, data, previous }),
      duplicate: false,
    };
    out.push(delivery);
    recent.unshift(delivery);
    if (recent.length > 100) recent.pop();
  }
  return out;
}

interface Run {
  ms: number;
  latencies: number[];
  branches: Record<string, number>;
  statuses: Record<string, number>;
}

export async function triggerThroughput(options: ScenarioOptions): Promise<ScenarioResult> {
  const total = options.quick ? 2000 : 10_000;
  const runs = options.quick ? 1 : 3;
  const deals = await sampleDeals(200);
  // Nothing listens on port 9: a request from the trigger would fail the run.
  const connection = createConnection(apiToken, {
    apiToken: "0123456789abcdef0123456789abcdef01234567",
    companyDomain: "http://127.0.0.1:9",
  });
  const results: Run[] = [];
  const progress = bar(total * runs, `trigger throughput: ${total.toLocaleString("en-US")} deliveries x ${runs} runs`);
  let sample: Delivery[] = [];
  for (let r = 0; r < runs; r++) {
    const flows = {
      create: makeFlow("newDeal", { connection }),
      change: makeFlow("updatedDeal", { connection, onlyFields: "value, stage_id" }),
    };
    const deliveries = buildDeliveries(total, flows, deals);
    sample = deliveries;
    const run: Run = { ms: 0, latencies: new Array(total), branches: {}, statuses: {} };
    const started = performance.now();
    for (let i = 0; i < total; i++) {
      const d = deliveries[i];
      const t = performance.now();
      const { branch, status } = await deliver(d.flow, d.body, d.flow.auth);
      run.latencies[i] = performance.now() - t;
      const name = `${d.flow.key}:${branch}${d.duplicate ? " (duplicate)" : ""}`;
      run.branches[name] = (run.branches[name] ?? 0) + 1;
      run.statuses[status] = (run.statuses[status] ?? 0) + 1;
      if (i % 500 === 499) progress.increment(500);
    }
    run.ms = performance.now() - started;
    results.push(run);
  }
  progress.stop();

  const duplicates = sample.filter((d) => d.duplicate).length;
  const ms = median(results.map((r) => r.ms));
  const perSecond = total / (ms / 1000);
  const sorted = [...results[0].latencies].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const branches = results[0].branches;
  const ignoredDuplicates = Object.entries(branches)
    .filter(([k]) => k.endsWith("Ignored (duplicate)"))
    .reduce((n, [, v]) => n + v, 0);
  const leakedDuplicates = Object.entries(branches)
    .filter(([k]) => k.includes("Event (duplicate)"))
    .reduce((n, [, v]) => n + v, 0);
  const rows = [
    [
      `${total.toLocaleString("en-US")} deliveries (${duplicates} duplicates)`,
      round(ms),
      round(perSecond),
      round(pct(50) * 1000),
      round(pct(99) * 1000),
      Object.entries(branches)
        .sort()
        .map(([k, v]) => `${k} ${v}`)
        .join("; "),
      Object.entries(results[0].statuses)
        .map(([k, v]) => `${k}: ${v}`)
        .join(", "),
    ],
  ];
  return {
    key: "triggers",
    title: "Trigger throughput",
    method: `The converted triggers' perform called directly, one delivery after another (as the platform runs one execution per delivery), with realistic v2 payloads (a simulator deal record with custom fields, Pipedrive's meta block) as raw JSON text and a valid Basic Authorization header. New Deal gets creates; Updated Deal (Only When These Fields Change: value, stage_id) gets changes, half of them to title only (Ignored by the field filter). About 5% of deliveries repeat an event id from the last 100 (Ignored as duplicates). Flow instance state is carried between deliveries as the platform does. The connection points at a closed port, so any network call would fail. Median of ${runs} runs; latency percentiles from the first run.`,
    columns: [
      "Workload",
      "Time (ms, median)",
      "Deliveries/s",
      "p50 (µs)",
      "p99 (µs)",
      "Branches (first run)",
      "Responses",
    ],
    rows,
    goals: [
      {
        text: "every duplicate delivery is Ignored, none runs the flow",
        met: ignoredDuplicates === duplicates && leakedDuplicates === 0,
        detail: `${ignoredDuplicates} of ${duplicates} duplicates ignored, ${leakedDuplicates} ran the flow`,
      },
    ],
    charts: [
      {
        title: "Trigger throughput (deliveries / s)",
        unit: "/s",
        bars: [{ label: "webhook trigger perform", value: round(perSecond), ours: true }],
      },
    ],
    summary: [
      `${total.toLocaleString("en-US")} deliveries in ${round(ms)} ms = ${round(perSecond)} deliveries/s (p50 ${round(pct(50) * 1000)} µs, p99 ${round(pct(99) * 1000)} µs); ${ignoredDuplicates}/${duplicates} duplicates ignored`,
    ],
    raw: {
      total,
      runs,
      duplicates,
      results: results.map((r) => ({ ms: r.ms, branches: r.branches, statuses: r.statuses })),
    },
  };
}
