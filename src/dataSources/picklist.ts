import { type Connection, dataSource, type Element, type InputFieldDefinition, input } from "@prismatic-io/spectral";
import {
  type ApiVersion,
  createPipedriveClient,
  type Envelope,
  InputError,
  MAX_PAGE_SIZE,
  type Pagination,
  type PipedriveClient,
  type Query,
} from "../client";
import { clean, connectionInput } from "../inputs";

/** Picklists stop at this many records; the cap is documented on each data source. */
export const PICKLIST_CAP = 10_000;

/** One dropdown entry before labels are told apart and sorted. */
export interface Entry {
  key: string;
  label: string;
  /** Shown as "Label (detail)" when the label repeats; defaults to "#key". */
  detail?: string | number | null;
  /** Orders entries instead of the label (e.g. stages in pipeline order); compared numerically. */
  sortKey?: string;
}

type Values = Record<string, unknown>;

export interface SearchDefinition<S, R> {
  /** Pipedrive's v2 search path, e.g. "/deals/search" (answers data.items[].item). */
  path: string;
  /** What is searched, plural, for the input's comment: "deals". */
  noun: string;
  /** Filters the search endpoint itself supports. */
  toQuery?: (values: Values) => Query;
  /** Entry for one search item; return undefined to drop it (filters the endpoint lacks). */
  toElement: (item: S, related: R, values: Values) => Entry | undefined;
}

export interface PicklistDefinition<T, S = never, R = undefined> {
  label: string;
  description: string;
  version: ApiVersion;
  path: string;
  /** v2 cursors, v1 offsets, or "none" for v1 lists that take no paging parameters. */
  pagination: Pagination | "none";
  /** Records per page: 500 (Pipedrive's maximum) unless the endpoint allows fewer (100 on /files). */
  pageSize?: number;
  /** Optional filter inputs; their cleaned values become query parameters named by `toQuery`. */
  inputs?: Record<string, InputFieldDefinition>;
  toQuery?: (values: Values) => Query;
  /** Data the labels need (e.g. pipeline names for stages), loaded once per call. */
  related?: (client: PipedriveClient, values: Values, searching: boolean) => Promise<R>;
  /** Key and a label that tells records apart; return undefined to leave a record out. */
  toElement: (record: T, related: R, values: Values) => Entry | undefined;
  /** Adds a Search Term input that switches to Pipedrive's v2 search endpoint. */
  search?: SearchDefinition<S, R>;
  cap?: number;
  /** How the list is ordered, for the description (default "sorted by label"). */
  order?: string;
  example: Element[];
}

/** Pipedrive's search wants at least 2 characters (1 only with exact_match, which we don't use). */
export const searchTermInput = (what: string) =>
  input({
    label: "Search Term",
    type: "string",
    required: false,
    comments: `Only list ${what} matching this text (at least 2 characters), using Pipedrive's search. Empty lists them all.`,
    example: "Acme",
    clean: (value: unknown) => {
      const term = clean.optionalText("Search Term", 200)(value)?.trim();
      if (term === undefined || term === "") return undefined;
      if (term.length < 2)
        throw new InputError(
          `Search Term: expected at least 2 characters (Pipedrive's search minimum), got "${term}".`,
        );
      return term;
    },
  });

/** 10000 -> "10,000". Not toLocaleString: its first call loads ICU data, about 7 MB and tens of ms at require(). */
const countLabel = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** The one picklist helper: every page up to the cap, labelled, told apart, sorted for a human. */
export function picklist<T, S = never, R = undefined>(definition: PicklistDefinition<T, S, R>) {
  const cap = definition.cap ?? PICKLIST_CAP;
  const search = definition.search;
  return dataSource({
    display: {
      label: definition.label,
      description: `${definition.description} Lists up to ${countLabel(cap)} records, ${definition.order ?? "sorted by label"}.`,
    },
    dataSourceType: "picklist",
    inputs: {
      connectionInput,
      ...(search ? { searchTerm: searchTermInput(search.noun) } : {}),
      ...definition.inputs,
    },
    examplePayload: { result: definition.example },
    perform: async (context, params) => {
      const values = params as Values;
      const client = createPipedriveClient(values.connectionInput as Connection, { logger: context.logger });
      const term = search ? (values.searchTerm as string | undefined) : undefined;
      // Related data (e.g. pipeline names) loads alongside the records.
      const relatedLoad = definition.related?.(client, values, term !== undefined) ?? Promise.resolve(undefined as R);
      let entries: (Entry | undefined)[];
      let truncated: boolean;
      if (search && term !== undefined) {
        const [related, found] = await Promise.all([
          relatedLoad,
          collectSearch<S>(client, search.path, { ...search.toQuery?.(values), term }, cap),
        ]);
        entries = found.items.map((item) => search.toElement(item, related, values));
        truncated = found.truncated;
      } else {
        const [related, found] = await Promise.all([
          relatedLoad,
          collectList<T>(client, definition, definition.toQuery?.(values), cap),
        ]);
        entries = found.items.map((record) => definition.toElement(record, related, values));
        truncated = found.truncated;
      }
      if (truncated)
        context.logger?.warn?.(
          `${definition.label}: showing the first ${countLabel(cap)} records; type an ID or narrow the list with ${
            search ? "a search term or " : ""
          }the filter inputs.`,
        );
      return { result: toElements(entries.filter((entry): entry is Entry => entry !== undefined)) };
    },
  });
}

interface Collected<T> {
  items: T[];
  truncated: boolean;
}

type ListSource = Pick<PicklistDefinition<unknown>, "version" | "path" | "pagination" | "pageSize">;

async function collectList<T>(
  client: PipedriveClient,
  source: ListSource,
  query: Query | undefined,
  cap: number,
): Promise<Collected<T>> {
  const { version, path, pagination, pageSize } = source;
  if (pagination === "none") {
    // v1 lists such as /users or /activityTypes take no paging parameters and answer everything.
    const envelope = await client.request<Envelope<T[] | null>>({ method: "GET", version, path, query });
    const items = Array.isArray(envelope.data) ? envelope.data : [];
    return { items: items.slice(0, cap), truncated: items.length > cap };
  }
  return client.collect<T>({ version, path, pagination, query, pageSize }, cap);
}

/** Walks a v2 search endpoint's cursor pages (data.items[].item) up to the cap. */
async function collectSearch<S>(
  client: PipedriveClient,
  path: string,
  query: Query,
  cap: number,
): Promise<Collected<S>> {
  const items: S[] = [];
  let cursor: string | undefined;
  for (;;) {
    const envelope = await client.request<Envelope<{ items?: { item: S }[] } | null>>({
      method: "GET",
      version: "v2",
      path,
      query: { ...query, cursor, limit: Math.min(MAX_PAGE_SIZE, cap - items.length) },
    });
    for (const found of envelope.data?.items ?? []) items.push(found.item);
    const next = envelope.additional_data?.next_cursor;
    if (typeof next !== "string" || !next) return { items, truncated: false };
    if (items.length >= cap) return { items, truncated: true };
    cursor = next;
  }
}

/**
 * Labels that repeat get their detail ("Ada (ada@example.com)") or "#key"; labels that still
 * repeat get "#key" too. Sorted by sortKey (when given) or label, numbers in numeric order.
 */
export function toElements(entries: Entry[]): Element[] {
  const repeats = (labels: string[]) => {
    const counts = new Map<string, number>();
    for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
    return (label: string) => (counts.get(label) ?? 0) > 1;
  };
  const repeated = repeats(entries.map((entry) => entry.label));
  const first = entries.map((entry) => {
    if (!repeated(entry.label)) return entry.label;
    const detail =
      entry.detail === undefined || entry.detail === null || entry.detail === ""
        ? `#${entry.key}`
        : String(entry.detail);
    return `${entry.label} (${detail})`;
  });
  const stillRepeated = repeats(first);
  const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });
  return entries
    .map((entry, i) => ({
      key: entry.key,
      label:
        stillRepeated(first[i]) && !first[i].endsWith(`(#${entry.key})`) ? `${first[i]} (#${entry.key})` : first[i],
      sortKey: entry.sortKey,
    }))
    .sort(
      (a, b) =>
        collator.compare(a.sortKey ?? a.label, b.sortKey ?? b.label) ||
        collator.compare(a.label, b.label) ||
        collator.compare(a.key, b.key),
    )
    .map(({ key, label }) => ({ key, label }));
}
