import { FILES_DELETED, NOTHING_TO_CHANGE, ON_UPDATE } from "./compose";
import type { ActionEntry } from "./types";

export const products: Record<string, ActionEntry> = {
  getProduct: { customFields: { entity: "product", writes: false } },
  getProducts: { customFields: { entity: "product", writes: false } },
  addProduct: {
    defaults: { tax: "0" },
    stricter: { name: "Pipedrive refuses to create a product without one." },
    customFields: { entity: "product", writes: true },
  },
  updateProduct: {
    outcome: NOTHING_TO_CHANGE,
    defaultsNotKept: { tax: ON_UPDATE("reset the tax") },
    customFields: { entity: "product", writes: true },
  },
  getProductFiles: { notSent: { includeDeletedFiles: FILES_DELETED } },
};
