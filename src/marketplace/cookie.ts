/**
 * The install cookie: binds a pending Pipedrive code (kept server-side) to the browser that brought
 * it. Its value is `<id>.<expiresAt>.<HMAC-SHA256(secret, "pd-install.v1|id|expiresAt")>`, all
 * base64url / decimal, so it can be neither forged nor extended; the id itself is 24 random bytes.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const CONTEXT = "pd-install.v1";
const ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;
const SIG_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A fresh, unguessable id for a pending code (24 random bytes, base64url). */
export function newPendingId(): string {
  return randomBytes(24).toString("base64url");
}

function mac(secret: Buffer, id: string, expiresAt: number): Buffer {
  return createHmac("sha256", secret).update(`${CONTEXT}|${id}|${expiresAt}`).digest();
}

/** The secret as bytes; at least 32 bytes so the HMAC key is strong enough. */
export function cookieKey(secret: string | Buffer): Buffer {
  const key = typeof secret === "string" ? Buffer.from(secret, "utf8") : Buffer.from(secret);
  if (key.length < 32) throw new Error("cookieSecret: use at least 32 random bytes (e.g. openssl rand -hex 32).");
  return key;
}

export function signCookieValue(secret: Buffer, id: string, expiresAt: number): string {
  return `${id}.${expiresAt}.${mac(secret, id, expiresAt).toString("base64url")}`;
}

export type CookieCheck =
  | { ok: true; id: string; expiresAt: number }
  | { ok: false; reason: "malformed" | "signature" | "expired" };

/** Checks the format, then the HMAC in constant time, then the expiry. */
export function verifyCookieValue(secret: Buffer, value: string, now: number): CookieCheck {
  const parts = value.split(".");
  if (parts.length !== 3) return { ok: false, reason: "malformed" };
  const [id, exp, sig] = parts;
  if (!ID_PATTERN.test(id) || !/^\d{1,15}$/.test(exp) || !SIG_PATTERN.test(sig))
    return { ok: false, reason: "malformed" };
  const expiresAt = Number(exp);
  const given = Buffer.from(sig, "base64url");
  const expected = mac(secret, id, expiresAt);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "signature" };
  if (expiresAt <= now) return { ok: false, reason: "expired" };
  return { ok: true, id, expiresAt };
}

/** The value of one cookie from a Cookie header (first occurrence), or undefined. */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  const text = Array.isArray(header) ? header.join("; ") : (header ?? "");
  for (const part of text.split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export interface CookieAttributes {
  path: string;
  maxAgeSeconds: number;
  /** Secure is on unless turned off for a plain-http development setup. */
  secure: boolean;
}

/** Set-Cookie for the install cookie: HttpOnly, Secure, SameSite=Lax, scoped to one path. */
export function serializeCookie(name: string, value: string, attrs: CookieAttributes): string {
  const parts = [
    `${name}=${value}`,
    `Path=${attrs.path}`,
    `Max-Age=${Math.max(0, Math.floor(attrs.maxAgeSeconds))}`,
    "HttpOnly",
  ];
  if (attrs.secure) parts.push("Secure");
  parts.push("SameSite=Lax");
  return parts.join("; ");
}
