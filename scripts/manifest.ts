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
 */
const SCHEMA_STRING = /(outputSchema: \{\s*type: "actionOutput",\s*schema:\s*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/;
const actionsDir = path.join(outDir, "src/actions");
let patched = 0;
for (const file of fs.readdirSync(actionsDir)) {
  const source = fs.readFileSync(path.join(actionsDir, file), "utf8");
  const fixed = source.replace(
    SCHEMA_STRING,
    (_, head: string, literal: string) =>
      `${head}JSON.parse(${literal}) as import("@prismatic-io/spectral").ActionOutputSchema["schema"]`,
  );
  if (fixed !== source) {
    fs.writeFileSync(path.join(actionsDir, file), fixed);
    patched++;
  }
}
console.log(`${patched} action outputSchemas typed as JsonSchema`);
console.log(`Wrote the component manifest to ${path.relative(process.cwd(), outDir) || "."}`);
