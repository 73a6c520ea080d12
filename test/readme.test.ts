import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * The README states counts of what the component holds and links to pages for everything else:
 * both are checked here against the built bundle and the tree, so neither can go stale.
 */
const root = path.resolve(__dirname, "..");
const readme = readFileSync(path.join(root, "README.md"), "utf8");

type Built = {
  connections: unknown[];
  actions: Record<string, unknown>;
  dataSources: Record<string, unknown>;
  triggers: Record<string, unknown>;
};

const built = createRequire(path.join(root, "dist/index.js"))("./index.js").default as Built;

/** Rows of the table after the counts marker: kind -> stated count. */
function statedCounts(): Record<string, number> {
  const table = readme.split("<!-- counts:")[1]?.split("\n\n")[0] ?? "";
  const rows = [...table.matchAll(/^\| ([A-Za-z ]+) \| (\d[\d,]*) \|/gm)];
  return Object.fromEntries(rows.map(([, kind, count]) => [kind.trim(), Number(count.replace(/,/g, ""))]));
}

test("the README's counts are the built component's", () => {
  expect(statedCounts()).toEqual({
    Connections: built.connections.length,
    Actions: Object.keys(built.actions).length,
    "Data sources": Object.keys(built.dataSources).length,
    Triggers: Object.keys(built.triggers).length,
  });
});

test("every key the README names exists in the built component", () => {
  const known = new Set([
    ...Object.keys(built.actions),
    ...Object.keys(built.dataSources),
    ...Object.keys(built.triggers),
    ...(built.connections as { key: string }[]).map((connection) => connection.key),
  ]);
  const named = [...readme.matchAll(/`([a-z][A-Za-z0-9]+)`/g)].map(([, key]) => key);
  const keyLike = named.filter(
    (name) =>
      /^(get|add|update|delete|search|select|new|updated|deleted|deal|poll|find|raw)[A-Z]/.test(name) ||
      name === "oauth2" ||
      name === "apiToken",
  );
  expect(keyLike.length).toBeGreaterThan(10);
  expect(keyLike.filter((key) => !known.has(key))).toEqual([]);
});

test("every page the README and the written docs link to exists", () => {
  const pages = [
    "README.md",
    ...["actions-guide", "triggers-guide", "client", "data-sources", "simulator", "libraries", "layout"].map(
      (name) => `docs/${name}.md`,
    ),
  ];
  const missing: string[] = [];
  for (const page of pages) {
    const text = readFileSync(path.join(root, page), "utf8");
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      if (!existsSync(path.join(root, path.dirname(page), target))) missing.push(`${page} -> ${target}`);
    }
  }
  expect(missing).toEqual([]);
});

test("the README stays a page for users", () => {
  expect(readme.trimEnd().split("\n").length).toBeLessThanOrEqual(150);
});
