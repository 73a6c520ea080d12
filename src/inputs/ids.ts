import { idInput } from "./index";

/**
 * The records whose IDs have a dropdown (see src/dataSources): hand-written inputs use
 * `linkedIdInput(kind, { label, comments, required })` (an action keeps its own label, which also
 * names the input in error messages); the generated actions look the data source up by kind.
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

/** Record kinds with a dropdown; leads and lead labels have UUIDs rather than numeric IDs. */
export type RecordKind = LinkedIdKind | "lead" | "leadLabel";

const LINKED: Record<RecordKind, { label: string; dataSource: string; comments: string }> = {
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
    comments:
      "The ID of a saved Pipedrive filter. Pick one from the dropdown (it shows each filter's type) or map it from an earlier step.",
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
  lead: {
    label: "Lead ID",
    dataSource: "selectLead",
    comments: "The ID of the lead, a UUID. Pick one from the dropdown or map it from an earlier step.",
  },
  leadLabel: {
    label: "Lead Label ID",
    dataSource: "selectLeadLabel",
    comments: "The ID of a lead label, a UUID. Pick one from the dropdown or map it from an earlier step.",
  },
};

/** The picklist that offers records of this kind. */
export const dataSourceOf = (kind: RecordKind): string => LINKED[kind].dataSource;
/** The label of an ID of this kind, e.g. "Deal ID". */
export const idLabelOf = (kind: RecordKind): string => LINKED[kind].label;

interface LinkedOptions {
  label?: string;
  comments?: string;
  required?: boolean;
}

/** A numeric ID input with the kind's dropdown; required unless `required: false`. */
export const linkedIdInput = (kind: LinkedIdKind, options: LinkedOptions = {}) =>
  idInput({ ...LINKED[kind], ...options });
