import type { Logger, PipedriveClient } from "../../client";
import { PipedriveError } from "../../client/errors";
import { type BasicCredentials, generateCredentials } from "./credentials";

/** Pipedrive's limit of webhooks per user (general and per app). */
export const WEBHOOK_QUOTA = 40;

/** Pipedrive's webhook payload versions; 2.0 is the default since 2025-03-17. */
export type WebhookVersion = "1.0" | "2.0";

export interface WebhookSpec {
  url: string;
  eventObject: string;
  eventAction: string;
  name: string;
  userId?: number;
  /** Default 2.0. */
  version?: WebhookVersion;
}

export interface WebhookState {
  webhookId: number;
  url: string;
  eventObject: string;
  eventAction: string;
  userId?: number;
  /** Absent in state written before 1.0 was offered: 2.0. */
  version?: WebhookVersion;
  credentials: BasicCredentials;
  /** The connection's Pipedrive company (users/me company_id) when deployed: deliveries from another are refused. */
  companyId?: number;
  /** Recent event ids (meta.id), bounded: see dedupe.ts. */
  seen?: string[];
}

interface PipedriveWebhook {
  id: number;
  subscription_url: string;
  event_object: string;
  event_action: string;
  version: string;
  user_id?: number;
}

export class WebhookQuotaError extends Error {
  override readonly name = "WebhookQuotaError";
}

async function listWebhooks(client: PipedriveClient): Promise<PipedriveWebhook[]> {
  const response = await client.request<{ data: PipedriveWebhook[] | null }>({
    method: "GET",
    version: "v1",
    path: "/webhooks",
  });
  return response.data ?? [];
}

async function deleteWebhook(client: PipedriveClient, id: number): Promise<void> {
  try {
    await client.request({ method: "DELETE", version: "v1", path: "/webhooks/{id}", pathParams: { id } });
  } catch (error) {
    if (error instanceof PipedriveError && (error.status === 404 || error.status === 410)) return;
    throw error;
  }
}

const quotaMessage = (count: number) =>
  `Pipedrive allows ${WEBHOOK_QUOTA} webhooks per user and the connection's user already has ${count}. ` +
  "Delete webhooks you no longer use (Pipedrive: Tools and apps > Webhooks, or this component's Delete Webhook action), then deploy again.";

/**
 * Deploy and redeploy: adopt this flow's webhook when it still matches exactly (same id as in
 * state, URL, object, action, version, user), remove every other webhook pointing at the
 * flow's URL, and create one only when none is left. Repeated deploys leave exactly one.
 */
export async function ensureWebhook(
  client: PipedriveClient,
  spec: WebhookSpec,
  state: WebhookState | undefined,
  logger?: Logger,
  givenCredentials?: BasicCredentials,
): Promise<{ state: WebhookState; created: boolean; removed: number }> {
  const version = spec.version ?? "2.0";
  const all = await listWebhooks(client);
  const pointingHere = all.filter((hook) => hook.subscription_url === spec.url);
  const adopted =
    state &&
    pointingHere.find(
      (hook) =>
        hook.id === state.webhookId &&
        hook.event_object === spec.eventObject &&
        hook.event_action === spec.eventAction &&
        hook.version === version &&
        (spec.userId === undefined || hook.user_id === spec.userId) &&
        (!givenCredentials ||
          (givenCredentials.user === state.credentials.user &&
            givenCredentials.password === state.credentials.password)),
    );
  let removed = 0;
  for (const hook of pointingHere) {
    if (hook === adopted) continue;
    await deleteWebhook(client, hook.id);
    removed += 1;
  }
  if (adopted && state) return { state: { ...state, userId: spec.userId, version }, created: false, removed };

  const remaining = all.length - removed;
  if (remaining >= WEBHOOK_QUOTA) throw new WebhookQuotaError(quotaMessage(remaining));

  const credentials = givenCredentials ?? generateCredentials();
  let created: { data: PipedriveWebhook };
  try {
    created = await client.request<{ data: PipedriveWebhook }>({
      method: "POST",
      version: "v1",
      path: "/webhooks",
      body: {
        subscription_url: spec.url,
        event_action: spec.eventAction,
        event_object: spec.eventObject,
        name: spec.name.slice(0, 255),
        version,
        http_auth_user: credentials.user,
        http_auth_password: credentials.password,
        ...(spec.userId !== undefined ? { user_id: spec.userId } : {}),
      },
    });
  } catch (error) {
    if (error instanceof PipedriveError && error.status === 422) throw new WebhookQuotaError(quotaMessage(remaining));
    throw error;
  }
  logger?.info?.(`Pipedrive webhook ${created.data.id} registered for ${spec.eventObject}.${spec.eventAction}.`);
  return {
    state: {
      webhookId: created.data.id,
      url: spec.url,
      eventObject: spec.eventObject,
      eventAction: spec.eventAction,
      userId: spec.userId,
      version,
      credentials,
    },
    created: true,
    removed,
  };
}

/** Instance delete: remove every webhook whose subscription_url is the flow's URL, state or not. */
export async function removeWebhooks(client: PipedriveClient, url: string): Promise<number> {
  const pointingHere = (await listWebhooks(client)).filter((hook) => hook.subscription_url === url);
  for (const hook of pointingHere) await deleteWebhook(client, hook.id);
  return pointingHere.length;
}

/**
 * The connection's Pipedrive company (kept in the webhook's state, so deliveries from another
 * company are refused). Webhooks only deliver events on records their user can see: says so when
 * that user is no admin (and no Webhook User ID is set).
 */
export async function connectionCompany(
  client: PipedriveClient,
  userId: number | undefined,
  logger?: Logger,
): Promise<number | undefined> {
  const me = await client.request<{ data: { is_admin?: boolean; name?: string; company_id?: number } }>({
    method: "GET",
    version: "v1",
    path: "/users/me",
  });
  const companyId = typeof me.data?.company_id === "number" ? me.data.company_id : undefined;
  if (userId !== undefined) return companyId;
  if (!me.data?.is_admin)
    logger?.warn?.(
      `The connection's Pipedrive user (${me.data?.name ?? "unknown"}) is not an admin: Pipedrive only delivers events on records this user can see. Set Webhook User ID to an admin's ID to receive every event.`,
    );
  return companyId;
}
