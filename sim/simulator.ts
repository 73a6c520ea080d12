/**
 * PipedriveSimulator: a real HTTP server that behaves like Pipedrive for tests, the demo and
 * benchmarks. See sim/README.md for the behaviour and the knobs.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { Credentials } from "./auth";
import { Faults } from "./faults";
import { BurstLimiter, DailyBudget } from "./limits";
import { OAuthServer } from "./oauth";
import type { EntityEvent, SimCore, WebhookSecret } from "./resources/context";
import { registerDealProducts } from "./resources/dealProducts";
import { buildRecord, type HandlerMap, registerResources } from "./resources/generic";
import { registerSpecial } from "./resources/special";
import { RESOURCES, resourceFor } from "./resources/table";
import { COMPANY, customFieldKey, seedStore } from "./seed";
import { handleRequest, type PipelineState, TrafficLog } from "./server";
import { type LoadedSpecs, loadSpecs } from "./spec";
import { Store, type StoreSnapshot } from "./store";
import type {
  BudgetState,
  BurstConfig,
  CollectionName,
  ConsentMode,
  DeliveryRecord,
  DeprecatedCall,
  FaultConfig,
  FieldEntity,
  GenericCall,
  InjectSpec,
  IssueTokenOptions,
  OAuthApp,
  RecordedRequest,
  RecordId,
  SimRecord,
  SimStats,
  SimulatorOptions,
  StormSpec,
  TokenResponse,
  Violation,
} from "./types";
import { sendUninstallNotice, type UninstallResult } from "./uninstall";
import { WebhookDispatcher } from "./webhooks";

const DEFAULTS = {
  host: "127.0.0.1",
  burst: { limit: 100, windowMs: 2000 } as BurstConfig,
  dailyBudget: 1_000_000,
  codeTtlMs: 5 * 60_000,
  accessTokenTtlMs: 60 * 60_000,
  webhookTimeoutMs: 10_000,
  webhookRetryDelaysMs: [3000, 30_000, 150_000],
  maxRecordedRequests: 100_000,
};

const DEFAULT_CLIENT_ID = "sim-client-id";

export class PipedriveSimulator {
  /** Base URL, e.g. http://127.0.0.1:43123 (also the OAuth api_domain). */
  readonly url: string;
  /** A ready API token (x-api-token) for user 1 (admin). */
  readonly apiToken: string;
  /** How long start() took, in ms. */
  readonly startupMs: number;
  /** Where the specs came from and how long loading them took. */
  readonly specInfo: { specDir: string; loadMs: number; fromCache: boolean; operations: { v1: number; v2: number } };

  private readonly server: http.Server;
  private readonly options: SimulatorOptions;
  private readonly store = new Store();
  private readonly credentials: Credentials;
  private readonly oauth: OAuthServer;
  private readonly burst: BurstLimiter;
  private readonly budgetState: DailyBudget;
  private readonly faults = new Faults();
  private readonly log: TrafficLog;
  private readonly dispatcher: WebhookDispatcher;
  private readonly webhookSecrets = new Map<number, WebhookSecret>();
  private readonly core: SimCore;
  private readonly snapshot: StoreSnapshot;
  private clockOffsetMs = 0;
  private stopped = false;

  private constructor(
    server: http.Server,
    url: string,
    options: SimulatorOptions,
    specs: LoadedSpecs,
    started: number,
  ) {
    this.server = server;
    this.url = url;
    this.options = options;
    this.credentials = new Credentials(options.accessTokenTtlMs ?? DEFAULTS.accessTokenTtlMs);
    this.apiToken = this.credentials.createApiToken(1, options.apiToken);
    this.burst = new BurstLimiter(options.burst ?? DEFAULTS.burst);
    this.budgetState = new DailyBudget(options.dailyBudget ?? DEFAULTS.dailyBudget);
    this.log = new TrafficLog(options.maxRecordedRequests ?? DEFAULTS.maxRecordedRequests);
    if (options.faults) this.faults.set(options.faults);

    this.core = {
      store: this.store,
      url,
      webhookSecrets: this.webhookSecrets,
      now: () => this.now(),
      emit: (event) => this.emit(event),
    };

    this.oauth = new OAuthServer({
      codeTtlMs: options.codeTtlMs ?? DEFAULTS.codeTtlMs,
      credentials: this.credentials,
      now: () => this.now(),
      apiDomain: () => this.url,
    });
    this.oauth.registerApp({
      clientId: DEFAULT_CLIENT_ID,
      clientSecret: "sim-client-secret",
      redirectUri: "http://127.0.0.1/callback",
      scopes: [...new Set([...specs.scopes, "admin", "base"])].sort(),
    });

    this.dispatcher = new WebhookDispatcher({
      timeoutMs: options.webhookTimeoutMs ?? DEFAULTS.webhookTimeoutMs,
      retryDelaysMs: options.webhookRetryDelaysMs ?? DEFAULTS.webhookRetryDelaysMs,
      exists: (id) => !!this.store.collection("webhooks").get(id),
      onAttempt: (id, status, at) => {
        const hook = this.store.collection("webhooks").get(id);
        if (hook) {
          hook.last_delivery_time = new Date(at).toISOString();
          hook.last_http_status = status;
        }
      },
      permittedUserIds: () =>
        this.store
          .collection("users")
          .values()
          .filter((u) => !u.is_deleted)
          .map((u) => String(u.id)),
    });

    for (const def of RESOURCES) this.store.define(def.collection, def.idType);
    this.store.define("webhooks", "int");
    this.store.define("dealProducts", "int");
    this.store.define("fields", "int");
    seedStore(this.store, this.now());
    this.snapshot = this.store.snapshot();

    const handlers: HandlerMap = new Map();
    registerResources(specs, handlers);
    registerSpecial(specs, handlers);
    registerDealProducts(specs, handlers);
    const state: PipelineState = {
      specs,
      handlers,
      core: this.core,
      credentials: this.credentials,
      oauth: this.oauth,
      burst: this.burst,
      budget: this.budgetState,
      faults: this.faults,
      log: this.log,
      validateResponses: Boolean(options.validateResponses),
      recordBodies: Boolean(options.recordBodies),
    };
    server.on("request", (req, res) => {
      void handleRequest(state, req, res);
    });
    this.specInfo = {
      specDir: specs.specDir,
      loadMs: Math.round(specs.loadMs),
      fromCache: specs.fromCache,
      operations: { v1: specs.v1.operations.length, v2: specs.v2.operations.length },
    };
    this.startupMs = Math.round(performance.now() - started);
  }

  /** Starts a simulator on a free port (or options.port) and resolves once it is listening. */
  static async start(options: SimulatorOptions = {}): Promise<PipedriveSimulator> {
    const started = performance.now();
    const specs = loadSpecs({ specDir: options.specDir, cacheDir: options.specCacheDir });
    const server = http.createServer();
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, options.host ?? DEFAULTS.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
    return new PipedriveSimulator(server, `http://${host}:${addr.port}`, options, specs, started);
  }

  /** Stops the server, closes kept-alive connections and cancels pending webhook deliveries. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.dispatcher.stop();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Restores the seeded data and clears logs, faults, limits, webhooks and the clock offset. Credentials stay valid. */
  reset(): void {
    this.store.restore(this.snapshot);
    this.webhookSecrets.clear();
    this.dispatcher.reset();
    this.log.clear();
    this.faults.clear();
    const burst = this.options.burst ?? DEFAULTS.burst;
    this.burst.set(burst.limit, burst.windowMs, burst.model);
    this.budgetState.set(this.options.dailyBudget ?? DEFAULTS.dailyBudget, 0);
    this.oauth.reset();
    this.clockOffsetMs = 0;
  }

  // --- records ----------------------------------------------------------------------------

  /** Requests that did not match the spec (or a rule it states in prose). */
  get violations(): Violation[] {
    return this.log.violations;
  }

  get deprecatedCalls(): DeprecatedCall[] {
    return this.log.deprecatedCalls;
  }

  /** Spec operations answered by the generic (non-stateful) handler. */
  get genericCalls(): GenericCall[] {
    return this.log.genericCalls;
  }

  get requests(): RecordedRequest[] {
    return this.log.requests;
  }

  clearRequests(): void {
    this.log.requests = [];
  }

  /** Returns the violations recorded so far and empties the list (for tests that provoke one on purpose). */
  takeViolations(): Violation[] {
    const taken = this.log.violations;
    this.log.violations = [];
    return taken;
  }

  /** Empties violations, deprecatedCalls and genericCalls (stats keep counting). */
  clearViolations(): void {
    this.log.violations = [];
    this.log.deprecatedCalls = [];
    this.log.genericCalls = [];
  }

  get stats(): SimStats {
    return this.log.stats;
  }

  // --- credentials and OAuth --------------------------------------------------------------

  /** A new API token for a user (several tokens per user may coexist in the simulator). */
  createApiToken(userId = 1): string {
    return this.credentials.createApiToken(userId);
  }

  get defaultOAuthApp(): OAuthApp {
    const app = this.oauth.apps.get(DEFAULT_CLIENT_ID) as OAuthApp;
    return { ...app, scopes: [...app.scopes] };
  }

  /** Registers (or replaces, same clientId) an OAuth app. */
  registerOAuthApp(app: OAuthApp): OAuthApp {
    return { ...this.oauth.registerApp(app) };
  }

  /** A token response as /oauth/token would give, without the code flow. */
  issueOAuthToken(opts: IssueTokenOptions = {}): TokenResponse {
    const clientId = opts.clientId ?? DEFAULT_CLIENT_ID;
    const app = this.oauth.apps.get(clientId);
    if (!app) throw new Error(`issueOAuthToken: unknown OAuth app ${clientId}`);
    return this.oauth.issue(clientId, opts.userId ?? 1, opts.scopes ?? app.scopes);
  }

  /**
   * A user uninstalls the app, as in Pipedrive's app settings: the app's tokens for that user stop
   * working, and a `DELETE` goes to the app's callback URL (its redirect URI) with JSON
   * `{client_id, company_id, user_id, timestamp}` and HTTP Basic `client_id:client_secret`.
   * Resolves with what the receiver answered (Pipedrive itself ignores it). Loopback URLs only.
   */
  uninstallApp(opts: { clientId?: string; userId?: number } = {}): Promise<UninstallResult> {
    const clientId = opts.clientId ?? DEFAULT_CLIENT_ID;
    const app = this.oauth.apps.get(clientId);
    if (!app) throw new Error(`uninstallApp: unknown OAuth app ${clientId}`);
    const userId = opts.userId ?? 1;
    this.credentials.revokeUser(clientId, userId);
    const body = {
      client_id: clientId,
      company_id: COMPANY.id,
      user_id: userId,
      timestamp: new Date(this.now()).toISOString(),
    };
    return sendUninstallNotice(app, body, this.options.webhookTimeoutMs ?? DEFAULTS.webhookTimeoutMs);
  }

  /** auto: redirect with a code at once; page: HTML consent page (#allow / #deny); deny: ?error=user_denied. */
  setConsent(mode: ConsentMode, userId?: number): void {
    this.oauth.consent = mode;
    if (userId !== undefined) this.oauth.consentUserId = userId;
  }

  // --- data -------------------------------------------------------------------------------

  /**
   * Bulk-inserts `n` records (no webhooks, no budget). `make(i)` returns fields to override the
   * sample values; ids are always assigned by the store.
   */
  seed(collection: CollectionName, n: number, make?: (i: number) => Record<string, unknown>): SimRecord[] {
    const def = resourceFor(collection);
    if (!def) throw new Error(`seed: collection '${collection}' cannot be seeded`);
    const col = this.store.collection(collection);
    const caller = { userId: 1, companyId: 1, auth: "api_token" as const, clientId: null };
    const now = this.now();
    const out: SimRecord[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const id = col.allocateId();
      const input = { ...def.sample(id, i), ...(make ? make(i) : {}) };
      out[i] = col.insert(buildRecord(def, this.core, caller, input, now, id));
    }
    return out;
  }

  /** Number of records, soft-deleted ones excluded. */
  count(collection: CollectionName): number {
    let n = 0;
    for (const r of this.store.collection(collection).records.values()) if (r.is_deleted !== true) n++;
    return n;
  }

  /** A record by id (also when soft-deleted: check is_deleted), as stored. */
  get(collection: CollectionName, id: RecordId): SimRecord | undefined {
    return this.store.collection(collection).get(id);
  }

  /** All records, soft-deleted ones excluded, in id order. */
  all(collection: CollectionName): SimRecord[] {
    return this.store
      .collection(collection)
      .values()
      .filter((r) => r.is_deleted !== true);
  }

  /** The 40-hex key of a seeded custom field, e.g. customFieldKey("deal", "Budget"). */
  customFieldKey(entity: FieldEntity, name: string): string {
    return customFieldKey(entity, name);
  }

  // --- limits -----------------------------------------------------------------------------

  /** Burst limit per token: `limit` requests per `windowMs`, on a rolling window (default) or a fixed one. */
  setBurst(limit: number, windowMs = 2000, model: "rolling" | "fixed" = "rolling"): void {
    this.burst.set(limit, windowMs, model);
  }

  get burstConfig(): BurstConfig {
    return { ...this.burst.config };
  }

  /** Sets the company's daily token budget (and optionally what is already used). */
  setDailyBudget(limit: number, used?: number): void {
    this.budgetState.set(limit, used);
  }

  get budget(): BudgetState {
    return this.budgetState.state();
  }

  // --- faults -----------------------------------------------------------------------------

  setFaults(config: FaultConfig): void {
    this.faults.set(config);
  }

  /** The next matching API request(s) fail as described (see InjectSpec). */
  injectNext(spec: InjectSpec = {}): void {
    this.faults.inject(spec);
  }

  /** The next `count` API requests answer 429. */
  storm429(spec: StormSpec): void {
    this.faults.startStorm(spec);
  }

  // --- webhooks ---------------------------------------------------------------------------

  get deliveries(): DeliveryRecord[] {
    return this.dispatcher.deliveries;
  }

  /** Probability (0..1) that an event is delivered twice (same meta.id). */
  setWebhookDuplicates(rate: number): void {
    this.dispatcher.setDuplicates(rate);
  }

  /** The next `n` events are delivered twice (same meta.id). */
  duplicateNextDeliveries(n = 1): void {
    this.dispatcher.duplicateNextDeliveries(n);
  }

  /** Resolves once `n` delivery attempts are logged in `deliveries`. */
  waitForDeliveries(n: number, timeoutMs = 5000): Promise<DeliveryRecord[]> {
    return this.dispatcher.waitForDeliveries(n, timeoutMs);
  }

  /** Resolves when no webhook delivery (including scheduled retries) is pending. */
  idle(): Promise<void> {
    return this.dispatcher.idle();
  }

  private emit(event: EntityEvent): void {
    const targets = this.store
      .collection("webhooks")
      .values()
      .map((hook) => ({ hook, password: this.webhookSecrets.get(hook.id as number)?.password ?? null }));
    if (targets.length) this.dispatcher.dispatch(event, targets, this.now());
  }

  // --- clock ------------------------------------------------------------------------------

  /** The simulator's clock (Date.now() + advanceTime offsets). */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Moves the simulator clock forward: expires codes and tokens without waiting. */
  advanceTime(ms: number): void {
    this.clockOffsetMs += ms;
  }
}
