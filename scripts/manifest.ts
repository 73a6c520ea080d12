/**
 * npm run manifest [-- <output dir>]
 *
 * Writes the component manifest that code-native integrations use for typed calls, with spectral's
 * own generator (`component-manifest`, from @prismatic-io/spectral 10.31.1), from the built
 * dist/index.js, into manifest/ (or the given folder). Offline: the signature comes from
 * `prism components:signature --skip-signature-verify`, computed from the local bundle.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { type OutputSchema, schemaType } from "./outputTypes";

const root = path.resolve(__dirname, "..");
const outDir = path.resolve(root, process.argv[2] ?? "manifest");
const bin = path.join(root, "node_modules/.bin");
if (!fs.existsSync(path.join(root, "dist/index.js"))) {
  console.error("dist/index.js is missing: run npm run build first (npm run manifest does).");
  process.exit(1);
}
fs.rmSync(outDir, { recursive: true, force: true });
execFileSync(
  path.join(bin, "component-manifest"),
  ["--skip-signature-verify", "--output-dir", outDir, "--name", "@component-manifests/pipedrive"],
  // spectral's generator calls `prism` by name.
  { cwd: root, stdio: "inherit", env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` } },
);

/**
 * spectral 10.31.1's generator writes each action's outputSchema.schema as the JSON string the
 * platform receives, where the ComponentManifest type wants a JsonSchema, so componentManifests()
 * rejects the manifest. Each such string is parsed where the manifest loads.
 *
 * It also types every perform's result as whatever the caller names (unknown by default). Each action
 * file gets `<Name>Output`, the step result `{ data }` typed from the action's output schema, as the
 * perform's default result type (an explicit type argument still wins).
 */
const SCHEMA_STRING = /(outputSchema: \{\s*type: "actionOutput",\s*schema:\s*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/;
const PERFORM = /perform: async <TReturn,>\(\s*values: (\w+)Values,?\s*\): Promise<TReturn>/;
const built = require(path.join(root, "dist/index.js")).default as {
  actions: Record<string, { outputSchema?: { schema: string | OutputSchema } }>;
};
const actionsDir = path.join(outDir, "src/actions");
let patched = 0;
let typed = 0;
for (const file of fs.readdirSync(actionsDir)) {
  if (file === "index.ts") continue;
  let source = fs.readFileSync(path.join(actionsDir, file), "utf8");
  source = source.replace(SCHEMA_STRING, (_, head: string, literal: string) => {
    patched++;
    return `${head}JSON.parse(${literal}) as import("@prismatic-io/spectral").ActionOutputSchema["schema"]`;
  });
  const declared = built.actions[path.basename(file, ".ts")]?.outputSchema?.schema;
  const name = PERFORM.exec(source)?.[1];
  if (declared && name) {
    const schema = typeof declared === "string" ? (JSON.parse(declared) as OutputSchema) : declared;
    source = source.replace(
      PERFORM,
      `perform: async <TReturn = ${name}Output>(values: ${name}Values): Promise<TReturn>`,
    );
    source += `\n/** What the step returns: \`data\` is typed from the action's output schema. */\nexport interface ${name}Output {\n  data: ${schemaType(schema, 1)};\n}\n`;
    typed++;
  }
  fs.writeFileSync(path.join(actionsDir, file), source);
}
console.log(`${patched} action outputSchemas typed as JsonSchema, ${typed} action results typed from them`);
console.log(`Wrote the component manifest to ${path.relative(process.cwd(), outDir) || "."}`);
