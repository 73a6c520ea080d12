/**
 * Pipedrive's spec text made into builder text: HTML and Markdown tables of values become dropdown
 * labels, the rest plain sentences (no tags, code ticks, links or entities), fragments that the
 * spec ran together split into sentences, repeated sentences dropped, whole sentences only.
 * Shared by the generator (scripts/generate-operations.ts) and the designer lint.
 */

const FILLER = new Set(
  "a an the new one all of for to by in on at is are be this that it its given specified specific or and".split(" "),
);
const stem = (word: string) => word.replace(/(ies|es|s|ed|ing)$/, "");
const contentWords = (sentence: string) =>
  new Set(
    sentence
      .toLowerCase()
      .replace(/[^a-z0-9 ]+/g, " ")
      .split(/\s+/)
      .filter((w) => w && !FILLER.has(w))
      .map(stem),
  );

/** Two sentences say the same when every word of the shorter one is in the longer one. */
export function sameSentence(a: string, b: string): boolean {
  const [x, y] = [contentWords(a), contentWords(b)];
  const [small, large] = x.size <= y.size ? [x, y] : [y, x];
  return small.size >= 2 && [...small].every((w) => large.has(w));
}

export const sentencesOf = (text: string): string[] =>
  text
    .split(/(?<=[.!?])\s+(?=[A-Z0-9"(])/)
    .map((s) => s.trim())
    .filter(Boolean);

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", apos: "'", nbsp: " " };
const decode = (text: string) => text.replace(/&(amp|lt|gt|quot|#39|apos|nbsp);/g, (_, name: string) => ENTITIES[name]);
const plainCell = (cell: string) =>
  decode(cell.replace(/<[^>]+>/g, "").replace(/`/g, ""))
    .replace(/\s+/g, " ")
    .trim();

/** Rows of the spec's value tables: `value` -> what it means. */
function tableLabels(raw: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const row of raw.matchAll(/<td>([^<]*)<\/td>\s*<td>(.*?)<\/(td|dd)>/g)) {
    const value = plainCell(row[1]);
    if (value && !(value in labels)) labels[value] = plainCell(row[2]);
  }
  // Tables per plan that give one value two meanings (visibility: 3 is "Entire company" on one plan,
  // "Owner's visibility group" on another) label nothing.
  const texts = Object.values(labels);
  if (new Set(texts).size < texts.length) return {};
  for (const row of raw.matchAll(/^\s*\|\s*`?([^|`]+?)`?\s*\|\s*([^|]+?)\s*\|\s*$/gm)) {
    const value = row[1].trim();
    if (!/^[-:]+$/.test(value) && !/^(value|description)$/i.test(value)) labels[value] ??= plainCell(row[2]);
  }
  return labels;
}

export interface CleanText {
  text?: string;
  /** Value -> label, from a table of values in the spec text. */
  labels?: Record<string, string>;
}

/** Spec phrases that send a builder to Pipedrive's API reference, said in the component's terms. */
const PHRASES: [RegExp, string][] = [
  [/Mappable to a specific string using activityFields API\./g, "Get Activity Fields lists what each value means."],
  [
    /can be obtained by fetching the list of the fields using any of the fields' API GET methods \(dealFields, personFields, etc\.\)/g,
    "is listed by Get Deal Fields, Get Person Fields and the other field actions",
  ],
];

/** At most this many characters of whole sentences (a longer first sentence is kept whole). */
const MAX_CHARS = 320;

/** Sentences about what the component's own list inputs handle (Fetch All, Limit, Start, Cursor). */
const PAGING_TALK = /pagination|query parameters?|\bcursor\b.*\bparameter/i;

export function cleanSpecText(raw: unknown, maxChars = MAX_CHARS, dropPaging = false): CleanText {
  if (typeof raw !== "string" || !raw.trim()) return {};
  const labels = tableLabels(raw);
  let text = raw
    .replace(/<table[\s\S]*?<\/table>/g, " ")
    .replace(/<h\d>[\s\S]*?<\/h\d>/g, " ")
    .replace(/^\s*\|.*\|\s*$/gm, " ")
    // "Read more about X <a href=...>here</a>." says nothing without the link
    .replace(/[^.]*<a [^>]*>[^<]*<\/a>[^.]*\.?/g, " ")
    .replace(/[^.]*\b(see|read more)\b[^.]*\[[^\]]+\]\([^)]+\)[^.]*\.?/gi, " ")
    .replace(
      /[^.]*\[[^\]]+\]\([^)]+\)[^.]*\b(find out|read) more\b[^.]*\.?|(find out|read) more[^.]*\[[^\]]+\]\([^)]+\)[^.]*\.?/gi,
      " ",
    )
    .replace(/\[([^\]]+)\]\([^)]+\)/g, "$1")
    .replace(/<br\s*\/?>|<\/p>|<\/li>/g, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/`/g, "")
    .replace(/\*\*|__/g, "")
    // "(notes, files, ...)": the list goes on, said in words
    .replace(/,?\s*(\.\.\.|…)\s*\)/g, " and others)")
    .replace(/(\.\.\.|…)/g, ".")
    // a builder runs an action and fills inputs
    .replace(/\b([Tt]his|[Tt]he) endpoint\b/g, "$1 action")
    .replace(/\b([Tt]his|[Tt]he) parameter\b/g, "$1 input")
    // the input's own comment says how to write a list
    .replace(/\b(optional )?comma[- ]separated string array of /gi, "");
  for (const [phrase, said] of PHRASES) text = text.replace(phrase, said);
  text = decode(text)
    // The spec runs paragraphs together across line breaks: each line ends a sentence.
    .replace(/([^.!?:;,\s])[ \t]*\n+\s*(?=[A-Z])/g, "$1. ")
    .replace(/\s+/g, " ")
    .replace(/\s+([.,;:])/g, "$1")
    .trim();
  const kept: string[] = [];
  let length = 0;
  for (let sentence of sentencesOf(text)) {
    sentence = sentence.replace(/^[a-z]/, (c) => c.toUpperCase());
    if (!/[.!?]$/.test(sentence)) sentence = `${sentence.replace(/[,;:]$/, "")}.`;
    if (kept.some((k) => sameSentence(k, sentence))) continue;
    if (dropPaging && PAGING_TALK.test(sentence)) continue;
    // what a link said ("Find out more here.") is gone with the link
    if (
      /^(find out|read) more\b|\bmore (info|information|details) here\b|\b(see|find out more|read more) here\.$/i.test(
        sentence,
      )
    )
      continue;
    if (kept.length && length + sentence.length > maxChars) break;
    kept.push(sentence);
    length += sentence.length + 1;
  }
  const out: CleanText = {};
  if (kept.length) out.text = kept.join(" ");
  if (Object.keys(labels).length) out.labels = labels;
  return out;
}
