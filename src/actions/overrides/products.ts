import { FILES_DELETED, NOTHING_TO_CHANGE, ON_UPDATE } from "./compose";
import { FILES_DELETED_NOT_SENT, SORT_BY } from "./reasons";
import type { ActionEntry } from "./types";

export const products: Record<string, ActionEntry> = {
  getProduct: { customFields: { entity: "product", writes: false } },
  getProducts: {
    differences: [{ what: "query.sort_by", why: SORT_BY }],
    customFields: { entity: "product", writes: false },
  },
  addProduct: {
    differences: [
      { what: "requests", why: "Pipedrive requires a product's name: without one, refused before any request." },
    ],
    defaults: { tax: "0" },
    stricter: { name: "Pipedrive refuses to create a product without one." },
    customFields: { entity: "product", writes: true },
  },
  updateProduct: {
    outcome: NOTHING_TO_CHANGE,
    defaultsNotKept: { tax: ON_UPDATE("reset the tax") },
    customFields: { entity: "product", writes: true },
  },
  getProductFiles: {
    differences: [{ what: "query.include_deleted_files", why: FILES_DELETED_NOT_SENT }],
    notSent: { includeDeletedFiles: FILES_DELETED },
  },
};
