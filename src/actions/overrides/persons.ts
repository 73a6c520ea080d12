import { input } from "@prismatic-io/spectral";
import { clean, idInput } from "../../inputs";
import { linkedIdInput } from "../../inputs/ids";
import { fieldValueBody } from "../fieldValue";
import { toDefinition } from "../generated/fromSpec";
import { inBody, inPath, type Param } from "../operation";
import { EXACT_MATCH, FILES_DELETED, NOTHING_TO_CHANGE, relatedList } from "./compose";
import { FILES_DELETED_NOT_SENT, NO_FIELD_SET, NUMBERS, PUT, SORT_BY } from "./reasons";
import { findOperation } from "./resolve";
import type { ActionEntry } from "./types";

let standardFields: Record<string, Param> | undefined;
/** Update Person's inputs: the standard person fields, each with its cleaner. */
const personFields = () => {
  standardFields ??= toDefinition(findOperation("v2", "updatePerson"), new Set()).params ?? {};
  return standardFields;
};

export const persons: Record<string, ActionEntry> = {
  getPerson: { customFields: { entity: "person", writes: false } },
  getPersons: {
    differences: [{ what: "query.sort_by", why: SORT_BY }],
    customFields: { entity: "person", writes: false },
  },
  addPerson: {
    differences: [
      { what: "body.visible_to", why: NUMBERS },
      { what: "requests", why: "Pipedrive requires a person's name: without one, refused before any request." },
    ],
    stricter: { name: "Pipedrive refuses to create a person without one." },
    customFields: { entity: "person", writes: true },
  },
  updatePerson: {
    differences: [
      { what: "body.visible_to", why: NUMBERS },
      { what: "requests", why: NO_FIELD_SET },
    ],
    customFields: { entity: "person", writes: true },
    outcome: NOTHING_TO_CHANGE,
  },
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
    differences: [{ what: "query.sort_by", why: SORT_BY }],
    operation: relatedList({ record: "person", list: "deals" }, "Get Person Deals"),
    customFields: { entity: "deal", writes: false },
  },
  getPersonFiles: {
    differences: [{ what: "query.include_deleted_files", why: FILES_DELETED_NOT_SENT }],
    notSent: { includeDeletedFiles: FILES_DELETED },
  },
  getPersonFieldDetails: {
    operation: (available) => toDefinition(findOperation("v1", "getPersonField"), available),
    label: "Get Person Field Details",
    description: "Gets one person field by its numeric ID. Get Person Field takes the field code instead.",
    params: () => ({
      fieldId: inPath("id", idInput({ label: "Field ID", comments: "The numeric ID of the person field." })),
    }),
  },
  setFieldValueForPerson: {
    differences: [
      {
        what: "body.custom_fields",
        why: "Pipedrive's v2 persons take custom fields under custom_fields: a key that is not a standard person field (Prismatic's example x) goes there; standard keys (name, owner_id, email, ...) go top-level, as Prismatic's component sent them.",
      },
      { what: "body.x", why: "x is not a standard person field: sent under custom_fields (see body.custom_fields)." },
    ],
    operation: { version: "v2", id: "updatePerson" },
    label: "Set Person Field Value",
    description:
      "Sets one field of a person by its key (a standard field, or a custom field by its 40-character key) and returns the person.",
    params: () => ({
      personId: inPath("id", linkedIdInput("person", { comments: "The person to change." })),
      customFieldKey: inBody(
        "custom_field_key",
        input({
          label: "Field Key",
          type: "string",
          required: true,
          comments:
            "The field's key: a standard field such as name, owner_id, org_id, email or phone, or a custom field's 40-character key (see Get Person Fields).",
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
      parts.body = fieldValueBody(personFields(), String(key).trim(), value);
    },
    examplePayload: { data: { success: true, data: { id: 1, custom_fields: {} } } },
    outcome: {
      error: "pipedrive",
      status: 400,
      why: "the example Field Key is a placeholder: custom field keys are each account's own, so Pipedrive names no such field",
    },
  },
  mergePersons: { differences: [{ what: "method", why: PUT }] },
};
