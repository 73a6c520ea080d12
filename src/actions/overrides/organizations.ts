import { EXACT_MATCH, FILES_DELETED, NOTHING_TO_CHANGE, relatedList } from "./compose";
import { FILES_DELETED_NOT_SENT, NO_FIELD_SET, NUMBERS, PUT, SORT_BY } from "./reasons";
import type { ActionEntry } from "./types";

export const organizations: Record<string, ActionEntry> = {
  getOrganization: { customFields: { entity: "organization", writes: false } },
  getOrganizations: {
    differences: [{ what: "query.sort_by", why: SORT_BY }],
    customFields: { entity: "organization", writes: false },
  },
  addOrganization: {
    differences: [
      { what: "body.visible_to", why: NUMBERS },
      { what: "requests", why: "Pipedrive requires an organization's name: without one, refused before any request." },
    ],
    stricter: { name: "Pipedrive refuses to create an organization without one." },
    customFields: { entity: "organization", writes: true },
  },
  updateOrganization: {
    differences: [
      { what: "body.visible_to", why: NUMBERS },
      { what: "requests", why: NO_FIELD_SET },
    ],
    customFields: { entity: "organization", writes: true },
    outcome: NOTHING_TO_CHANGE,
  },
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
    differences: [{ what: "query.sort_by", why: SORT_BY }],
    operation: relatedList({ record: "organization", list: "deals" }, "Get Organization Deals"),
    customFields: { entity: "deal", writes: false },
  },
  getOrganizationPersons: {
    operation: relatedList({ record: "organization", list: "persons" }, "Get Organization Persons"),
    customFields: { entity: "person", writes: false },
  },
  getOrganizationFiles: {
    differences: [{ what: "query.include_deleted_files", why: FILES_DELETED_NOT_SENT }],
    notSent: { includeDeletedFiles: FILES_DELETED },
  },
  mergeOrganizations: { differences: [{ what: "method", why: PUT }] },
};
