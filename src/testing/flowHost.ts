import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import component from "..";

/**
 * A stand-in for the parts of Prismatic that run a component's webhook triggers: it deploys flows
 * (webhookCreate), hosts their webhook URLs over real HTTP, runs the trigger's perform on each
 * delivery, answers with the trigger's response, keeps cross-flow and flow-scoped state between
 * executions as the platform does, and counts a flow run only when the trigger takes the Event
 * branch (or, for a trigger without branches, returns). A trigger that throws fails the execution:
 * no run, and the caller gets the error's `response` when it carries one (else 500).
 * Deleting the instance calls webhookDelete.
 */
type Converted = {
  allowsBranching?: boolean;
  perform: (context: unknown, payload: unknown, params: unknown) => Promise<Record<string, unknown> | undefined>;
  webhookCreate?: (context: unknown, params: unknown) => Promise<Record<string, unknown> | undefined>;
  webhookDelete?: (context: unknown, params: unknown) => Promise<Record<string, unknown> | undefined>;
};

export interface Delivery {
  status: number;
  branch?: string;
  data: Record<string, unknown>;
  /** The message of the error that failed the execution, if the trigger threw. */
  failed?: string;
  /** The trigger's whole payload (what the flow's steps can read). */
  payload?: Record<string, unknown>;
}

export interface Flow {
  name: string;
  stableId: string;
  url: string;
  triggerKey: string;
  params: Record<string, unknown>;
  instanceState: Record<string, unknown>;
  deliveries: Delivery[];
  /** Outputs (`results.body.data`) of executions that ran the flow (branch Event, or no branches). */
  runs: Record<string, unknown>[];
  /** The trigger's whole `results` (the payload) of those executions. */
  results: Record<string, unknown>[];
  simulatedTest?: boolean;
}

const triggers = component.triggers as unknown as Record<string, Converted>;

/** What a trigger's context.logger is given; FlowHost.start({ logger }) replaces the default, which keeps the lines. */
export interface KitLogger {
  debug: (...args: unknown[]) => void;
  info: (...args: unknown[]) => void;
  warn: (...args: unknown[]) => void;
  error: (...args: unknown[]) => void;
  log: (...args: unknown[]) => void;
}

/** A logger that keeps every line in `lines`. */
export function collectingLogger(lines: string[] = []): KitLogger & { lines: string[] } {
  const log =
    (level: string) =>
    (...args: unknown[]) =>
      lines.push(`${level}: ${args.map(String).join(" ")}`);
  return { lines, debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error"), log: log("log") };
}

export class FlowHost {
  logger: KitLogger = collectingLogger();
  readonly crossFlowState: Record<string, unknown> = {};
  private readonly flows = new Map<string, Flow>();
  private server!: Server;
  url = "";
  private pending = 0;

  static async start(options: { logger?: KitLogger } = {}): Promise<FlowHost> {
    const host = new FlowHost();
    if (options.logger) host.logger = options.logger;
    host.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk) => chunks.push(chunk));
      req.on("end", () => {
        host.pending += 1;
        host
          .handle(req.url ?? "/", req.headers as Record<string, string>, Buffer.concat(chunks).toString("utf8"))
          .then(({ status, body }) => {
            res.writeHead(status, { "Content-Type": "application/json" });
            res.end(body);
          })
          .catch((error: Error) => {
            res.writeHead(500, { "Content-Type": "application/json" });
            res.end(JSON.stringify({ error: error.message }));
          })
          .finally(() => {
            host.pending -= 1;
          });
      });
    });
    await new Promise<void>((resolve) => host.server.listen(0, "127.0.0.1", resolve));
    host.url = `http://127.0.0.1:${(host.server.address() as AddressInfo).port}`;
    return host;
  }

  addFlow(name: string, triggerKey: string, params: Record<string, unknown>): Flow {
    const stableId = `flow-${this.flows.size + 1}-${triggerKey}`;
    const flow: Flow = {
      name,
      stableId,
      url: `${this.url}/trigger/${stableId}`,
      triggerKey,
      params,
      instanceState: {},
      deliveries: [],
      runs: [],
      results: [],
    };
    this.flows.set(stableId, flow);
    return flow;
  }

  context(flow: Flow) {
    return {
      logger: this.logger,
      flow: { id: flow.stableId, name: flow.name, stableId: flow.stableId },
      instance: { id: "instance-1", name: "Test Instance" },
      webhookUrls: { [flow.name]: flow.url },
      crossFlowState: { ...this.crossFlowState },
      instanceState: flow.instanceState,
      executionState: {},
      integrationState: {},
      configVars: {},
      isSimulatedTestExecution: Boolean(flow.simulatedTest),
    };
  }

  private merge(target: Record<string, unknown>, updates: unknown) {
    if (!updates || typeof updates !== "object") return;
    for (const [key, value] of Object.entries(updates)) {
      if (value === null) delete target[key];
      else target[key] = value;
    }
  }

  async deploy(flow: Flow): Promise<void> {
    const result = await triggers[flow.triggerKey].webhookCreate?.(this.context(flow), flow.params);
    this.merge(this.crossFlowState, result?.crossFlowState);
  }

  async deleteInstance(flow: Flow): Promise<void> {
    const result = await triggers[flow.triggerKey].webhookDelete?.(this.context(flow), flow.params);
    this.merge(this.crossFlowState, result?.crossFlowState);
  }

  private async handle(
    path: string,
    headers: Record<string, string>,
    raw: string,
  ): Promise<{ status: number; body: string }> {
    const flow = this.flows.get(path.replace(/^\/trigger\//, ""));
    if (!flow) return { status: 404, body: '{"error":"no such flow"}' };
    let parsed: unknown = raw;
    try {
      parsed = JSON.parse(raw);
    } catch {
      // the trigger decides what to do with a body that is not JSON
    }
    const payload = {
      headers,
      queryParameters: {},
      rawBody: { data: raw, contentType: headers["content-type"] },
      body: { data: parsed, contentType: headers["content-type"] },
      pathFragment: "",
      webhookUrls: { [flow.name]: flow.url },
      webhookApiKeys: {},
      invokeUrl: flow.url,
      executionId: `exec-${flow.deliveries.length + 1}`,
    };
    const trigger = triggers[flow.triggerKey];
    let result: Record<string, unknown> | undefined;
    try {
      result = await trigger.perform(this.context(flow), payload, flow.params);
    } catch (error) {
      const refusal = (error as { response?: { statusCode: number; body?: string } }).response;
      if (!refusal) throw error;
      flow.deliveries.push({ status: refusal.statusCode, data: {}, failed: (error as Error).message });
      return { status: refusal.statusCode, body: refusal.body ?? "{}" };
    }
    if (!result) throw new Error(`${flow.triggerKey} returned no result`);
    this.merge(flow.instanceState, result.instanceState);
    const response = result.response as { statusCode?: number; body?: string } | undefined;
    const results = result.payload as { body: { data: Record<string, unknown> } };
    const data = results.body.data;
    const delivery: Delivery = {
      status: response?.statusCode ?? 200,
      branch: result.branch as string | undefined,
      data,
      payload: result.payload as Record<string, unknown>,
    };
    flow.deliveries.push(delivery);
    if (trigger.allowsBranching ? delivery.branch === "Event" : true) {
      flow.runs.push(data);
      flow.results.push(results as unknown as Record<string, unknown>);
    }
    return { status: delivery.status, body: response?.body ?? "{}" };
  }

  /** Resolves once no delivery is being processed. */
  async settled(): Promise<void> {
    while (this.pending > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
