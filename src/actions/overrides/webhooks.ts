import { WEBHOOK_EVENT_OBJECT_CHOICES } from "../../records";
import type { ActionEntry } from "./types";

export const webhooks: Record<string, ActionEntry> = {
  createWebhook: {
    differences: [
      {
        what: "body.name",
        why: "Pipedrive now requires a webhook name, which Prismatic's component had no input for: sent as Prismatic when Name is empty.",
      },
    ],
    operation: { version: "v1", id: "addWebhook" },
    label: "Create Webhook",
    types: { httpAuthPassword: "password" },
    // Webhooks v2 objects (Prismatic's list); the v1 spec's enum predates boards, phases, projects and tasks.
    values: { eventObject: WEBHOOK_EVENT_OBJECT_CHOICES },
    defaults: { version: "2.0" },
    fill: { name: "Prismatic" },
  },
  listWebhooks: { operation: { version: "v1", id: "getWebhooks" }, label: "List Webhooks" },
  deleteWebhook: { renames: { webhookId: "id" } },
};
