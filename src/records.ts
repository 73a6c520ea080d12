import type { FieldEntity } from "./customFields/catalog";

/** The Pipedrive records with custom fields and webhook events, and how actions and triggers name them. */
export const RECORDS: Record<FieldEntity, { one: string; many: string }> = {
  deal: { one: "Deal", many: "Deals" },
  person: { one: "Person", many: "Persons" },
  organization: { one: "Organization", many: "Organizations" },
  product: { one: "Product", many: "Products" },
  activity: { one: "Activity", many: "Activities" },
  lead: { one: "Lead", many: "Leads" },
  note: { one: "Note", many: "Notes" },
};
