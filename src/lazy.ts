/**
 * Build what is needed when it is needed. A component of hundreds of actions spends most of its cold start
 * turning declarations into spectral definitions and converting those into the platform's shape,
 * while one execution runs one step. So the component's records of actions (and of triggers and
 * data sources) hold a getter per key: the first read of a key builds that one entry, converts it
 * with spectral's own `component()` (the same conversion, inputs, cleaners and error hook as for
 * an eager component) and keeps the result as a plain value. Reading every key (prism's publish,
 * `Object.entries`, `JSON.stringify`) builds everything, with the same result as eager assembly.
 *
 * What a lazy table expects: its keys known without building (`keys`), and `build(key)` pure
 * (no effect another entry relies on), returning the same definition whenever it is called.
 */
import { component } from "@prismatic-io/spectral";

export interface LazyTable<T> {
  readonly keys: readonly string[];
  build(key: string): T;
}

/** A table whose entries already exist (small ones: no gain in deferring them). */
export const eagerTable = <T>(record: Record<string, T>): LazyTable<T> => ({
  keys: Object.keys(record),
  build: (key) => record[key],
});

/** A record with one enumerable getter per key; the first read builds and keeps the value. */
export function lazyRecord<T>(keys: readonly string[], build: (key: string) => T): Record<string, T> {
  const record: Record<string, T> = {};
  for (const key of keys)
    Object.defineProperty(record, key, {
      enumerable: true,
      configurable: true,
      get() {
        const value = build(key);
        Object.defineProperty(record, key, { value, enumerable: true, configurable: true, writable: true });
        return value;
      },
    });
  return record;
}

type Definition = Parameters<typeof component>[0];
type Kind = "actions" | "triggers" | "dataSources";

/**
 * spectral's `component()`, with actions, triggers and data sources given as lazy tables: the
 * component (key, display, connections, hooks) is converted at once, each entry on first read.
 */
export function lazyComponent(
  definition: Omit<Definition, Kind> & {
    actions: LazyTable<unknown>;
    triggers: LazyTable<unknown>;
    dataSources: LazyTable<unknown>;
  },
): ReturnType<typeof component> {
  const { actions, triggers, dataSources, ...rest } = definition;
  const converted = component({ ...rest, actions: {}, triggers: {}, dataSources: {} } as Definition);
  // One entry through the same conversion: a component of that entry alone, without connections.
  const convertOne = (kind: Kind, table: LazyTable<unknown>) => (key: string) =>
    (component({ ...rest, connections: [], [kind]: { [key]: table.build(key) } } as Definition) as never)[kind][key];
  const out = converted as unknown as Record<Kind, unknown>;
  out.actions = lazyRecord(actions.keys, convertOne("actions", actions));
  out.triggers = lazyRecord(triggers.keys, convertOne("triggers", triggers));
  out.dataSources = lazyRecord(dataSources.keys, convertOne("dataSources", dataSources));
  return converted;
}
