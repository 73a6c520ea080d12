/**
 * Webhook delivery (payload version 2.0): matching, Basic auth, timeout, retries with
 * meta.attempt 1..N and a stable meta.id, at-least-once duplicates, a delivery log and
 * idle/wait helpers for tests.
 *
 * Webhooks registered with version "1.0" are stored and listed but receive no deliveries: the
 * simulator only produces v2 payloads (Pipedrive's default since 2025-03-17).
 */
import * as crypto from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type { EntityEvent } from "./resources/context";
import { COMPANY } from "./seed";
import type { DeliveryRecord, SimRecord } from "./types";
import { safeUrl } from "./util";

export interface WebhookTarget {
  hook: SimRecord;
  password: string | null;
}

interface Job {
  hookId: number;
  url: string;
  authHeader: string | null;
  payload: { meta: Record<string, unknown>; data: unknown; previous: unknown };
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

  /** Schedules one delivery per matching v2 webhook. */
  dispatch(event: EntityEvent, targets: WebhookTarget[], now: number): void {
    if (this.stopped) return;
    for (const { hook, password } of targets) {
      if (hook.version !== "2.0" || hook.is_active !== 1) continue;
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
        url: hook.subscription_url as string,
        authHeader:
          user !== null && user !== undefined
            ? `Basic ${Buffer.from(`${user}:${password ?? ""}`).toString("base64")}`
            : null,
        payload: { meta, data: event.current, previous: event.previous },
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
    const body = JSON.stringify({ ...job.payload, meta: { ...job.payload.meta, attempt: job.attempt } });
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
