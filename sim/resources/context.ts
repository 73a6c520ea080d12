/** What request handlers see: the store, the clock, the caller and an event sink for webhooks. */
import type { SpecOperation } from "../spec";
import type { Store } from "../store";
import type { ApiVersion, AuthKind, SimRecord } from "../types";

export interface Caller {
  userId: number;
  companyId: number;
  auth: AuthKind;
  /** OAuth client id for bearer tokens, null for API tokens. */
  clientId: string | null;
}

export type EntityAction = "create" | "change" | "delete";

export interface EntityEvent {
  entity: string;
  action: EntityAction;
  entityId: number | string;
  /** Presented current state (null on delete). */
  current: Record<string, unknown> | null;
  /** create: null; change: only the changed fields' old values; delete: the last state. */
  previous: Record<string, unknown> | null;
  userId: number;
}

/** Kept out of the store so that no listing or snapshot can ever show a webhook password. */
export interface WebhookSecret {
  password: string | null;
  /** OAuth app that created the webhook (type "application"), null for API-token webhooks. */
  clientId: string | null;
}

export interface SimCore {
  readonly store: Store;
  now(): number;
  /** Base URL of the simulator (api_domain). */
  readonly url: string;
  emit(event: EntityEvent): void;
  readonly webhookSecrets: Map<number, WebhookSecret>;
}

export interface ApiRequest {
  op: SpecOperation;
  version: ApiVersion;
  method: string;
  pathname: string;
  pathParams: Record<string, unknown>;
  /** Typed query parameters (after validation; comma lists as arrays). */
  query: Record<string, unknown>;
  rawQuery: URLSearchParams;
  body: unknown;
  caller: Caller;
}

export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Handler = (core: SimCore, req: ApiRequest) => ApiResponse;

export type Rec = SimRecord;
