/**
 * The token bill: Pipedrive charges every call against a daily token budget (each operation's
 * x-token-cost in its specs). For common jobs, the tokens the component spends on the simulator
 * (the sum of x-token-cost of every request it made) beside the cheapest possible for the same job
 * and what Prismatic's component would spend (the operations it calls, from
 * shared/reference/prismatic-requests.json, costed from the same specs).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { createHarness } from "@prismatic-io/spectral/dist/testing";
import { customFieldKey } from "../../sim/seed";
import { loadSpecs } from "../../sim/spec";
import type { RecordedRequest } from "../../sim/types";
import component from "../../src";
import { FlowHost, PollingHost, startPipedrive } from "../../src/testing";
import { quietContext } from "../lib";
import type { ScenarioOptions, ScenarioResult } from "../types";

const specs = loadSpecs();
const costOf = (version: "v1" | "v2", operationId: string): number => {
  const op = specs[version].operation(operationId);
  if (!op) throw new Error(`tokens: no ${version} operation ${operationId} in the specs`);
  return op.tokenCost;
};
const costOfRequest = (r: RecordedRequest): number =>
  r.version && r.operationId ? costOf(r.version, r.operationId) : 0;

type PrismaticRequests = {
  scenarios: { full: Record<string, { requests: { method: string; path: string }[] }> };
};
const prismatic = JSON.parse(
  readFileSync(path.resolve(__dirname, "../../../shared/reference/prismatic-requests.json"), "utf8"),
) as PrismaticRequests;
/** The cost of the one request Prismatic's component sends for an action (paths as it sent them). */
function prismaticCost(actionKey: string): { cost: number; operation: string } {
  const request = prismatic.scenarios.full[actionKey]?.requests[0];
  if (!request) throw new Error(`tokens: Prismatic's component sent nothing for ${actionKey}`);
  const [, version, ...rest] = request.path.replace(/^\/api/, "").split("/");
  const matched = specs[version as "v1" | "v2"].match(request.method, `/${rest.join("/")}`) as {
    op?: { operationId: string; tokenCost: number };
  };
  if (!matched.op) throw new Error(`tokens: ${request.method} ${request.path} matches no operation`);
  return { cost: matched.op.tokenCost, operation: `${version}.${matched.op.operationId}` };
}

interface Job {
  job: string;
  ours: number;
  requests: number;
  cheapest: number;
  cheapestWhy: string;
  prismatic?: number;
  prismaticWhy: string;
}

export async function tokens(options: ScenarioOptions): Promise<ScenarioResult> {
  const deals = options.quick ? 2_000 : 10_000;
  const creates = options.quick ? 20 : 100;
  const deliveries = options.quick ? 100 : 1_000;
  const polls = options.quick ? 24 : 288;
  const pages = Math.ceil(deals / 500);
  const list = costOf("v2", "getDeals");
  const create = costOf("v2", "addDeal");
  const fields = costOf("v2", "getDealFields");
  const jobs: Job[] = [];
  const harness = createHarness(component);
  const pipedrive = await startPipedrive({ burst: { limit: 10_000_000, windowMs: 2000 }, dailyBudget: 1e12 });
  const { sim } = pipedrive;
  /** Tokens of the requests the job made with the given connection's credentials. */
  const measure = async (auth: RecordedRequest["auth"], job: () => Promise<unknown>) => {
    sim.clearRequests();
    await job();
    await sim.idle();
    const made = sim.requests.filter((r) => r.auth === auth);
    return { tokens: made.reduce((sum, r) => sum + costOfRequest(r), 0), requests: made.length };
  };
  try {
    sim.seed("deals", deals);
    const prismaticList = prismaticCost("getDeals");

    const history = await measure("api_token", () =>
      harness.action(
        "getDeals",
        { connection: pipedrive.token, fetchAll: "true", maxRecords: "0", limit: "500" },
        quietContext,
      ),
    );
    jobs.push({
      job: `History load of ${deals.toLocaleString("en-US")} deals (Get Deals, Fetch All)`,
      ours: history.tokens,
      requests: history.requests,
      cheapest: pages * list,
      cheapestWhy: `${pages} pages of 500 (Pipedrive's largest) x ${list} (v2 list)`,
      prismatic: pages * prismaticList.cost,
      prismaticWhy: `${prismaticList.operation} at ${prismaticList.cost}, ${pages} pages at best (it has no Fetch All: one page per step)`,
    });

    const picklist = await measure("api_token", () =>
      harness.dataSource("selectDeal", { connectionInput: pipedrive.token }, quietContext as never),
    );
    jobs.push({
      job: `Select Deal picklist over ${deals.toLocaleString("en-US")} deals`,
      ours: picklist.tokens,
      requests: picklist.requests,
      cheapest: pages * list,
      cheapestWhy: `${pages} pages of 500 x ${list} (v2 list)`,
      prismatic: pages * list,
      prismaticWhy: "the same v2 list, complete only if it pages (its Select Deal reads one page)",
    });

    /**
     * Runs an action once per inputs, as one flow's executions: the platform keeps the instance
     * state an action returns (the field cache) for the next execution.
     */
    const executions = async (key: string, inputs: Array<Record<string, unknown>>) => {
      let instanceState: Record<string, unknown> = {};
      for (const values of inputs) {
        const result = (await harness.action(key, { connection: pipedrive.token, ...values }, {
          ...(quietContext as object),
          instanceState,
        } as never)) as { instanceState?: Record<string, unknown> };
        instanceState = result.instanceState ?? instanceState;
      }
    };
    const times = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));
    const created = await measure("api_token", () =>
      executions(
        "addDeal",
        times(creates, (i) => ({ title: `Deal ${i}`, customFields: JSON.stringify({ Priority: "High" }) })),
      ),
    );
    const prismaticCreate = prismaticCost("addDeal");
    jobs.push({
      job: `${creates} creates (Add Deal) with a custom field by name`,
      ours: created.tokens,
      requests: created.requests,
      cheapest: creates * create + fields,
      cheapestWhy: `${creates} x ${create} (v2 create) + one read of the deal fields (${fields}) to map names`,
      prismaticWhy: "n/a: its Add Deal takes no custom fields",
    });
    const priorityKey = customFieldKey("deal", "Priority");
    const byKey = await measure("api_token", () =>
      executions(
        "addDeal",
        times(creates, (i) => ({ title: `Deal by key ${i}`, customFields: JSON.stringify({ [priorityKey]: "High" }) })),
      ),
    );
    // An option label by key still needs the field list once (label -> option id); Prismatic's Add Deal
    // takes no custom fields at all, and its Raw Request needs the option's id, not its label.
    jobs.push({
      job: `${creates} creates (Add Deal) with an option field by key, set by its label`,
      ours: byKey.tokens,
      requests: byKey.requests,
      cheapest: creates * create + fields,
      cheapestWhy: `${creates} x ${create} (v2 create) + one read of the deal fields (${fields}) to map the label to its option id`,
      prismaticWhy: `n/a: its Add Deal takes no custom fields; by its Raw Request with the option's id (not its label), ${creates} x ${prismaticCreate.cost}`,
    });

    // Clearing by key is the one custom-field write whose body needs no field metadata (src/customFields/codec.ts).
    const cleared = sim
      .all("deals")
      .slice(0, creates)
      .map((deal) => (deal as { id: number }).id);
    const clearedByKey = await measure("api_token", () =>
      executions(
        "updateDeal",
        cleared.map((id) => ({ id: String(id), customFields: JSON.stringify({ [priorityKey]: null }) })),
      ),
    );
    const update = costOf("v2", "updateDeal");
    const prismaticUpdate = prismaticCost("updateDeal");
    jobs.push({
      job: `${creates} updates (Update Deal) clearing a custom field by key`,
      ours: clearedByKey.tokens,
      requests: clearedByKey.requests,
      cheapest: creates * update,
      cheapestWhy: `${creates} x ${update} (v2 update)`,
      prismatic: creates * prismaticUpdate.cost,
      prismaticWhy: `its Update Deal takes no custom fields: the same ${prismaticUpdate.operation} by its Raw Request, ${prismaticUpdate.cost} each`,
    });

    const host = await FlowHost.start({
      logger: { log: () => {}, info: () => {}, warn: () => {}, error: () => {}, debug: () => {} },
    });
    const flow = host.addFlow("Updated deals", "updatedDeal", { connection: pipedrive.oauth });
    await host.deploy(flow);
    const ids = sim
      .all("deals")
      .slice(0, deliveries)
      .map((deal) => (deal as { id: number }).id);
    const delivered = await measure("bearer", async () => {
      for (const id of ids)
        await harness.action(
          "updateDeal",
          { connection: pipedrive.token, id: String(id), customFields: JSON.stringify({ Priority: "Low" }) },
          quietContext,
        );
      await sim.idle();
      await host.settled();
    });
    if (flow.runs.length !== deliveries)
      throw new Error(`tokens: ${flow.runs.length} of ${deliveries} deliveries ran the flow`);
    await host.deleteInstance(flow);
    await host.stop();
    jobs.push({
      job: `${deliveries.toLocaleString("en-US")} Updated Deal deliveries with custom fields by name`,
      ours: delivered.tokens,
      requests: delivered.requests,
      cheapest: fields,
      cheapestWhy: `one read of the deal fields (${fields}), cached by the flow; a delivery itself costs nothing`,
      prismaticWhy: "n/a: its deal triggers do not name custom fields",
    });

    const poller = new PollingHost("pollChangesTrigger", {
      connection: pipedrive.token,
      resourceType: "deal",
      showNewRecords: "true",
      showUpdatedRecords: "true",
    });
    // The first round notes where Pipedrive stands; the next takes in the jobs above.
    await poller.run();
    sim.advanceTime(5 * 60_000);
    await poller.run();
    let quietExecutions = 0;
    const polled = await measure("api_token", async () => {
      for (let i = 0; i < polls; i++) {
        sim.advanceTime(5 * 60_000);
        const round = await poller.run();
        quietExecutions += round.executions.length;
      }
    });
    jobs.push({
      job: `${polls} polls (24 h at 5 min) with no change (${quietExecutions} executions)`,
      ours: polled.tokens,
      requests: polled.requests,
      cheapest: polls * list,
      cheapestWhy: `one v2 list (updated since the last poll) per poll, ${list} each`,
      prismaticWhy: "n/a: it has no polling trigger",
    });
  } finally {
    await pipedrive.stop();
  }

  return {
    key: "tokens",
    title: "Token bill: tokens spent per job",
    method: `Each job against one simulator with its official specs; tokens = the sum of x-token-cost (from the specs) over every request the component made for the job (requests of other credentials, such as the updates that cause the deliveries, are not counted). Cheapest = the fewest tokens the job can cost from the same specs; Prismatic's component = the operation its action calls (shared/reference/prismatic-requests.json), costed from the same specs.`,
    columns: ["Job", "Tokens (ours)", "Requests", "Cheapest", "Why cheapest", "Prismatic's component", "Why"],
    rows: jobs.map((j) => [j.job, j.ours, j.requests, j.cheapest, j.cheapestWhy, j.prismatic ?? "n/a", j.prismaticWhy]),
    goals: [
      ...jobs.map((j) => ({
        text: `${j.job}: at the cheapest`,
        met: j.ours <= j.cheapest,
        detail: `${j.ours} tokens vs ${j.cheapest} cheapest (${j.requests} requests)`,
      })),
      ...jobs
        .filter((j) => j.prismatic !== undefined)
        .map((j) => ({
          text: `${j.job}: never above Prismatic's component`,
          met: j.ours <= (j.prismatic as number),
          detail: `${j.ours} tokens vs ${j.prismatic}`,
        })),
    ],
    charts: [
      {
        title: "Tokens per job",
        unit: "tokens",
        bars: jobs.flatMap((j) => [
          { label: `${j.job} (ours)`, value: j.ours, ours: true },
          { label: `${j.job} (cheapest)`, value: j.cheapest },
        ]),
      },
    ],
    summary: jobs.map(
      (j) => `${j.job}: ${j.ours} tokens (cheapest ${j.cheapest}, Prismatic's ${j.prismatic ?? "n/a"})`,
    ),
    raw: { jobs },
  };
}
