import {
  type ActionContext,
  type Connection,
  type HttpResponse,
  type InputFieldDefinition,
  input,
  type TriggerPayload,
  type TriggerResult,
  trigger,
} from "@prismatic-io/spectral";
import { createPipedriveClient, type PipedriveClient } from "../../client";
import { InputError } from "../../client/errors";
import {
  type FieldEntity,
  fieldCacheState,
  fieldCatalog,
  hasFieldCatalog,
  useFieldCache,
} from "../../customFields/catalog";
import { clean, connectionInput } from "../../inputs";
import { backfillFor } from "./backfill";
import { type BasicCredentials, verifyBasicAuth } from "./credentials";
import { rememberEvent } from "./dedupe";
import { type ChangedField, changedFields, type PipedriveEvent, parseEvent } from "./event";
import { connectionCompany, ensureWebhook, removeWebhooks, type WebhookState, type WebhookVersion } from "./lifecycle";

/** Where each flow keeps its webhook id and Basic credentials (written only by the lifecycle handlers). */
export const webhookStateKey = (context: Pick<ActionContext, "flow">) => `pipedriveWebhook:${context.flow.stableId}`;
/** Flow-scoped instance state: recent event ids, for dedupe. */
export const SEEN_EVENTS_KEY = "pipedriveSeenEvents";

export const BRANCH_EVENT = "Event";
export const BRANCH_IGNORED = "Ignored";
export const BRANCH_REJECTED = "Rejected";

export interface TriggerOutput {
  event: {
    id: string;
    object: string;
    action: string;
    entityId: string | null;
    timestamp: string | null;
    userId: string | null;
    companyId: string | null;
    webhookId: string | null;
    attempt: number | null;
    changeSource: string | null;
  };
  current: Record<string, unknown> | null;
  previous: Record<string, unknown> | null;
  changedFields: ChangedField[];
  [extra: string]: unknown;
}

export interface Delivery {
  event: PipedriveEvent;
  output: TriggerOutput;
  params: Record<string, unknown>;
  /** A client for look-ups (field names, stages), created on first use. */
  client: () => PipedriveClient;
  /** The flow's instance state, for look-ups cached across deliveries. */
  instanceState: Record<string, unknown>;
  /** Entries to keep in the flow's instance state after this delivery. */
  keep: Record<string, unknown>;
}

/** What every webhook trigger declares: its Pipedrive webhook (created, adopted and removed by the lifecycle). */
interface WebhookDefinition {
  label: string;
  description: string;
  /** The Pipedrive event object and action, fixed or from the trigger's inputs. */
  eventObject: string | ((params: Record<string, unknown>) => string);
  eventAction: string | ((params: Record<string, unknown>) => string);
  /** The webhook's payload version; 2.0 unless the trigger's inputs choose. */
  version?: (params: Record<string, unknown>) => WebhookVersion;
  inputs?: Record<string, InputFieldDefinition>;
  /** Credentials the builder typed (kept for Prismatic's pipedriveTrigger); generated otherwise. */
  credentialsFrom?: (params: Record<string, unknown>) => BasicCredentials | undefined;
}

export interface WebhookTriggerDefinition extends WebhookDefinition {
  /** Whether the event runs the flow; a string is the reason it does not (branch Ignored). */
  accept?: (delivery: Delivery) => true | string | Promise<true | string>;
  /** Extra output fields, e.g. a deal's from and to stages. */
  enrich?: (delivery: Delivery) => Promise<Record<string, unknown>>;
  /** Resolve custom field names in changedFields (one fields request per delivery that has custom changes). */
  resolveFieldNames?: boolean;
  example: TriggerOutput;
}

export const webhookUserIdInput = input({
  label: "Webhook User ID",
  type: "string",
  required: false,
  comments:
    "The Pipedrive user whose permissions filter the events. Empty: the connection's user, who only gets events on records they can see. Use an admin's ID to receive every event.",
  example: "1",
  dataSource: "selectUser",
  clean: clean.optionalId("Webhook User ID"),
});

const ok = { statusCode: 200, contentType: "application/json", body: '{"ok":true}' };
const answer = (statusCode: number, message: string) => ({
  statusCode,
  contentType: "application/json",
  body: JSON.stringify({ error: message }),
});

const resolve = <T>(value: T | ((params: Record<string, unknown>) => T), params: Record<string, unknown>) =>
  typeof value === "function" ? (value as (p: Record<string, unknown>) => T)(params) : value;

const flowUrl = (context: ActionContext) => {
  const url = context.webhookUrls?.[context.flow.name];
  if (!url)
    throw new Error(`No webhook URL for flow "${context.flow.name}"; the trigger must be the flow's webhook trigger.`);
  return url;
};

/**
 * Thrown by a trigger without branches to refuse a delivery: the execution fails, so no step of the
 * flow runs on it (the way prism's own component template rejects a bad signature: it throws from
 * perform). `response` (401) is the answer where the caller can see one. The error hook passes it
 * through unchanged.
 */
export class DeliveryRefusedError extends Error {
  override readonly name = "DeliveryRefused";
  readonly response: HttpResponse;
  constructor(message: string, statusCode: number) {
    super(message);
    this.response = answer(statusCode, statusCode === 401 ? "unauthorized" : message);
  }
}

/** True when the delivery carries this flow's Basic credentials (always, in the designer's simulated test runs). */
function isAuthentic(context: ActionContext, payload: TriggerPayload): boolean {
  if (context.isSimulatedTestExecution) return true;
  const state = context.crossFlowState?.[webhookStateKey(context)] as WebhookState | undefined;
  if (state?.credentials && verifyBasicAuth(payload.headers, state.credentials)) return true;
  context.logger?.warn?.(
    "Rejected a webhook delivery without the credentials registered with Pipedrive for this flow.",
  );
  return false;
}

/**
 * Why a delivery that carries this flow's credentials is still not this flow's: it names another
 * company (when the deploy recorded the connection's company) or another webhook; undefined when not.
 */
function foreignDelivery(context: ActionContext, event: PipedriveEvent): string | undefined {
  const state = context.crossFlowState?.[webhookStateKey(context)] as WebhookState | undefined;
  if (!state) return undefined;
  // Pipedrive always sends both; a sender holding the credentials could forge either, so absence proves nothing.
  const { company_id: company, webhook_id: webhook } = event.meta;
  if (state.companyId !== undefined && company != null && String(company) !== String(state.companyId))
    return "its company (meta.company_id) is not the connection's Pipedrive company.";
  if (state.webhookId !== undefined && webhook != null && String(webhook) !== String(state.webhookId))
    return "its webhook (meta.webhook_id) is not this flow's webhook.";
  return undefined;
}

/**
 * The payload as received, with the Authorization header's credentials masked: the webhook password
 * must not reach the execution's output. Everything else (body, other headers) is untouched.
 */
function withoutCredentials(payload: TriggerPayload): TriggerPayload {
  const headers = payload.headers ?? {};
  const key = Object.keys(headers).find((name) => name.toLowerCase() === "authorization");
  if (!key) return payload;
  return { ...payload, headers: { ...headers, [key]: "[redacted]" } };
}

const META_KEPT = ["id", "action", "entity", "entity_id", "timestamp", "company_id", "webhook_id", "attempt"] as const;

/**
 * What a flow's Rejected branch gets of a refused delivery: why, and its metadata (the meta fields
 * above, short values only, and its size), never its body: a forged body is the sender's words.
 */
function refusedDelivery(payload: TriggerPayload, reason: string) {
  const raw = payload.rawBody?.data ?? payload.body?.data;
  let meta: Record<string, unknown> | undefined;
  const parsed = parseEvent(raw);
  if (!("problem" in parsed)) {
    meta = {};
    for (const key of META_KEPT) {
      const value = parsed.meta[key];
      if (typeof value === "number" || (typeof value === "string" && value.length <= 64)) meta[key] = value;
    }
  }
  const bytes =
    typeof raw === "string" || Buffer.isBuffer(raw) ? Buffer.byteLength(raw) : raw ? JSON.stringify(raw).length : 0;
  return {
    rejected: reason,
    delivery: { bytes, ...(meta ? { meta } : {}) },
  };
}

/** Deploy (create or adopt this flow's one webhook) and instance delete (remove every webhook for the flow URL). */
function lifecycleHandlers(definition: WebhookDefinition) {
  return {
    create: async (context: ActionContext, rawParams: unknown) => {
      const params = rawParams as Record<string, unknown>;
      const client = createPipedriveClient(params.connection as Connection, { logger: context.logger });
      const key = webhookStateKey(context);
      const eventObject = resolve(definition.eventObject, params);
      const eventAction = resolve(definition.eventAction, params);
      const { state, created, removed } = await ensureWebhook(
        client,
        {
          url: flowUrl(context),
          eventObject,
          eventAction,
          name: `Prismatic: ${context.instance?.name ?? "instance"} / ${context.flow.name}`,
          userId: params.userId as number | undefined,
          version: definition.version?.(params) ?? "2.0",
        },
        context.crossFlowState?.[key] as WebhookState | undefined,
        context.logger,
        definition.credentialsFrom?.(params),
      );
      context.logger?.info?.(
        `Pipedrive webhook ${state.webhookId} ${created ? "created" : "kept"} for ${eventObject}.${eventAction}${removed ? `; removed ${removed} stale` : ""}.`,
      );
      const companyId = await connectionCompany(client, params.userId as number | undefined, context.logger);
      return { crossFlowState: { [key]: companyId === undefined ? state : { ...state, companyId } } };
    },
    delete: async (context: ActionContext, rawParams: unknown) => {
      const params = rawParams as Record<string, unknown>;
      const client = createPipedriveClient(params.connection as Connection, { logger: context.logger });
      const removed = await removeWebhooks(client, flowUrl(context));
      context.logger?.info?.(`Removed ${removed} Pipedrive webhook(s) pointing at this flow.`);
      return { crossFlowState: { [webhookStateKey(context)]: null } };
    },
  };
}

const examplePayloadOf = (data: unknown) => ({
  headers: { "Content-Type": "application/json" },
  queryParameters: {},
  rawBody: { data: null },
  body: { data },
  pathFragment: "",
  webhookUrls: {},
  webhookApiKeys: {},
  invokeUrl: "",
  executionId: "",
  customer: { id: null, name: null, externalId: null },
  instance: { id: null, name: null },
  user: { id: null, name: null, email: null, externalId: null },
  integration: { id: null, name: null, versionSequenceId: null, externalVersion: null },
  flow: { id: null, name: null },
  startedAt: "",
});

function toOutput(event: PipedriveEvent, changes: ChangedField[]): TriggerOutput {
  const meta = event.meta;
  const text = (value: unknown) => (value === undefined || value === null ? null : String(value));
  return {
    event: {
      id: meta.id,
      object: meta.entity,
      action: meta.action,
      entityId: text(meta.entity_id),
      timestamp: text(meta.timestamp),
      userId: text(meta.user_id),
      companyId: text(meta.company_id),
      webhookId: text(meta.webhook_id),
      attempt: typeof meta.attempt === "number" ? meta.attempt : null,
      changeSource: text(meta.change_source),
    },
    current: event.data,
    previous: event.previous,
    changedFields: changes,
  };
}

/**
 * Field names for a change event's custom fields, from the flow's cache when it has them all; a
 * changed field the cache does not know (created since) fetches the fields again.
 */
async function changedFieldCatalog(client: PipedriveClient, event: PipedriveEvent) {
  const entity = event.meta.entity as FieldEntity;
  const catalog = await fieldCatalog(client, entity);
  const changed = Object.keys(event.previous?.custom_fields ?? {});
  return changed.every((code) => catalog.has(code)) ? catalog : fieldCatalog(client, entity, { refresh: true });
}

/** The one webhook trigger factory: lifecycle, verification, dedupe, shaping, filtering. */
export function webhookTrigger(definition: WebhookTriggerDefinition) {
  const inputs: Record<string, InputFieldDefinition> = {
    connection: connectionInput,
    ...definition.inputs,
    userId: webhookUserIdInput,
  };

  const perform = async (
    context: ActionContext,
    payload: TriggerPayload,
    rawParams: unknown,
  ): Promise<TriggerResult<true, TriggerPayload>> => {
    const params = rawParams as Record<string, unknown>;
    const result = (
      branch: string,
      data: unknown,
      response: HttpResponse,
      instanceState?: Record<string, unknown>,
    ) => ({
      payload: { ...withoutCredentials(payload), body: { ...payload.body, data } },
      branch,
      response,
      ...(instanceState ? { instanceState } : {}),
    });

    const refuse = (reason: string, status: number) => ({
      payload: {
        ...withoutCredentials(payload),
        rawBody: { data: null },
        body: { data: refusedDelivery(payload, reason) },
      },
      branch: BRANCH_REJECTED,
      response: answer(status, reason),
    });

    if (!isAuthentic(context, payload)) return refuse("unauthorized", 401);

    const parsed = parseEvent(payload.body?.data ?? payload.rawBody?.data);
    if ("problem" in parsed) {
      const message = `Not a Pipedrive webhooks v2 delivery: ${parsed.problem}.`;
      context.logger?.warn?.(message);
      return refuse(message, 400);
    }
    const foreign = context.isSimulatedTestExecution ? undefined : foreignDelivery(context, parsed);
    if (foreign) {
      context.logger?.warn?.(`Refused a webhook delivery: ${foreign}`);
      return refuse(foreign, 403);
    }

    const seen = rememberEvent(context.instanceState?.[SEEN_EVENTS_KEY] as string[] | undefined, parsed.meta.id);
    // The flow's other state (the field-name cache) is kept as it was.
    const state = { ...context.instanceState, [SEEN_EVENTS_KEY]: seen.seen };
    if (seen.duplicate)
      return result(BRANCH_IGNORED, { ignored: `duplicate delivery of event ${parsed.meta.id}` }, ok, state);

    let client: PipedriveClient | undefined;
    const getClient = () => {
      if (!client) {
        client = createPipedriveClient(params.connection as Connection, {
          logger: context.logger,
          debug: context.debug?.enabled,
        });
        useFieldCache(client, context.instanceState);
      }
      return client;
    };
    const needsNames =
      definition.resolveFieldNames !== false &&
      parsed.meta.action === "change" &&
      parsed.previous?.custom_fields !== undefined &&
      hasFieldCatalog(parsed.meta.entity);
    const fields = needsNames ? await changedFieldCatalog(getClient(), parsed) : undefined;
    const output = toOutput(parsed, changedFields(parsed, fields));
    const delivery: Delivery = {
      event: parsed,
      output,
      params,
      client: getClient,
      instanceState: context.instanceState ?? {},
      keep: {},
    };
    const withFields = () => ({ ...state, ...(client ? fieldCacheState(client, state) : {}), ...delivery.keep });

    const verdict = definition.accept ? await definition.accept(delivery) : true;
    if (verdict !== true) return result(BRANCH_IGNORED, { ...output, ignored: verdict }, ok, withFields());
    if (definition.enrich) Object.assign(output, await definition.enrich(delivery));
    return result(BRANCH_EVENT, output, ok, withFields());
  };

  return trigger({
    display: { label: definition.label, description: definition.description },
    inputs,
    allowsBranching: true,
    staticBranchNames: [BRANCH_EVENT, BRANCH_IGNORED, BRANCH_REJECTED],
    scheduleSupport: "invalid",
    synchronousResponseSupport: "invalid",
    perform: perform as never,
    // "New record" triggers offer the platform's initial sync on deploy: the records that already exist.
    ...backfillFor(definition.eventObject, definition.eventAction, BRANCH_EVENT),
    webhookLifecycleHandlers: lifecycleHandlers(definition),
    examplePayload: {
      payload: examplePayloadOf(definition.example),
      branch: BRANCH_EVENT,
    } as never,
  });
}

export interface PassThroughTriggerDefinition extends WebhookDefinition {
  /** Every input after the connection, in display order (include webhookUserIdInput where it belongs). */
  inputs: Record<string, InputFieldDefinition>;
  /** Checked before deploy: a reason the inputs cannot make a webhook, or undefined. */
  check?: (params: Record<string, unknown>) => string | undefined;
  /** Pipedrive's delivery body, as a flow sees it at `results.body.data`. */
  example: Record<string, unknown>;
}

/**
 * A trigger with one path whose output is the delivery itself (`results.body.data` is Pipedrive's
 * payload, headers and all as Prismatic received them), as Prismatic's own pipedriveTrigger gives it.
 * It keeps this factory's lifecycle and its credential check; a forged delivery is refused by
 * failing the execution (DeliveryRefusedError, answered 401), so no step runs and no branch is needed.
 */
export function passThroughWebhookTrigger(definition: PassThroughTriggerDefinition) {
  const lifecycle = lifecycleHandlers(definition);
  const checked =
    (handler: typeof lifecycle.create) =>
    (context: ActionContext, params: unknown): ReturnType<typeof lifecycle.create> => {
      const problem = definition.check?.(params as Record<string, unknown>);
      if (problem) throw new InputError(problem);
      return handler(context, params);
    };
  const perform = async (
    context: ActionContext,
    payload: TriggerPayload,
  ): Promise<TriggerResult<false, TriggerPayload>> => {
    if (!isAuthentic(context, payload))
      throw new DeliveryRefusedError(
        "Refused a webhook delivery: it does not carry the HTTP Basic credentials registered with Pipedrive for this flow.",
        401,
      );
    const parsed = context.isSimulatedTestExecution
      ? undefined
      : parseEvent(payload.body?.data ?? payload.rawBody?.data);
    const foreign = parsed && !("problem" in parsed) ? foreignDelivery(context, parsed) : undefined;
    if (foreign) throw new DeliveryRefusedError(`Refused a webhook delivery: ${foreign}`, 403);
    return { payload: withoutCredentials(payload), response: { statusCode: 200, contentType: "application/json" } };
  };
  return trigger({
    display: { label: definition.label, description: definition.description },
    inputs: { connection: connectionInput, ...definition.inputs },
    allowsBranching: false,
    scheduleSupport: "invalid",
    synchronousResponseSupport: "invalid",
    perform: perform as never,
    webhookLifecycleHandlers: { create: checked(lifecycle.create), delete: lifecycle.delete },
    examplePayload: { payload: examplePayloadOf(definition.example) } as never,
  });
}
