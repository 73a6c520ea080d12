/**
 * The HTTP side: node:http server and the request pipeline.
 *
 * API requests (/api/v1/*, /api/v2/*, legacy /v1/*) go through, in order:
 *   auth (401) -> burst limit (429) -> 429 storm -> one-shot injection -> random faults ->
 *   routing (404 + violation) -> OAuth scope (403) -> daily budget (429) ->
 *   validation (400 + violation) -> handler (stateful or generic) -> afterCommit injection.
 * Every API answer carries the x-ratelimit-* and x-daily-ratelimit-token-* headers.
 * OAuth routes (/oauth/*, /marketplace/install) are served at the root.
 */
import * as crypto from "node:crypto";
import type * as http from "node:http";
import type { Credentials } from "./auth";
import type { Faults } from "./faults";
import { type BurstLimiter, type BurstResult, DailyBudget, rateLimitHeaders } from "./limits";
import type { OAuthServer } from "./oauth";
import type { ApiRequest, ApiResponse, SimCore } from "./resources/context";
import {
  genericHandler,
  type HandlerMap,
  handlerKey,
  topLevelCustomKeyCheck,
  ViolationError,
} from "./resources/generic";
import { type LoadedSpecs, validateRequest, validateResponse } from "./spec";
import type {
  ApiVersion,
  DeprecatedCall,
  GenericCall,
  InjectSpec,
  RecordedBody,
  RecordedRequest,
  SimStats,
  Violation,
} from "./types";
import { ApiError, ERROR_INFO, errorEnvelope, redactQuery, sleep, VIOLATION_INFO } from "./util";

const MAX_BODY = 10 * 1024 * 1024;

/** Everything the simulator records about the traffic it saw. */
export class TrafficLog {
  violations: Violation[] = [];
  deprecatedCalls: DeprecatedCall[] = [];
  genericCalls: GenericCall[] = [];
  requests: RecordedRequest[] = [];
  stats: SimStats = { requests: 0, rateLimited: 0, violations: 0, byOperation: {} };
  maxRequests: number;

  constructor(maxRequests: number) {
    this.maxRequests = maxRequests;
  }

  violation(v: Violation): void {
    this.violations.push(v);
    this.stats.violations++;
  }

  request(r: RecordedRequest): void {
    this.requests.push(r);
    // drop the oldest in chunks (10%) so a long benchmark doesn't pay a splice per request
    if (this.requests.length > this.maxRequests * 1.1) this.requests.splice(0, this.requests.length - this.maxRequests);
  }

  clear(): void {
    this.violations = [];
    this.deprecatedCalls = [];
    this.genericCalls = [];
    this.requests = [];
    this.stats = { requests: 0, rateLimited: 0, violations: 0, byOperation: {} };
  }
}

export interface PipelineState {
  specs: LoadedSpecs;
  handlers: HandlerMap;
  core: SimCore;
  credentials: Credentials;
  oauth: OAuthServer;
  burst: BurstLimiter;
  budget: DailyBudget;
  faults: Faults;
  log: TrafficLog;
  /** SimulatorOptions.validateResponses. */
  validateResponses: boolean;
  /** SimulatorOptions.recordBodies. */
  recordBodies: boolean;
}

interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  entry: RecordedRequest;
  state: PipelineState;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(x: Exchange, status: number, body: unknown, headers: Record<string, string> = {}): void {
  x.entry.status = status;
  if (status === 429) x.state.log.stats.rateLimited++;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  x.res.writeHead(status, {
    // Pipedrive's clock, whole seconds, as every answer carries it: polling triggers read it.
    date: new Date(x.state.core.now()).toUTCString(),
    "content-type": "application/json; charset=utf-8",
    "x-correlation-id": crypto.randomUUID(),
    ...headers,
  });
  x.res.end(text);
  x.state.log.request(x.entry);
}

function resetConnection(x: Exchange): void {
  x.entry.status = 0;
  x.state.log.request(x.entry);
  x.req.socket.destroy();
}

function sendInjected(x: Exchange, inj: InjectSpec, headers: Record<string, string>): void {
  if (inj.reset) {
    resetConnection(x);
    return;
  }
  const status = inj.status ?? 500;
  const body =
    inj.body ??
    (status === 429
      ? { success: false, error: "Request over limit", errorCode: 429 }
      : errorEnvelope(`Simulated failure (HTTP ${status}) injected by the Pipedrive simulator`));
  send(x, status, body, { ...headers, ...(inj.headers ?? {}) });
}

/** The body as a contract test compares it: JSON parsed, form and multipart fields by name, files by name and size. */
async function parseRecordedBody(contentType: string | undefined, rawBody: Buffer): Promise<RecordedBody> {
  if (rawBody.length === 0) return { kind: "none", value: null };
  const ct = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (ct === "application/x-www-form-urlencoded")
    return { kind: "form", value: Object.fromEntries(new URLSearchParams(rawBody.toString("utf8"))) };
  if (ct === "multipart/form-data") {
    const value: Record<string, string | { filename: string; size: number }> = {};
    try {
      const form = await new Response(new Uint8Array(rawBody), {
        headers: { "content-type": contentType ?? "" },
      }).formData();
      for (const [name, part] of form)
        value[name] = typeof part === "string" ? part : { filename: part.name, size: part.size };
    } catch {
      // an unparseable multipart body is recorded empty; the contract test then shows the difference
    }
    return { kind: "multipart", value };
  }
  try {
    return { kind: "json", value: JSON.parse(rawBody.toString("utf8")) };
  } catch {
    return { kind: "json", value: rawBody.toString("utf8") };
  }
}

function apiPrefix(pathname: string): { version: ApiVersion; rest: string } | null {
  const m = /^\/api\/(v1|v2)(\/.*)?$/.exec(pathname) ?? /^\/(v1)(\/.*)?$/.exec(pathname);
  if (!m) return null;
  return { version: m[1] as ApiVersion, rest: m[2] ?? "" };
}

export async function handleRequest(state: PipelineState, req: http.IncomingMessage, res: http.ServerResponse) {
  const at = state.core.now();
  let rawBody: Buffer;
  try {
    rawBody = await readBody(req);
  } catch {
    res.destroy();
    return;
  }
  const url = new URL(req.url ?? "/", "http://simulator.invalid");
  const method = (req.method ?? "GET").toUpperCase();
  const entry: RecordedRequest = {
    method,
    path: url.pathname,
    query: redactQuery(url.searchParams),
    status: 0,
    operationId: null,
    version: null,
    auth: "none",
    at,
  };
  const x: Exchange = { req, res, entry, state };
  if (state.recordBodies) entry.body = await parseRecordedBody(req.headers["content-type"], rawBody);
  state.log.stats.requests++;
  try {
    const api = apiPrefix(url.pathname);
    if (api) {
      await handleApi(x, url, method, rawBody, api.version, api.rest);
      if (url.searchParams.has("api_token")) {
        // accepted (legacy), but tokens must never travel in URLs
        state.log.violation({
          method,
          path: url.pathname,
          operationId: entry.operationId,
          version: api.version,
          reasons: [
            "api_token sent in the query string (legacy): send the x-api-token header so tokens never appear in URLs",
          ],
          status: entry.status,
          at,
        });
      }
    } else {
      handleOther(x, url, method, rawBody);
    }
  } catch (e) {
    // a bug in the simulator itself: answer 500 and say so on stderr
    console.error("[pipedrive-sim] internal error:", e);
    if (!res.headersSent) send(x, 500, errorEnvelope("Simulator internal error"));
  }
}

function handleOther(x: Exchange, url: URL, method: string, rawBody: Buffer): void {
  const { state } = x;
  const inj = state.faults.takeInjection(method, url.pathname, null, false, "before");
  if (inj) {
    sendInjected(x, inj, {});
    return;
  }
  const answer = state.oauth.handle(method, url, x.req, rawBody);
  if (answer) {
    const after = state.faults.takeInjection(method, url.pathname, null, false, "after");
    if (after) sendInjected(x, after, {});
    else send(x, answer.status, answer.body, answer.headers);
    return;
  }
  if (url.pathname === "/" || url.pathname === "/health") {
    send(x, 200, {
      success: true,
      data: { name: "pipedrive-simulator", api: ["/api/v1", "/api/v2"], oauth: "/oauth" },
    });
    return;
  }
  if (url.pathname === "/favicon.ico") {
    send(x, 404, errorEnvelope("Not found"));
    return;
  }
  state.log.violation({
    method,
    path: url.pathname,
    operationId: null,
    version: null,
    reasons: [`${method} ${url.pathname} is not a Pipedrive API path (expected /api/v1/..., /api/v2/... or /v1/...)`],
    status: 404,
    at: x.entry.at,
  });
  send(x, 404, {
    success: false,
    error: "Unknown method .",
    error_info: ERROR_INFO,
    data: null,
    additional_data: null,
  });
}

async function handleApi(x: Exchange, url: URL, method: string, rawBody: Buffer, version: ApiVersion, rest: string) {
  const { state, entry } = x;
  const { core, log } = state;
  entry.version = version;
  const now = core.now();

  // 1. auth
  const auth = state.credentials.authenticate(x.req, url.searchParams, now);
  entry.auth = auth.auth;
  if (!auth.ok) {
    const headers = rateLimitHeaders(state.burst.peek("\0anonymous", now), state.budget);
    send(
      x,
      401,
      { success: false, error: "unauthorized access", errorCode: 401, error_info: ERROR_INFO },
      { ...headers, "x-401-by-gw": "true" },
    );
    return;
  }
  const principal = auth.principal;
  const tokenInUrl = url.searchParams.has("api_token");

  // 2. burst limit (per token)
  const limiterKey =
    (x.req.headers["x-api-token"] as string | undefined) ??
    x.req.headers.authorization ??
    `q:${url.searchParams.get("api_token")}`;
  const burst: BurstResult = state.burst.hit(limiterKey, now);
  let headers = rateLimitHeaders(burst, state.budget);
  if (!burst.allowed) {
    send(
      x,
      429,
      { success: false, error: "Request over limit", errorCode: 429 },
      { ...headers, "retry-after": String(burst.resetSec) },
    );
    return;
  }

  // 3. storms and injected / random faults
  const storm = state.faults.takeStorm();
  if (storm) {
    const h: Record<string, string> = {
      ...headers,
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String(storm.resetSec),
    };
    if (storm.retryAfterSec !== null) h["retry-after"] = String(storm.retryAfterSec);
    send(x, 429, { success: false, error: "Request over limit", errorCode: 429 }, h);
    return;
  }
  const inj = state.faults.takeInjection(method, url.pathname, rest, true, "before");
  if (inj) return sendInjected(x, inj, headers);
  const fault = state.faults.roll();
  if (fault.latencyMs > 0) await sleep(fault.latencyMs);
  if (fault.kind === "reset") return resetConnection(x);
  if (fault.kind === "5xx") {
    send(x, fault.status ?? 500, errorEnvelope("Simulated server error (random fault)"), headers);
    return;
  }

  // 4. routing
  const match = state.specs[version].match(method, rest);
  if ("error" in match) {
    const why =
      match.error === "method_not_allowed"
        ? `${method} is not defined for ${rest} in the Pipedrive ${version} spec`
        : `${method} ${rest || "/"} is not an operation of the Pipedrive ${version} spec`;
    log.violation({
      method,
      path: url.pathname,
      operationId: null,
      version,
      reasons: [why],
      status: 404,
      at: entry.at,
    });
    send(
      x,
      404,
      { success: false, error: "Unknown method .", error_info: ERROR_INFO, data: null, additional_data: null },
      headers,
    );
    return;
  }
  const op = match.op;
  entry.operationId = op.operationId;
  log.stats.byOperation[op.operationId] = (log.stats.byOperation[op.operationId] ?? 0) + 1;

  // 5. OAuth scopes (API tokens have all; admin passes everything; base is always granted)
  if (principal.scopes && op.scopes?.length) {
    const s = principal.scopes;
    const granted = s.has("admin") || op.scopes.includes("base") || op.scopes.some((needed) => s.has(needed));
    if (!granted) {
      send(
        x,
        403,
        {
          success: false,
          error: "Scope and URL mismatch",
          error_info: `Missing scope: one of ${op.scopes.join(", ")}`,
          data: null,
          additional_data: null,
        },
        headers,
      );
      return;
    }
  }

  // 6. daily token budget (per company)
  if (!state.budget.charge(op.tokenCost)) {
    const wait = DailyBudget.secondsUntilReset(now);
    send(
      x,
      429,
      {
        success: false,
        error:
          "Daily API token budget exhausted: the company has spent today's token budget; requests fail until it resets at midnight (server time)",
        errorCode: 429,
        error_info: ERROR_INFO,
      },
      { ...headers, "x-daily-ratelimit-token-remaining": "0", "retry-after": String(wait) },
    );
    return;
  }
  headers = rateLimitHeaders(burst, state.budget);

  // 7. contract validation
  const v = validateRequest(op, {
    pathParams: match.params,
    query: url.searchParams,
    ignoreQuery: tokenInUrl ? ["api_token"] : [],
    contentType: x.req.headers["content-type"],
    rawBody,
    allowBodyKey: topLevelCustomKeyCheck(core, op),
  });
  if (v.reasons.length) {
    log.violation({
      method,
      path: url.pathname,
      operationId: op.operationId,
      version,
      reasons: v.reasons,
      status: 400,
      at: entry.at,
    });
    send(
      x,
      400,
      { success: false, error: v.reasons.join("; "), error_info: VIOLATION_INFO, data: null, additional_data: null },
      headers,
    );
    return;
  }
  if (op.deprecated) {
    log.deprecatedCalls.push({ method, path: url.pathname, operationId: op.operationId, version, at: entry.at });
  }

  // 8. the handler
  const key = handlerKey(version, op.operationId);
  let handler = state.handlers.get(key);
  if (!handler) {
    handler = genericHandler;
    log.genericCalls.push({ method, path: url.pathname, operationId: op.operationId, version, at: entry.at });
  }
  const apiReq: ApiRequest = {
    op,
    version,
    method,
    pathname: url.pathname,
    pathParams: v.pathParams,
    query: v.query,
    rawQuery: url.searchParams,
    body: v.body,
    caller: {
      userId: principal.userId,
      companyId: principal.companyId,
      auth: auth.auth,
      clientId: principal.clientId,
    },
  };
  let result: ApiResponse;
  try {
    result = handler(core, apiReq);
  } catch (e) {
    if (e instanceof ApiError) {
      result = { status: e.status, body: e.body, headers: e.headers };
    } else if (e instanceof ViolationError) {
      log.violation({
        method,
        path: url.pathname,
        operationId: op.operationId,
        version,
        reasons: e.reasons,
        status: 400,
        at: entry.at,
      });
      result = {
        status: 400,
        body: {
          success: false,
          error: e.reasons.join("; "),
          error_info: VIOLATION_INFO,
          data: null,
          additional_data: null,
        },
      };
    } else {
      throw e;
    }
  }
  if (state.validateResponses && result.status >= 200 && result.status < 300) {
    const reasons = validateResponse(op, result.body);
    if (reasons.length)
      log.violation({
        method,
        path: url.pathname,
        operationId: op.operationId,
        version,
        reasons,
        status: result.status,
        at: entry.at,
      });
  }
  const after = state.faults.takeInjection(method, url.pathname, rest, true, "after");
  if (after) {
    sendInjected(x, after, headers);
  } else {
    send(x, result.status, result.body, { ...headers, ...(result.headers ?? {}) });
  }
}
