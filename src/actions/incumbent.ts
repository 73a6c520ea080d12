import { type InputFieldDefinition, input } from "@prismatic-io/spectral";
import { InputError } from "../client/errors";
import { clean } from "../inputs";
import { WEBHOOK_EVENT_OBJECTS } from "../records";
import type { OperationDefinition, Param } from "./operation";

/**
 * Prismatic's own Pipedrive component, as builders configured it: which operation each of its keys
 * runs when that is not the operation of the same operationId, and for each action its input keys
 * (incumbent key -> Pipedrive parameter), the inputs it stored as booleans, its defaults and the
 * inputs the endpoint no longer takes. Applied once, to every definition, by the build step
 * (src/actions/index.ts); `npm run compat` checks the result against the published component.
 */

type Version = "v1" | "v2";

/** Keys whose operation is not the v2-first choice for their operationId (or has another operationId). */
export const INCUMBENT_OPERATIONS: Record<string, { id: string; version: Version; label: string }> = {
  // Prismatic's field actions without "V2" are the v1 ones (numeric id, start/limit); "V2" is v2 (field code).
  getActivityFields: { id: "getActivityFields", version: "v1", label: "Get Activity Fields" },
  getActivityFieldsV2: { id: "getActivityFields", version: "v2", label: "Get Activity Fields (V2)" },
  getDealFields: { id: "getDealFields", version: "v1", label: "Get Deal Fields" },
  getDealField: { id: "getDealField", version: "v1", label: "Get Deal Field" },
  deleteDealField: { id: "deleteDealField", version: "v1", label: "Delete Deal Field" },
  getDealFieldsV2: { id: "getDealFields", version: "v2", label: "Get Deal Fields (V2)" },
  getDealFieldV2: { id: "getDealField", version: "v2", label: "Get Deal Field (V2)" },
  deleteDealFieldV2: { id: "deleteDealField", version: "v2", label: "Delete Deal Field (V2)" },
  getPersonFields: { id: "getPersonFields", version: "v1", label: "Get Person Fields" },
  getPersonField: { id: "getPersonField", version: "v1", label: "Get Person Field" },
  deletePersonField: { id: "deletePersonField", version: "v1", label: "Delete Person Field" },
  getPersonFieldsV2: { id: "getPersonFields", version: "v2", label: "Get Person Fields (V2)" },
  getPersonFieldV2: { id: "getPersonField", version: "v2", label: "Get Person Field (V2)" },
  deletePersonFieldV2: { id: "deletePersonField", version: "v2", label: "Delete Person Field (V2)" },
  getProductFields: { id: "getProductFields", version: "v1", label: "Get Product Fields" },
  getProductField: { id: "getProductField", version: "v1", label: "Get Product Field" },
  deleteProductField: { id: "deleteProductField", version: "v1", label: "Delete Product Field" },
  getProductFieldsV2: { id: "getProductFields", version: "v2", label: "Get Product Fields (V2)" },
  getProductFieldV2: { id: "getProductField", version: "v2", label: "Get Product Field (V2)" },
  deleteProductFieldV2: { id: "deleteProductField", version: "v2", label: "Delete Product Field (V2)" },
  createWebhook: { id: "addWebhook", version: "v1", label: "Create Webhook" },
  listWebhooks: { id: "getWebhooks", version: "v1", label: "List Webhooks" },
};

export interface IncumbentInputs {
  /** Incumbent input key -> the Pipedrive parameter or body field it sets. */
  renames?: Record<string, string>;
  /** Input keys (after renaming) that were spectral inputs of another type: boolean or password. */
  types?: Record<string, "boolean" | "password">;
  /** The incumbent's defaults (spectral stores them as strings). */
  defaults?: Record<string, string>;
  /** Incumbent defaults deliberately not kept: input key -> why. */
  defaultsNotKept?: Record<string, string>;
  /** Inputs the endpoint no longer takes: kept, logged when set, never sent. */
  ignored?: Record<string, { label: string; why: string; values?: string[] }>;
  /** Inputs the incumbent left optional and Pipedrive requires: input key -> why. */
  stricter?: Record<string, string>;
  /** Dropdowns whose values the incumbent offered beyond the spec's enum: the full list. */
  values?: Record<string, string[]>;
  /** Inputs Pipedrive requires that the incumbent did not have: made optional, sent as this value when empty. */
  fill?: Record<string, string>;
  /** One input chooses the record type, another its id: sent as `<type>_id`. */
  entity?: { type: string; id: string; fields: Record<string, string> };
}

const EXACT_MATCH = { types: { exactMatch: "boolean" }, defaults: { exactMatch: "false" } } as const;
const DONE = { types: { done: "boolean" }, defaults: { done: "false" } } as const;
const ON_UPDATE = (what: string) =>
  `an update sends only the inputs that are set, and a default would ${what} on every update that did not mean to; configurations that stored the old default keep sending it.`;
const FILES_DELETED = {
  label: "Include Deleted Files",
  values: ["0", "1"],
  why: "Pipedrive's current spec of this endpoint has no include_deleted_files parameter (Get Files has it).",
};
const CURSOR_ON_OFFSET = {
  label: "Cursor",
  why: "this v1 list pages by offset; use Start (next_start of the previous page).",
};
const ROTTEN = { rottenFlag: "is_deal_rot_enabled", rottenDays: "days_to_rotten" };

export const INCUMBENT: Record<string, IncumbentInputs> = {
  getActivities: { defaults: { sortDirection: "desc" } },
  getPipelineDeals: { defaults: { sortDirection: "desc" } },
  searchDeals: { ...EXACT_MATCH, defaults: { ...EXACT_MATCH.defaults, fields: "custom_fields,notes,title" } },
  searchLeads: EXACT_MATCH,
  searchOrganization: {
    ...EXACT_MATCH,
    defaults: { ...EXACT_MATCH.defaults, fields: "address,custom_fields,notes,name" },
  },
  searchPersons: {
    ...EXACT_MATCH,
    defaults: { ...EXACT_MATCH.defaults, fields: "custom_fields,email,notes,phone,name" },
  },
  getDealActivities: DONE,
  getOrganizationActivities: DONE,
  getPersonActivities: DONE,
  addDealProduct: {
    types: { isEnabled: "boolean" },
    defaults: { discount: "0", tax: "0" },
    defaultsNotKept: {
      isEnabled:
        "Prismatic's component sent this input under a name Pipedrive ignores (isEnabled), so its products were always enabled, Pipedrive's default; a default of false would now disable them.",
    },
  },
  updateDealProduct: {
    defaultsNotKept: { discount: ON_UPDATE("reset the discount"), tax: ON_UPDATE("reset the tax") },
  },
  addLead: { types: { wasSeen: "boolean" }, defaults: { wasSeen: "false" } },
  updateLead: {
    types: { isArchived: "boolean", wasSeen: "boolean" },
    defaultsNotKept: { isArchived: ON_UPDATE("un-archive the lead"), wasSeen: ON_UPDATE("mark the lead unseen") },
  },
  addPipeline: { types: { isDealProbabilityEnabled: "boolean" }, defaults: { isDealProbabilityEnabled: "false" } },
  updatePipeline: {
    types: { isDealProbabilityEnabled: "boolean" },
    defaultsNotKept: { isDealProbabilityEnabled: ON_UPDATE("turn deal probability off") },
  },
  addStage: { renames: ROTTEN, types: { rottenFlag: "boolean" }, defaults: { rottenFlag: "false" } },
  updateStage: {
    renames: ROTTEN,
    types: { rottenFlag: "boolean" },
    defaultsNotKept: { rottenFlag: ON_UPDATE("turn deal rotting off") },
  },
  addProduct: {
    defaults: { tax: "0" },
    stricter: { name: "Pipedrive requires a product's name (POST /api/v2/products)." },
  },
  updateProduct: { defaultsNotKept: { tax: ON_UPDATE("reset the tax") } },
  addOrganization: { stricter: { name: "Pipedrive requires an organization's name (POST /api/v2/organizations)." } },
  getMailMessage: { defaults: { includeBody: "1" } },
  getMailThreads: { defaults: { folder: "inbox" } },
  findUsersByName: { defaults: { searchByEmail: "1" } },
  deleteWebhook: { renames: { webhookId: "id" } },
  createWebhook: {
    types: { httpAuthPassword: "password" },
    // Webhooks v2 objects (Prismatic's list); the v1 spec's enum predates boards, phases, projects and tasks.
    values: { eventObject: [...WEBHOOK_EVENT_OBJECTS] },
    defaults: { version: "2.0" },
    fill: { name: "Prismatic" },
  },
  getDealFiles: { ignored: { includeDeletedFiles: FILES_DELETED, cursor: CURSOR_ON_OFFSET } },
  getOrganizationFiles: { ignored: { includeDeletedFiles: FILES_DELETED } },
  getPersonFiles: { ignored: { includeDeletedFiles: FILES_DELETED } },
  getProductFiles: { ignored: { includeDeletedFiles: FILES_DELETED } },
  getDealMailMessages: { ignored: { cursor: CURSOR_ON_OFFSET } },
  getDealParticipants: { ignored: { cursor: CURSOR_ON_OFFSET } },
  getPipeline: {
    ignored: {
      totalsConvertCurrency: {
        label: "Totals Convert Currency",
        why: "Pipedrive's v2 pipeline has no deal totals; Get Deals Summary (GET /api/v1/deals/summary) converts totals.",
      },
    },
  },
  addFile: {
    entity: {
      type: "entityType",
      id: "entityId",
      fields: {
        deal: "deal_id",
        person: "person_id",
        org: "org_id",
        product: "product_id",
        activity: "activity_id",
        lead: "lead_id",
      },
    },
  },
};

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

function choiceFrom(from: InputFieldDefinition, values: string[]): InputFieldDefinition {
  const label = String(from.label);
  const required = Boolean((from as { required?: boolean }).required);
  return {
    ...from,
    model: values.map((value) => ({ label: value, value })),
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

function ignoredInput({ label, why, values }: { label: string; why: string; values?: string[] }): Param {
  return {
    in: "ignored",
    name: why,
    input: input({
      label,
      type: "string",
      required: false,
      comments: `Kept so configurations made with Prismatic's component still load; not sent: ${why}`,
      ...(values ? { model: values.map((value) => ({ label: value, value })) } : {}),
      clean: values ? clean.optionalChoice(label, values) : clean.optionalText(label),
    }),
  };
}

function entityParams(entity: NonNullable<IncumbentInputs["entity"]>): Record<string, Param> {
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

/** The incumbent's input keys, types and defaults on one definition. */
export function applyIncumbent(key: string, definition: OperationDefinition): OperationDefinition {
  const spec = INCUMBENT[key];
  if (!spec) return definition;
  const params: Record<string, Param> = { ...definition.params };
  for (const [incumbentKey, parameter] of Object.entries(spec.renames ?? {})) {
    const found = Object.entries(params).find(([, param]) => param.name === parameter && param.in !== "ignored");
    if (!found) throw new Error(`${key}: no parameter ${parameter} to take the input key ${incumbentKey}`);
    delete params[found[0]];
    params[incumbentKey] = found[1];
  }
  const at = (inputKey: string) => {
    const param = params[inputKey];
    if (!param) throw new Error(`${key}: no input ${inputKey} for Prismatic's component`);
    return param;
  };
  for (const [inputKey, type] of Object.entries(spec.types ?? {})) {
    const param = at(inputKey);
    params[inputKey] = { ...param, input: type === "boolean" ? booleanFrom(param.input) : passwordFrom(param.input) };
  }
  for (const [inputKey, values] of Object.entries(spec.values ?? {}))
    params[inputKey] = { ...at(inputKey), input: choiceFrom(at(inputKey).input, values) };
  for (const [inputKey, value] of Object.entries(spec.defaults ?? {})) {
    const param = at(inputKey);
    const model = (param.input as { model?: { value: string }[] }).model;
    if (model && !model.some((option) => option.value === value))
      throw new Error(`${key}.${inputKey}: default ${value} is not one of its values`);
    params[inputKey] = { ...param, input: { ...param.input, default: value } as InputFieldDefinition };
  }
  for (const [inputKey, why] of Object.entries(spec.stricter ?? {})) {
    const param = at(inputKey);
    params[inputKey] = {
      ...param,
      input: {
        ...param.input,
        comments: `${param.input.comments ?? ""} Required: ${why}`.trim(),
      } as InputFieldDefinition,
    };
  }
  for (const [inputKey, value] of Object.entries(spec.fill ?? {})) {
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
  for (const [inputKey, ignored] of Object.entries(spec.ignored ?? {})) params[inputKey] = ignoredInput(ignored);
  if (spec.entity) Object.assign(params, entityParams(spec.entity));
  const entity = spec.entity;
  const fill = spec.fill;
  const prepare: OperationDefinition["prepare"] =
    entity || fill
      ? (parts, values, context) => {
          for (const [inputKey, value] of Object.entries(fill ?? {})) {
            const name = params[inputKey].name;
            if (parts.body[name] === undefined) parts.body[name] = value;
          }
          if (entity) attachEntity(entity, parts.body, values);
          definition.prepare?.(parts, values, context);
        }
      : definition.prepare;
  return { ...definition, params, ...(prepare ? { prepare } : {}) };
}

function attachEntity(
  entity: NonNullable<IncumbentInputs["entity"]>,
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
