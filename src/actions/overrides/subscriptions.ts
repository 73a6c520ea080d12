import { input } from "@prismatic-io/spectral";
import { clean } from "../../inputs";
import { inQuery } from "../operation";
import type { Entry } from "./types";

const REMOVED_API = "Pipedrive removed the Subscriptions API.";
const removed = (label: string, replacement: string): Entry => ({
  removed: { label, replacement, why: REMOVED_API },
  outcome: { error: "input", why: REMOVED_API },
});

export const subscriptions: Record<string, Entry> = {
  findSubscriptionByDeal: {
    operation: { version: "v2", id: "getInstallments" },
    label: "Find Subscription By Deal",
    description:
      "Pipedrive removed the Subscriptions API; this now lists the deal's installments (GET /api/v2/deals/installments), its replacement.",
    params: (_generated, available) => ({
      id: inQuery(
        "deal_ids",
        input({
          label: "Deal ID",
          type: "string",
          required: true,
          comments: "The deal whose installments to list.",
          example: "123",
          ...(available.has("selectDeal") ? { dataSource: "selectDeal" } : {}),
          clean: (value: unknown) => [clean.id("Deal ID")(value)],
        }),
      ),
    }),
  },
  getSubscription: removed("Get Subscription", "Find Subscription By Deal or Get Installments (getInstallments)"),
  getSubscriptionPayments: removed("Get Subscription Payments", "Get Installments (getInstallments) for the deal"),
  deleteSubscription: removed("Delete Subscription", "Delete Installment (deleteInstallment)"),
  cancelRecurringSubscription: removed(
    "Cancel Recurring Subscription",
    "Delete Installment (deleteInstallment) for the remaining installments",
  ),
};
