/**
 * Where ours sends another request than Prismatic's component for the same inputs, and why (held
 * to by test/requests.contract.test.ts over its two input sets; printed in docs/compatibility.md).
 * Keyed by action key, then by the place that differs: "method", "path", "query.<name>",
 * "body.<field>", "body.kind" or "requests" (ours sends none: refused before any request).
 */
const NUMBERS = "numbers as numbers: Pipedrive's v2 API types this field as a number, not the text typed.";
const V1_ONLY = "Pipedrive's v2 API has no such path (it answers 404); the v1 endpoint serves it.";
const PUT = "PUT, as Pipedrive's v1 spec defines this endpoint (it has no PATCH).";
const NOTHING_TO_CHANGE =
  "an update with no field set changes nothing: refused before any request, naming the inputs to set.";
const CURSOR_ON_OFFSET =
  "this v1 list pages by offset (Start), not by cursor: the Cursor input is kept, logged when set and not sent.";
const FILES_DELETED =
  "Pipedrive's current spec of this list has no include_deleted_files parameter: the input is kept, logged when set and not sent.";
const SORT_BY =
  "Pipedrive's v2 list does not sort by this field (it answers 400 for title): the value is dropped with a warning and the list comes in Pipedrive's default order.";
const utcTime =
  "sent in Pipedrive's documented form YYYY-MM-DD HH:MM:SS (UTC); the date or ISO date-time typed is converted.";

export const REQUEST_DIFFERENCES: Record<string, Record<string, string>> = {
  addCallLog: { "body.start_time": utcTime, "body.end_time": utcTime },
  addDeal: {
    "body.value": NUMBERS,
    "body.visible_to": NUMBERS,
    "body.add_time":
      "Pipedrive's v2 Add Deal has no add_time (Pipedrive sets it): the input is kept, logged when set and not sent.",
  },
  addLead: {
    requests:
      'Pipedrive takes a lead\'s value as amount and currency ({"amount": 1500, "currency": "USD"}) and refuses a bare number; refused before any request with the expected form.',
  },
  updateLead: {
    requests:
      'Pipedrive takes a lead\'s value as amount and currency ({"amount": 1500, "currency": "USD"}) and refuses a bare number; refused before any request with the expected form.',
  },
  addOrganization: {
    "body.visible_to": NUMBERS,
    requests: "Pipedrive requires an organization's name: without one, refused before any request.",
  },
  addProduct: { requests: "Pipedrive requires a product's name: without one, refused before any request." },
  addPerson: { "body.visible_to": NUMBERS },
  updatePerson: { "body.visible_to": NUMBERS, requests: NOTHING_TO_CHANGE },
  updateOrganization: { "body.visible_to": NUMBERS, requests: NOTHING_TO_CHANGE },
  updateDeal: { "body.value": NUMBERS, "body.visible_to": NUMBERS, requests: NOTHING_TO_CHANGE },
  updateLeadLabel: { requests: NOTHING_TO_CHANGE },
  createWebhook: {
    "body.name":
      "Pipedrive now requires a webhook name, which Prismatic's component had no input for: sent as Prismatic when Name is empty.",
  },
  getDeals: {
    requests:
      "Sort By title: Pipedrive's v2 deals list sorts only by id, update_time or add_time and answers 400 for title; refused before any request (being moved to the clamp-with-warning rule of the other lists).",
  },
  getActivities: { "query.sort_by": SORT_BY },
  getDealActivities: { "query.sort_by": SORT_BY },
  getDealProducts: { "query.sort_by": SORT_BY },
  getOrganizationDeals: { "query.sort_by": SORT_BY },
  getOrganizations: { "query.sort_by": SORT_BY },
  getPersonDeals: { "query.sort_by": SORT_BY },
  getPersons: { "query.sort_by": SORT_BY },
  getPipelineDeals: { "query.sort_by": SORT_BY },
  getPipelines: { "query.sort_by": SORT_BY },
  getProducts: { "query.sort_by": SORT_BY },
  getStageDeals: { "query.sort_by": SORT_BY },
  getStages: { "query.sort_by": SORT_BY },
  getDealFiles: { "query.cursor": CURSOR_ON_OFFSET, "query.include_deleted_files": FILES_DELETED },
  getOrganizationFiles: { "query.include_deleted_files": FILES_DELETED },
  getPersonFiles: { "query.include_deleted_files": FILES_DELETED },
  getProductFiles: { "query.include_deleted_files": FILES_DELETED },
  getDealMailMessages: { "query.cursor": CURSOR_ON_OFFSET },
  getDealParticipants: { "query.cursor": CURSOR_ON_OFFSET },
  getPipeline: {
    "query.totals_convert_currency":
      "Pipedrive's v2 pipeline has no deal totals to convert: the input is kept, logged when set and not sent (Get Deals Summary converts totals).",
  },
  getDealsSummary: { path: V1_ONLY },
  getDealsTimeline: { path: V1_ONLY },
  getUserCallLogs: {
    "query.limit":
      "Pipedrive's maximum page size for call logs is 50: a larger Limit is lowered to 50, with a warning.",
  },
  mergeOrganizations: { method: PUT },
  mergePersons: { method: PUT },
  updateFilter: {
    method: PUT,
    "body.conditions":
      "Pipedrive's spec types conditions as a JSON object: the JSON typed is sent parsed, not as text.",
  },
  updateFile: {
    method: PUT,
    "body.kind": "form-encoded, as Pipedrive's v1 spec defines this endpoint's body.",
    requests: NOTHING_TO_CHANGE,
  },
  setFieldValueForPerson: {
    "body.custom_fields":
      "Pipedrive's v2 persons take custom fields under custom_fields; a key that is not a standard person field (Prismatic's example x) goes there. Standard keys (name, owner_id, email, ...) go top-level, as Prismatic's component sent them.",
    "body.x": "x is not a standard person field: sent under custom_fields (see body.custom_fields).",
  },
  rawRequest: {
    "body.kind":
      "a GET carries no body: the spec defines none and Pipedrive ignores one; Data is sent only with a method that takes a body.",
    "body.exampleKey": "a GET carries no body (see body.kind).",
  },
};
