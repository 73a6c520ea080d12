/**
 * The optional backfill of a webhook "new record" trigger: spectral's onDeployPerform and
 * onDeployResolver (the platform's initial sync on deploy, which a flow opts into). It lists the
 * records that already exist, one page a perform, and hands them to the flow in batches shaped
 * like a create delivery (branch Event), so the flow's steps read them on the same paths. Records
 * created after the backfill began are left to the webhook. A finished backfill is remembered in
 * instance state: a redeploy sends nothing again unless Backfill From changes.
 */
import { type ActionContext, type Connection, input, type TriggerPayload } from "@prismatic-io/spectral";
import { createPipedriveClient, type Pagination, type Query } from "../../client";
import { clean } from "../../inputs";
import { DEFAULT_BATCH_SIZE, iso, toMillis } from "../sync";
import type { TriggerOutput } from "./factory";

interface Source {
  version: "v1" | "v2";
  path: string;
  pagination: Pagination;
  /** v2 lists that take updated_since narrow the listing on the server (a record added since X was updated since X). */
  updatedSince?: boolean;
}

/** Where the existing records of each webhook event object are listed. */
const SOURCES: Record<string, Source> = {
  deal: { version: "v2", path: "/deals", pagination: "cursor", updatedSince: true },
  person: { version: "v2", path: "/persons", pagination: "cursor", updatedSince: true },
  organization: { version: "v2", path: "/organizations", pagination: "cursor", updatedSince: true },
  activity: { version: "v2", path: "/activities", pagination: "cursor", updatedSince: true },
  product: { version: "v2", path: "/products", pagination: "cursor" },
  lead: { version: "v1", path: "/leads", pagination: "offset" },
  note: { version: "v1", path: "/notes", pagination: "offset" },
};

export const BACKFILL_STATE_KEY = "pipedriveBackfill";

interface BackfillPosition extends Record<string, unknown> {
  from?: string | number;
  /** Records added after this time (the backfill's start) are the webhook's. */
  cutoff: string;
}

export const backfillFromInput = input({
  label: "Backfill From",
  type: "string",
  required: false,
  example: "2026-01-01",
  comments:
    "With the flow's initial sync on deploy: send the records added on or after this date (a date or a date-time with a time zone) before the webhook's deliveries. Empty: every existing record. A redeploy does not send them again unless this changes.",
  clean: clean.optionalDateTime("Backfill From"),
});

/** The on-deploy parts of a trigger whose webhook reports `entity` creates; none for other triggers. */
export function backfillFor(entity: unknown, action: unknown, branch: string) {
  const source = typeof entity === "string" && action === "create" ? SOURCES[entity] : undefined;
  if (!source) return {};
  const onDeployPerform = async (context: ActionContext, payload: TriggerPayload, rawParams: unknown) => {
    const params = rawParams as Record<string, unknown>;
    const since = params.backfillFrom as string | undefined;
    const marker = since ?? "all";
    const incoming = payload.paginationState as BackfillPosition | undefined;
    const done = context.instanceState?.[BACKFILL_STATE_KEY] as string | undefined;
    const result = (
      items: TriggerOutput[],
      next: BackfillPosition | null,
      instanceState?: Record<string, unknown>,
    ) => ({
      payload: { ...payload, body: { data: items }, paginationState: next ?? undefined },
      branch,
      ...(instanceState ? { instanceState } : {}),
    });
    if (!incoming && done === marker) {
      context.logger.info(`Backfill of existing ${entity} records already sent (${marker}); nothing sent again.`);
      return result([], null);
    }
    const position: BackfillPosition = incoming ?? { cutoff: iso(Date.now()) };
    const client = createPipedriveClient(params.connection as Connection, {
      logger: context.logger,
      debug: context.debug?.enabled,
    });
    const query: Query =
      source.version === "v2"
        ? { sort_by: "id", sort_direction: "asc", ...(source.updatedSince ? { updated_since: since } : {}) }
        : {};
    const page = await client.page<Record<string, unknown>>({ ...source, from: position.from, query });
    const sinceMs = since ? toMillis(since) : Number.NEGATIVE_INFINITY;
    const cutoffMs = toMillis(position.cutoff);
    const items = page.items
      .filter((record) => {
        const added = toMillis(record.add_time);
        return Number.isNaN(added) || (added >= sinceMs && added <= cutoffMs);
      })
      .map((record) => asCreateEvent(entity as string, record));
    const next = page.next === undefined ? null : { ...position, from: page.next };
    return result(items, next, next ? undefined : { [BACKFILL_STATE_KEY]: marker });
  };
  return {
    onDeployPerform: onDeployPerform as never,
    onDeployResolver: {
      inputs: { backfillFrom: backfillFromInput },
      resolveItems: (_context: unknown, result: { payload: { body: { data?: unknown } } }) =>
        (result.payload.body.data as TriggerOutput[] | undefined) ?? [],
      getNextPaginationState: (_context: unknown, result: { payload: { paginationState?: unknown } }) =>
        (result.payload.paginationState as Record<string, unknown> | undefined) ?? null,
    },
    batchConfig: { batchSize: DEFAULT_BATCH_SIZE },
  };
}

function asCreateEvent(entity: string, record: Record<string, unknown>): TriggerOutput {
  return {
    event: {
      id: `backfill:${entity}:${String(record.id)}`,
      object: entity,
      action: "create",
      entityId: String(record.id),
      timestamp: typeof record.add_time === "string" ? record.add_time : null,
      userId: null,
      companyId: null,
      webhookId: null,
      attempt: null,
      changeSource: "backfill",
    },
    current: record,
    previous: null,
    changedFields: [],
  };
}
