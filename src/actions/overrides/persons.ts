import { input } from "@prismatic-io/spectral";
import { clean, idInput } from "../../inputs";
import { linkedIdInput } from "../../inputs/ids";
import { toDefinition } from "../generated/fromSpec";
import { inBody, inPath } from "../operation";
import { EXACT_MATCH, FILES_DELETED, relatedList } from "./compose";
import { findOperation } from "./resolve";
import type { ActionEntry } from "./types";

export const persons: Record<string, ActionEntry> = {
  getPerson: { customFields: { entity: "person", writes: false } },
  getPersons: { customFields: { entity: "person", writes: false } },
  addPerson: { customFields: { entity: "person", writes: true } },
  updatePerson: { customFields: { entity: "person", writes: true } },
  searchPersons: {
    ...EXACT_MATCH,
    defaults: { ...EXACT_MATCH.defaults, fields: "custom_fields,email,notes,phone,name" },
  },
  getPersonActivities: {
    operation: relatedList({ record: "person", list: "activities" }, "Get Person Activities"),
    types: { done: "boolean" },
    defaults: { done: "false" },
    customFields: { entity: "activity", writes: false },
  },
  getPersonDeals: {
    operation: relatedList({ record: "person", list: "deals" }, "Get Person Deals"),
    customFields: { entity: "deal", writes: false },
  },
  getPersonFiles: { notSent: { includeDeletedFiles: FILES_DELETED } },
  getPersonFieldDetails: {
    operation: (available) => toDefinition(findOperation("v1", "getPersonField"), available),
    label: "Get Person Field Details",
    description:
      "Get one person field by its numeric ID (GET /api/v1/personFields/{id}). Get Person Field takes the field code instead.",
    params: () => ({
      fieldId: inPath("id", idInput({ label: "Field ID", comments: "The numeric ID of the person field." })),
    }),
  },
  setFieldValueForPerson: {
    operation: { version: "v2", id: "updatePerson" },
    label: "Set Person Field Value",
    description: "Set one custom field of a person (PATCH /api/v2/persons/{id} with custom_fields).",
    params: () => ({
      personId: inPath("id", linkedIdInput("person", { comments: "The person to change." })),
      customFieldKey: inBody(
        "custom_field_key",
        input({
          label: "Field Key",
          type: "string",
          required: true,
          comments: "The 40-character key of the person's custom field (see Get Person Fields).",
          example: "d4de1c1518b4531717c676029a45911c340390a6",
          clean: clean.text("Field Key"),
        }),
      ),
      value: inBody(
        "value",
        input({
          label: "Value",
          type: "string",
          required: true,
          comments: "The new value.",
          example: "Gold",
          clean: clean.text("Value"),
        }),
      ),
    }),
    prepare: (parts) => {
      const { custom_field_key: key, value } = parts.body;
      parts.body = { custom_fields: { [String(key)]: value } };
    },
    examplePayload: { data: { success: true, data: { id: 1, custom_fields: {} } } },
  },
};
