import { createHash } from "node:crypto";
import { type Connection, input, pollingTrigger } from "@prismatic-io/spectral";
import { createPipedriveClient, type PipedriveClient } from "../client";
import { clean, connectionInput } from "../inputs";
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_MAX_PAGES_PER_RUN,
  iso,
  lookBackDateInput,
  MAX_SEEN,
  maxPagesPerRunInput,
  nextPaginationState,
  OVERLAP_MS,
  readPages,
  toMillis,
  watermarkAfter,
} from "./sync";

export { MAX_SEEN, OVERLAP_MS } from "./sync";

/** Types with a v2 list that takes updated_since (sorted by update_time); the others come from /v1/recents. */
/** Types whose v2 list returns deleted records (status=deleted), with their deletion as update_time. */
const DELETIONS = new Set(["deal"]);

const V2_RESOURCES: Record<string, string> = {
  deal: "/deals",
  person: "/persons",
  organization: "/organizations",
  activity: "/activities",
};

/** Prismatic's dropdown values, kept exactly (they are /v1/recents item types). */
const RESOURCE_TYPES = [
  { label: "Activities", value: "activity" },
  { label: "Activity Types", value: "activityType" },
  { label: "Deals", value: "deal" },
  { label: "Files", value: "file" },
  { label: "Filters", value: "filter" },
  { label: "Notes", value: "note" },
  { label: "Organizations", value: "organization" },
  { label: "Persons", value: "person" },
  { label: "Pipelines", value: "pipeline" },
  { label: "Products", value: "product" },
  { label: "Stages", value: "stage" },
  { label: "Users", value: "user" },
] as const;

/** Users carry created/modified instead of add_time/update_time. */
const TIME_FIELDS: Record<string, { added: string; updated: string }> = {
  user: { added: "created", updated: "modified" },
};
const timeFieldsOf = (resourceType: string) =>
  TIME_FIELDS[resourceType] ?? { added: "add_time", updated: "update_time" };

/** One reported record, as Prismatic's component reports it: the /v1/recents entry shape. */
export interface ChangedItem {
  item: string;
  id: number | string;
  data: Record<string, unknown>;
}

/** A round in flight: where it reads next and what it has seen. */
interface Round {
  /** updated_since (v2) or since_timestamp (v1) of this round, RFC 3339. */
  since: string;
  /** Next page: a v2 cursor or a v1 start offset; absent before the first page. */
  from?: string | number;
  /** Highest update time reported in this round so far, RFC 3339. */
  highest: string;
  /** Pipedrive's clock (its Date header) when the round's first page was answered, RFC 3339. */
  startedAt?: string;
  pages: number;
  /** After the changes, deleted deals (v2 status=deleted), when Show Deleted Records is on. */
  phase?: "changes" | "deleted";
}

/** A short hash of a record's content: tells apart two versions with the same update_time. */
const contentHash = (data: Record<string, unknown>) =>
  createHash("sha256").update(JSON.stringify(data)).digest("base64url").slice(0, 16);

interface PollState {
  /**
   * The watermark (RFC 3339): when the last completed round began on Pipedrive's clock, or the highest
   * update_time it saw if that is later. Every change up to it has been reported; the next round reads
   * from OVERLAP_MS before it.
   */
  cursor?: string;
  /**
   * `${id}@${update_time}#${content hash}` of records already reported inside the overlap window:
   * update_time has whole seconds, so two versions of a record in one second differ only by content.
   * (State saved before the hash was added holds `${id}@${update_time}`; still honoured.)
   */
  seen?: string[];
  /**
   * The newest update_time whose dedupe keys were dropped to keep `seen` within MAX_SEEN (whole
   * seconds at a time): the next round reads only after it, so nothing dropped is read and reported twice.
   */
  trimmedThrough?: string;
  /** The Look Back Date whose history has been (or is being) loaded. */
  lookBackDate?: string;
  /** The round in flight, when the last run stopped before its end. */
  round?: Round;
}

interface Page {
  items: ChangedItem[];
  next?: string | number;
  serverTime?: number;
}

async function readChanges(client: PipedriveClient, resourceType: string, round: Round): Promise<Page> {
  const v2Path = V2_RESOURCES[resourceType];
  if (v2Path) {
    const page = await client.page<Record<string, unknown>>({
      version: "v2",
      path: v2Path,
      pagination: "cursor",
      from: round.from,
      query: {
        updated_since: round.since,
        sort_by: "update_time",
        sort_direction: "asc",
        ...(round.phase === "deleted" ? { status: "deleted" } : {}),
      },
    });
    return {
      items: page.items.map((data) => ({ item: resourceType, id: data.id as number, data })),
      next: page.next,
      serverTime: page.serverTime,
    };
  }
  const page = await client.page<{ item: string; id: number; data: Record<string, unknown> | null }>({
    version: "v1",
    path: "/recents",
    pagination: "offset",
    from: round.from,
    query: { since_timestamp: round.since.replace("T", " ").replace("Z", ""), items: resourceType },
  });
  return {
    items: page.items.filter((entry) => entry.item === resourceType && entry.data) as ChangedItem[],
    next: page.next,
    serverTime: page.serverTime,
  };
}

/** `${id}@${update_time}` of a dedupe key or version: its update time in ms. */
const timeOfVersion = (version: string) => toMillis(version.slice(version.lastIndexOf("@") + 1));

/**
 * What has been reported: dedupe keys `${version}#${content hash}`, version = `${id}@${update_time}`.
 * Hashing every record of a history load costs about as much as parsing it, so a record is hashed
 * only when its version was met before (two versions in one second), and when it is kept for a later round.
 */
class Reported {
  /** Version -> content hashes reported; null for a key saved before hashes (any content counts as reported). */
  private readonly hashes = new Map<string, Set<string> | null>();
  /** Records reported in this perform, by version (hashed only if kept). */
  private readonly fresh = new Map<string, Record<string, unknown>[]>();

  constructor(keys: string[]) {
    for (const key of keys) {
      const at = key.lastIndexOf("#");
      if (at < 0) this.hashes.set(key, null);
      else {
        const version = key.slice(0, at);
        const known = this.hashes.get(version);
        if (known === null) continue;
        if (known) known.add(key.slice(at + 1));
        else this.hashes.set(version, new Set([key.slice(at + 1)]));
      }
    }
  }

  /** Record ids met so far (ids of the saved keys). */
  ids(): Set<string> {
    return new Set([...this.hashes.keys()].map((version) => version.slice(0, version.lastIndexOf("@"))));
  }

  /** Notes the record as reported; false when this version with this content was reported already. */
  add(version: string, data: Record<string, unknown>): boolean {
    const earlier = this.hashes.get(version);
    if (earlier === null) return false;
    const mine = this.fresh.get(version);
    if (earlier || mine) {
      const hash = contentHash(data);
      if (earlier?.has(hash) || mine?.some((other) => contentHash(other) === hash)) return false;
    }
    if (mine) mine.push(data);
    else this.fresh.set(version, [data]);
    return true;
  }

  /** Every key with an update time at or after `floor`. */
  keysFrom(floor: number): { key: string; time: number }[] {
    const out: { key: string; time: number }[] = [];
    for (const [version, hashes] of this.hashes) {
      const time = timeOfVersion(version);
      if (!(time >= floor)) continue;
      if (hashes === null) out.push({ key: version, time });
      else for (const hash of hashes) out.push({ key: `${version}#${hash}`, time });
    }
    for (const [version, records] of this.fresh) {
      const time = timeOfVersion(version);
      if (time >= floor) for (const data of records) out.push({ key: `${version}#${contentHash(data)}`, time });
    }
    return out;
  }
}

/**
 * The dedupe keys a later round can still meet (update time at or after `floor`), at most MAX_SEEN of
 * them: when more, the oldest seconds go whole, and `trimmedThrough` says up to when, so the next
 * round starts after it instead of reporting those records again.
 */
function keepSeen(reported: Reported, floor: number) {
  const inWindow = reported.keysFrom(floor).sort((a, b) => a.time - b.time);
  if (inWindow.length <= MAX_SEEN) return { kept: inWindow.map((entry) => entry.key) };
  const trimmedThrough = inWindow[inWindow.length - MAX_SEEN - 1].time;
  return {
    kept: inWindow.filter((entry) => entry.time > trimmedThrough).map((entry) => entry.key),
    trimmedThrough,
  };
}

const emptyResult = <P extends object>(payload: P, withDeletions: boolean) => ({
  payload: {
    ...payload,
    body: {
      data: {
        created: [] as ChangedItem[],
        updated: [] as ChangedItem[],
        ...(withDeletions ? { deleted: [] as ChangedItem[] } : {}),
      },
    },
    paginationState: undefined,
  },
  polledNoChanges: true,
});

/**
 * Prismatic's published polling trigger, same key, inputs and output; never misses or repeats a
 * change, loads history from a Look Back Date, and batches when the flow turns batching on.
 */
export const pollChangesTrigger = pollingTrigger({
  display: {
    label: "New and Updated Records",
    description:
      "Checks a Pipedrive record type on a schedule and returns the records created and updated since the last check, each change exactly once; optionally loads history from a Look Back Date first, in batches.",
  },
  inputs: {
    connection: connectionInput,
    resourceType: input({
      label: "Resource Type",
      type: "string",
      required: true,
      model: RESOURCE_TYPES.map((choice) => ({ ...choice })),
      default: "deal",
      comments: "The Pipedrive record type to watch.",
      clean: clean.choice(
        "Resource Type",
        RESOURCE_TYPES.map((choice) => choice.value),
      ),
    }),
    showNewRecords: input({
      label: "Show New Records",
      type: "boolean",
      required: false,
      default: "true",
      comments: "Include records created since the last check (in created).",
      clean: clean.boolean("Show New Records"),
    }),
    showUpdatedRecords: input({
      label: "Show Updated Records",
      type: "boolean",
      required: false,
      default: "true",
      comments: "Include records updated since the last check (in updated).",
      clean: clean.boolean("Show Updated Records"),
    }),
    showDeletedRecords: input({
      label: "Show Deleted Records",
      type: "boolean",
      required: false,
      default: "false",
      comments:
        "Deals only (Pipedrive lists deleted deals; other types do not expose deletions): also report deals deleted since the last check, in deleted. Off: the output has only created and updated, as before.",
      clean: clean.boolean("Show Deleted Records"),
    }),
    lookBackDate: lookBackDateInput,
    maxPagesPerRun: maxPagesPerRunInput,
  },
  triggerResolverSupport: "valid",
  batchConfig: { batchSize: DEFAULT_BATCH_SIZE },
  triggerResolver: {
    resolveItems: (_context, result) => {
      const data = (
        result.payload.body as { data?: { created?: ChangedItem[]; updated?: ChangedItem[]; deleted?: ChangedItem[] } }
      ).data;
      return [...(data?.created ?? []), ...(data?.updated ?? []), ...(data?.deleted ?? [])];
    },
    getNextPaginationState: nextPaginationState,
  },
  perform: async (context, payload, params) => {
    const resourceType = params.resourceType as string;
    const lookBackDate = params.lookBackDate as string | undefined;
    const state = { ...(context.polling.getState() as PollState) };
    const incoming = payload.paginationState as Record<string, unknown> | undefined;
    const withDeletions = Boolean(params.showDeletedRecords) && DELETIONS.has(resourceType);

    if (lookBackDate && lookBackDate !== state.lookBackDate) {
      // Asked for history (first run, or a new date): a round from that date, reporting everything in it.
      state.lookBackDate = lookBackDate;
      state.seen = [];
      state.trimmedThrough = undefined;
      state.round = { since: lookBackDate, highest: lookBackDate, pages: 0 };
    } else if (!state.cursor && !state.round) {
      // First run without a Look Back Date: start watching from now rather than replaying history.
      context.polling.setState({ cursor: iso(Date.now()), seen: [] } satisfies PollState);
      return emptyResult(payload, withDeletions);
    } else if (incoming && !state.round) {
      // A later page of a run whose round has already completed.
      return emptyResult(payload, withDeletions);
    }

    const cursor = state.cursor as string;
    // A copy: the saved state changes only when this perform succeeds.
    const round: Round = state.round
      ? { ...state.round }
      : {
          since: iso(Math.max(toMillis(cursor) - OVERLAP_MS, toMillis(state.trimmedThrough) + 1000 || 0)),
          highest: cursor,
          pages: 0,
        };
    const sinceMs = toMillis(round.since);
    const reported = new Reported(state.seen ?? []);
    const seenIds = reported.ids();
    const { added, updated: updatedField } = timeFieldsOf(resourceType);
    const created: ChangedItem[] = [];
    const updated: ChangedItem[] = [];
    const deleted: ChangedItem[] = [];
    let highest = toMillis(round.highest);

    const client = createPipedriveClient(params.connection as Connection, {
      logger: context.logger,
      debug: context.debug?.enabled,
    });
    const { reason, next } = await readPages({
      context,
      payload,
      client,
      maxPagesPerRun: (params.maxPagesPerRun as number | undefined) ?? DEFAULT_MAX_PAGES_PER_RUN,
      what: `New and Updated Records (${resourceType})`,
      readPage: async () => {
        const page = await readChanges(client, resourceType, round);
        if (round.startedAt === undefined && page.serverTime !== undefined) round.startedAt = iso(page.serverTime);
        const deletions = round.phase === "deleted";
        for (const entry of page.items) {
          const time = (entry.data[updatedField] ?? entry.data[added]) as string | undefined;
          const updatedMs = toMillis(time);
          const version = `${entry.id}${deletions ? ":deleted" : ""}@${time}`;
          if (Number.isNaN(updatedMs) || !reported.add(version, entry.data)) continue;
          highest = Math.max(highest, updatedMs);
          if (deletions) {
            deleted.push(entry);
            continue;
          }
          const isNew = !seenIds.has(String(entry.id)) && toMillis(entry.data[added]) >= sinceMs;
          seenIds.add(String(entry.id));
          (isNew ? created : updated).push(entry);
        }
        round.from = page.next;
        round.pages += 1;
        round.highest = iso(highest);
        if (page.next !== undefined) return false;
        if (withDeletions && !deletions) {
          round.phase = "deleted";
          round.from = undefined;
          return false;
        }
        return true;
      },
    });

    const complete = reason === "roundComplete";
    const watermark = complete ? watermarkAfter(highest, round.startedAt) : toMillis(cursor) || highest;
    const { kept, trimmedThrough } = keepSeen(reported, (complete ? watermark : highest) - OVERLAP_MS);
    const lastTrim = Math.max(toMillis(state.trimmedThrough) || 0, trimmedThrough ?? 0);
    context.polling.setState({
      cursor: complete ? iso(watermark) : state.cursor,
      seen: kept,
      ...(lastTrim >= watermark - OVERLAP_MS ? { trimmedThrough: iso(lastTrim) } : {}),
      ...(state.lookBackDate ? { lookBackDate: state.lookBackDate } : {}),
      ...(complete ? {} : { round }),
    } satisfies PollState);

    const data = {
      created: params.showNewRecords ? created : [],
      updated: params.showUpdatedRecords ? updated : [],
      ...(withDeletions ? { deleted } : {}),
    };
    return {
      payload: { ...payload, body: { data }, paginationState: next ?? undefined },
      polledNoChanges: !incoming && data.created.length + data.updated.length + deleted.length === 0 && next === null,
    };
  },
  examplePayload: {
    payload: {
      body: {
        data: {
          created: [
            {
              item: "deal",
              id: 2,
              data: { id: 2, title: "New deal", add_time: "2026-01-06T14:02:10Z", update_time: "2026-01-06T14:02:10Z" },
            },
          ],
          updated: [],
        },
      },
    },
  } as never,
});
