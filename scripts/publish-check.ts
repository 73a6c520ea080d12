/**
 * npm run publish:check: builds, then checks dist/ the way `prism components:publish` loads it and
 * prints what would be published: key, version, counts, bundle size and prism's offline signature.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { gzipSync } from "node:zlib";

const root = path.resolve(__dirname, "..");
const dist = path.join(root, "dist");

export function publishSummary(): string {
  const bundle = path.join(dist, "index.js");
  if (!fs.existsSync(bundle)) throw new Error("dist/index.js is missing: run npm run build first");
  // As publish does: require dist/index.js and take its default export.
  const definition = createRequire(bundle)("./index.js").default as {
    key: string;
    display: { label: string; iconPath: string };
    documentationUrl?: string;
    actions: object;
    triggers: object;
    dataSources: object;
    connections: { key: string }[];
  };
  const { version } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
  const signature = execFileSync(
    path.join(root, "node_modules/.bin/prism"),
    ["components:signature", "--skip-signature-verify"],
    { cwd: root, encoding: "utf8" },
  ).trim();
  const bytes = fs.readFileSync(bundle);
  const kib = (n: number) => `${Math.round(n / 1024).toLocaleString("en-US")} KiB`;
  return [
    `Component     ${definition.key} (${definition.display.label}), package version ${version}`,
    `Actions       ${Object.keys(definition.actions).length}`,
    `Triggers      ${Object.keys(definition.triggers).length}`,
    `Data sources  ${Object.keys(definition.dataSources).length}`,
    `Connections   ${definition.connections.map((c) => c.key).join(", ")}`,
    `Bundle        dist/index.js ${kib(bytes.length)} (${kib(gzipSync(bytes).length)} gzipped), icon dist/${definition.display.iconPath}`,
    `Docs          ${definition.documentationUrl ?? "(none)"}${
      definition.documentationUrl?.includes("/OWNER/")
        ? " (a placeholder: set package.json homepage to your repository's URL before publishing)"
        : ""
    }`,
    `Signature     ${signature} (offline, from the local bundle; publish compares it with the tenant's)`,
  ].join("\n");
}

if (require.main === module) {
  try {
    console.log(publishSummary());
  } catch (error) {
    console.error(`publish:check: ${(error as Error).message}`);
    process.exit(1);
  }
}
