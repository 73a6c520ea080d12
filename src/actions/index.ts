import dataSources from "../dataSources";
import { beyondActions } from "./beyond";
import { compatDefinitions, removedActions } from "./compat";
import { dealActions } from "./deals";
import { generatedOperations, toDefinition } from "./generated";
import { operation } from "./operation";

/**
 * Every action: one per current Pipedrive operation (generated from the specs, v2 first), then
 * Prismatic's compatibility keys, then the hand-tuned tables, which win where keys overlap.
 */
const available = new Set(Object.keys(dataSources));

const generated = Object.fromEntries(
  [...generatedOperations()].map(([key, op]) => [key, operation(toDefinition(op, available))]),
);
const compat = Object.fromEntries(Object.entries(compatDefinitions(available)).map(([key, def]) => [key, operation(def)]));

export default { ...generated, ...compat, ...removedActions(), ...dealActions, ...beyondActions };
