/**
 * Public types of the Pipedrive simulator. Everything a test, the demo or a benchmark touches is
 * declared here and re-exported from `sim/index.ts`.
 */

export type ApiVersion = "v1" | "v2";
export type AuthKind = "api_token" | "bearer" | "none";
export type ConsentMode = "auto" | "page" | "deny";

/** A request that does not match the Pipedrive OpenAPI spec (or a rule the spec can't express). */
export interface Violation {
  method: string;
  /** URL path without the query string. */
  path: string;
  /** null when no operation matched (unknown path or method). */
  operationId: string | null;
  version: ApiVersion | null;
  reasons: string[];
  /** HTTP status the simulator answered with (400, 404, or 2xx for accepted-but-recorded cases). */
  status: number;
  at: number;
}

export interface DeprecatedCall {
  method: string;
  path: string;
  operationId: string;
  version: ApiVersion;
  at: number;
}

/** A spec operation answered by the generic (non-stateful) handler. */
export interface GenericCall {
  method: string;
  path: string;
  operationId: string;
  version: ApiVersion;
  at: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Query parameters; token-like parameters (api_token, access_token, ...) are redacted. */
  query: Record<string, string | string[]>;
  /** 0 when the connection was reset by a fault. */
  status: number;
  operationId: string | null;
  version: ApiVersion | null;
  auth: AuthKind;
  at: number;
  /** The request body as parsed (SimulatorOptions.recordBodies): JSON, form fields, or multipart parts (files as name and size). */
  body?: RecordedBody;
}

export type RecordedBody =
  | { kind: "none"; value: null }
  | { kind: "json"; value: unknown }
  | { kind: "form" | "multipart"; value: Record<string, string | { filename: string; size: number }> };

export interface SimStats {
  /** Every HTTP request the simulator handled (API, OAuth and others). */
  requests: number;
  /** 429 answers served (burst, daily budget and storm429). */
  rateLimited: number;
  violations: number;
  /** API requests per matched operationId. */
  byOperation: Record<string, number>;
}

export interface BurstConfig {
  limit: number;
  windowMs: number;
  /**
   * "rolling" (default): at most `limit` requests in any `windowMs`; a request frees its slot
   * `windowMs` after it was counted. "fixed": windows aligned to the clock (multiples of
   * `windowMs`), each counting from zero. `x-ratelimit-reset` is whole seconds in both, rounded up.
   */
  model?: "rolling" | "fixed";
}

export interface BudgetState {
  limit: number;
  used: number;
  remaining: number;
}

export interface FaultConfig {
  /** Probability (0..1) that an API request answers a 5xx (500, 502 or 503). */
  error5xxRate?: number;
  /** Probability (0..1) that an API request gets its socket destroyed. */
  resetRate?: number;
  /** Latency added to every API request. */
  latencyMs?: number;
  /** Probability (0..1) of an extra latency spike. */
  latencySpikeRate?: number;
  latencySpikeMs?: number;
  /** Seed for the fault RNG (deterministic sequences), or a custom source of randomness. */
  random?: number | (() => number);
}

export interface InjectMatch {
  method?: string;
  /** Exact URL path ("/api/v2/deals/1"), the same path without the /api/vN prefix ("/deals/1"), or a RegExp tested on the URL path. */
  path?: string | RegExp;
}

export interface InjectSpec {
  /** How many matching requests get the fault (default 1). */
  count?: number;
  /** HTTP status (default 500 unless `reset`). */
  status?: number;
  /** JSON body (default: a Pipedrive-shaped error envelope). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Destroy the socket instead of answering. */
  reset?: boolean;
  /** Perform the operation first (the write happens), then fail the response. */
  afterCommit?: boolean;
  match?: InjectMatch;
}

export interface StormSpec {
  count: number;
  /** Retry-After seconds (default 2). null: send no Retry-After, only x-ratelimit-reset. */
  retryAfterSec?: number | null;
  /** x-ratelimit-reset seconds (default 2). */
  resetSec?: number;
}

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scopes: string[];
}

export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token: string;
  scope: string;
  api_domain: string;
}

export interface IssueTokenOptions {
  clientId?: string;
  scopes?: string[];
  userId?: number;
}

export interface DeliveryRecord {
  webhookId: number;
  /** Subscription URL with any userinfo and secret-looking query values removed. */
  url: string;
  /** meta.id of the event (stable across retries and duplicates). */
  eventId: string;
  attempt: number;
  status?: number;
  error?: string;
  entity: string;
  action: "create" | "change" | "delete";
  /** true for the extra copy sent by the at-least-once knobs. */
  duplicate: boolean;
  at: number;
}

export interface SimulatorOptions {
  /** Port to listen on (default 0 = random free port). */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Directory with pipedrive-v{1,2}-openapi.yaml and v{1,2}-operations.tsv. Env PIPEDRIVE_OPENAPI_DIR also works. */
  specDir?: string;
  /** Where the parsed-spec cache lives (default node_modules/.cache/pipedrive-sim); false disables it. */
  specCacheDir?: string | false;
  /** Fixed value for `sim.apiToken` (default: random 40 hex chars). */
  apiToken?: string;
  burst?: BurstConfig;
  /** Daily token budget of the company (default 1,000,000). */
  dailyBudget?: number;
  /** Authorization code lifetime (default 5 minutes). */
  codeTtlMs?: number;
  /** OAuth access token lifetime (default 60 minutes). */
  accessTokenTtlMs?: number;
  /** Webhook delivery timeout (default 10,000 ms). */
  webhookTimeoutMs?: number;
  /** Delays before each retry (default [3000, 30000, 150000]: attempts 1..4). */
  webhookRetryDelaysMs?: number[];
  faults?: FaultConfig;
  /** Cap on `sim.requests` (oldest dropped first; default 100,000). */
  maxRecordedRequests?: number;
  /**
   * Also check every success response against the operation's documented response schema; a
   * departure is recorded in `sim.violations` (reasons starting with "response"), the response is sent as is.
   */
  validateResponses?: boolean;
  /** Record each API request's parsed body in `sim.requests` (for request contract tests). */
  recordBodies?: boolean;
}

/** Collections held by the in-memory store. */
export type CollectionName =
  | "deals"
  | "persons"
  | "organizations"
  | "activities"
  | "products"
  | "pipelines"
  | "stages"
  | "leads"
  | "notes"
  | "leadLabels"
  | "users"
  | "activityTypes"
  | "currencies"
  | "files"
  | "filters"
  | "projects"
  | "tasks"
  | "dealProducts"
  | "webhooks"
  | "fields";

export type RecordId = number | string;
export type SimRecord = { id: RecordId } & Record<string, unknown>;

export type FieldEntity = "deal" | "person" | "organization" | "product" | "activity" | "note" | "lead";
