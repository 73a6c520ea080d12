/**
 * npm run lint:designer
 *
 * Reads the BUILT component (dist/index.js, what the designer shows) and reports builder-facing
 * text and inputs that a builder should never see: endpoint paths, repeated sentences, spec markup,
 * cut text, placeholder examples, examples their own input refuses, dropdown labels that are codes,
 * record IDs without their picklist, other products' names or repository paths, and create-only
 * wording on updates. `test/designer.lint.test.ts` holds every rule at zero.
 */
import path from "node:path";
import { sameSentence, sentencesOf } from "./specText";

export interface Finding {
  rule: RuleName;
  /** action:addDeal.visibleTo, trigger:dealStageChanged, dataSource:selectStage.pipelineId, connection:oauth2.authorizeUrl */
  where: string;
  text: string;
}

export const RULES = {
  "http-path": "An endpoint path or HTTP method in a description or comment (it belongs in docs/actions.md).",
  "repeated-sentence": "The same sentence said twice in one description or comment.",
  "markup-residue": "HTML, Markdown (tables, code ticks, links) or spec fragments run together.",
  "label-as-comment": 'A comment that only repeats the label ("Field Name" / "Field name.").',
  "cut-text": 'Text cut short ("...").',
  "unfinished-sentence":
    "A description or comment that does not end as a sentence (a full stop, question or exclamation mark).",
  "placeholder-example": 'A placeholder example ("Sample", "text", an empty [] or {}).',
  "example-fails-clean": "An example (or default) that the input's own cleaning refuses.",
  "zoneless-time-example":
    "A date-time example without its date or time zone (09:30 for Add Time), where the input does not document that form.",
  "code-label": 'A dropdown label that is a raw code ("0"/"1", varchar, snake_case) instead of words.',
  "inconsistent-input":
    "An input shown one way on some actions and another way on others (Visible To: words on one, codes or no dropdown on another).",
  "label-acronym":
    'A label with an acronym in title case ("Http Auth User", "Api Token") instead of HTTP, API, ID, URL.',
  "thin-example-payload":
    "A change trigger whose example payload changes nothing but update_time (nothing to map from).",
  "unlinked-id": "An ID input naming a record that has a picklist, without the picklist.",
  "foreign-name":
    "Another product's name (Prismatic's component, n8n, Zapier...) or a repository path in builder text.",
  "create-wording-on-update": "Create-only wording on an update action (on an update, empty means unchanged).",
} as const;
export type RuleName = keyof typeof RULES;

interface Input {
  key: string;
  label?: string;
  type?: string;
  comments?: string;
  example?: string;
  default?: unknown;
  placeholder?: string;
  model?: { label: string; value: string }[];
  dataSource?: string;
  collection?: string;
  clean?: (value: unknown) => unknown;
}
interface Item {
  key: string;
  display: { label: string; description: string };
  inputs?: Input[];
  examplePayload?: {
    payload?: { body?: { data?: { changedFields?: { field: string }[]; event?: { action?: string } } } };
  };
}
export interface BuiltComponent {
  actions: Record<string, Item>;
  triggers: Record<string, Item>;
  dataSources: Record<string, Item>;
  connections: { key: string; label?: string; comments?: string; inputs?: Input[] }[];
}

/** Two sentences of one text that say the same (scripts/specText.ts's test), quoted. */
function repeated(text: string): string | undefined {
  const list = sentencesOf(text);
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++) if (sameSentence(list[i], list[j])) return `"${list[i]}" / "${list[j]}"`;
  return undefined;
}

const HTTP_PATH = /\b(GET|POST|PUT|PATCH|DELETE) \/|\/api\/v[12]\b/;
const MARKUP: [RegExp, string][] = [
  [/<\/?[a-z][a-z0-9]*[\s/>]/i, "HTML tag"],
  [/`/, "code tick"],
  [/\|\s*[-:]{3,}|\s\|\s.*\s\|\s/, "Markdown table"],
  [/\[[^\]]+\]\([^)]+\)/, "Markdown link"],
  [/\*\*|__/, "Markdown emphasis"],
  // (not a value in a comma-separated list of codes, such as mailMessageWithAttachment)
  [/(?<![,\w] ?)[a-z]{3,}[A-Z][a-z]+[A-Z][a-z]+(?!\w*,)/, "words run together"],
  [
    /[a-z,] (The|This|If|When|How|Only|Whether|Use|Note|Possible|Values|Each|Returns|Requires|For|You) [a-z]/,
    "fragments run together",
  ],
];
const PLACEHOLDER = /^(sample|text|string|test|foo|bar|baz|value|example|xxx|placeholder|lorem ipsum|\[\]|\{\})$/i;
const FOREIGN: [RegExp, string][] = [
  [/prismatic'?s (own )?(component|pipedrive)/i, "Prismatic's component"],
  [/\bn8n\b|zapier|integromat|make\.com|workato|tray\.io|pipedream|activepieces/i, "a competitor"],
  [/\b(src|scripts|sim|test|docs)\/[\w./-]+|\.ts\b|github\.com/i, "a repository path"],
];
const CREATE_ONLY =
  /\bon create\b|when empty,? the company's default|when empty,? pipedrive uses|goes to the first stage|\bomitted\b|\bnot provided\b|\bthe (newly )?created\b|\bwhen creating\b|\bis created\b/i;

/** Record words with a picklist, as an ID label names them ("To Stage ID", "Webhook User ID"). */
const LINKABLE =
  /\b(deal|person|organization|org|pipeline|stage|user|owner|creator|assignee|product|activity|filter|file|project|lead|lead label) id$/i;
const NOT_A_RECORD =
  /\b(webhook|company|field|option|channel|conversation|template|call log|goal|role|team|permission set|attachment|subscription|installment|variation|board|phase|task|meeting|mailbox|thread|message|participant|follower|role assignment|history|entry) id$/i;

/** Inputs that mean the same on every action, so look the same on every action. */
const SAME_EVERYWHERE = ["visibleTo", "sortDirection"];

/** Inputs that hold a point in time (not a time of day such as Due Time). */
const TIME_LABEL = /\b(add|update|archive|close|won|lost|start|end|since|until)\b.*\btime\b|timestamp|since|until/i;

/** ID inputs that name no one kind of record, with the reason. */
const NOT_LINKABLE: Record<string, string> = {
  "action:getGoals.assignee.id": "a user, company or team, as Assignee Type says",
};

const isUpdate = (kind: string, key: string) => kind === "action" && /^(update|patch|edit)[A-Z]/.test(key);

export function lintComponent(component: BuiltComponent): Finding[] {
  const findings: Finding[] = [];
  const add = (rule: RuleName, where: string, text: string) => findings.push({ rule, where, text });

  const checkText = (where: string, text: string | undefined, opts: { update: boolean }) => {
    if (!text) return;
    if (HTTP_PATH.test(text)) add("http-path", where, text);
    const again = repeated(text);
    if (again) add("repeated-sentence", where, again);
    for (const [pattern, what] of MARKUP) {
      const hit = pattern.exec(text);
      if (hit) {
        add("markup-residue", where, `${what}: …${text.slice(Math.max(0, hit.index - 20), hit.index + 40)}…`);
        break;
      }
    }
    if (/\.\.\.|…/.test(text)) add("cut-text", where, text.slice(-60));
    else if (!/[.!?)"]$/.test(text.trim())) add("unfinished-sentence", where, text.slice(-60));
    for (const [pattern, what] of FOREIGN)
      if (pattern.test(text)) {
        add("foreign-name", where, `${what}: ${text.slice(0, 120)}`);
        break;
      }
    if (opts.update && CREATE_ONLY.test(text)) add("create-wording-on-update", where, text);
  };

  const checkInput = (where: string, input: Input, update: boolean) => {
    checkText(`${where} (comments)`, input.comments, { update });
    if (input.comments && input.comments.replace(/\.$/, "").toLowerCase() === String(input.label).toLowerCase())
      add("label-as-comment", where, input.comments);
    if (input.label && FOREIGN.some(([p]) => p.test(input.label as string))) add("foreign-name", where, input.label);
    const example = input.example;
    if (example !== undefined && PLACEHOLDER.test(String(example).trim()))
      add("placeholder-example", where, `example ${JSON.stringify(example)}`);
    if (typeof example === "string" && TIME_LABEL.test(input.label ?? "")) {
      const bare = /^\d{2}:\d{2}(:\d{2})?$/.test(example);
      const noZone = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$/.test(example) && !/HH:MM/.test(input.comments ?? "");
      if (bare || noZone) add("zoneless-time-example", where, `example ${JSON.stringify(example)}`);
    }
    for (const [which, value] of [
      ["example", example],
      ["default", input.default],
    ] as const) {
      if (value === undefined || value === "" || typeof input.clean !== "function") continue;
      try {
        input.clean(value);
      } catch (error) {
        add("example-fails-clean", where, `${which} ${JSON.stringify(value)}: ${(error as Error).message}`);
      }
      if (input.model?.length && typeof value === "string" && !input.model.some((m) => m.value === value))
        add("example-fails-clean", where, `${which} ${JSON.stringify(value)} is not one of the dropdown's values`);
    }
    for (const choice of input.model ?? [])
      if (/^[-\d.]+$/.test(choice.label) || /_/.test(choice.label) || /^[a-z]/.test(choice.label)) {
        add("code-label", where, `label ${JSON.stringify(choice.label)} (value ${JSON.stringify(choice.value)})`);
        break;
      }
    const label = input.label ?? "";
    if (/\b(Http|Https|Url|Api|Id|Ids|Uuid|Cc|Bcc|Json|Csv|Iso)\b/.test(label)) add("label-acronym", where, label);
    if (
      input.type === "string" &&
      !input.dataSource &&
      !input.model?.length &&
      input.collection === undefined &&
      LINKABLE.test(label) &&
      !NOT_A_RECORD.test(label) &&
      !(where in NOT_LINKABLE)
    )
      add("unlinked-id", where, label);
  };

  for (const [kind, table] of [
    ["action", component.actions],
    ["trigger", component.triggers],
    ["dataSource", component.dataSources],
  ] as const)
    for (const [key, item] of Object.entries(table)) {
      const update = isUpdate(kind, key);
      const where = `${kind}:${key}`;
      checkText(`${where} (description)`, item.display.description, { update });
      const label = item.display.label;
      if (FOREIGN.some(([p]) => p.test(label))) add("foreign-name", `${where} (label)`, label);
      if (/\b(Http|Https|Url|Api|Id|Ids|Uuid|Json)\b/.test(label)) add("label-acronym", `${where} (label)`, label);
      for (const input of item.inputs ?? []) checkInput(`${where}.${input.key}`, input, update);
      const delivered = item.examplePayload?.payload?.body?.data;
      if (
        kind === "trigger" &&
        delivered?.event?.action === "change" &&
        !delivered.changedFields?.some((change) => change.field !== "update_time")
      )
        add("thin-example-payload", where, JSON.stringify(delivered.changedFields ?? null).slice(0, 120));
    }
  // The same input, the same dropdown everywhere: the most common presentation wins.
  for (const key of SAME_EVERYWHERE) {
    const shown = Object.entries(component.actions).flatMap(([action, item]) =>
      (item.inputs ?? [])
        .filter((input) => input.key === key)
        .map((input) => ({ action, look: JSON.stringify(input.model ?? null) })),
    );
    const counts = new Map<string, number>();
    for (const { look } of shown) counts.set(look, (counts.get(look) ?? 0) + 1);
    const usual = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
    for (const { action, look } of shown)
      if (look !== usual)
        add(
          "inconsistent-input",
          `action:${action}.${key}`,
          `dropdown ${look.slice(0, 100)} where most have ${usual?.slice(0, 100)}`,
        );
  }
  for (const connection of component.connections) {
    checkText(`connection:${connection.key} (comments)`, connection.comments, { update: false });
    for (const input of connection.inputs ?? []) checkInput(`connection:${connection.key}.${input.key}`, input, false);
  }
  return findings;
}

export function report(findings: Finding[], detail = 3): string {
  const lines: string[] = [];
  for (const rule of Object.keys(RULES) as RuleName[]) {
    const hits = findings.filter((f) => f.rule === rule);
    lines.push(`${rule}: ${hits.length}  (${RULES[rule]})`);
    for (const hit of hits.slice(0, detail)) lines.push(`    ${hit.where}: ${hit.text.slice(0, 160)}`);
    if (detail > 0 && hits.length > detail) lines.push(`    ... and ${hits.length - detail} more`);
  }
  lines.push(`total: ${findings.length}`);
  return lines.join("\n");
}

/** The built component (npm run build writes dist/index.js). */
export function loadBuiltComponent(fromSource = false, bundle = "../dist/index.js"): BuiltComponent {
  // --src: the component from src/ (no build), for a quick look while editing; --dist=FILE: another build.
  const file = path.resolve(__dirname, fromSource ? "../src" : bundle);
  const loaded = require(file);
  return (loaded.default ?? loaded) as BuiltComponent;
}

if (require.main === module) {
  const findings = lintComponent(
    loadBuiltComponent(process.argv.includes("--src"), process.argv.find((a) => a.startsWith("--dist="))?.slice(7)),
  );
  const detail = Number(process.argv.find((a) => a.startsWith("--detail="))?.slice(9) ?? 3);
  console.log(report(findings, detail));
  process.exitCode = findings.length ? 1 : 0;
}
