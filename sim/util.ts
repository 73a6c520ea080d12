/** Small helpers shared by the simulator modules: time formats, error envelopes, ids. */
import * as crypto from "node:crypto";

export type TimeFormat = "rfc3339" | "v1" | "iso";

/** v2: 2024-07-01T05:46:33Z; v1: 2024-07-01 05:46:33; iso (leads, webhooks): 2024-07-01T05:46:33.123Z */
const lastFormatted: Record<TimeFormat, { ms: number; text: string }> = {
  rfc3339: { ms: Number.NaN, text: "" },
  v1: { ms: Number.NaN, text: "" },
  iso: { ms: Number.NaN, text: "" },
};

export function formatTime(ms: number, format: TimeFormat): string {
  const last = lastFormatted[format];
  if (last.ms === ms) return last.text; // bulk seeding formats the same instant many times
  last.ms = ms;
  last.text = formatUncached(ms, format);
  return last.text;
}

function formatUncached(ms: number, format: TimeFormat): string {
  const iso = new Date(ms).toISOString();
  if (format === "iso") return iso;
  if (format === "v1") return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  return `${iso.slice(0, 19)}Z`;
}

/** Parses any of the three formats (v1 times are UTC). NaN when unparsable or empty. */
export function parseTime(value: unknown): number {
  if (typeof value !== "string" || value === "") return Number.NaN;
  const v = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value) ? `${value.replace(" ", "T")}Z` : value;
  return Date.parse(v);
}

export const ERROR_INFO = "Please check developers.pipedrive.com";
export const VIOLATION_INFO = "Simulator: request does not match the Pipedrive OpenAPI spec";

/** An error that becomes an HTTP answer with Pipedrive's envelope. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;

  constructor(status: number, body: unknown, headers: Record<string, string> = {}) {
    super(
      typeof body === "object" && body && "error" in body
        ? String((body as { error: unknown }).error)
        : `HTTP ${status}`,
    );
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export function errorEnvelope(error: string, extra: Record<string, unknown> = {}) {
  return { success: false, error, error_info: ERROR_INFO, data: null, additional_data: null, ...extra };
}

export function notFound(label: string): ApiError {
  return new ApiError(404, errorEnvelope(`${label} not found`));
}

export function badRequest(message: string, extra: Record<string, unknown> = {}): ApiError {
  return new ApiError(400, errorEnvelope(message, extra));
}

export function randomHex(bytes: number): string {
  return crypto.randomBytes(bytes).toString("hex");
}

/** Deterministic 40-hex key (the shape of Pipedrive custom-field keys). */
export function hashKey(seed: string): string {
  return crypto.createHash("sha1").update(seed).digest("hex");
}

/** mulberry32: a tiny seeded PRNG for deterministic faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const SECRET_NAME = /token|secret|password|passwd|api_?key|auth|signature|sig$/i;

/** Query object for logs, with secret-looking parameters redacted. */
export function redactQuery(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key).map((v) => (SECRET_NAME.test(key) ? "[redacted]" : v));
    out[key] = values.length === 1 ? values[0] : values;
  }
  return out;
}

/** A URL safe to log: userinfo removed, secret-looking query values redacted. */
export function safeUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.username = "";
    u.password = "";
    for (const key of [...new Set(u.searchParams.keys())]) {
      if (SECRET_NAME.test(key)) u.searchParams.set(key, "[redacted]");
    }
    return u.toString();
  } catch {
    return "[invalid url]";
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
