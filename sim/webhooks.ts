/**
 * Webhook delivery: matching, Basic auth, timeout, retries with meta.attempt 1..N (v1: `retry`
 * 0..N-1) and a stable event id, at-least-once duplicates, a delivery log and idle/wait helpers
 * for tests.
 *
 * Payloads follow the webhook's version: 2.0 (Pipedrive's default since 2025-03-17: meta, data,
 * previous with only the changed fields) or 1.0 (v, event, meta in v1 form, current, previous as
 * the whole earlier record, custom fields as top-level keys, v1 times). Objects that only webhooks
 * v2 know (lead, project, task, ...) are refused for 1.0 webhooks when they are created.
 */
import * as crypto from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type { EntityEvent } from "./resources/context";
import { COMPANY } from "./seed";
import type { DeliveryRecord, SimRecord } from "./types";
import { formatTime, isPlainObject, parseTime, safeUrl } from "./util";

/** Objects only webhooks v2 deliver (Pipedrive's webhooks v2 guide: "object types not available in v1"). */
export const V2_ONLY_OBJECTS = ["lead", "board", "deal_installment", "deal_product", "phase", "project", "task"];

const V1_ACTIONS: Record<EntityEvent["action"], string> = { create: "added", change: "updated", delete: "deleted" };
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A v2-shaped record in webhooks v1 form: custom fields as top-level keys, v1 times. */
function v1Record(record: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!record) return null;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === "custom_fields" && isPlainObject(value)) {
      for (const [code, custom] of Object.entries(value))
        out[code] = isPlainObject(custom) && "value" in custom ? custom.value : custom;
    } else if (typeof value === "string" && RFC3339.test(value)) {
      out[key] = formatTime(parseTime(value), "v1");
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** v1's `previous` is the whole record before the change; v2's holds only the changed fields. */
function v1Previous(event: EntityEvent): Record<string, unknown> | null {
  if (event.action !== "change" || !event.current || !event.previous) return v1Record(event.previous);
  const customBefore = isPlainObject(event.previous.custom_fields) ? event.previous.custom_fields : {};
  const customNow = isPlainObject(event.current.custom_fields) ? event.current.custom_fields : undefined;
  return v1Record({
    ...event.current,
    ...event.previous,
    ...(customNow ? { custom_fields: { ...customNow, ...customBefore } } : {}),
  });
}

export interface WebhookTarget {
  hook: SimRecord;
  password: string | null;
}

interface Job {
  hookId: number;
  version: "1.0" | "2.0";
  url: string;
  authHeader: string | null;
  payload: Record<string, unknown> & { meta: Record<string, unknown> };
  eventId: string;
  entity: string;
  action: EntityEvent["action"];
  attempt: number;
  duplicate: boolean;
}

export interface DispatcherOptions {
  timeoutMs: number;
  retryDelaysMs: number[];
  /** Is the webhook still registered? (deleted webhooks stop retrying) */
  exists: (hookId: number) => boolean;
  /** Records last_delivery_time / last_http_status on the webhook. */
  onAttempt: (hookId: number, status: number | null, at: number) => void;
  permittedUserIds: () => string[];
}

export class WebhookDispatcher {
  readonly deliveries: DeliveryRecord[] = [];
  opts: DispatcherOptions;
  private pending = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<http.ClientRequest>();
  private idleWaiters: Array<() => void> = [];
  private countWaiters: Array<{ n: number; resolve: () => void }> = [];
  private duplicateRate = 0;
  private duplicateNext = 0;
  private stopped = false;
  private generation = 0;

  constructor(opts: DispatcherOptions) {
    this.opts = opts;
  }

  setDuplicates(rate: number): void {
    this.duplicateRate = rate;
  }

  duplicateNextDeliveries(n: number): void {
    this.duplicateNext += n;
  }

  /** Schedules one delivery per matching webhook, in the webhook's payload version. */
  dispatch(event: EntityEvent, targets: WebhookTarget[], now: number): void {
    if (this.stopped) return;
    for (const { hook, password } of targets) {
      if (hook.is_active !== 1) continue;
      const version = hook.version === "1.0" ? "1.0" : "2.0";
      if (version === "1.0" && V2_ONLY_OBJECTS.includes(event.entity)) continue;
      const objectOk = hook.event_object === "*" || hook.event_object === event.entity;
      const actionOk = hook.event_action === "*" || hook.event_action === event.action;
      if (!objectOk || !actionOk) continue;
      const eventId = crypto.randomUUID();
      const meta: Record<string, unknown> = {
        action: event.action,
        entity: event.entity,
        company_id: String(COMPANY.id),
        correlation_id: crypto.randomUUID(),
        entity_id: String(event.entityId),
        id: eventId,
        is_bulk_edit: false,
        timestamp: new Date(now).toISOString(),
        type: hook.type,
        user_id: String(event.userId),
        version: "2.0",
        webhook_id: String(hook.id),
        webhook_owner_id: String(hook.owner_id),
        change_source: "api",
        attempt: 1,
        host: `${COMPANY.domain}.pipedrive.com`,
      };
      if (event.entity !== "user") meta.permitted_user_ids = this.opts.permittedUserIds();
      const user = hook.http_auth_user as string | null;
      const job: Job = {
        hookId: hook.id as number,
        version,
        url: hook.subscription_url as string,
        authHeader:
          user !== null && user !== undefined
            ? `Basic ${Buffer.from(`${user}:${password ?? ""}`).toString("base64")}`
            : null,
        payload:
          version === "2.0"
            ? { meta, data: event.current, previous: event.previous }
            : this.v1Payload(event, hook, now),
        eventId,
        entity: event.entity,
        action: event.action,
        attempt: 1,
        duplicate: false,
      };
      this.schedule(job, 0);
      if (this.duplicateNext > 0 || (this.duplicateRate > 0 && Math.random() < this.duplicateRate)) {
        if (this.duplicateNext > 0) this.duplicateNext--;
        this.schedule({ ...job, duplicate: true }, 0);
      }
    }
  }

  private v1Payload(event: EntityEvent, hook: SimRecord, now: number): Job["payload"] {
    const action = V1_ACTIONS[event.action];
    const matches = { current: [], previous: [] };
    const meta: Record<string, unknown> = {
      v: 1,
      action,
      object: event.entity,
      id: event.entityId,
      company_id: COMPANY.id,
      user_id: event.userId,
      host: `${COMPANY.domain}.pipedrive.com`,
      timestamp: Math.floor(now / 1000),
      timestamp_micro: now * 1000,
      permitted_user_ids: this.opts.permittedUserIds().map(Number),
      trans_pending: false,
      is_bulk_update: false,
      pipedrive_service_name: false,
      change_source: "api",
      matches_filters: matches,
      webhook_id: String(hook.id),
    };
    return {
      v: 1,
      matches_filters: matches,
      meta,
      current: v1Record(event.current),
      previous: v1Previous(event),
      event: `${action}.${event.entity}`,
      retry: 0,
    };
  }

  private schedule(job: Job, delayMs: number): void {
    this.pending++;
    const generation = this.generation;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (generation !== this.generation) return;
      void this.attempt(job, generation).finally(() => {
        if (generation !== this.generation) return;
        this.pending--;
        this.checkIdle();
      });
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private async attempt(job: Job, generation: number): Promise<void> {
    if (this.stopped || !this.opts.exists(job.hookId)) return;
    const body = JSON.stringify(
      job.version === "2.0"
        ? { ...job.payload, meta: { ...job.payload.meta, attempt: job.attempt } }
        : { ...job.payload, retry: job.attempt - 1 },
    );
    const at = Date.now();
    let status: number | undefined;
    let error: string | undefined;
    try {
      status = await this.post(job, body);
    } catch (e) {
      error = (e as Error).message;
    }
    if (this.stopped || generation !== this.generation) return;
    this.opts.onAttempt(job.hookId, status ?? null, at);
    this.record({
      webhookId: job.hookId,
      url: safeUrl(job.url),
      eventId: job.eventId,
      attempt: job.attempt,
      ...(status !== undefined ? { status } : {}),
      ...(error !== undefined ? { error } : {}),
      entity: job.entity,
      action: job.action,
      duplicate: job.duplicate,
      at,
    });
    const success = status !== undefined && status >= 200 && status < 300;
    if (!success && !job.duplicate && job.attempt <= this.opts.retryDelaysMs.length) {
      this.schedule({ ...job, attempt: job.attempt + 1 }, this.opts.retryDelaysMs[job.attempt - 1]);
    }
  }

  private post(job: Job, body: string): Promise<number> {
    return new Promise((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(job.url);
      } catch {
        reject(new Error("invalid subscription URL"));
        return;
      }
      // The simulator never sends traffic off this machine: only loopback subscribers get deliveries.
      if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i.test(url.hostname)) {
        reject(new Error("the simulator delivers only to loopback addresses"));
        return;
      }
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)),
        "user-agent": "Pipedrive Webhooks (simulator)",
        connection: "close",
      };
      if (job.authHeader) headers.authorization = job.authHeader;
      const lib = url.protocol === "https:" ? https : http;
      const req = lib.request(url, { method: "POST", headers, agent: false });
      this.inflight.add(req);
      const timer = setTimeout(
        () => req.destroy(new Error(`timeout after ${this.opts.timeoutMs} ms`)),
        this.opts.timeoutMs,
      );
      const done = () => {
        clearTimeout(timer);
        this.inflight.delete(req);
      };
      req.on("response", (res) => {
        res.resume();
        res.on("end", () => {
          done();
          resolve(res.statusCode ?? 0);
        });
        res.on("error", (e) => {
          done();
          reject(e);
        });
      });
      req.on("error", (e) => {
        done();
        reject(e);
      });
      req.end(body);
    });
  }

  private record(d: DeliveryRecord): void {
    this.deliveries.push(d);
    this.countWaiters = this.countWaiters.filter((w) => {
      if (this.deliveries.length >= w.n) {
        w.resolve();
        return false;
      }
      return true;
    });
  }

  private checkIdle(): void {
    if (this.pending > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  get pendingCount(): number {
    return this.pending;
  }

  /** Resolves when no delivery (first attempt, retry or duplicate) is pending. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves once `n` delivery attempts have been logged; rejects after `timeoutMs`. */
  waitForDeliveries(n: number, timeoutMs = 5000): Promise<DeliveryRecord[]> {
    if (this.deliveries.length >= n) return Promise.resolve(this.deliveries.slice());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.countWaiters = this.countWaiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `waitForDeliveries: expected ${n} deliveries within ${timeoutMs} ms, got ${this.deliveries.length}`,
          ),
        );
      }, timeoutMs);
      const waiter = {
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.deliveries.slice());
        },
      };
      this.countWaiters.push(waiter);
    });
  }

  /** Cancels everything pending and clears the log (sim.reset). */
  reset(): void {
    this.cancelAll();
    this.deliveries.length = 0;
    this.duplicateRate = 0;
    this.duplicateNext = 0;
  }

  stop(): void {
    this.stopped = true;
    this.cancelAll();
  }

  private cancelAll(): void {
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const r of this.inflight) r.destroy();
    this.inflight.clear();
    this.pending = 0;
    this.checkIdle();
  }
}
