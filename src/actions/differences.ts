import { OVERRIDES } from "./overrides";

/**
 * Where ours sends another request than Prismatic's component for the same inputs, and why, keyed
 * by action key then by place ("method", "path", "query.<name>", "body.<field>", "body.kind",
 * "requests"): the override table's `differences` (src/actions/overrides), and those of the
 * hand-written actions below. Held to by test/requests.contract.test.ts; printed in
 * docs/compatibility.md.
 */
const HAND_WRITTEN: Record<string, { what: string; why: string }[]> = {
  rawRequest: [
    {
      what: "body.kind",
      why: "a GET carries no body: the spec defines none and Pipedrive ignores one; Data is sent only with a method that takes a body.",
    },
    { what: "body.exampleKey", why: "a GET carries no body (see body.kind)." },
  ],
};

export const REQUEST_DIFFERENCES: Record<string, Record<string, string>> = {};
for (const [key, entry] of Object.entries(OVERRIDES))
  if ("differences" in entry && entry.differences)
    REQUEST_DIFFERENCES[key] = Object.fromEntries(entry.differences.map((d) => [d.what, d.why]));
for (const [key, list] of Object.entries(HAND_WRITTEN))
  REQUEST_DIFFERENCES[key] = Object.fromEntries(list.map((d) => [d.what, d.why]));
