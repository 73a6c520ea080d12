import { type Connection, util } from "@prismatic-io/spectral";
import { createClient as createSpectralClient, type HttpClient } from "@prismatic-io/spectral/dist/clients/http";
import axios, { type AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from "axios";
import { resolveAuth } from "./auth";
import { InputError, PipedriveError } from "./errors";
import { gateFor, type RateLimitGate, type RateLimitSnapshot } from "./rateLimit";
import { redact } from "./redact";

export { InputError, PipedriveError } from "./errors";
export type { RateLimitSnapshot } from "./rateLimit";

export type ApiVersion = "v1" | "v2";
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" | "LINK" | "UNLINK" | "PURGE";
export type Query = Record<string, string | number | boolean | undefined | null | (string | number)[]>;

export interface RequestOptions {
  method: HttpMethod;
  version: ApiVersion;
  /** Path under /api/{version}, with {placeholders} filled from pathParams, e.g. "/deals/{id}". */
  path: string;
  pathParams?: Record<string, string | number>;
  query?: Query;
  body?: unknown;
  /** "arraybuffer" for file downloads. */
  responseType?: "json" | "arraybuffer" | "text";
  headers?: Record<string, string>;
}

export interface Logger {
  debug?: (...args: unknown[]) => void;
  info?: (...args: unknown[]) => void;
  warn?: (...args: unknown[]) => void;
}

export interface ClientOptions {
  /** Log each request (method, path, status, timing; never headers or bodies) through the logger. */
  debug?: boolean;
  logger?: Logger;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Retries for 5xx, resets and timeouts of idempotent requests. */
  maxRetries?: number;
  /** Retries after 429 (any method: Pipedrive refused the request, so nothing was processed). */
  maxRateLimitRetries?: number;
  /** A 429 asking to wait longer than this fails at once with a clear error instead of sleeping. */
  maxRetryAfterSeconds?: number;
}

export interface Envelope<T = unknown> {
  success?: boolean;
  data: T;
  additional_data?: Record<string, unknown> | null;
  related_objects?: unknown;
  [key: string]: unknown;
}

export interface PageResult<T> {
  items: T[];
  /** v2: the cursor for the next page; v1: the next start offset. Undefined at the end. */
  next?: string | number;
  additionalData?: Record<string, unknown> | null;
}

export type Pagination = "cursor" | "offset";

export interface PaginateOptions {
  version: ApiVersion;
  path: string;
  pathParams?: Record<string, string | number>;
  query?: Query;
  pagination: Pagination;
  /** Items per page; Pipedrive allows at most 500 (100 on /files). */
  pageSize?: number;
  /** Where to start: a cursor (v2) or an offset (v1). */
  from?: string | number;
}

export interface CollectResult<T> {
  items: T[];
  /** True when maxItems stopped the walk before Pipedrive's last page. */
  truncated: boolean;
  /** Where to resume (cursor or start) when truncated. */
  next?: string | number;
  pages: number;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"]);
export const MAX_PAGE_SIZE = 500;

const retryCountOf = (config?: InternalAxiosRequestConfig): number =>
  (config as unknown as Record<string, { retryCount?: number } | undefined>)?.["axios-retry"]?.retryCount ?? 0;

const headerNumber = (headers: Record<string, unknown> | undefined, name: string): number | undefined => {
  const raw = headers?.[name];
  if (raw === undefined || raw === null || raw === "") return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
};

/** Seconds Pipedrive asks us to wait after a 429: Retry-After, else x-ratelimit-reset, else 2. */
export function waitSecondsFor429(headers: Record<string, unknown> | undefined): number {
  const retryAfter = headerNumber(headers, "retry-after");
  if (retryAfter !== undefined) return Math.max(retryAfter, 0);
  const reset = headerNumber(headers, "x-ratelimit-reset");
  if (reset !== undefined) return Math.max(reset, 0);
  return 2;
}

const isDailyBudgetSpent = (headers: Record<string, unknown> | undefined) =>
  headerNumber(headers, "x-daily-ratelimit-token-remaining") === 0;

export function fillPath(path: string, params: Record<string, string | number> = {}): string {
  return path.replace(/\{([\w-]+)\}/g, (_, name: string) => {
    const value = params[name];
    const text = value === undefined || value === null ? "" : String(value);
    if (!text || text === "." || text === "..")
      throw new InputError(`Path parameter "${name}" is missing or invalid (got "${text}").`);
    return encodeURIComponent(text);
  });
}

function cleanQuery(
  query: Query | undefined,
): Record<string, string | number | boolean | (string | number)[]> | undefined {
  if (!query) return undefined;
  const out: Record<string, string | number | boolean | (string | number)[]> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    out[key] = value;
  }
  return out;
}

export class PipedriveClient {
  readonly origin: string;
  readonly connectionKey: string;
  private readonly http: HttpClient;
  private readonly gate: RateLimitGate;
  private readonly logger?: Logger;
  private readonly debug: boolean;

  constructor(connection: Connection, options: ClientOptions = {}) {
    const auth = resolveAuth(connection);
    this.origin = auth.origin;
    this.connectionKey = auth.connectionKey;
    this.gate = gateFor(auth.fingerprint);
    this.logger = options.logger;
    this.debug = Boolean(options.debug);
    const maxRetries = options.maxRetries ?? 3;
    const maxRateLimitRetries = options.maxRateLimitRetries ?? 6;
    const maxRetryAfter = options.maxRetryAfterSeconds ?? 60;

    // spectral's own debug logging prints the Authorization header, so it stays off; see logRequest.
    this.http = createSpectralClient({
      baseUrl: this.origin,
      headers: { ...auth.headers, Accept: "application/json" },
      timeout: options.timeoutMs ?? 30_000,
      debug: false,
      retryConfig: {
        retries: Math.max(maxRetries, maxRateLimitRetries),
        shouldResetTimeout: true,
        retryCondition: (error: AxiosError) => {
          const attempt = retryCountOf(error.config);
          const status = error.response?.status;
          const method = (error.config?.method ?? "get").toUpperCase();
          if (status === 429) {
            const headers = error.response?.headers as Record<string, unknown>;
            if (isDailyBudgetSpent(headers)) return false;
            const wait = waitSecondsFor429(headers);
            if (wait > maxRetryAfter) return false;
            return attempt < maxRateLimitRetries;
          }
          if (attempt >= maxRetries || !IDEMPOTENT.has(method)) return false;
          if (status !== undefined) return status >= 500 && status !== 501;
          // No response: reset, refused, DNS or timeout.
          return true;
        },
        // After a 429 the gate holds the request until the window the server named has passed.
        retryDelay: (retryCount: number, error: AxiosError) =>
          error.response?.status === 429
            ? Math.floor(Math.random() * 100)
            : Math.min(250 * 2 ** (retryCount - 1), 4_000) + Math.floor(Math.random() * 100),
      },
    });
    // Pacing and header tracking sit at the transport, so they see every exchange (retries included)
    // in the order it happens, before the retry logic decides anything.
    const transport = axios.getAdapter(this.http.defaults.adapter);
    this.http.defaults.adapter = async (config) => {
      const slot = await this.gate.acquire();
      try {
        const response = await transport(config);
        this.gate.update(response.headers as Record<string, unknown>, slot);
        return response;
      } catch (error) {
        const response = (error as AxiosError).response;
        // Before anyone waiting is woken: no request of these credentials goes out before the time a 429 named.
        if (response?.status === 429 && !isDailyBudgetSpent(response.headers as Record<string, unknown>))
          this.gate.blockFor(Math.min(waitSecondsFor429(response.headers as Record<string, unknown>), maxRetryAfter));
        this.gate.update(
          (response?.headers ?? {}) as Record<string, unknown>,
          slot,
          Date.now(),
          response?.status === 429,
        );
        throw error;
      }
    };
  }

  /** Current view of Pipedrive's burst window and daily budget for these credentials. */
  rateLimit(): RateLimitSnapshot {
    return this.gate.snapshot();
  }

  async request<T = Envelope>(options: RequestOptions): Promise<T> {
    const response = await this.send<T>(options);
    return response.data;
  }

  /** Like request, but also returns status and headers (for downloads and connection info). */
  async send<T = Envelope>(options: RequestOptions): Promise<AxiosResponse<T>> {
    const path = `/api/${options.version}${fillPath(options.path, options.pathParams)}`;
    const started = Date.now();
    try {
      const response = await this.http.request<T>({
        method: options.method,
        url: path,
        params: cleanQuery(options.query),
        data: options.body,
        responseType: options.responseType ?? "json",
        // Arrays in the query repeat the key (deal_ids=1&deal_ids=2), the specs' default serialisation.
        paramsSerializer: { indexes: null },
        headers:
          options.body !== undefined &&
          !(options.body instanceof FormData) &&
          !(options.body instanceof URLSearchParams)
            ? { "Content-Type": "application/json", ...options.headers }
            : options.headers,
      });
      this.logRequest(options.method, path, response.status, started, retryCountOf(response.config));
      return response;
    } catch (error) {
      const failure = toPipedriveError(error, options.method, path);
      if (failure instanceof PipedriveError)
        this.logRequest(options.method, path, failure.status ?? failure.kind, started, failure.retries);
      throw failure;
    }
  }

  /** One page of a list, normalised across v2 cursors and both v1 offset shapes. */
  async page<T>(options: PaginateOptions): Promise<PageResult<T>> {
    const pageSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
    const position =
      options.pagination === "cursor"
        ? { cursor: options.from as string | undefined }
        : { start: (options.from as number | undefined) ?? 0 };
    const envelope = await this.request<Envelope<T[] | { items?: T[] } | null>>({
      method: "GET",
      version: options.version,
      path: options.path,
      pathParams: options.pathParams,
      query: { ...options.query, ...position, limit: pageSize },
    });
    // Search endpoints page data.items (v2 /deals/search, /itemSearch); lists page data.
    const items = Array.isArray(envelope.data)
      ? envelope.data
      : Array.isArray(envelope.data?.items)
        ? envelope.data.items
        : [];
    const additional = envelope.additional_data ?? null;
    return {
      items,
      additionalData: additional,
      next: nextPosition(options.pagination, additional, position, items.length),
    };
  }

  /** Walks every page from options.from; stop early by breaking out of the loop. */
  async *pages<T>(options: PaginateOptions): AsyncGenerator<PageResult<T>> {
    let from = options.from;
    for (;;) {
      const page = await this.page<T>({ ...options, from });
      yield page;
      if (page.next === undefined) return;
      from = page.next;
    }
  }

  /** Collects all records, or at most maxItems of them (then says where to resume). */
  async collect<T>(options: PaginateOptions, maxItems?: number): Promise<CollectResult<T>> {
    const items: T[] = [];
    let pages = 0;
    const cap = maxItems !== undefined && maxItems > 0 ? maxItems : Number.POSITIVE_INFINITY;
    let from = options.from;
    for (;;) {
      const remaining = cap - items.length;
      const pageSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE, remaining);
      const page = await this.page<T>({ ...options, from, pageSize });
      pages += 1;
      items.push(...page.items);
      if (page.next === undefined) return { items, truncated: false, pages };
      if (items.length >= cap) return { items, truncated: true, next: page.next, pages };
      from = page.next;
    }
  }

  private logRequest(method: string, path: string, outcome: number | string, started: number, retries: number) {
    if (!this.debug || !this.logger?.debug) return;
    this.logger.debug(
      redact(
        `Pipedrive ${method} ${path} -> ${outcome} in ${Date.now() - started} ms${retries ? `, ${retries} retries` : ""}`,
      ),
    );
  }
}

function nextPosition(
  pagination: Pagination,
  additional: Record<string, unknown> | null,
  position: { cursor?: string; start?: number },
  count: number,
): string | number | undefined {
  if (pagination === "cursor") {
    const next = additional?.next_cursor;
    return typeof next === "string" && next ? next : undefined;
  }
  // v1: { pagination: { more_items_in_collection, next_start } }, or flat on /leads.
  const info = (additional?.pagination as Record<string, unknown> | undefined) ?? additional ?? {};
  if (info.more_items_in_collection !== true || count === 0) return undefined;
  const nextStart = Number(info.next_start);
  return Number.isFinite(nextStart) && nextStart > (position.start ?? 0) ? nextStart : (position.start ?? 0) + count;
}

function toPipedriveError(error: unknown, method: string, path: string): PipedriveError | InputError {
  if (error instanceof PipedriveError || error instanceof InputError) return error;
  const axiosError = error as AxiosError;
  const retries = retryCountOf(axiosError?.config);
  const response = axiosError?.response;
  if (!response) {
    const code = util.types.toString(axiosError?.code);
    const timedOut =
      code === "ECONNABORTED" || code === "ETIMEDOUT" || /timeout/i.test(util.types.toString(axiosError?.message));
    return new PipedriveError({
      kind: timedOut ? "timeout" : "network",
      method,
      path,
      retries,
      pipedriveError: timedOut ? undefined : code || "connection failed",
    });
  }
  const headers = response.headers as Record<string, unknown>;
  const body = parseBody(response.data);
  const status = response.status;
  const dailySpent = status === 429 && isDailyBudgetSpent(headers);
  return new PipedriveError({
    kind: dailySpent ? "dailyBudget" : "http",
    method,
    path,
    status,
    retries,
    pipedriveError: body.error,
    errorInfo: body.errorInfo,
    code: body.code,
    retryAfterSeconds: status === 429 && !dailySpent ? waitSecondsFor429(headers) : undefined,
  });
}

/** Pipedrive error bodies come as {error, error_info}, {message}, {errors:{field:[...]}} or HTML. */
function parseBody(data: unknown): { error?: string; errorInfo?: string; code?: string } {
  let body: unknown = data;
  if (Buffer.isBuffer(body)) body = body.toString("utf8");
  if (body instanceof ArrayBuffer) body = Buffer.from(body).toString("utf8");
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      return {};
    }
  }
  if (!body || typeof body !== "object") return {};
  const record = body as Record<string, unknown>;
  let error =
    typeof record.error === "string" ? record.error : typeof record.message === "string" ? record.message : undefined;
  if (!error && record.errors && typeof record.errors === "object") {
    error = Object.entries(record.errors as Record<string, unknown>)
      .map(([field, problems]) => `${field}: ${Array.isArray(problems) ? problems.join(", ") : String(problems)}`)
      .join("; ");
  }
  const errorInfo = typeof record.error_info === "string" ? record.error_info : undefined;
  const code = typeof record.code === "string" ? record.code : undefined;
  return { error, errorInfo, code };
}

export function createPipedriveClient(connection: Connection, options?: ClientOptions): PipedriveClient {
  return new PipedriveClient(connection, options);
}
