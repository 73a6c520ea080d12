import { type BuiltComponent, lintComponent, loadBuiltComponent, RULES, type RuleName } from "../scripts/designer-lint";

/**
 * The designer lint (scripts/designer-lint.ts) over what a builder sees. First: each rule fires on
 * the defects it was written for (issue 21's examples), so a rule cannot silently stop working.
 */
const text = (id: string) => (value: unknown) => {
  if (typeof value !== "string" || !/^[a-z]+$/i.test(value)) throw new Error(`${id}: expected letters`);
  return value;
};

const action = (key: string, description: string, inputs: BuiltComponent["actions"][string]["inputs"] = []) => ({
  key,
  display: { label: key, description },
  inputs,
});
const changeTrigger = (fields: string[]) => ({
  ...action("updatedDeal", "Runs when a deal is updated."),
  examplePayload: {
    payload: { body: { data: { event: { action: "change" }, changedFields: fields.map((field) => ({ field })) } } },
  },
});

const componentOf = (actions: ReturnType<typeof action>[], triggers: ReturnType<typeof action>[] = []) =>
  ({
    actions: Object.fromEntries(actions.map((a) => [a.key, a])),
    triggers: Object.fromEntries(triggers.map((t) => [t.key, t])),
    dataSources: {},
    connections: [],
  }) as BuiltComponent;

const CLEAN = action("addThing", "Creates a thing and returns it.", [
  { key: "name", label: "Name", type: "string", comments: "The thing's name.", example: "Acme", clean: text("Name") },
]);

const rulesOf = (component: BuiltComponent) => new Set(lintComponent(component).map((f) => f.rule));

const DEFECTS: [RuleName, ReturnType<typeof action>][] = [
  ["http-path", action("addNote", "Creates a note. POST /api/v1/notes.")],
  ["repeated-sentence", action("addNote", "Add a note. Adds a new note.")],
  [
    "markup-residue",
    action("addDealField", "Creates a field.", [
      {
        key: "fieldType",
        label: "Field Type",
        comments: "The type of the fieldValueDescription`varchar`Text (up to 255 characters).",
      },
    ]),
  ],
  [
    "markup-residue",
    action("addDealProduct", "Adds a product.", [
      {
        key: "billingFrequency",
        label: "Billing Frequency",
        comments: "Only available in Growth and above plans How often a customer is billed.",
      },
    ]),
  ],
  [
    "label-as-comment",
    action("addDealField", "Creates a field.", [{ key: "fieldName", label: "Field Name", comments: "Field name" }]),
  ],
  ["cut-text", action("addThing", "Options field with a single possible ...")],
  ["unfinished-sentence", action("addThing", "The subject of the activity")],
  [
    "placeholder-example",
    action("addActivity", "Creates an activity.", [
      { key: "type", label: "Type", comments: "The type.", example: "Sample" },
    ]),
  ],
  [
    "placeholder-example",
    action("addPerson", "Creates a person.", [{ key: "emails", label: "Emails", comments: "Emails.", example: "[]" }]),
  ],
  [
    "example-fails-clean",
    action("addPerson", "Creates a person.", [
      { key: "addTime", label: "Add Time", comments: "When.", example: "09:30", clean: text("Add Time") },
    ]),
  ],
  [
    "zoneless-time-example",
    action("addPerson", "Creates a person.", [
      { key: "addTime", label: "Add Time", comments: "When.", example: "09:30" },
    ]),
  ],
  [
    "code-label",
    action("addTask", "Creates a task.", [
      {
        key: "done",
        label: "Done",
        comments: "Done.",
        model: [
          { label: "0", value: "0" },
          { label: "1", value: "1" },
        ],
      },
    ]),
  ],
  [
    "code-label",
    action("addDealField", "Creates a field.", [
      { key: "fieldType", label: "Field Type", comments: "Type.", model: [{ label: "varchar", value: "varchar" }] },
    ]),
  ],
  [
    "inconsistent-input",
    action("addPerson", "Creates a person.", [{ key: "visibleTo", label: "Visible To", comments: "Who sees it." }]),
  ],
  [
    "label-acronym",
    action("createWebhook", "Creates a webhook.", [
      { key: "httpAuthUser", label: "Http Auth User", comments: "User." },
    ]),
  ],
  [
    "unlinked-id",
    action("x", "Fires on a stage change.", [
      { key: "stageId", label: "To Stage ID", type: "string", comments: "Stage." },
    ]),
  ],
  [
    "foreign-name",
    action("getPipeline", "Gets a pipeline.", [
      { key: "x", label: "X", comments: "Kept so configurations made with Prismatic's component still load." },
    ]),
  ],
  ["foreign-name", action("x", "Works like the n8n node.")],
  ["foreign-name", action("x", "See src/marketplace/authorizeUrl.ts.")],
  [
    "create-wording-on-update",
    action("updateDeal", "Updates a deal.", [
      {
        key: "stageId",
        label: "Stage ID",
        comments: "When empty on create, the deal goes to the first stage.",
        dataSource: "selectStage",
      },
    ]),
  ],
  [
    "create-wording-on-update",
    action("updateDeal", "Updates a deal.", [
      { key: "currency", label: "Currency", comments: "When empty, the company's default currency." },
    ]),
  ],
];

test("a clean action has no finding", () => {
  expect(lintComponent(componentOf([CLEAN]))).toEqual([]);
});

test("rule thin-example-payload fires on a change example that changes only update_time", () => {
  expect(rulesOf(componentOf([], [changeTrigger(["update_time"])]))).toContain("thin-example-payload");
  expect(rulesOf(componentOf([], [changeTrigger(["value", "update_time"])]))).not.toContain("thin-example-payload");
});

const VISIBLE_TO = {
  key: "visibleTo",
  label: "Visible To",
  comments: "Who sees it.",
  model: [{ label: "Entire company", value: "3" }],
};

test.each(DEFECTS)("rule %s fires on its defect", (rule, defect) => {
  // (an inconsistency needs the usual presentation beside it)
  const usual = [1, 2].map((n) => action(`addThing${n}`, "Creates a thing.", [VISIBLE_TO]));
  expect(rulesOf(componentOf(rule === "inconsistent-input" ? [defect, ...usual] : [defect]))).toContain(rule);
});

test("every rule has a defect that proves it fires", () => {
  expect(new Set([...DEFECTS.map(([rule]) => rule), "thin-example-payload"])).toEqual(new Set(Object.keys(RULES)));
});

test("create-only wording is fine on a create action", () => {
  const create = action("addDeal", "Creates a deal.", [
    {
      key: "stageId",
      label: "Stage ID",
      comments: "When empty on create, the deal goes to the first stage.",
      dataSource: "selectStage",
    },
  ]);
  expect(rulesOf(componentOf([create]))).not.toContain("create-wording-on-update");
});

/** The built component (dist/index.js, what `npm test` builds before jest runs): no finding under any rule. */
describe("the built component", () => {
  const findings = lintComponent(loadBuiltComponent());

  test.each(Object.keys(RULES) as RuleName[])("%s: no finding", (rule) => {
    expect(findings.filter((f) => f.rule === rule).map((f) => `${f.where}: ${f.text}`)).toEqual([]);
  });
});

test("output schemas carry the fields of Pipedrive's documented response examples", () => {
  const getDeal = loadBuiltComponent().actions.getDeal as unknown as { outputSchema: { schema: string } };
  const record = JSON.parse(getDeal.outputSchema.schema).properties.data.properties;
  for (const field of ["creator_user_id", "archive_time", "local_won_date", "local_lost_date", "local_close_date"])
    expect(Object.keys(record)).toContain(field);
});
