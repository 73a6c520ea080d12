import { EXACT_MATCH, FILES_DELETED, relatedList } from "./compose";
import type { ActionEntry } from "./types";

export const organizations: Record<string, ActionEntry> = {
  getOrganization: { customFields: { entity: "organization", writes: false } },
  getOrganizations: { customFields: { entity: "organization", writes: false } },
  addOrganization: {
    stricter: { name: "Pipedrive requires an organization's name (POST /api/v2/organizations)." },
    customFields: { entity: "organization", writes: true },
  },
  updateOrganization: { customFields: { entity: "organization", writes: true } },
  searchOrganization: {
    ...EXACT_MATCH,
    defaults: { ...EXACT_MATCH.defaults, fields: "address,custom_fields,notes,name" },
  },
  getOrganizationActivities: {
    operation: relatedList({ record: "organization", list: "activities" }, "Get Organization Activities"),
    types: { done: "boolean" },
    defaults: { done: "false" },
    customFields: { entity: "activity", writes: false },
  },
  getOrganizationDeals: {
    operation: relatedList({ record: "organization", list: "deals" }, "Get Organization Deals"),
    customFields: { entity: "deal", writes: false },
  },
  getOrganizationPersons: {
    operation: relatedList({ record: "organization", list: "persons" }, "Get Organization Persons"),
    customFields: { entity: "person", writes: false },
  },
  getOrganizationFiles: { notSent: { includeDeletedFiles: FILES_DELETED } },
};
