import { input } from "@prismatic-io/spectral";
import { clean } from "./clean";
import { dealIdInput, idInput } from "./index";

/**
 * The catalogue of ID inputs linked to data sources: each offers a dropdown of records (see
 * src/dataSources) and still accepts an ID typed or mapped from an earlier step. Use the ready
 * inputs below, or `linkedIdInput(kind, { label, comments, required })` to keep an action's own
 * label (the label also names the input in error messages).
 */

export type LinkedIdKind =
  | "deal"
  | "person"
  | "organization"
  | "pipeline"
  | "stage"
  | "user"
  | "owner"
  | "product"
  | "activity"
  | "filter"
  | "file"
  | "project";

const LINKED: Record<LinkedIdKind, { label: string; dataSource: string; comments: string }> = {
  deal: {
    label: "Deal ID",
    dataSource: "selectDeal",
    comments: "The ID of the deal. Pick one from the dropdown or map it from an earlier step.",
  },
  person: {
    label: "Person ID",
    dataSource: "selectPerson",
    comments: "The ID of the person (contact). Pick one from the dropdown or map it from an earlier step.",
  },
  organization: {
    label: "Organization ID",
    dataSource: "selectOrganization",
    comments: "The ID of the organization. Pick one from the dropdown or map it from an earlier step.",
  },
  pipeline: {
    label: "Pipeline ID",
    dataSource: "selectPipeline",
    comments: "The ID of the pipeline. Pick one from the dropdown or map it from an earlier step.",
  },
  stage: {
    label: "Stage ID",
    dataSource: "selectStage",
    comments: "The ID of the stage (the dropdown shows Pipeline > Stage). Stage IDs are unique across pipelines.",
  },
  user: {
    label: "User ID",
    dataSource: "selectUser",
    comments: "The ID of a user of the Pipedrive company. Pick one from the dropdown or map it from an earlier step.",
  },
  owner: {
    label: "Owner ID",
    dataSource: "selectUser",
    comments: "The ID of the user who owns the record. Pick one from the dropdown or map it from an earlier step.",
  },
  product: {
    label: "Product ID",
    dataSource: "selectProduct",
    comments: "The ID of the product. Pick one from the dropdown or map it from an earlier step.",
  },
  activity: {
    label: "Activity ID",
    dataSource: "selectActivity",
    comments: "The ID of the activity. Pick one from the dropdown or map it from an earlier step.",
  },
  filter: {
    label: "Filter ID",
    dataSource: "selectFilter",
    comments: "The ID of a saved Pipedrive filter. Pick one from the dropdown (it shows each filter's type) or map it from an earlier step.",
  },
  file: {
    label: "File ID",
    dataSource: "selectFile",
    comments: "The ID of the file. Pick one from the dropdown or map it from an earlier step.",
  },
  project: {
    label: "Project ID",
    dataSource: "selectProject",
    comments: "The ID of the project. Pick one from the dropdown or map it from an earlier step.",
  },
};

interface LinkedOptions {
  label?: string;
  comments?: string;
  required?: boolean;
}

/** A numeric ID input with the kind's dropdown; required unless `required: false`. */
export const linkedIdInput = (kind: LinkedIdKind, options: LinkedOptions = {}) =>
  idInput({ ...LINKED[kind], ...options });

export { dealIdInput };
export const optionalDealIdInput = linkedIdInput("deal", { required: false });
export const personIdInput = linkedIdInput("person");
export const optionalPersonIdInput = linkedIdInput("person", { required: false });
export const organizationIdInput = linkedIdInput("organization");
export const optionalOrganizationIdInput = linkedIdInput("organization", { required: false });
export const pipelineIdInput = linkedIdInput("pipeline");
export const optionalPipelineIdInput = linkedIdInput("pipeline", { required: false });
export const stageIdInput = linkedIdInput("stage");
export const optionalStageIdInput = linkedIdInput("stage", { required: false });
export const userIdInput = linkedIdInput("user");
export const optionalUserIdInput = linkedIdInput("user", { required: false });
/** Optional: Pipedrive makes the connection's user the owner when it is empty. */
export const ownerIdInput = linkedIdInput("owner", { required: false });
export const productIdInput = linkedIdInput("product");
export const optionalProductIdInput = linkedIdInput("product", { required: false });
export const activityIdInput = linkedIdInput("activity");
export const optionalActivityIdInput = linkedIdInput("activity", { required: false });
export const filterIdInput = linkedIdInput("filter");
export const optionalFilterIdInput = linkedIdInput("filter", { required: false });
export const fileIdInput = linkedIdInput("file");
export const optionalFileIdInput = linkedIdInput("file", { required: false });
export const projectIdInput = linkedIdInput("project");
export const optionalProjectIdInput = linkedIdInput("project", { required: false });

// --- UUIDs (leads, lead labels) ------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_EXAMPLE = "adf21080-0e10-11eb-879b-05d71fb426ec";
const UUID_EXPECTED = `a UUID such as ${UUID_EXAMPLE}`;

/** Cleaner for a UUID (lowercased); required unless `required: false`. */
export const uuidCleaner = (label: string, required = true) => {
  const optional = clean.optionalPattern(label, UUID, UUID_EXPECTED, (text) => text.toLowerCase());
  return (value: unknown): string | undefined => {
    if (required) clean.text(label)(value);
    return optional(value);
  };
};

/** Cleaner for comma-separated UUIDs (or an array of them), e.g. lead label IDs. */
export const uuidListCleaner = (label: string) => {
  const one = uuidCleaner(label);
  return (value: unknown): string[] | undefined => {
    const parts = clean.optionalTextList(label)(value);
    if (parts === undefined || parts.length === 0) return undefined;
    return parts.map((part) => one(part) as string);
  };
};

interface UuidInputOptions {
  label: string;
  dataSource: string;
  comments: string;
  required?: boolean;
}

/** A UUID ID input (leads, lead labels) with a dropdown; required unless `required: false`. */
export const uuidIdInput = ({ label, dataSource, comments, required = true }: UuidInputOptions) =>
  input({
    label,
    type: "string",
    required,
    comments,
    example: UUID_EXAMPLE,
    placeholder: `Enter ${label}`,
    dataSource,
    clean: uuidCleaner(label, required),
  });

const LEAD = {
  label: "Lead ID",
  dataSource: "selectLead",
  comments: "The ID of the lead, a UUID such as adf21080-0e10-11eb-879b-05d71fb426ec. Pick one from the dropdown or map it from an earlier step.",
};
export const leadIdInput = uuidIdInput(LEAD);
export const optionalLeadIdInput = uuidIdInput({ ...LEAD, required: false });

const LEAD_LABEL = {
  label: "Lead Label ID",
  dataSource: "selectLeadLabel",
  comments: "The ID of a lead label, a UUID. Pick one from the dropdown or map it from an earlier step.",
};
export const leadLabelIdInput = uuidIdInput(LEAD_LABEL);
export const optionalLeadLabelIdInput = uuidIdInput({ ...LEAD_LABEL, required: false });
/** Several lead labels: comma-separated UUIDs (the dropdown fills one; add more separated by commas). */
export const leadLabelIdsInput = input({
  label: "Lead Label IDs",
  type: "string",
  required: false,
  comments: "Comma-separated lead label IDs (UUIDs). Replaces the lead's labels.",
  example: UUID_EXAMPLE,
  dataSource: "selectLeadLabel",
  clean: uuidListCleaner("Lead Label IDs"),
});

// --- keys that are not numeric IDs -----------------------------------------------------------

/** An activity type's key_string ("call", "meeting", "task", or a custom type's key). */
export const activityTypeInput = input({
  label: "Type",
  type: "string",
  required: false,
  comments: "The activity type's key, e.g. call, meeting, task, deadline, email or lunch (custom types have their own keys). Pick one from the dropdown.",
  example: "call",
  placeholder: "call",
  dataSource: "selectActivityType",
  clean: clean.optionalPattern("Type", /^[a-z0-9_]+$/, "an activity type key such as call or meeting", (text) => text.toLowerCase()),
});

/** A currency code as Pipedrive lists it in /v1/currencies. */
export const currencyInput = input({
  label: "Currency",
  type: "string",
  required: false,
  comments: "The 3-letter currency code, e.g. USD or EUR. Pick one from the dropdown. When empty, Pipedrive uses the company's default currency.",
  example: "USD",
  placeholder: "USD",
  dataSource: "selectCurrency",
  clean: clean.optionalPattern("Currency", /^[A-Z]{3}$/, "a 3-letter currency code such as USD", (text) => text.toUpperCase()),
});

export type FieldEntity = "deal" | "person" | "organization" | "product" | "activity";

const FIELD_SOURCES: Record<FieldEntity, { dataSource: string; noun: string }> = {
  deal: { dataSource: "selectDealField", noun: "deal" },
  person: { dataSource: "selectPersonField", noun: "person" },
  organization: { dataSource: "selectOrganizationField", noun: "organization" },
  product: { dataSource: "selectProductField", noun: "product" },
  activity: { dataSource: "selectActivityField", noun: "activity" },
};

const FIELD_CODE = /^[A-Za-z0-9_]+$/;

/** A field's key (v2 field_code: a 40-character hash for custom fields), picked by field name. */
export const fieldCodeInput = (entity: FieldEntity, options: LinkedOptions = {}) => {
  const { dataSource, noun } = FIELD_SOURCES[entity];
  const label = options.label ?? "Field";
  const required = options.required ?? true;
  const optional = clean.optionalPattern(label, FIELD_CODE, "a field key such as 9dc80c50d78a15643bfc4ca79d76156a73a1ca0e or title");
  return input({
    label,
    type: "string",
    required,
    comments:
      options.comments ??
      `The key of a ${noun} field (for custom fields a 40-character hash). Pick the field by name from the dropdown.`,
    example: "9dc80c50d78a15643bfc4ca79d76156a73a1ca0e",
    placeholder: `Select a ${noun} field`,
    dataSource,
    clean: (value: unknown): string | undefined => {
      if (required) clean.text(label)(value);
      return optional(value);
    },
  });
};

export const dealFieldInput = fieldCodeInput("deal");
export const personFieldInput = fieldCodeInput("person");
export const organizationFieldInput = fieldCodeInput("organization");
export const productFieldInput = fieldCodeInput("product");
export const activityFieldInput = fieldCodeInput("activity");

