import {
  type Connection,
  dataSource,
  type Element,
  type InputFieldDefinition,
} from "@prismatic-io/spectral";
import { type ApiVersion, createPipedriveClient, type Pagination, type Query } from "../client";
import { connectionInput } from "../inputs";

/** Picklists stop at this many records; the cap is documented on each data source. */
export const PICKLIST_CAP = 10_000;

export interface PicklistDefinition<T> {
  label: string;
  description: string;
  version: ApiVersion;
  path: string;
  pagination: Pagination;
  /** Optional filter inputs; their cleaned values become query parameters named by `toQuery`. */
  inputs?: Record<string, InputFieldDefinition>;
  toQuery?: (values: Record<string, unknown>) => Query;
  /** Key and a label that tells records apart (the helper adds #id to labels that repeat). */
  toElement: (record: T) => { key: string; label: string; id: string | number };
  cap?: number;
  example: Element[];
}

/** The one picklist helper: every page (500 a page) up to the cap, labelled, de-duplicated, sorted. */
export function picklist<T>(definition: PicklistDefinition<T>) {
  const cap = definition.cap ?? PICKLIST_CAP;
  return dataSource({
    display: {
      label: definition.label,
      description: `${definition.description} Lists up to ${cap.toLocaleString("en-US")} records, sorted by label.`,
    },
    dataSourceType: "picklist",
    inputs: { connection: connectionInput, ...definition.inputs },
    examplePayload: { result: definition.example },
    perform: async (context, params) => {
      const values = params as Record<string, unknown>;
      const client = createPipedriveClient(values.connection as Connection, { logger: context.logger });
      const { items, truncated } = await client.collect<T>(
        {
          version: definition.version,
          path: definition.path,
          pagination: definition.pagination,
          query: definition.toQuery?.(values),
        },
        cap,
      );
      if (truncated)
        context.logger?.warn?.(
          `${definition.label}: showing the first ${cap.toLocaleString("en-US")} records; type an ID or narrow the list with the filter inputs.`,
        );
      return { result: toElements(items.map(definition.toElement)) };
    },
  });
}

export function toElements(entries: { key: string; label: string; id: string | number }[]): Element[] {
  const counts = new Map<string, number>();
  for (const entry of entries) counts.set(entry.label, (counts.get(entry.label) ?? 0) + 1);
  const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });
  return entries
    .map((entry) => ({
      key: entry.key,
      label: (counts.get(entry.label) ?? 0) > 1 ? `${entry.label} (#${entry.id})` : entry.label,
    }))
    .sort((a, b) => collator.compare(a.label, b.label) || collator.compare(a.key, b.key));
}
