/**
 * The lazy assembly (src/lazy.ts): each action, trigger and data source is built and converted on
 * first read, and reading everything gives exactly what spectral's eager component() gives.
 */
import { component } from "@prismatic-io/spectral";
import actions from "../src/actions";
import connections from "../src/connections";
import dataSources from "../src/dataSources";
import { toClearError } from "../src/errorHook";
import { lazyComponent } from "../src/lazy";
import triggers from "../src/triggers";

const base = {
  key: "pipedrive",
  display: { label: "Pipedrive", description: "Lazy assembly under test", iconPath: "icon.png" },
  hooks: { error: toClearError },
  connections,
};
const isGetter = (record: object, key: string) =>
  typeof Object.getOwnPropertyDescriptor(record, key)?.get === "function";

test("nothing is built at load; reading one action builds that one only", () => {
  const lazy = lazyComponent({
    ...base,
    actions,
    triggers: { keys: Object.keys(triggers), build: (key) => triggers[key as keyof typeof triggers] },
    dataSources: { keys: Object.keys(dataSources), build: (key) => dataSources[key as keyof typeof dataSources] },
  }) as unknown as Record<"actions" | "triggers" | "dataSources", Record<string, { key: string }>>;
  expect(Object.keys(lazy.actions)).toHaveLength(actions.keys.length);
  expect(Object.keys(lazy.actions).every((key) => isGetter(lazy.actions, key))).toBe(true);
  expect(lazy.actions.getDeals.key).toBe("getDeals");
  expect(isGetter(lazy.actions, "getDeals")).toBe(false);
  expect(lazy.actions.getDeals).toBe(lazy.actions.getDeals);
  expect(Object.keys(lazy.actions).filter((key) => !isGetter(lazy.actions, key))).toEqual(["getDeals"]);
  expect(lazy.triggers.newDeal.key).toBe("newDeal");
  expect(lazy.dataSources.selectDeal.key).toBe("selectDeal");
});

test("reading every entry gives the same definition as spectral's eager component(), in the same key order", () => {
  const tables = {
    actions,
    triggers: { keys: Object.keys(triggers), build: (key: string) => triggers[key as keyof typeof triggers] },
    dataSources: {
      keys: Object.keys(dataSources),
      build: (key: string) => dataSources[key as keyof typeof dataSources],
    },
  };
  const lazy = lazyComponent({ ...base, ...tables });
  const eager = component({
    ...base,
    actions: Object.fromEntries(actions.keys.map((key) => [key, actions.build(key)])),
    triggers,
    dataSources,
  } as never);
  expect(JSON.stringify(lazy)).toBe(JSON.stringify(eager));
  const converted = lazy as unknown as Record<string, Record<string, { perform: unknown }>>;
  expect(Object.values(converted.actions).every((a) => typeof a.perform === "function")).toBe(true);
});
