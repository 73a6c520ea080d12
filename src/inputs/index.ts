import { input } from "@prismatic-io/spectral";
import { clean } from "./clean";

export { clean } from "./clean";

/** The catalogue of inputs shared by actions, data sources and triggers. Keys follow Prismatic's component. */

export const connectionInput = input({
  label: "Connection",
  type: "connection",
  required: true,
  comments: "The Pipedrive connection to use (OAuth 2.0 or API Token).",
});

interface IdInputOptions {
  label: string;
  /** Key of the data source that offers a dropdown of records. */
  dataSource?: string;
  comments: string;
  required?: boolean;
}

/** A numeric Pipedrive ID, optionally with a dropdown. Required unless `required: false`. */
export const idInput = ({ label, dataSource, comments, required = true }: IdInputOptions) =>
  input({
    label,
    type: "string",
    required,
    comments,
    example: "123",
    placeholder: `Enter ${label}`,
    ...(dataSource ? { dataSource } : {}),
    clean: required ? clean.id(label) : clean.optionalId(label),
  });

export const optionalIdInput = (options: Omit<IdInputOptions, "required">) => idInput({ ...options, required: false });

interface ChoiceInputOptions<T extends string> {
  label: string;
  choices: readonly { label: string; value: T }[];
  comments: string;
  example?: T;
  required?: boolean;
}

/** A dropdown whose values are exactly what the endpoint accepts (optional unless `required`). */
export const choiceInput = <T extends string>({
  label,
  choices,
  comments,
  example,
  required = false,
}: ChoiceInputOptions<T>) => {
  const values = choices.map((choice) => choice.value);
  return input({
    label,
    type: "string",
    required,
    model: choices.map((choice) => ({ label: choice.label, value: choice.value })),
    comments,
    // The first choice is an example the endpoint accepts.
    ...((example ?? choices[0]) ? { example: example ?? choices[0].value } : {}),
    clean: (value: unknown): T | undefined =>
      required ? clean.choice(label, values)(value) : clean.optionalChoice(label, values)(value),
  });
};

const VISIBILITY = [
  { label: "Owner & followers", value: "1" },
  { label: "Entire company", value: "3" },
  { label: "Owner's visibility group", value: "5" },
  { label: "Owner's visibility group and sub-groups", value: "7" },
] as const;

const visibilityChoice = choiceInput({
  label: "Visible To",
  choices: VISIBILITY,
  comments: "Who can see the record. Which values apply depends on the company's plan and visibility settings.",
});

/** Pipedrive v2 wants visible_to as an integer. */
export const visibleToInput = {
  ...visibilityChoice,
  clean: (value: unknown) => {
    const parsed = visibilityChoice.clean(value);
    return parsed === undefined ? undefined : Number(parsed);
  },
};

export const sortDirectionInput = choiceInput({
  label: "Sort Direction",
  choices: [
    { label: "Ascending", value: "asc" },
    { label: "Descending", value: "desc" },
  ],
  comments: "The order of the results. Pipedrive's default is ascending.",
  example: "asc",
});

export const updatedSinceInput = input({
  label: "Updated Since",
  type: "string",
  required: false,
  comments:
    "Only records updated at or after this time (RFC 3339, e.g. 2026-01-31T09:30:00Z; a plain date means midnight UTC).",
  example: "2026-01-31T09:30:00Z",
  placeholder: "2026-01-31T09:30:00Z",
  clean: clean.optionalDateTime("Updated Since"),
});

export const updatedUntilInput = input({
  label: "Updated Until",
  type: "string",
  required: false,
  comments: "Only records updated before this time (RFC 3339, e.g. 2026-02-28T23:59:59Z).",
  example: "2026-02-28T23:59:59Z",
  placeholder: "2026-02-28T23:59:59Z",
  clean: clean.optionalDateTime("Updated Until"),
});

/** Inputs every list action gets: one page by default, or every page with Fetch All. */
export const listInputs = {
  fetchAll: input({
    label: "Fetch All",
    type: "boolean",
    required: false,
    default: "false",
    comments:
      "When true, follows Pipedrive's pages (500 records each) and returns every record, up to Max Records. When false, returns one page.",
    clean: clean.boolean("Fetch All"),
  }),
  limit: input({
    label: "Limit",
    type: "string",
    required: false,
    comments:
      "Records per page, 1 to 500 (Pipedrive's default is 100; a larger Limit is lowered to 500, with a warning). Ignored when Fetch All is on, which uses 500.",
    example: "100",
    placeholder: "100",
    clean: clean.optionalInteger("Limit", 1, 500),
  }),
  maxRecords: input({
    label: "Max Records",
    type: "string",
    required: false,
    default: "0",
    comments:
      "With Fetch All, stop after this many records (the output then carries the cursor to resume from). 0 or empty (the default) means every record, as Fetch All has always meant; set a cap to bound memory on very large accounts.",
    example: "10000",
    clean: clean.optionalInteger("Max Records", 0),
  }),
};

export const cursorInput = input({
  label: "Cursor",
  type: "string",
  required: false,
  comments: "Where to start: the next_cursor from a previous page's additional_data. Leave empty for the first page.",
  // No example: a cursor is only valid for the list (and sort) that issued it.
  clean: clean.optionalText("Cursor"),
});

export const startInput = input({
  label: "Start",
  type: "string",
  required: false,
  default: "0",
  comments: "Where to start: the 0-based offset, e.g. next_start from a previous page's pagination info.",
  example: "0",
  clean: clean.optionalInteger("Start", 0),
});
