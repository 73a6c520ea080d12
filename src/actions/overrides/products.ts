import { FILES_DELETED, ON_UPDATE } from "./compose";
import type { ActionEntry } from "./types";

export const products: Record<string, ActionEntry> = {
  getProduct: { customFields: { entity: "product", writes: false } },
  getProducts: { customFields: { entity: "product", writes: false } },
  addProduct: {
    defaults: { tax: "0" },
    stricter: { name: "Pipedrive requires a product's name (POST /api/v2/products)." },
    customFields: { entity: "product", writes: true },
  },
  updateProduct: {
    defaultsNotKept: { tax: ON_UPDATE("reset the tax") },
    customFields: { entity: "product", writes: true },
  },
  getProductFiles: { notSent: { includeDeletedFiles: FILES_DELETED } },
};
