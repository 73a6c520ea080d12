import { type Connection, input, pollingTrigger } from "@prismatic-io/spectral";
import { createPipedriveClient, type PipedriveClient } from "../client";
import { clean, connectionInput } from "../inputs";

/** How far each poll looks back before the last cursor, for records saved late with an older update_time. */
export const OVERLAP_MS = 2 * 60 * 1000;
/** Dedupe keys kept: only those inside the overlap window are needed; this caps the state anyway. */
export const MAX_SEEN = 5_000;

const V2_RESOURCES: Record<string, string> = {
  deal: "/deals",
  person: "/persons",
  organization: "/organizations",
  activity: "/activities",
};

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

interface PollState {
  /** Highest update_time seen (RFC 3339). */
  cursor: string;
  /** `${id}@${update_time}` of records already reported inside the overlap window. */
  seen: string[];
}

interface ChangedRecord {
  id: number | string;
  add_time?: string;
  update_time?: string;
  [key: string]: unknown;
}

const toMillis = (time: string | undefined): number => {
  if (!time) return Number.NaN;
  // v1 times are "YYYY-MM-DD HH:MM:SS" in UTC; v2 times are RFC 3339.
  return Date.parse(/Z|[+-]\d\d:?\d\d$/.test(time) ? time : `${time.replace(" ", "T")}Z`);
};
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

async function changedSince(client: PipedriveClient, resourceType: string, sinceMs: number): Promise<ChangedRecord[]> {
  const v2Path = V2_RESOURCES[resourceType];
  if (v2Path) {
    const { items } = await client.collect<ChangedRecord>({
      version: "v2",
      path: v2Path,
      pagination: "cursor",
      query: { updated_since: iso(sinceMs), sort_by: "update_time", sort_direction: "asc" },
    });
    return items;
  }
  const sinceTimestamp = iso(sinceMs).replace("T", " ").replace("Z", "");
  const { items } = await client.collect<{ item: string; id: number; data: ChangedRecord | null }>({
    version: "v1",
    path: "/recents",
    pagination: "offset",
    query: { since_timestamp: sinceTimestamp, items: resourceType },
  });
  return items.filter((entry) => entry.item === resourceType && entry.data).map((entry) => entry.data as ChangedRecord);
}

/** Prismatic's published polling trigger, same key and inputs; never misses or repeats a change. */
export const pollChangesTrigger = pollingTrigger({
  display: {
    label: "New and Updated Records",
    description:
      "Checks a Pipedrive record type on a schedule and returns the records created and updated since the last check, each change exactly once.",
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
  },
  perform: async (context, payload, params) => {
    const state = context.polling.getState() as Partial<PollState> | undefined;
    const now = Date.now();
    if (!state?.cursor) {
      // First run: start watching from now rather than replaying history.
      context.polling.setState({ cursor: iso(now), seen: [] } satisfies PollState);
      return { payload: { ...payload, body: { data: { created: [], updated: [] } } }, polledNoChanges: true };
    }
    const cursorMs = toMillis(state.cursor);
    const client = createPipedriveClient(params.connection as Connection, {
      logger: context.logger,
      debug: context.debug?.enabled,
    });
    const records = await changedSince(client, params.resourceType as string, cursorMs - OVERLAP_MS);

    const seen = new Set(state.seen ?? []);
    const seenIds = new Set([...seen].map((key) => key.slice(0, key.lastIndexOf("@"))));
    const created: ChangedRecord[] = [];
    const updated: ChangedRecord[] = [];
    let highest = cursorMs;
    for (const record of records) {
      const updatedMs = toMillis(record.update_time ?? record.add_time);
      const key = `${record.id}@${record.update_time ?? record.add_time}`;
      if (seen.has(key) || Number.isNaN(updatedMs)) continue;
      seen.add(key);
      highest = Math.max(highest, updatedMs);
      const addedMs = toMillis(record.add_time);
      const isNew = !seenIds.has(String(record.id)) && addedMs >= cursorMs - OVERLAP_MS;
      (isNew ? created : updated).push(record);
    }
    // Keep only keys that a later poll can still see (inside its overlap window), and at most MAX_SEEN.
    const floor = highest - OVERLAP_MS;
    const kept = [...seen].filter((key) => toMillis(key.slice(key.lastIndexOf("@") + 1)) >= floor).slice(-MAX_SEEN);
    context.polling.setState({ cursor: iso(highest), seen: kept } satisfies PollState);

    const data = {
      created: params.showNewRecords ? created : [],
      updated: params.showUpdatedRecords ? updated : [],
    };
    return {
      payload: { ...payload, body: { data } },
      polledNoChanges: data.created.length === 0 && data.updated.length === 0,
    };
  },
  examplePayload: {
    payload: {
      body: {
        data: {
          created: [
            { id: 2, title: "New deal", add_time: "2026-01-06T14:02:10Z", update_time: "2026-01-06T14:02:10Z" },
          ],
          updated: [],
        },
      },
    },
  } as never,
});
