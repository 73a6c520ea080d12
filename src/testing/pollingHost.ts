import component from "..";

/**
 * A stand-in for the parts of Prismatic that run polling and batched triggers, as spectral's
 * PollingTriggerDefinition / TriggerDefinition types describe them:
 * - each scheduled run calls the trigger's perform without payload.paginationState;
 * - with batching on (context.batch = { enabled: true, batchSize }), the trigger resolver's
 *   resolveItems splits each result into batches of batchSize, one execution per batch, and a
 *   non-null getNextPaginationState runs the perform again with it on payload.paginationState;
 * - without batching, one result is one execution, unless the perform says polledNoChanges;
 * - polling state (instanceState) persists between performs and runs; a perform that throws
 *   fails the run and its state changes are not kept; batches already queued still run.
 * The on-deploy initial sync (onDeployPerform with the onDeployResolver) runs the same way with
 * run({ onDeploy: true }). A perform's returned instanceState is merged as the platform does.
 */
type Perform = (context: unknown, payload: unknown, params: unknown) => Promise<Record<string, unknown> | undefined>;
type Resolve = (context: unknown, result: unknown) => unknown;
interface ConvertedTrigger {
  perform: Perform;
  onDeployPerform?: Perform;
  resolveTriggerItems?: Resolve;
  getNextPaginationState?: Resolve;
  resolveOnDeployItems?: Resolve;
  getOnDeployNextPaginationState?: Resolve;
  triggerResolverSupport?: string;
  triggerResolverDefaultBatchSize?: number;
  isPollingTrigger?: boolean;
}

export interface LogLine {
  level: string;
  message: string;
}

export interface RunReport {
  /** Every execution the run started: its trigger data (an item array when batched). */
  executions: unknown[];
  performs: number;
  failed?: Error;
}

const triggers = component.triggers as unknown as Record<string, ConvertedTrigger>;

export class PollingHost {
  instanceState: Record<string, unknown> = {};
  crossFlowState: Record<string, unknown> = {};
  readonly logs: LogLine[] = [];
  /** All executions over all runs. */
  readonly executions: unknown[] = [];
  performs = 0;
  readonly trigger: ConvertedTrigger;
  /** Keep every execution's data in `executions` (off in benchmarks, which only count). */
  retain = true;
  /** Called with every execution's trigger data. */
  onExecution?: (data: unknown) => void;
  /** Called before each perform with its number within the run (1-based), e.g. to inject a fault. */
  beforePerform?: (performInRun: number) => void;

  constructor(
    readonly triggerKey: string,
    public params: Record<string, unknown>,
    public batchSize?: number,
  ) {
    this.trigger = triggers[triggerKey];
    if (!this.trigger) throw new Error(`no trigger ${triggerKey}`);
  }

  private context() {
    const log =
      (level: string) =>
      (...args: unknown[]) =>
        this.logs.push({ level, message: args.map(String).join(" ") });
    return {
      logger: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error"), log: log("log") },
      instanceState: this.instanceState,
      crossFlowState: this.crossFlowState,
      executionState: {},
      integrationState: {},
      configVars: {},
      flow: { id: "flow-1", name: "Sync", stableId: "flow-1" },
      instance: { id: "instance-1", name: "Test Instance" },
      webhookUrls: { Sync: "http://127.0.0.1:1/trigger/flow-1" },
      debug: { enabled: false },
      batch: this.batchSize ? { enabled: true, batchSize: this.batchSize } : { enabled: false },
    };
  }

  private payload(paginationState?: unknown) {
    return {
      headers: {},
      queryParameters: {},
      rawBody: { data: "" },
      body: { data: null },
      pathFragment: "",
      webhookUrls: {},
      webhookApiKeys: {},
      invokeUrl: "",
      executionId: `exec-${this.performs + 1}`,
      ...(paginationState ? { paginationState } : {}),
    };
  }

  private batches(items: unknown[]): unknown[][] {
    const size = this.batchSize ?? 1;
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
  }

  private execute(report: RunReport, data: unknown) {
    this.onExecution?.(data);
    if (!this.retain) return;
    report.executions.push(data);
    this.executions.push(data);
  }

  /** One scheduled run (or, with onDeploy, the initial sync on deploy). */
  async run(options: { onDeploy?: boolean } = {}): Promise<RunReport> {
    const perform = options.onDeploy ? this.trigger.onDeployPerform : this.trigger.perform;
    if (!perform) throw new Error(`${this.triggerKey} has no ${options.onDeploy ? "onDeployPerform" : "perform"}`);
    const resolveItems = options.onDeploy ? this.trigger.resolveOnDeployItems : this.trigger.resolveTriggerItems;
    const nextState = options.onDeploy
      ? this.trigger.getOnDeployNextPaginationState
      : this.trigger.getNextPaginationState;
    const report: RunReport = { executions: [], performs: 0 };
    let paginationState: unknown;
    for (;;) {
      const snapshot = JSON.stringify(this.instanceState);
      const context = this.context();
      let result: Record<string, unknown> | undefined;
      try {
        this.performs += 1;
        report.performs += 1;
        this.beforePerform?.(report.performs);
        result = await perform(context, this.payload(paginationState), this.params);
      } catch (error) {
        this.instanceState = JSON.parse(snapshot);
        report.failed = error as Error;
        return report;
      }
      if (!result) throw new Error(`${this.triggerKey} returned no result`);
      for (const [key, value] of Object.entries((result.instanceState as Record<string, unknown>) ?? {})) {
        if (value === null) delete this.instanceState[key];
        else this.instanceState[key] = value;
      }
      const batched = Boolean(this.batchSize) && (resolveItems || !this.trigger.isPollingTrigger);
      if (batched && resolveItems) {
        for (const batch of this.batches(resolveItems(context, result) as unknown[])) {
          this.execute(report, this.batchSize === 1 ? batch[0] : batch);
        }
        paginationState = nextState?.(context, result) ?? null;
        if (!paginationState) break;
      } else {
        if (result.resultType !== "polled_no_changes") {
          this.execute(report, (result.payload as { body: { data: unknown } }).body.data);
        }
        break;
      }
    }
    return report;
  }

  get pollingState(): Record<string, unknown> {
    return ((this.instanceState.__prismaticInternal as Record<string, unknown> | undefined)?.polling ?? {}) as Record<
      string,
      unknown
    >;
  }

  logged(pattern: RegExp): boolean {
    return this.logs.some((line) => pattern.test(line.message));
  }
}
