import { PUT } from "./reasons";
import type { ActionEntry, Version } from "./types";

/** Prismatic's field actions without "V2" run the v1 operations (numeric id, start/limit); "V2" the v2 ones (field code). */
const runs = (version: Version, id: string, label: string, more: ActionEntry = {}): ActionEntry => ({
  operation: { version, id },
  label,
  ...more,
});

/** A field code every account has (the generated placeholder names no field, so its example gets a 404). */
const codeOf = (fieldCode: string): ActionEntry => ({ examples: { fieldCode } });

export const fields: Record<string, ActionEntry> = {
  getActivityField: codeOf("subject"),
  getOrganizationField: codeOf("name"),
  getActivityFields: runs("v1", "getActivityFields", "Get Activity Fields"),
  getActivityFieldsV2: runs("v2", "getActivityFields", "Get Activity Fields (V2)"),
  getDealFields: runs("v1", "getDealFields", "Get Deal Fields"),
  getDealField: runs("v1", "getDealField", "Get Deal Field"),
  deleteDealField: runs("v1", "deleteDealField", "Delete Deal Field"),
  getDealFieldsV2: runs("v2", "getDealFields", "Get Deal Fields (V2)"),
  getDealFieldV2: runs("v2", "getDealField", "Get Deal Field (V2)", codeOf("title")),
  deleteDealFieldV2: runs("v2", "deleteDealField", "Delete Deal Field (V2)"),
  getPersonFields: runs("v1", "getPersonFields", "Get Person Fields"),
  getPersonField: runs("v1", "getPersonField", "Get Person Field"),
  deletePersonField: runs("v1", "deletePersonField", "Delete Person Field"),
  getPersonFieldsV2: runs("v2", "getPersonFields", "Get Person Fields (V2)"),
  getPersonFieldV2: runs("v2", "getPersonField", "Get Person Field (V2)", codeOf("name")),
  deletePersonFieldV2: runs("v2", "deletePersonField", "Delete Person Field (V2)"),
  getProductFields: runs("v1", "getProductFields", "Get Product Fields"),
  getProductField: runs("v1", "getProductField", "Get Product Field"),
  deleteProductField: runs("v1", "deleteProductField", "Delete Product Field"),
  getProductFieldsV2: runs("v2", "getProductFields", "Get Product Fields (V2)"),
  getProductFieldV2: runs("v2", "getProductField", "Get Product Field (V2)", codeOf("name")),
  deleteProductFieldV2: runs("v2", "deleteProductField", "Delete Product Field (V2)"),
  updateFilter: {
    differences: [
      { what: "method", why: PUT },
      {
        what: "body.conditions",
        why: "Pipedrive's spec types conditions as a JSON object: the JSON typed is sent parsed, not as text.",
      },
    ],
  },
};
