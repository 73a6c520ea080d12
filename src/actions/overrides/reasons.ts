/**
 * Reasons shared by several entries' `differences` (where ours sends another request than
 * Prismatic's component for the same inputs; test/requests.contract.test.ts holds each to it).
 * `what` names the place: "method", "path", "query.<name>", "body.<field>", "body.kind", or
 * "requests" (ours sends none: refused before any request).
 */
export const NUMBERS = "numbers as numbers: Pipedrive's v2 API types this field as a number, not the text typed.";
export const V1_ONLY = "Pipedrive's v2 API has no such path (it answers 404); the v1 endpoint serves it.";
export const PUT = "PUT, as Pipedrive's v1 spec defines this endpoint (it has no PATCH).";
export const NO_FIELD_SET =
  "an update with no field set changes nothing: refused before any request, naming the inputs to set.";
export const CURSOR_NOT_SENT =
  "this v1 list pages by offset (Start), not by cursor: the Cursor input is kept, logged when set and not sent.";
export const FILES_DELETED_NOT_SENT =
  "Pipedrive's current spec of this list has no include_deleted_files parameter: the input is kept, logged when set and not sent.";
export const SORT_BY =
  "Pipedrive's v2 list does not sort by this field (it answers 400 for title): the value is dropped with a warning and the list comes in Pipedrive's default order.";
export const UTC_TIME =
  "sent in Pipedrive's documented form YYYY-MM-DD HH:MM:SS (UTC); the date or ISO date-time typed is converted.";
export const LEAD_VALUE =
  'Pipedrive takes a lead\'s value as amount and currency ({"amount": 1500, "currency": "USD"}) and refuses a bare number: a bare amount is sent in the connected user\'s default currency (read with one more request), with a warning.';
export const LABEL_IDS =
  "an array of label IDs, as Pipedrive's spec types label_ids (a lone ID is sent as a list of one).";
export const VISIBLE_TO = { what: "body.visible_to", why: NUMBERS };
