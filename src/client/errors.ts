import { POLICY } from "./policy";
import { redact } from "./redact";

export type FailureKind = "http" | "network" | "timeout" | "dailyBudget" | "invalidInput" | "badResponse";

/** Pipedrive's own words are quoted up to this length: an answer cannot fill an error with its body. */
const MAX_QUOTED = 500;
const quote = (text: string | undefined) =>
  text && redact(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}... (${text.length} characters)` : text);

export interface PipedriveErrorDetails {
  kind: FailureKind;
  method: string;
  /** Path only (e.g. /api/v2/deals/12); never a query string, never a host. */
  path: string;
  status?: number;
  /** Pipedrive's `error` (or `message`) text. */
  pipedriveError?: string;
  /** Pipedrive's `error_info`. */
  errorInfo?: string;
  /** Pipedrive's machine code, e.g. feature_capping_deals_limit. */
  code?: string;
  retries: number;
  /** Seconds until Pipedrive accepts requests again, when known. */
  retryAfterSeconds?: number;
}

/** The one error type the client throws: everything a builder needs, nothing secret. */
export class PipedriveError extends Error {
  override readonly name = "PipedriveError";
  readonly status?: number;
  readonly method: string;
  readonly path: string;
  readonly pipedriveError?: string;
  readonly errorInfo?: string;
  readonly code?: string;
  readonly kind: FailureKind;
  readonly retries: number;
  readonly retryAfterSeconds?: number;

  constructor(details: PipedriveErrorDetails) {
    const bounded = { ...details, pipedriveError: quote(details.pipedriveError), errorInfo: quote(details.errorInfo) };
    super(redact(describe(bounded)));
    this.kind = details.kind;
    this.status = details.status;
    this.method = details.method;
    this.path = details.path;
    this.pipedriveError = bounded.pipedriveError;
    this.errorInfo = bounded.errorInfo;
    this.code = details.code;
    this.retries = details.retries;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }

  toJSON() {
    return {
      name: this.name,
      message: this.message,
      kind: this.kind,
      status: this.status,
      method: this.method,
      path: this.path,
      pipedriveError: this.pipedriveError,
      errorInfo: this.errorInfo,
      code: this.code,
      retries: this.retries,
      retryAfterSeconds: this.retryAfterSeconds,
    };
  }
}

const retriedNote = (retries: number) =>
  retries > 0 ? ` (after ${retries} ${retries === 1 ? "retry" : "retries"})` : "";

function describe(d: PipedriveErrorDetails): string {
  const where = `${d.method} ${d.path}`;
  const said = [d.pipedriveError, d.errorInfo].filter(Boolean).join(" - ");
  const quoted = said ? `: "${said}"` : "";
  switch (d.kind) {
    case "dailyBudget":
      return `Pipedrive's daily API token budget for this company is spent (429 on ${where}). Requests will keep failing until the budget resets at midnight, Pipedrive server time; the request was not retried. Reduce the sync volume or buy a top-up in Pipedrive.`;
    case "timeout":
      return `Pipedrive did not answer ${where} in time${retriedNote(d.retries)}.${
        d.method === "POST"
          ? " It was not re-sent because the create may already have been processed; check Pipedrive before running it again."
          : ""
      }`;
    case "network":
      return `Could not reach Pipedrive for ${where}${retriedNote(d.retries)}${quoted}.${
        d.method === "POST"
          ? " It was not re-sent because the create may already have been processed; check Pipedrive before running it again."
          : ""
      }`;
    case "invalidInput":
      return said;
    case "badResponse":
      return `Pipedrive's answer to ${where} could not be used${d.status ? ` (status ${d.status})` : ""}: ${said}${retriedNote(d.retries)}.${
        d.method === "GET" || d.method === "HEAD"
          ? ""
          : " It was not re-sent because it may already have been processed; check Pipedrive before running it again."
      }`;
    default:
      break;
  }
  const status = d.status ?? 0;
  const head = `Pipedrive answered ${status} to ${where}${quoted}`;
  if (status === 401)
    return `${head}. The connection's credentials were rejected (expired, revoked or wrong token): reconnect the Pipedrive connection.`;
  if (status === 402) return `${head}. The Pipedrive company account is not active (trial ended or payment missing).`;
  if (status === 403) {
    if (/scope/i.test(said)) {
      const missing = /missing scope[^A-Za-z]*(.*)$/i.exec(said)?.[1];
      return `${head}. The connection is not allowed to use this endpoint${
        missing ? `; it needs the OAuth scope ${missing.trim()}` : ""
      }. Add the scope to the app in Pipedrive's Developer Hub, then reconnect.`;
    }
    if (!said)
      return `${head} without a Pipedrive error body (usually Pipedrive's abuse protection after ignoring rate limits). Wait a few minutes before retrying.`;
    return `${head}. The user behind the connection lacks permission for this record or a plan limit was reached${d.code ? ` (${d.code})` : ""}.`;
  }
  if (status === 404) return `${head}. Check that the ID exists and that the connection's user can see it.`;
  if (status === 410) return `${head}. This resource or endpoint is gone for good in Pipedrive.`;
  if (status === 422)
    return /webhook/i.test(said)
      ? `${head}. The user has reached Pipedrive's limit of 40 webhooks: delete unused webhooks (Tools > Webhooks, or the Delete Webhook action) and deploy again.`
      : `${head}. Pipedrive could not process the request as sent.`;
  if (status === 429)
    return `${head}. Pipedrive's rate limit was still exceeded${retriedNote(d.retries)}${
      d.retryAfterSeconds === undefined
        ? ""
        : d.retryAfterSeconds > POLICY.maxRetryAfterSeconds
          ? `; it asks to wait more than ${POLICY.maxRetryAfterSeconds} s, so the request was not retried`
          : `; it asks to wait ${d.retryAfterSeconds} s`
    }.`;
  if (status >= 500)
    return `${head}. Pipedrive had a server error${retriedNote(d.retries)}.${
      d.method === "POST"
        ? " A POST is never re-sent because it may already have been processed; check Pipedrive before running it again."
        : ""
    }`;
  return `${head}.`;
}

/** An input problem found before any request is sent. */
export class InputError extends Error {
  override readonly name = "InputError";
}
