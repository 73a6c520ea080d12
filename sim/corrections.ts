/**
 * The simulator's one list of corrections: places where Pipedrive's published OpenAPI schemas are
 * narrower than, or contradict, Pipedrive's own documentation. Each entry names the operation and
 * the parameter or body property, what the spec says, what Pipedrive documents, and the source.
 * The simulator (sim/spec.ts) widens the spec exactly here and nowhere else; the operations
 * generator (scripts/generate-operations.ts) reads the same list, so the actions' inputs agree.
 *
 * Reference URLs are Pipedrive's API reference (developers.pipedrive.com/docs/api/v1/<Tag>#<operationId>,
 * which documents v1 and v2 operations alike); the quoted text is the parameter's description there.
 */
import type { ApiVersion } from "./types";

export interface CorrectionSource {
  url: string;
  /** A short quote from the source saying what Pipedrive accepts. */
  quote: string;
}

interface CorrectionBase {
  version: ApiVersion;
  operationId: string;
  /** What the spec's schema says. */
  spec: string;
  /** What Pipedrive's documentation says. */
  docs: string;
  source: CorrectionSource;
}

/** A query parameter typed as one enum value but documented as a comma-separated list of them. */
export interface CommaListCorrection extends CorrectionBase {
  kind: "comma-list";
  parameter: string;
  /** Items may carry a sort mode ("field ASC"). */
  sortModes?: boolean;
}

/** A body property whose enum lacks values Pipedrive documents. */
export interface EnumValuesCorrection extends CorrectionBase {
  kind: "enum-values";
  property: string;
  add: string[];
}

/** A body schema requiring a property it does not define; the documented property is required instead. */
export interface RequiredRenameCorrection extends CorrectionBase {
  kind: "required-rename";
  from: string;
  to: string;
}

/** A response property typed other than Pipedrive answers it (read by the response check and the output schemas). */
export interface ResponseTypeCorrection extends CorrectionBase {
  kind: "response-type";
  property: string;
  from: string;
  to: string;
}

/** A body property typed date-time (RFC 3339) whose description documents Pipedrive's "YYYY-MM-DD HH:MM:SS" (UTC). */
export interface UtcTimeCorrection extends CorrectionBase {
  kind: "utc-time";
  property: string;
}

export type Correction =
  | CommaListCorrection
  | EnumValuesCorrection
  | RequiredRenameCorrection
  | ResponseTypeCorrection
  | UtcTimeCorrection;

const reference = (tag: string, operationId: string) =>
  `https://developers.pipedrive.com/docs/api/v1/${tag}#${operationId}`;

function commaList(
  version: ApiVersion,
  operationId: string,
  parameter: string,
  tag: string,
  quote: string,
  options: { sortModes?: boolean; preJoined?: boolean } = {},
): CommaListCorrection {
  return {
    kind: "comma-list",
    version,
    operationId,
    parameter,
    ...(options.sortModes ? { sortModes: true } : {}),
    spec: options.preJoined
      ? "a string enum: one value, or one of a few pre-joined combinations"
      : "a string enum: exactly one value",
    docs: options.sortModes
      ? "a comma-separated list of the enum's values, each optionally followed by ASC or DESC"
      : "a comma-separated list of the enum's values",
    source: { url: reference(tag, operationId), quote },
  };
}

/** Webhooks v2 objects newer than the v1 spec's `event_object` enum. */
export const WEBHOOK_V2_OBJECTS = ["board", "deal_installment", "deal_product", "phase", "project", "task"] as const;

export const CORRECTIONS: readonly Correction[] = [
  {
    kind: "response-type",
    version: "v2",
    operationId: "searchProducts",
    property: "code",
    from: "integer",
    to: "string",
    spec: "types a search result's product `code` as integer",
    docs: "a product's code is text (the product's own schema, GET /api/v2/products/{id}, types it as string)",
    source: { url: reference("Products", "getProduct"), quote: "code (string): The product code" },
  },
  {
    kind: "enum-values",
    version: "v1",
    operationId: "addWebhook",
    property: "event_object",
    add: [...WEBHOOK_V2_OBJECTS],
    spec: "event_object is one of activity, deal, lead, note, organization, person, pipeline, product, stage, user, *",
    docs: "webhooks v2 also take board, deal_installment, deal_product, phase, project and task",
    source: {
      url: "https://pipedrive.readme.io/docs/guide-for-webhooks-v2",
      quote:
        "In addition, you can now create webhooks for object types not available in v1: lead, deal_installment, deal_product, board, phase, project, and task.",
    },
  },
  ...(["start_time", "end_time"] as const).map(
    (property): UtcTimeCorrection => ({
      kind: "utc-time",
      version: "v1",
      operationId: "addCallLog",
      property,
      spec: `types ${property} as format date-time (RFC 3339)`,
      docs: "the property's own description documents YYYY-MM-DD HH:MM:SS in UTC; both forms are taken",
      source: {
        url: reference("CallLogs", "addCallLog"),
        quote: `${property}: The date and time of the ${property === "start_time" ? "start" : "end"} of the call in UTC. Format: YYYY-MM-DD HH:MM:SS.`,
      },
    }),
  ),
  {
    kind: "required-rename",
    version: "v2",
    operationId: "addOrganization",
    from: "title",
    to: "name",
    spec: "requires `title`, which is not among the body's properties",
    docs: "the organization's name is the `name` property",
    source: { url: reference("Organizations", "addOrganization"), quote: "name: The name of the organization" },
  },
  commaList(
    "v1",
    "getLeads",
    "sort",
    "Leads",
    "The field names and sorting mode separated by a comma (`field_name_1 ASC`, `field_name_2 DESC`).",
    { sortModes: true },
  ),
  commaList(
    "v1",
    "getArchivedLeads",
    "sort",
    "Leads",
    "The field names and sorting mode separated by a comma (`field_name_1 ASC`, `field_name_2 DESC`).",
    { sortModes: true },
  ),
  commaList("v1", "searchLeads", "fields", "Leads", "A comma-separated string array."),
  commaList(
    "v1",
    "getRecents",
    "items",
    "Recents",
    "Multiple selection of item types to include in the query (optional)",
  ),
  commaList(
    "v2",
    "getActivities",
    "include_fields",
    "Activities",
    "Optional comma separated string array of additional fields to include",
  ),
  commaList(
    "v2",
    "getActivity",
    "include_fields",
    "Activities",
    "Optional comma separated string array of additional fields to include",
  ),
  commaList(
    "v2",
    "getActivityFields",
    "include_fields",
    "ActivityFields",
    "Optional comma separated string array of additional data namespaces to include in response",
  ),
  commaList(
    "v2",
    "getActivityField",
    "include_fields",
    "ActivityFields",
    "Optional comma separated string array of additional data namespaces to include in response",
  ),
  commaList("v2", "getDeals", "status", "Deals", "Multiple statuses can be included as a comma separated array."),
  commaList(
    "v2",
    "getDeals",
    "include_fields",
    "Deals",
    "Optional comma separated string array of additional fields to include",
  ),
  commaList(
    "v2",
    "getArchivedDeals",
    "status",
    "Deals",
    "Multiple statuses can be included as a comma separated array.",
  ),
  commaList(
    "v2",
    "getArchivedDeals",
    "include_fields",
    "Deals",
    "Optional comma separated string array of additional fields to include",
  ),
  commaList(
    "v2",
    "getDeal",
    "include_fields",
    "Deals",
    "Optional comma separated string array of additional fields to include",
  ),
  commaList("v2", "searchDeals", "fields", "Deals", "A comma-separated string array."),
  commaList(
    "v2",
    "getDealFields",
    "include_fields",
    "DealFields",
    "Optional comma separated string array of additional data namespaces to include in response",
    { preJoined: true },
  ),
  commaList(
    "v2",
    "getDealField",
    "include_fields",
    "DealFields",
    "Optional comma separated string array of additional data namespaces to include in response",
    { preJoined: true },
  ),
  commaList(
    "v2",
    "getPersons",
    "include_fields",
    "Persons",
    "Optional comma separated string array of additional fields to include.",
  ),
  commaList(
    "v2",
    "getPerson",
    "include_fields",
    "Persons",
    "Optional comma separated string array of additional fields to include.",
  ),
  commaList(
    "v2",
    "getPersonFields",
    "include_fields",
    "PersonFields",
    "Optional comma separated string array of additional data namespaces to include in response",
    { preJoined: true },
  ),
  commaList(
    "v2",
    "getPersonField",
    "include_fields",
    "PersonFields",
    "Optional comma separated string array of additional data namespaces to include in response",
    { preJoined: true },
  ),
  commaList(
    "v2",
    "getOrganizations",
    "include_fields",
    "Organizations",
    "Optional comma separated string array of additional fields to include",
  ),
  commaList(
    "v2",
    "getOrganization",
    "include_fields",
    "Organizations",
    "Optional comma separated string array of additional fields to include",
  ),
  commaList(
    "v2",
    "getOrganizationFields",
    "include_fields",
    "OrganizationFields",
    "Optional comma separated string array of additional data namespaces to include in response",
    { preJoined: true },
  ),
  commaList(
    "v2",
    "getOrganizationField",
    "include_fields",
    "OrganizationFields",
    "Optional comma separated string array of additional data namespaces to include in response",
    { preJoined: true },
  ),
  commaList("v2", "searchProducts", "fields", "Products", "A comma-separated string array."),
  commaList(
    "v2",
    "getProductFields",
    "include_fields",
    "ProductFields",
    "Optional comma separated string array of additional data namespaces to include in response",
  ),
  commaList(
    "v2",
    "getProductField",
    "include_fields",
    "ProductFields",
    "Optional comma separated string array of additional data namespaces to include in response",
  ),
  commaList("v2", "searchLeads", "fields", "Leads", "A comma-separated string array."),
  commaList("v2", "searchOrganization", "fields", "Organizations", "A comma-separated string array."),
  commaList("v2", "searchPersons", "fields", "Persons", "A comma-separated string array."),
  commaList("v2", "searchItem", "item_types", "ItemSearch", "A comma-separated string array."),
  commaList("v2", "searchItem", "fields", "ItemSearch", "A comma-separated string array."),
  commaList("v2", "searchItem", "include_fields", "ItemSearch", "A comma-separated string array."),
  commaList("v2", "searchProjects", "fields", "Projects", "A comma-separated string array."),
];

export const commaListCorrection = (version: ApiVersion, operationId: string, parameter: string) =>
  CORRECTIONS.find(
    (c): c is CommaListCorrection =>
      c.kind === "comma-list" && c.version === version && c.operationId === operationId && c.parameter === parameter,
  );
