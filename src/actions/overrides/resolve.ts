import { type ActionDefinition, action, type InputFieldDefinition, input, PerformSafety } from "@prismatic-io/spectral";
import { InputError } from "../../client/errors";
import { clean, connectionInput } from "../../inputs";
import { generatedOperations, OPERATIONS, toDefinition } from "../generated/fromSpec";
import type { GeneratedOperation } from "../generated/types";
import type { OperationDefinition, Param } from "../operation";
import type { ActionEntry, KeptInput, RemovedEntry } from "./types";

/**
 * The one resolver: a generated declaration plus its table entry (src/actions/overrides) gives the
 * OperationDefinition the action helper takes. Nothing else changes an action's inputs or request.
 */

let generated: Map<string, GeneratedOperation> | undefined;
/** The v2-first generated declaration of each operationId (the default operation of an action key). */
export const generatedByKey = () => {
  generated ??= generatedOperations();
  return generated;
};

/** A generated operation by version and operationId. */
export function findOperation(version: "v1" | "v2", id: string): GeneratedOperation {
  const op = OPERATIONS.find((candidate) => candidate.version === version && candidate.id === id);
  if (!op) throw new Error(`Pipedrive operation ${version} ${id} is missing from the generated table`);
  return op;
}

const ENTITY_LABELS: Record<string, string> = {
  deal: "Deal",
  person: "Person",
  org: "Organization",
  product: "Product",
  activity: "Activity",
  lead: "Lead",
};

/** Spectral gives a boolean "false" unless told otherwise; "" leaves it unset, so nothing is sent. */
function booleanFrom(from: InputFieldDefinition, defaultValue = ""): InputFieldDefinition {
  const label = String(from.label);
  return input({
    label,
    type: "boolean",
    required: false,
    comments: from.comments ?? `${label}.`,
    default: defaultValue,
    example: defaultValue || "false",
    clean: clean.optionalBoolean(label),
  });
}

/** A dropdown of these values; a value without a label of its own keeps the generated one. */
function choiceFrom(
  from: InputFieldDefinition,
  choices: readonly (string | { label: string; value: string })[],
): InputFieldDefinition {
  const label = String(from.label);
  const required = Boolean((from as { required?: boolean }).required);
  const generated = (from as { model?: { label: string; value: string }[] }).model ?? [];
  const model = choices.map((choice) =>
    typeof choice === "string"
      ? { label: generated.find((option) => option.value === choice)?.label ?? choice, value: choice }
      : choice,
  );
  const values = model.map((option) => option.value);
  return {
    ...from,
    model,
    clean: required ? clean.choice(label, values) : clean.optionalChoice(label, values),
  } as InputFieldDefinition;
}

function passwordFrom(from: InputFieldDefinition): InputFieldDefinition {
  const label = String(from.label);
  return input({
    label,
    type: "password",
    required: false,
    comments: from.comments ?? `${label}.`,
    clean: clean.optionalText(label),
  });
}

/** An input kept for compatibility: the action helper logs it when set and never sends it. */
export function keptInput({ label, why, values, labels }: KeptInput): Param {
  return {
    in: "ignored",
    name: why,
    input: input({
      label,
      type: "string",
      required: false,
      comments: `Kept so existing flows that set it still load; not sent: ${why}`,
      ...(values ? { model: values.map((value, i) => ({ label: labels?.[i] ?? value, value })) } : {}),
      clean: values ? clean.optionalChoice(label, values) : clean.optionalText(label),
    }),
  };
}

function entityParams(entity: NonNullable<ActionEntry["entity"]>): Record<string, Param> {
  const types = Object.keys(entity.fields);
  return {
    [entity.type]: {
      in: "ignored",
      name: "it selects which record Entity ID names.",
      input: input({
        label: "Entity Type",
        type: "string",
        required: false,
        comments: `The type of record Entity ID names; the file is attached to it. The same as setting that record's own ID input.`,
        model: types.map((value) => ({ label: ENTITY_LABELS[value] ?? value, value })),
        example: types[0],
        clean: clean.optionalChoice("Entity Type", types),
      }),
    },
    [entity.id]: {
      in: "ignored",
      name: "it is sent as the ID of the record Entity Type selects.",
      input: input({
        label: "Entity ID",
        type: "string",
        required: false,
        comments: "The numeric ID of the deal, person, organization, product or activity, or the UUID of the lead.",
        example: "123",
        clean: clean.optionalText("Entity ID"),
      }),
    },
  };
}

const append = (comments: string | undefined, text: string) => {
  const base = (comments ?? "").trim();
  return base ? `${base}${/[.!?]$/.test(base) ? "" : "."} ${text}` : text;
};

function attachEntity(
  entity: NonNullable<ActionEntry["entity"]>,
  body: Record<string, unknown>,
  values: Record<string, unknown>,
) {
  const type = values[entity.type] as string | undefined;
  const id = values[entity.id] as string | undefined;
  if (type === undefined && id === undefined) return;
  if (type === undefined || id === undefined)
    throw new InputError("Entity Type and Entity ID: set both (or neither, and use the record's own ID input).");
  const field = entity.fields[type];
  body[field] = type === "lead" ? clean.uuid("Entity ID")(id) : clean.id("Entity ID")(id);
}

/** The operation an entry starts from: its composed definition, its named operation, or the key's own. */
function baseOf(key: string, entry: ActionEntry, available: Set<string>): OperationDefinition {
  const { operation } = entry;
  if (typeof operation === "function") return operation(available);
  const op = operation ? findOperation(operation.version, operation.id) : generatedByKey().get(key);
  if (!op) throw new Error(`No action "${key}".`);
  return toDefinition(op, available);
}

/** Declaration + entry -> the definition the action helper (src/actions/operation.ts) takes. */
export function resolve(key: string, entry: ActionEntry | undefined, available: Set<string>): OperationDefinition {
  if (!entry) {
    const op = generatedByKey().get(key);
    if (!op) throw new Error(`No action "${key}".`);
    return toDefinition(op, available);
  }
  const base = baseOf(key, entry, available);
  const params: Record<string, Param> = entry.params
    ? entry.params(base.params ?? {}, available)
    : { ...(base.params ?? {}) };
  for (const [ourKey, parameter] of Object.entries(entry.renames ?? {})) {
    const found = Object.entries(params).find(([, param]) => param.name === parameter && param.in !== "ignored");
    if (!found) throw new Error(`${key}: no parameter ${parameter} to take the input key ${ourKey}`);
    delete params[found[0]];
    params[ourKey] = found[1];
  }
  const at = (inputKey: string) => {
    const param = params[inputKey];
    if (!param) throw new Error(`${key}: no input ${inputKey} for Prismatic's component`);
    return param;
  };
  for (const [inputKey, type] of Object.entries(entry.types ?? {})) {
    const param = at(inputKey);
    params[inputKey] = { ...param, input: type === "boolean" ? booleanFrom(param.input) : passwordFrom(param.input) };
  }
  for (const [inputKey, values] of Object.entries(entry.values ?? {}))
    params[inputKey] = { ...at(inputKey), input: choiceFrom(at(inputKey).input, values) };
  for (const [inputKey, value] of Object.entries(entry.defaults ?? {})) {
    const param = at(inputKey);
    const model = (param.input as { model?: { value: string }[] }).model;
    if (model && !model.some((option) => option.value === value))
      throw new Error(`${key}.${inputKey}: default ${value} is not one of its values`);
    params[inputKey] = { ...param, input: { ...param.input, default: value } as InputFieldDefinition };
  }
  for (const [inputKey, why] of Object.entries(entry.stricter ?? {})) {
    const param = at(inputKey);
    const label = String(param.input.label);
    const own = (param.input as { clean?: (value: unknown) => unknown }).clean;
    params[inputKey] = {
      ...param,
      input: {
        ...param.input,
        required: true,
        comments: `${param.input.comments ?? ""} Required: ${why}`.trim(),
        // Empty fails here, naming the input, before Pipedrive's 400 could.
        clean: (value: unknown) => {
          clean.text(label)(value);
          return own ? own(value) : value;
        },
      } as InputFieldDefinition,
    };
  }
  for (const [inputKey, value] of Object.entries(entry.fill ?? {})) {
    const param = at(inputKey);
    const label = String(param.input.label);
    params[inputKey] = {
      ...param,
      input: {
        ...param.input,
        required: false,
        comments: append(param.input.comments, `When empty, "${value}".`),
        clean: clean.optionalText(label),
      } as InputFieldDefinition,
    };
  }
  for (const [inputKey, example] of Object.entries(entry.examples ?? {}))
    params[inputKey] = { ...at(inputKey), input: { ...at(inputKey).input, example } as InputFieldDefinition };
  for (const [inputKey, kept] of Object.entries(entry.notSent ?? {})) params[inputKey] = keptInput(kept);
  if (entry.entity) Object.assign(params, entityParams(entry.entity));
  const { entity, fill, atLeastOne } = entry;
  const own = entry.prepare ?? base.prepare;
  const prepare: OperationDefinition["prepare"] =
    entity || fill || atLeastOne
      ? (parts, values, context) => {
          for (const [inputKey, value] of Object.entries(fill ?? {})) {
            const name = params[inputKey].name;
            if (parts.body[name] === undefined) parts.body[name] = value;
          }
          if (entity) attachEntity(entity, parts.body, values);
          if (atLeastOne?.inputs.every((inputKey) => values[inputKey] === undefined || values[inputKey] === ""))
            throw new InputError(
              `${atLeastOne.inputs.map((k) => params[k].input.label).join(", ")}: set at least one; ${atLeastOne.why}`,
            );
          own?.(parts, values, context);
        }
      : own;
  const transform = entry.transform ?? base.transform;
  const lookUp = entry.lookUp ?? base.lookUp;
  const shapeOutput = entry.shapeOutput ?? base.shapeOutput;
  const customFields = entry.customFields ?? base.customFields;
  return {
    ...base,
    label: entry.label ?? base.label,
    description:
      typeof entry.description === "function"
        ? entry.description(base.description)
        : (entry.description ?? base.description),
    params,
    ...(prepare ? { prepare } : {}),
    ...(transform ? { transform } : {}),
    ...(lookUp ? { lookUp } : {}),
    ...(shapeOutput ? { shapeOutput } : {}),
    ...(customFields ? { customFields } : {}),
    ...(entry.examplePayload ? { examplePayload: entry.examplePayload } : {}),
  };
}

/** An action Pipedrive removed outright: same key and inputs, fails before any request naming the replacement. */
export function removedAction({ label, replacement, why }: RemovedEntry["removed"]): ActionDefinition {
  return action({
    display: { label, description: `${why} Use ${replacement} instead.` },
    inputs: {
      connection: connectionInput,
      id: input({
        label: "Subscription ID",
        type: "string",
        required: false,
        comments: "Kept for compatibility; not used.",
      }),
    },
    perform: async (): Promise<{ data: unknown }> => {
      throw new InputError(
        `${label}: ${why.replace(/\.$/, "")}, so this action can no longer run. Use ${replacement} instead.`,
      );
    },
    examplePayload: { data: null },
    outputSchema: {
      type: "actionOutput",
      schema: { type: "null", description: "Never returns: Pipedrive removed this API." },
    },
    // Runs nothing worth running inline: it only explains the replacement.
    performSafety: PerformSafety.NOT_ALLOWED,
  }) as unknown as ActionDefinition;
}
