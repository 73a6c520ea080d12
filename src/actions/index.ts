import type { ActionDefinition } from "@prismatic-io/spectral";
import type { FieldEntity } from "../customFields/catalog";
import dataSources from "../dataSources";
import { type LazyTable, lazyRecord } from "../lazy";
import { RECORDS } from "../records";
import { beyondActions } from "./beyond";
import { compatDefinitions, REMOVED_ACTION_KEYS, removedActions } from "./compat";
import { dealDefinitions } from "./deals";
import { generatedOperations, OPERATIONS, toDefinition } from "./generated";
import { applyIncumbent, INCUMBENT_OPERATIONS } from "./incumbent";
import { type OperationDefinition, operation } from "./operation";
import { semanticDefinitions } from "./semantics";

/**
 * Every action: one per current Pipedrive operation (generated from the specs, v2 first), then
 * Prismatic's compatibility keys, then the hand-tuned tables, which win where keys overlap.
 * A lazy table (src/lazy.ts): keys at once, each action built when it is first read.
 */
const available = new Set(Object.keys(dataSources));

const customFieldsOf = new Map<string, { entity: FieldEntity; writes: boolean }>();
for (const [entity, { one, many }] of Object.entries(RECORDS) as [FieldEntity, { one: string; many: string }][]) {
  if (entity === "note") continue;
  for (const key of [`add${one}`, `update${one}`]) customFieldsOf.set(key, { entity, writes: true });
  for (const key of [`get${one}`, `get${many}`, `getArchived${many}`])
    customFieldsOf.set(key, { entity, writes: false });
}
for (const key of ["getPersonDeals", "getOrganizationDeals", "getPipelineDeals", "getStageDeals"])
  customFieldsOf.set(key, { entity: "deal", writes: false });
for (const key of ["getDealPersons", "getOrganizationPersons"])
  customFieldsOf.set(key, { entity: "person", writes: false });
for (const key of ["getDealActivities", "getOrganizationActivities", "getPersonActivities"])
  customFieldsOf.set(key, { entity: "activity", writes: false });

const generated = generatedOperations();
/** The hand-tuned tables, later ones winning: small, so built together on the first read of any of them. */
let handTuned: Record<string, OperationDefinition> | undefined;
const hand = () => {
  handTuned ??= { ...compatDefinitions(available), ...semanticDefinitions(available), ...dealDefinitions };
  return handTuned;
};
let removed: Record<string, ActionDefinition> | undefined;

/** Prismatic's keys that run another version or operationId than the generated v2-first choice. */
function incumbentOperation(key: string): OperationDefinition | undefined {
  const entry = INCUMBENT_OPERATIONS[key];
  if (!entry) return undefined;
  const op = OPERATIONS.find((candidate) => candidate.id === entry.id && candidate.version === entry.version);
  if (!op) throw new Error(`Pipedrive operation ${entry.version} ${entry.id} is missing from the generated table`);
  return { ...toDefinition(op, available), label: entry.label };
}

/** Keys in the order an eager merge gives them: generated first, then each later table's new keys. */
const operationKeys = [...new Set([...generated.keys(), ...Object.keys(INCUMBENT_OPERATIONS), ...Object.keys(hand())])];

/** One declared action as the action helper receives it: Prismatic's input keys applied, custom fields marked. */
function definitionOf(key: string): OperationDefinition {
  const op = generated.get(key);
  const definition = hand()[key] ?? incumbentOperation(key) ?? (op && toDefinition(op, available));
  if (!definition) throw new Error(`No action "${key}".`);
  const customFields = customFieldsOf.get(key);
  const incumbent = applyIncumbent(key, definition);
  return customFields ? { ...incumbent, customFields } : incumbent;
}

/** Every declared action's definition, each built on first read (scripts and tests read them). */
export const actionDefinitions: Record<string, OperationDefinition> = lazyRecord(operationKeys, definitionOf);

const keys = [...new Set([...operationKeys, ...REMOVED_ACTION_KEYS, ...Object.keys(beyondActions)])];

function build(key: string): ActionDefinition {
  if (key in beyondActions) return beyondActions[key as keyof typeof beyondActions] as unknown as ActionDefinition;
  if (REMOVED_ACTION_KEYS.includes(key)) {
    removed ??= removedActions();
    return removed[key];
  }
  return operation(actionDefinitions[key]);
}

const actions: LazyTable<ActionDefinition> = { keys, build };
export default actions;
