/**
 * Pipedrive's app-uninstall notice: when a user uninstalls an app, Pipedrive sends a background
 * `DELETE` to the app's callback URL with the JSON body `{client_id, company_id, user_id, timestamp}`
 * and HTTP Basic `client_id:client_secret`, and ignores the answer. Like webhook deliveries, the
 * simulator sends it to loopback addresses only.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { OAuthApp } from "./types";

export interface UninstallNotice {
  client_id: string;
  company_id: number;
  user_id: number;
  /** ISO 8601 (Pipedrive's docs name the field without showing its format). */
  timestamp: string;
}

export interface UninstallResult {
  /** The callback URL the DELETE went to (the app's redirect URI). */
  url: string;
  body: UninstallNotice;
  /** The receiver's status; Pipedrive ignores it, the simulator reports it for tests. */
  status?: number;
  /** Why nothing was delivered (not loopback, refused, timeout). */
  error?: string;
}

const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i;

export function sendUninstallNotice(app: OAuthApp, body: UninstallNotice, timeoutMs: number): Promise<UninstallResult> {
  const result: UninstallResult = { url: app.redirectUri, body };
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(app.redirectUri);
    } catch {
      resolve({ ...result, error: "invalid callback URL" });
      return;
    }
    if (!LOOPBACK_HOST.test(url.hostname)) {
      resolve({ ...result, error: "the simulator sends uninstall notices only to loopback addresses" });
      return;
    }
    const payload = JSON.stringify(body);
    const headers = {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(payload)),
      authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString("base64")}`,
      "user-agent": "Pipedrive app uninstall (simulator)",
      connection: "close",
    };
    const lib = url.protocol === "https:" ? https : http;
    const req = lib.request(url, { method: "DELETE", headers, agent: false });
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ ...result, status: res.statusCode ?? 0 });
      });
    });
    req.on("error", (e) => {
      clearTimeout(timer);
      resolve({ ...result, error: e.message });
    });
    req.end(payload);
  });
}
