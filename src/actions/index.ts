import type { FieldEntity } from "../customFields/catalog";
import dataSources from "../dataSources";
import { RECORDS } from "../records";
import { beyondActions } from "./beyond";
import { compatDefinitions, removedActions } from "./compat";
import { dealDefinitions } from "./deals";
import { generatedOperations, OPERATIONS, toDefinition } from "./generated";
import { applyIncumbent, INCUMBENT_OPERATIONS } from "./incumbent";
import { type OperationDefinition, operation } from "./operation";
import { semanticDefinitions } from "./semantics";

/**
 * Every action: one per current Pipedrive operation (generated from the specs, v2 first), then
 * Prismatic's compatibility keys, then the hand-tuned tables, which win where keys overlap.
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

/** Prismatic's keys that run another version or operationId than the generated v2-first choice. */
const incumbentOperations = Object.fromEntries(
  Object.entries(INCUMBENT_OPERATIONS).map(([key, { id, version, label }]) => {
    const op = OPERATIONS.find((candidate) => candidate.id === id && candidate.version === version);
    if (!op) throw new Error(`Pipedrive operation ${version} ${id} is missing from the generated table`);
    return [key, { ...toDefinition(op, available), label }];
  }),
);

const definitions: Record<string, OperationDefinition> = {
  ...Object.fromEntries([...generatedOperations()].map(([key, op]) => [key, toDefinition(op, available)])),
  ...incumbentOperations,
  ...compatDefinitions(available),
  ...semanticDefinitions(available),
  ...dealDefinitions,
};

/** Every declared action as the action helper receives it: Prismatic's input keys applied, custom fields marked. */
export const actionDefinitions: Record<string, OperationDefinition> = Object.fromEntries(
  Object.entries(definitions).map(([key, definition]) => {
    const customFields = customFieldsOf.get(key);
    const incumbent = applyIncumbent(key, definition);
    return [key, customFields ? { ...incumbent, customFields } : incumbent];
  }),
);

const built = Object.fromEntries(
  Object.entries(actionDefinitions).map(([key, definition]) => [key, operation(definition)]),
);

export default { ...built, ...removedActions(), ...beyondActions };
