import { type Connection, pollingTrigger } from "@prismatic-io/spectral";
import { createPipedriveClient, type PipedriveClient } from "../client";
import { connectionInput, idInput } from "../inputs";
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_MAX_PAGES_PER_RUN,
  iso,
  lookBackDateInput,
  maxPagesPerRunInput,
  nextPaginationState,
  OVERLAP_MS,
  readPages,
  toMillis,
  watermarkAfter,
} from "./sync";

/**
 * "Matching filter" polling triggers: each record that newly matches a saved Pipedrive filter is
 * reported once per entry. The trigger keeps the set of record ids that match the filter. Each
 * round reads, up to the newest update_time at its start, (1) the filter's records changed since
 * the watermark (v2 `filter_id` + `updated_since`): those not yet members entered; (2) all records
 * changed in the same window: members not among (1) left, so a later return is a new entry.
 * The first round reads the whole filter: without a Look Back Date it only records who matches;
 * with one, it reports the members updated on or after that date.
 */
interface FilterRecord {
  id: number;
  update_time?: string;
  [key: string]: unknown;
}

interface FilterRound {
  /** Changed on or after (absent on the first round: the whole filter). */
  since?: string;
  /** updated_until: just past the newest update_time when the round began. */
  until: string;
  /** The newest update_time when the round began. */
  newest: string;
  /** Pipedrive's clock (its Date header) when the round began, RFC 3339; the next watermark when later than newest. */
  startedAt?: string;
  phase: "matches" | "changes";
  from?: string;
  /** Ids of this round's matches (phase 1), to tell who left in phase 2. */
  matched: number[];
  pages: number;
}

interface FilterState {
  filterId?: number;
  lookBackDate?: string;
  /**
   * Where completed rounds reached: when the last one began on Pipedrive's clock, or the newest
   * update_time then if later (so quiet rounds do not read again the minutes before the last change).
   */
  watermark?: string;
  /** Ids of the records that match the filter, as far as the trigger knows. */
  members?: number[];
  round?: FilterRound;
}

interface MatchingFilterSpec {
  key: string;
  noun: string;
  plural: string;
  path: string;
  filterType: string;
}

const SPECS: MatchingFilterSpec[] = [
  { key: "dealMatchingFilter", noun: "Deal", plural: "deals", path: "/deals", filterType: "deals" },
  { key: "personMatchingFilter", noun: "Person", plural: "persons", path: "/persons", filterType: "people" },
  {
    key: "organizationMatchingFilter",
    noun: "Organization",
    plural: "organizations",
    path: "/organizations",
    filterType: "org",
  },
  {
    key: "activityMatchingFilter",
    noun: "Activity",
    plural: "activities",
    path: "/activities",
    filterType: "activity",
  },
];

async function newestUpdateTime(client: PipedriveClient, path: string) {
  const page = await client.page<FilterRecord>({
    version: "v2",
    path,
    pagination: "cursor",
    pageSize: 1,
    query: { sort_by: "update_time", sort_direction: "desc" },
  });
  return { newest: page.items[0]?.update_time, serverTime: page.serverTime };
}

const matchingFilterTrigger = (spec: MatchingFilterSpec) =>
  pollingTrigger({
    display: {
      label: `${spec.noun} Matching Filter`,
      description: `Checks a saved Pipedrive ${spec.plural} filter on a schedule and returns each ${spec.noun.toLowerCase()} that newly matches it (created or changed into it), once per entry; optionally reports the current matches first (Look Back Date), in batches.`,
    },
    inputs: {
      connection: connectionInput,
      filterId: idInput({
        label: "Filter",
        dataSource: "selectFilter",
        comments: `The saved ${spec.plural} filter to watch (a filter of type "${spec.filterType}"). Pick one from the dropdown or map its ID.`,
      }),
      lookBackDate: {
        ...lookBackDateInput,
        comments:
          "On the first run, report the records that match the filter and were updated on or after this date (a date, 2026-01-01, or a date-time with a time zone); the older ones are only recorded as matching. Empty: record who matches now and report only later entries. Changing it later starts over from the new date; a redeploy with the same date does not.",
      },
      maxPagesPerRun: maxPagesPerRunInput,
    },
    triggerResolverSupport: "valid",
    batchConfig: { batchSize: DEFAULT_BATCH_SIZE },
    triggerResolver: {
      resolveItems: (_context, result) =>
        ((result.payload.body as { data?: { records?: FilterRecord[] } }).data?.records ?? []) as FilterRecord[],
      getNextPaginationState: nextPaginationState,
    },
    perform: async (context, payload, params) => {
      const filterId = params.filterId as unknown as number;
      const lookBackDate = params.lookBackDate as string | undefined;
      const incoming = payload.paginationState as Record<string, unknown> | undefined;
      let state = { ...(context.polling.getState() as FilterState) };
      // A different filter or a new Look Back Date starts over (asked); a redeploy with the same ones does not.
      if (state.filterId !== filterId || (lookBackDate && lookBackDate !== state.lookBackDate)) {
        state = { filterId, lookBackDate };
      }
      const empty = {
        payload: { ...payload, body: { data: { records: [] as FilterRecord[] } }, paginationState: undefined },
        polledNoChanges: true,
      };
      if (incoming && !state.round) return empty;

      const client = createPipedriveClient(params.connection as Connection, {
        logger: context.logger,
        debug: context.debug?.enabled,
      });
      let round = state.round ? { ...state.round, matched: [...state.round.matched] } : undefined;
      if (!round) {
        const { newest, serverTime } = await newestUpdateTime(client, spec.path);
        if (!newest) {
          context.polling.setState({ ...state, watermark: state.watermark, members: state.members ?? [] });
          return empty;
        }
        round = {
          since: state.watermark ? iso(toMillis(state.watermark) - OVERLAP_MS) : undefined,
          until: iso(toMillis(newest) + 1000),
          newest,
          ...(serverTime !== undefined ? { startedAt: iso(serverTime) } : {}),
          phase: "matches",
          matched: [],
          pages: 0,
        };
      }
      const current = round;
      const firstRound = current.since === undefined;
      const reportFrom = firstRound ? (lookBackDate ? toMillis(lookBackDate) : Number.POSITIVE_INFINITY) : 0;
      const members = new Set(state.members ?? []);
      const matched = new Set(current.matched);
      const entered: FilterRecord[] = [];

      const { reason, next } = await readPages({
        context,
        payload,
        client,
        maxPagesPerRun: (params.maxPagesPerRun as number | undefined) ?? DEFAULT_MAX_PAGES_PER_RUN,
        what: `${spec.noun} Matching Filter (filter ${filterId})`,
        readPage: async () => {
          const page = await client.page<FilterRecord>({
            version: "v2",
            path: spec.path,
            pagination: "cursor",
            from: current.from,
            query: {
              ...(current.phase === "matches" ? { filter_id: filterId } : {}),
              updated_since: current.since,
              updated_until: current.until,
              sort_by: "update_time",
              sort_direction: "asc",
            },
          });
          current.pages += 1;
          current.from = page.next as string | undefined;
          for (const record of page.items) {
            if (current.phase === "matches") {
              matched.add(record.id);
              if (!members.has(record.id) && toMillis(record.update_time) >= reportFrom) entered.push(record);
              members.add(record.id);
            } else if (members.has(record.id) && !matched.has(record.id)) {
              members.delete(record.id);
            }
          }
          if (page.next !== undefined) return false;
          if (current.phase === "matches" && !firstRound) {
            current.phase = "changes";
            current.from = undefined;
            return false;
          }
          return true;
        },
      });

      const complete = reason === "roundComplete";
      context.polling.setState({
        filterId,
        ...(state.lookBackDate ? { lookBackDate: state.lookBackDate } : {}),
        watermark: complete ? iso(watermarkAfter(toMillis(current.newest), current.startedAt)) : state.watermark,
        members: [...members].sort((a, b) => a - b),
        ...(complete ? {} : { round: { ...current, matched: [...matched] } }),
      } satisfies FilterState);
      return {
        payload: { ...payload, body: { data: { records: entered } }, paginationState: next ?? undefined },
        polledNoChanges: !incoming && entered.length === 0 && next === null,
      };
    },
    examplePayload: {
      payload: {
        body: {
          data: {
            records: [{ id: 42, title: "Acme - 60 seats", stage_id: 3, update_time: "2026-01-06T14:02:10Z" }],
          },
        },
      },
    } as never,
  });

export const matchingFilterTriggers = Object.fromEntries(SPECS.map((spec) => [spec.key, matchingFilterTrigger(spec)]));
