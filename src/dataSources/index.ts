import { input } from "@prismatic-io/spectral";
import type { PipedriveClient } from "../client";
import { choiceInput, clean } from "../inputs";
import { linkedIdInput } from "../inputs/ids";
import { customFieldsForms } from "./customFieldsForm";
import { picklist } from "./picklist";

/**
 * Every picklist, declared with the one helper (./picklist.ts): v2 endpoints where they exist,
 * v1 otherwise; all pages up to the cap; labels told apart and sorted.
 */

type Values = Record<string, unknown>;
const capitalise = (text: string) => text[0].toUpperCase() + text.slice(1);
const num = (value: unknown) => value as number | undefined;

const ownerFilter = (what: string) =>
  linkedIdInput("owner", { required: false, comments: `Only list ${what} owned by this user.` });
/** Filters the search endpoints lack, applied to their results. */
const ownedBy = (values: Values, owner: { id?: number } | null | undefined) =>
  values.ownerId === undefined || owner?.id === values.ownerId;

// --- deals ---------------------------------------------------------------------------------------

interface Deal {
  id: number;
  title: string;
  status: string;
}

interface DealSearchItem extends Deal {
  owner?: { id: number } | null;
  stage?: { id: number } | null;
  is_archived?: boolean;
}

/** Stage IDs of a pipeline, to narrow search results (the deal search has no pipeline filter). */
async function stageIdsOf(client: PipedriveClient, pipelineId: number): Promise<Set<number>> {
  const { items } = await client.collect<{ id: number }>({
    version: "v2",
    path: "/stages",
    pagination: "cursor",
    query: { pipeline_id: pipelineId },
  });
  return new Set(items.map((stage) => stage.id));
}

export const selectDeal = picklist<Deal, DealSearchItem, Set<number> | undefined>({
  label: "Select Deal",
  description: 'Select a deal from a dropdown menu, labelled "Deal Title - status".',
  version: "v2",
  path: "/deals",
  pagination: "cursor",
  inputs: {
    status: choiceInput({
      label: "Status",
      choices: ["open", "won", "lost"].map((value) => ({ label: capitalise(value), value })),
      comments: "Only list deals with this status. Empty lists open, won and lost deals.",
      example: "open",
    }),
    pipelineId: linkedIdInput("pipeline", { required: false, comments: "Only list deals in this pipeline." }),
    ownerId: ownerFilter("deals"),
  },
  toQuery: (values) => ({
    status: values.status as string | undefined,
    pipeline_id: num(values.pipelineId),
    owner_id: num(values.ownerId),
  }),
  related: async (client, values, searching) =>
    searching && values.pipelineId !== undefined ? stageIdsOf(client, values.pipelineId as number) : undefined,
  toElement: (deal) => ({ key: String(deal.id), label: `${deal.title} - ${deal.status}` }),
  search: {
    path: "/deals/search",
    noun: "deals",
    toQuery: (values) => ({ status: values.status as string | undefined }),
    toElement: (deal, pipelineStages, values) =>
      deal.is_archived || !ownedBy(values, deal.owner) || (pipelineStages && !pipelineStages.has(deal.stage?.id ?? -1))
        ? undefined
        : { key: String(deal.id), label: `${deal.title} - ${deal.status}` },
  },
  example: [
    { key: "1", label: "Acme - 50 seats - open" },
    { key: "2", label: "Globex renewal - won" },
  ],
});

// --- persons -------------------------------------------------------------------------------------

interface Person {
  id: number;
  name: string;
  emails?: { value: string; primary?: boolean }[];
}

interface PersonSearchItem {
  id: number;
  name: string;
  emails?: string[];
  owner?: { id: number } | null;
}

const personLabel = (id: number, name: string, email: string | undefined) => ({
  key: String(id),
  label: name || email || `Person ${id}`,
  detail: email,
});

export const selectPerson = picklist<Person, PersonSearchItem>({
  label: "Select Person",
  description:
    "Select a person from a dropdown menu, labelled with the person's name (and primary email when names repeat).",
  version: "v2",
  path: "/persons",
  pagination: "cursor",
  inputs: {
    orgId: linkedIdInput("organization", {
      label: "Organization ID",
      required: false,
      comments: "Only list persons linked to this organization.",
    }),
    ownerId: ownerFilter("persons"),
  },
  toQuery: (values) => ({ org_id: num(values.orgId), owner_id: num(values.ownerId) }),
  toElement: (person) =>
    personLabel(person.id, person.name, person.emails?.find((e) => e.primary)?.value ?? person.emails?.[0]?.value),
  search: {
    path: "/persons/search",
    noun: "persons",
    toQuery: (values) => ({ organization_id: num(values.orgId) }),
    toElement: (person, _related, values) =>
      ownedBy(values, person.owner) ? personLabel(person.id, person.name, person.emails?.[0]) : undefined,
  },
  example: [
    { key: "1", label: "Ada Lovelace" },
    { key: "2", label: "Grace Hopper" },
  ],
});

// --- organizations -------------------------------------------------------------------------------

interface Organization {
  id: number;
  name: string;
  address?: { value?: string | null } | null;
}

interface OrganizationSearchItem {
  id: number;
  name: string;
  address?: string | null;
  owner?: { id: number } | null;
}

const organizationLabel = (id: number, name: string, address: string | null | undefined) => ({
  key: String(id),
  label: name || `Organization ${id}`,
  detail: address,
});

export const selectOrganization = picklist<Organization, OrganizationSearchItem>({
  label: "Select Organization",
  description: "Select an organization from a dropdown menu, labelled with its name (and address when names repeat).",
  version: "v2",
  path: "/organizations",
  pagination: "cursor",
  inputs: { ownerId: ownerFilter("organizations") },
  toQuery: (values) => ({ owner_id: num(values.ownerId) }),
  toElement: (org) => organizationLabel(org.id, org.name, org.address?.value),
  search: {
    path: "/organizations/search",
    noun: "organizations",
    toElement: (org, _related, values) =>
      ownedBy(values, org.owner) ? organizationLabel(org.id, org.name, org.address) : undefined,
  },
  example: [
    { key: "1", label: "Acme Inc." },
    { key: "2", label: "Globex" },
  ],
});

// --- products ------------------------------------------------------------------------------------

interface Product {
  id: number;
  name: string;
  code?: string | null;
  owner_id?: number;
  owner?: { id: number } | null;
}

const productLabel = (product: Product) => ({
  key: String(product.id),
  label: product.name || `Product ${product.id}`,
  detail: product.code,
});

export const selectProduct = picklist<Product, Product>({
  label: "Select Product",
  description: "Select a product from a dropdown menu, labelled with its name (and product code when names repeat).",
  version: "v2",
  path: "/products",
  pagination: "cursor",
  inputs: { ownerId: ownerFilter("products") },
  toQuery: (values) => ({ owner_id: num(values.ownerId) }),
  toElement: productLabel,
  search: {
    path: "/products/search",
    noun: "products",
    toElement: (product, _related, values) => (ownedBy(values, product.owner) ? productLabel(product) : undefined),
  },
  example: [
    { key: "1", label: "Onboarding package" },
    { key: "2", label: "Seat licence" },
  ],
});

// --- leads (v1 list with flat offsets; v2 search) -------------------------------------------------

interface Lead {
  id: string;
  title: string;
  is_archived?: boolean;
  owner?: { id: number } | null;
}

const leadLabel = (lead: Lead) => ({ key: lead.id, label: lead.title || "Untitled lead" });

export const selectLead = picklist<Lead, Lead>({
  label: "Select Lead",
  description:
    "Select a lead (not archived) from a dropdown menu, labelled with its title; the key is the lead's UUID.",
  version: "v1",
  path: "/leads",
  pagination: "offset",
  inputs: {
    ownerId: ownerFilter("leads"),
    personId: linkedIdInput("person", { required: false, comments: "Only list leads linked to this person." }),
    orgId: linkedIdInput("organization", {
      label: "Organization ID",
      required: false,
      comments: "Only list leads linked to this organization.",
    }),
  },
  toQuery: (values) => ({
    owner_id: num(values.ownerId),
    person_id: num(values.personId),
    organization_id: num(values.orgId),
  }),
  toElement: leadLabel,
  search: {
    path: "/leads/search",
    noun: "leads",
    toQuery: (values) => ({ person_id: num(values.personId), organization_id: num(values.orgId) }),
    toElement: (lead, _related, values) =>
      lead.is_archived || !ownedBy(values, lead.owner) ? undefined : leadLabel(lead),
  },
  example: [
    { key: "adf21080-0e10-11eb-879b-05d71fb426ec", label: "Acme - website inquiry" },
    { key: "b7a2c1e0-5f3d-11ee-8c99-0242ac120002", label: "Globex - trade show" },
  ],
});

// --- activities ----------------------------------------------------------------------------------

interface Activity {
  id: number;
  subject: string | null;
  type?: string;
  due_date?: string | null;
  done?: boolean;
}

export const selectActivity = picklist<Activity>({
  label: "Select Activity",
  description: 'Select an activity from a dropdown menu, labelled "Subject - due date" (with "- done" for done ones).',
  version: "v2",
  path: "/activities",
  pagination: "cursor",
  inputs: {
    ownerId: ownerFilter("activities"),
    done: choiceInput({
      label: "Done",
      choices: [
        { label: "Not done", value: "false" },
        { label: "Done", value: "true" },
      ],
      comments: "Only list activities that are done, or not done. Empty lists both.",
      example: "false",
    }),
  },
  toQuery: (values) => ({
    owner_id: num(values.ownerId),
    done: values.done === undefined ? undefined : values.done === "true",
  }),
  toElement: (activity) => ({
    key: String(activity.id),
    label: [
      activity.subject || activity.type || `Activity ${activity.id}`,
      activity.due_date,
      activity.done ? "done" : undefined,
    ]
      .filter(Boolean)
      .join(" - "),
    detail: activity.type,
  }),
  example: [
    { key: "1", label: "Call Acme - 2026-03-02" },
    { key: "2", label: "Demo for Globex - 2026-02-20 - done" },
  ],
});

// --- files (v1, at most 100 a page) ----------------------------------------------------------------

interface PipedriveFile {
  id: number;
  name?: string | null;
  file_name?: string | null;
  active_flag?: boolean;
  deal_name?: string | null;
  person_name?: string | null;
  org_name?: string | null;
  product_name?: string | null;
  lead_name?: string | null;
}

export const selectFile = picklist<PipedriveFile>({
  label: "Select File",
  description: 'Select a file from a dropdown menu, labelled "File name - what it is attached to".',
  version: "v1",
  path: "/files",
  pagination: "offset",
  pageSize: 100,
  toElement: (file) => {
    if (file.active_flag === false) return undefined;
    const name = file.name || file.file_name || `File ${file.id}`;
    const attachedTo = file.deal_name || file.lead_name || file.person_name || file.org_name || file.product_name;
    return { key: String(file.id), label: attachedTo ? `${name} - ${attachedTo}` : name };
  },
  example: [
    { key: "1", label: "proposal.pdf - Acme - 50 seats" },
    { key: "2", label: "contract.docx - Globex" },
  ],
});

// --- filters -------------------------------------------------------------------------------------

const FILTER_TYPES = [
  { label: "Deals", value: "deals" },
  { label: "Leads", value: "leads" },
  { label: "Organizations", value: "org" },
  { label: "People", value: "people" },
  { label: "Products", value: "products" },
  { label: "Activities", value: "activity" },
  { label: "Projects", value: "projects" },
] as const;
const filterTypeLabel = (type: string) => FILTER_TYPES.find((t) => t.value === type)?.label ?? type;

interface Filter {
  id: number;
  name: string;
  type: string;
  active_flag?: boolean;
}

export const selectFilter = picklist<Filter>({
  label: "Select Filter",
  description:
    'Select a saved filter from a dropdown menu, labelled "Filter name (Deals)" with the kind of records it filters.',
  version: "v1",
  path: "/filters",
  pagination: "none",
  inputs: {
    type: choiceInput({
      label: "Filter Type",
      choices: FILTER_TYPES,
      comments:
        "Only list filters for this kind of record, e.g. Deals for the Filter ID of Get Deals. Empty lists every filter.",
      example: "deals",
    }),
  },
  toQuery: (values) => ({ type: values.type as string | undefined }),
  toElement: (filter) =>
    filter.active_flag === false
      ? undefined
      : { key: String(filter.id), label: `${filter.name} (${filterTypeLabel(filter.type)})` },
  example: [
    { key: "1", label: "Open deals over 10k (Deals)" },
    { key: "2", label: "My contacts (People)" },
  ],
});

// --- pipelines and stages ------------------------------------------------------------------------

interface Pipeline {
  id: number;
  name: string;
  order_nr?: number;
}

export const selectPipeline = picklist<Pipeline>({
  label: "Select Pipeline",
  description: "Select a pipeline from a dropdown menu, labelled with its name.",
  version: "v2",
  path: "/pipelines",
  pagination: "cursor",
  toElement: (pipeline) => ({ key: String(pipeline.id), label: pipeline.name || `Pipeline ${pipeline.id}` }),
  example: [
    { key: "2", label: "Partnerships" },
    { key: "1", label: "Sales pipeline" },
  ],
});

interface Stage {
  id: number;
  name: string;
  pipeline_id: number;
  order_nr?: number;
}

export const selectStage = picklist<Stage, never, Map<number, string>>({
  label: "Select Stage",
  description: 'Select a stage from a dropdown menu, labelled "Pipeline > Stage".',
  order: "pipelines by name, stages in pipeline order",
  version: "v2",
  path: "/stages",
  pagination: "cursor",
  inputs: {
    pipelineId: linkedIdInput("pipeline", { required: false, comments: "Only list the stages of this pipeline." }),
  },
  toQuery: (values) => ({ pipeline_id: num(values.pipelineId) }),
  related: async (client) => {
    const { items } = await client.collect<Pipeline>({ version: "v2", path: "/pipelines", pagination: "cursor" });
    return new Map(items.map((pipeline) => [pipeline.id, pipeline.name || `Pipeline ${pipeline.id}`]));
  },
  toElement: (stage, pipelines) => {
    const pipeline = pipelines.get(stage.pipeline_id) ?? `Pipeline ${stage.pipeline_id}`;
    return {
      key: String(stage.id),
      label: `${pipeline} > ${stage.name || `Stage ${stage.id}`}`,
      sortKey: `${pipeline} > ${stage.order_nr ?? 0}`,
    };
  },
  example: [
    { key: "1", label: "Sales pipeline > Qualified" },
    { key: "2", label: "Sales pipeline > Contact made" },
  ],
});

// --- users, activity types, lead labels, currencies (v1, one request) ----------------------------------

interface User {
  id: number;
  name: string;
  email?: string;
  active_flag?: boolean;
}

export const selectUser = picklist<User>({
  label: "Select User",
  description:
    "Select an active user of the Pipedrive company from a dropdown menu, labelled with the user's name (and email when names repeat).",
  version: "v1",
  path: "/users",
  pagination: "none",
  toElement: (user) =>
    user.active_flag === false
      ? undefined
      : { key: String(user.id), label: user.name || user.email || `User ${user.id}`, detail: user.email },
  example: [
    { key: "1", label: "Ada Lovelace" },
    { key: "2", label: "Grace Hopper" },
  ],
});

interface ActivityType {
  id: number;
  name: string;
  key_string: string;
  active_flag?: boolean;
}

export const selectActivityType = picklist<ActivityType>({
  label: "Select Activity Type",
  description:
    "Select an active activity type from a dropdown menu, labelled with its name; the key is the type's key (such as call or meeting) that activities take.",
  version: "v1",
  path: "/activityTypes",
  pagination: "none",
  toElement: (type) =>
    type.active_flag === false ? undefined : { key: type.key_string, label: type.name || type.key_string },
  example: [
    { key: "call", label: "Call" },
    { key: "meeting", label: "Meeting" },
  ],
});

interface LeadLabel {
  id: string;
  name: string;
  color?: string;
}

export const selectLeadLabel = picklist<LeadLabel>({
  label: "Select Lead Label",
  description:
    "Select a lead label from a dropdown menu, labelled with its name (and color when names repeat); the key is the label's UUID.",
  version: "v1",
  path: "/leadLabels",
  pagination: "none",
  toElement: (label) => ({ key: label.id, label: label.name, detail: label.color }),
  example: [
    { key: "f08b42a0-4e75-11ea-9643-03698ef1cfd6", label: "Hot" },
    { key: "f08b42a1-4e75-11ea-9643-03698ef1cfd6", label: "Warm" },
  ],
});

interface Currency {
  code: string;
  name: string;
  active_flag?: boolean;
}

export const selectCurrency = picklist<Currency>({
  label: "Select Currency",
  description:
    'Select an active currency from a dropdown menu, labelled "USD - US Dollar"; the key is the currency code.',
  version: "v1",
  path: "/currencies",
  pagination: "none",
  inputs: {
    term: input({
      label: "Search Term",
      type: "string",
      required: false,
      comments: "Only list currencies whose code or name contains this text, e.g. dollar.",
      example: "dollar",
      clean: clean.optionalText("Search Term", 100),
    }),
  },
  toQuery: (values) => ({ term: (values.term as string | undefined)?.trim() }),
  toElement: (currency) =>
    currency.active_flag === false ? undefined : { key: currency.code, label: `${currency.code} - ${currency.name}` },
  example: [
    { key: "EUR", label: "EUR - Euro" },
    { key: "USD", label: "USD - US Dollar" },
  ],
});

// --- fields (custom fields by name; key = field_code) ------------------------------------------------

interface Field {
  field_code: string;
  field_name: string;
  field_type: string;
  is_custom_field: boolean;
}

const fieldPicklist = (noun: string, path: string, example: string) =>
  picklist<Field>({
    label: `Select ${capitalise(noun)} Field`,
    description: `Select ${/^[aeiou]/.test(noun) ? "an" : "a"} ${noun} field by name from a dropdown menu; the key is the field's key (field_code, a 40-character hash for custom fields).`,
    version: "v2",
    path,
    pagination: "cursor",
    inputs: {
      includeStandardFields: input({
        label: "Include Standard Fields",
        type: "boolean",
        required: false,
        default: "false",
        comments:
          "When true, also lists Pipedrive's own fields (such as Title and Value). By default only custom fields are listed.",
        clean: clean.boolean("Include Standard Fields"),
      }),
    },
    toElement: (field, _related, values) =>
      field.is_custom_field || values.includeStandardFields === true
        ? { key: field.field_code, label: field.field_name || field.field_code, detail: field.field_type }
        : undefined,
    example: [
      { key: "9dc80c50d78a15643bfc4ca79d76156a73a1ca0e", label: example },
      { key: "5fd2a3b8c1e04d6f9a7b8c9d0e1f2a3b4c5d6e7f", label: "Priority" },
    ],
  });

export const selectDealField = fieldPicklist("deal", "/dealFields", "Lead source");
export const selectPersonField = fieldPicklist("person", "/personFields", "Customer tier");
export const selectOrganizationField = fieldPicklist("organization", "/organizationFields", "Industry");
export const selectProductField = fieldPicklist("product", "/productFields", "Size");
export const selectActivityField = fieldPicklist("activity", "/activityFields", "Meeting room");

interface NoteField {
  key: string;
  name: string;
  field_type?: string;
}

export const selectNoteFields = picklist<NoteField>({
  label: "Select Note Field",
  description: "Select a note field by name from a dropdown menu; the key is the field's key.",
  version: "v1",
  path: "/noteFields",
  pagination: "none",
  toElement: (field) => ({ key: field.key, label: field.name || field.key, detail: field.field_type }),
  example: [
    { key: "content", label: "Content" },
    { key: "deal_id", label: "Deal" },
  ],
});

// --- projects ------------------------------------------------------------------------------------

interface Project {
  id: number;
  title: string;
  status: string;
}

const projectLabel = (project: Project) => ({
  key: String(project.id),
  label: `${project.title || `Project ${project.id}`} - ${project.status}`,
});

export const selectProject = picklist<Project, Project>({
  label: "Select Project",
  description: 'Select a project from a dropdown menu, labelled "Project title - status".',
  version: "v2",
  path: "/projects",
  pagination: "cursor",
  inputs: {
    status: choiceInput({
      label: "Status",
      choices: ["open", "completed", "canceled"].map((value) => ({ label: capitalise(value), value })),
      comments: "Only list projects with this status. Empty lists open, completed and canceled projects.",
      example: "open",
    }),
  },
  toQuery: (values) => ({ status: values.status as string | undefined }),
  toElement: projectLabel,
  search: {
    path: "/projects/search",
    noun: "projects",
    toElement: (project, _related, values) =>
      values.status === undefined || project.status === values.status ? projectLabel(project) : undefined,
  },
  example: [
    { key: "1", label: "Acme onboarding - open" },
    { key: "2", label: "Globex migration - completed" },
  ],
});

export default {
  selectDeal,
  selectPerson,
  selectOrganization,
  selectProduct,
  selectLead,
  selectActivity,
  selectFile,
  selectFilter,
  selectPipeline,
  selectStage,
  selectUser,
  selectActivityType,
  selectLeadLabel,
  selectCurrency,
  selectDealField,
  selectPersonField,
  selectOrganizationField,
  selectProductField,
  selectActivityField,
  selectNoteFields,
  selectProject,
  ...customFieldsForms,
};
