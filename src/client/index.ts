import { type Connection, util } from "@prismatic-io/spectral";
import { createClient as createSpectralClient, type HttpClient } from "@prismatic-io/spectral/dist/clients/http";
import axios, {
  AxiosError,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
  type RawAxiosRequestHeaders,
} from "axios";
import { resolveAuth } from "./auth";
import { InputError, PipedriveError } from "./errors";
import { backoffMs, megabytes, POLICY } from "./policy";
import { boundedHeader, gateFor, type RateLimitGate, type RateLimitSnapshot } from "./rateLimit";
import { redact, touchSecret } from "./redact";

export { InputError, PipedriveError } from "./errors";
export { POLICY } from "./policy";
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
  /** Pipedrive's clock when it answered (its Date header, whole seconds), in ms; undefined when absent. */
  serverTime?: number;
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

/** Anything above the longest wait we would sleep is as good as "too long": fail at once. */
const TOO_LONG = POLICY.maxRetryAfterSeconds + 1;

/**
 * Seconds Pipedrive asks us to wait after a 429: Retry-After (seconds or an HTTP date), else
 * x-ratelimit-reset, else the policy's default; never negative, never above "too long".
 */
export function waitSecondsFor429(headers: Record<string, unknown> | undefined, now = Date.now()): number {
  const retryAfter = boundedHeader(headers?.["retry-after"], 0, TOO_LONG);
  if (retryAfter !== undefined) return retryAfter;
  const date = typeof headers?.["retry-after"] === "string" ? Date.parse(headers["retry-after"]) : Number.NaN;
  if (Number.isFinite(date)) return Math.min(Math.max((date - now) / 1000, 0), TOO_LONG);
  const reset = boundedHeader(headers?.["x-ratelimit-reset"], 0, TOO_LONG);
  if (reset !== undefined) return reset;
  return POLICY.defaultRetryAfterSeconds;
}

const isDailyBudgetSpent = (headers: Record<string, unknown> | undefined) =>
  boundedHeader(headers?.["x-daily-ratelimit-token-remaining"], 0, Number.MAX_SAFE_INTEGER) === 0;

/** Headers only the connection sets: a request may not name them, whatever their spacing or case. */
const CONNECTION_HEADERS = new Set(["authorization", "x-api-token", "host", "cookie", "content-length"]);

/** Request headers with trimmed, lower-cased names; refuses the connection's own and malformed names. */
export function requestHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [raw, value] of Object.entries(headers ?? {})) {
    const name = raw.trim().toLowerCase();
    const shown = JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);
    if (CONNECTION_HEADERS.has(name))
      throw new InputError(`Header: ${shown} cannot be set; the connection provides the credentials and host.`);
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name))
      throw new InputError(`Header: ${shown} is not a valid header name (letters, digits and - only).`);
    out[name] = value;
  }
  return out;
}

/** Why an answer was refused outright (never retried), or undefined for an ordinary failure. */
function refusedAnswer(error: AxiosError | undefined): string | undefined {
  const code = util.types.toString(error?.code);
  const message = util.types.toString(error?.message);
  if (code === "ERR_FR_TOO_MANY_REDIRECTS") return `more than ${POLICY.maxRedirects} redirects`;
  if (/maxContentLength/.test(message)) return "an answer larger than the client accepts";
  if (code === "ERR_FR_MAX_BODY_LENGTH_EXCEEDED" || /maxBodyLength/.test(message))
    return "a request body larger than the client sends";
  return undefined;
}

/** The answer's status, unless the body broke off after a 2xx head (a reset mid-body is a network failure). */
const statusOf = (error: AxiosError | undefined): number | undefined => {
  const status = error?.response?.status;
  return status !== undefined && status >= 300 ? status : undefined;
};

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
  private readonly secrets: string[];

  constructor(connection: Connection, options: ClientOptions = {}) {
    const auth = resolveAuth(connection);
    this.origin = auth.origin;
    this.connectionKey = auth.connectionKey;
    this.secrets = auth.secrets;
    this.gate = gateFor(auth.fingerprint);
    this.logger = options.logger;
    this.debug = Boolean(options.debug);
    const maxRetries = options.maxRetries ?? POLICY.maxRetries;
    const maxRateLimitRetries = options.maxRateLimitRetries ?? POLICY.maxRateLimitRetries;
    const maxRetryAfter = options.maxRetryAfterSeconds ?? POLICY.maxRetryAfterSeconds;
    const timeoutMs = options.timeoutMs ?? POLICY.timeoutMs;
    const origin = this.origin;

    // spectral's own debug logging prints the Authorization header, so it stays off; see logRequest.
    this.http = createSpectralClient({
      baseUrl: this.origin,
      headers: { ...auth.headers, Accept: "application/json" },
      timeout: timeoutMs,
      debug: false,
      retryConfig: {
        retries: Math.max(maxRetries, maxRateLimitRetries),
        shouldResetTimeout: true,
        retryCondition: (error: AxiosError) => {
          const attempt = retryCountOf(error.config);
          const status = statusOf(error);
          const method = (error.config?.method ?? "get").toUpperCase();
          if (refusedAnswer(error)) return false;
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
          error.response?.status === 429 ? Math.floor(Math.random() * POLICY.backoff.jitterMs) : backoffMs(retryCount),
      },
    });
    // A redirect keeps the credentials only while it stays on the connection's own origin: a file
    // download that Pipedrive sends on to its storage host goes there without them.
    this.http.defaults.maxRedirects = POLICY.maxRedirects;
    this.http.defaults.beforeRedirect = (redirect: Record<string, unknown>) => {
      if (originOf(redirect.href) === origin) return;
      const headers = (redirect.headers ?? {}) as Record<string, unknown>;
      for (const name of Object.keys(headers))
        if (name.toLowerCase() === "authorization" || name.toLowerCase() === "x-api-token") delete headers[name];
    };
    this.http.defaults.maxContentLength = POLICY.maxResponseBytes;
    this.http.defaults.maxBodyLength = POLICY.maxJsonBodyBytes;
    // Pacing and header tracking sit at the transport, so they see every exchange (retries included)
    // in the order it happens, before the retry logic decides anything.
    const transport = axios.getAdapter(this.http.defaults.adapter);
    this.http.defaults.adapter = async (config) => {
      const slot = await this.gate.acquire();
      // axios's timeout is per idle socket; this one bounds the whole attempt, dripped bodies included.
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), timeoutMs);
      try {
        const response = await transport({ ...config, signal: deadline.signal });
        this.gate.update(response.headers as Record<string, unknown>, slot);
        return response;
      } catch (thrown) {
        const error = deadline.signal.aborted
          ? new AxiosError(`no complete answer within ${timeoutMs} ms`, "ETIMEDOUT", config)
          : thrown;
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
      } finally {
        clearTimeout(timer);
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
    const headers = requestHeaders(options.headers);
    const json =
      options.body !== undefined &&
      !(options.body instanceof FormData) &&
      !(options.body instanceof URLSearchParams) &&
      !Buffer.isBuffer(options.body);
    const data = json ? jsonBody(options.body) : options.body;
    const responseType = options.responseType ?? "json";
    for (const secret of this.secrets) touchSecret(secret);
    const started = Date.now();
    try {
      const response = await this.http.request<T>({
        method: options.method,
        url: path,
        params: cleanQuery(options.query),
        data,
        responseType,
        maxContentLength: responseType === "arraybuffer" ? POLICY.maxDownloadBytes : POLICY.maxResponseBytes,
        // Arrays in the query repeat the key (deal_ids=1&deal_ids=2), the specs' default serialisation.
        paramsSerializer: { indexes: null },
        headers: (json ? { "content-type": "application/json", ...headers } : headers) as RawAxiosRequestHeaders,
      });
      this.logRequest(options.method, path, response.status, started, retryCountOf(response.config));
      // axios hands back the text when a JSON answer does not parse (an HTML page, a truncated body).
      if (responseType === "json" && typeof response.data === "string" && response.data.trim() !== "")
        throw new PipedriveError({
          kind: "badResponse",
          method: options.method,
          path,
          status: response.status,
          retries: retryCountOf(response.config),
          pipedriveError: describeBody(response),
        });
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
    const response = await this.send<Envelope<T[] | { items?: T[] } | null>>({
      method: "GET",
      version: options.version,
      path: options.path,
      pathParams: options.pathParams,
      query: { ...options.query, ...position, limit: pageSize },
    });
    const envelope = response.data;
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
      serverTime: serverTimeOf(response.headers as Record<string, unknown>),
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

/** The answer's Date header in ms, when it is a plausible HTTP date (bounded: it comes from upstream). */
function serverTimeOf(headers: Record<string, unknown>): number | undefined {
  const date = headers?.date;
  if (typeof date !== "string" || date.length > 64) return undefined;
  const ms = Date.parse(date);
  return Number.isFinite(ms) ? ms : undefined;
}

const originOf = (href: unknown): string | undefined => {
  try {
    return new URL(String(href)).origin;
  } catch {
    return undefined;
  }
};

/** A JSON body as one string, refused before sending when it is larger than the policy allows. */
function jsonBody(body: unknown): string {
  const text = JSON.stringify(body);
  if (text !== undefined && text.length > POLICY.maxJsonBodyBytes)
    throw new InputError(
      `The request body is ${megabytes(text.length)}; at most ${megabytes(POLICY.maxJsonBodyBytes)} is sent to Pipedrive in one request. Nothing was sent: split the input or send less.`,
    );
  return text;
}

const describeBody = (response: AxiosResponse): string =>
  `the answer is not valid JSON (${util.types.toString(response.headers["content-type"]) || "no content type"}, ${
    String(response.data).length
  } characters)`;

function toPipedriveError(error: unknown, method: string, path: string): PipedriveError | InputError {
  if (error instanceof PipedriveError || error instanceof InputError) return error;
  const axiosError = error as AxiosError;
  const retries = retryCountOf(axiosError?.config);
  const response = statusOf(axiosError) === undefined ? undefined : axiosError.response;
  if (!response) {
    const code = util.types.toString(axiosError?.code);
    const refused = refusedAnswer(axiosError);
    if (refused) return new PipedriveError({ kind: "badResponse", method, path, retries, pipedriveError: refused });
    const timedOut =
      code === "ECONNABORTED" || code === "ETIMEDOUT" || /timeout/i.test(util.types.toString(axiosError?.message));
    return new PipedriveError({
      kind: timedOut ? "timeout" : "network",
      method,
      path,
      retries,
      pipedriveError: timedOut
        ? undefined
        : axiosError?.response
          ? "the answer broke off before its end"
          : code || "connection failed",
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
