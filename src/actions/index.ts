import type { ActionDefinition } from "@prismatic-io/spectral";
import dataSources from "../dataSources";
import { type LazyTable, lazyRecord } from "../lazy";
import { getConnectionInfo } from "./connectionInfo";
import { findOrCreateActions } from "./findOrCreate";
import { type OperationDefinition, operation } from "./operation";
import { isRemoved, OVERRIDES, operationEntry } from "./overrides";
import { generatedByKey, removedAction, resolve } from "./overrides/resolve";
import { rawRequest } from "./rawRequest";

/** Actions written by hand (not a Pipedrive operation each). */
const handWritten = { rawRequest, getConnectionInfo, ...findOrCreateActions };

/**
 * Every action: one per current Pipedrive operation (generated from the specs, v2 first), each
 * changed or added by its entry in the override table (src/actions/overrides), plus the hand-written
 * actions. A lazy table (src/lazy.ts): keys at once, each action built when it is first read.
 */
const available = new Set(Object.keys(dataSources));

const removedKeys = Object.keys(OVERRIDES).filter((key) => isRemoved(OVERRIDES[key]));

/** Keys of actions that run an operation: generated first, then the table's own keys. */
const operationKeys = [
  ...new Set([...generatedByKey().keys(), ...Object.keys(OVERRIDES).filter((key) => !removedKeys.includes(key))]),
];

/** Every declared action's definition, each built on first read (scripts and tests read them). */
export const actionDefinitions: Record<string, OperationDefinition> = lazyRecord(operationKeys, (key) =>
  resolve(key, operationEntry(key), available),
);

/** Actions Pipedrive removed outright: kept with their keys, failing before any request. */
export const REMOVED_ACTION_KEYS = removedKeys;

const keys = [...new Set([...operationKeys, ...removedKeys, ...Object.keys(handWritten)])];

function build(key: string): ActionDefinition {
  if (key in handWritten) return handWritten[key as keyof typeof handWritten] as unknown as ActionDefinition;
  const entry = OVERRIDES[key];
  if (isRemoved(entry)) return removedAction(entry.removed);
  return operation(actionDefinitions[key]);
}

const actions: LazyTable<ActionDefinition> = { keys, build };
export default actions;
