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

/**
 * Every webhook event object Pipedrive documents (webhooks v2), as Prismatic's component offers them.
 * The v1 spec's enum lacks the v2 objects; the simulator accepts them through sim/corrections.ts.
 */
export const WEBHOOK_EVENT_OBJECTS = [
  "activity",
  "board",
  "deal",
  "deal_installment",
  "deal_product",
  "lead",
  "note",
  "organization",
  "person",
  "phase",
  "pipeline",
  "product",
  "project",
  "stage",
  "task",
  "user",
  "*",
] as const;

/** The event objects as a dropdown shows them, the same on the Webhook trigger and Create Webhook. */
export const WEBHOOK_EVENT_OBJECT_CHOICES = WEBHOOK_EVENT_OBJECTS.map((value) => ({
  label:
    value === "*"
      ? "All"
      : value
          .split("_")
          .map((word) => word[0].toUpperCase() + word.slice(1))
          .join(" "),
  value,
}));
