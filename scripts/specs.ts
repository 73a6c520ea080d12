/**
 * npm run specs [-- <folder>]: downloads Pipedrive's two official OpenAPI specs from Pipedrive's site
 * into a folder (default pipedrive-openapi/ in the checkout, ignored by git; the simulator reads
 * ../shared/pipedrive-openapi unless PIPEDRIVE_OPENAPI_DIR names another folder) and checks each against the sha256 this
 * repository was built and tested with. A file whose hash differs is kept under `<name>.new` and the
 * command fails: Pipedrive changed the spec, so regenerate (npm run generate:operations) and re-test
 * before trusting it. PIPEDRIVE_SPECS_BASE_URL replaces the site's origin (the test serves a copy).
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const PINNED_SPECS = [
  {
    file: "pipedrive-v1-openapi.yaml",
    path: "/docs/api/v1/openapi.yaml",
    sha256: "ee6b63cb668b837abaf72b8e4c04f747555558fdbb401d128adc1202c8991269",
  },
  {
    file: "pipedrive-v2-openapi.yaml",
    path: "/docs/api/v1/openapi-v2.yaml",
    sha256: "2c0bc58590d4eb945c451d21e69c32a68af2e49b0a64eaed58a61afd1a945a89",
  },
];

export const SPECS_ORIGIN = "https://developers.pipedrive.com";

export interface SpecResult {
  file: string;
  url: string;
  sha256: string;
  ok: boolean;
}

export async function fetchSpecs(folder: string, origin = SPECS_ORIGIN): Promise<SpecResult[]> {
  fs.mkdirSync(folder, { recursive: true });
  const results: SpecResult[] = [];
  for (const spec of PINNED_SPECS) {
    const url = `${origin}${spec.path}`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    const body = Buffer.from(await response.arrayBuffer());
    const sha256 = createHash("sha256").update(body).digest("hex");
    const ok = sha256 === spec.sha256;
    fs.writeFileSync(path.join(folder, ok ? spec.file : `${spec.file}.new`), body);
    results.push({ file: spec.file, url, sha256, ok });
  }
  return results;
}

if (require.main === module) {
  const folder = path.resolve(process.argv[2] ?? path.join(__dirname, "../pipedrive-openapi"));
  fetchSpecs(folder, process.env.PIPEDRIVE_SPECS_BASE_URL ?? SPECS_ORIGIN).then(
    (results) => {
      for (const r of results) {
        console.log(`${r.ok ? "ok      " : "CHANGED "} ${r.file} from ${r.url} sha256 ${r.sha256}`);
      }
      if (results.some((r) => !r.ok)) {
        console.error(
          "A spec differs from the pinned one (kept as .new): regenerate with npm run generate:operations and re-test.",
        );
        process.exit(1);
      }
      console.log(`Specs in ${folder}`);
    },
    (error: Error) => {
      console.error(`npm run specs: ${error.message}`);
      process.exit(1);
    },
  );
}
