/**
 * `npm run sim`: runs the Pipedrive simulator standalone on PORT (default 4010).
 * Ctrl-C stops it.
 */
import { PipedriveSimulator } from "./index";

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be a port number, got ${process.env.PORT}`);
    process.exit(1);
  }
  const sim = await PipedriveSimulator.start({
    port,
    host: process.env.HOST ?? "127.0.0.1",
    // a fixed token for demos (optional); default: a random one per run
    apiToken: process.env.PIPEDRIVE_SIM_API_TOKEN || undefined,
  });
  const app = sim.defaultOAuthApp;
  const lines = [
    "",
    `Pipedrive simulator listening on ${sim.url}  (started in ${sim.startupMs} ms, specs from ${sim.specInfo.specDir})`,
    "",
    "API",
    `  v2: ${sim.url}/api/v2/...    v1: ${sim.url}/api/v1/...`,
    `  API token (user 1, admin; header x-api-token): ${sim.apiToken}`,
    `  try: curl -H "x-api-token: ${sim.apiToken}" ${sim.url}/api/v1/users/me`,
    "",
    "OAuth (fake credentials, for local use only)",
    `  client id:     ${app.clientId}`,
    "  client secret: sim-client-secret  (a fake; it only works against this simulator)",
    `  redirect URI:  ${app.redirectUri}`,
    `  authorize:     ${sim.url}/oauth/authorize?client_id=${app.clientId}&redirect_uri=${encodeURIComponent(app.redirectUri)}&state=...`,
    `  token:         POST ${sim.url}/oauth/token   (api_domain in the answer is ${sim.url})`,
    `  marketplace:   ${sim.url}/marketplace/install?client_id=${app.clientId}`,
    "",
    "Point the component at it (the process running it needs PIPEDRIVE_ALLOW_LOOPBACK=1: loopback is refused otherwise)",
    `  API-token connection: Company Domain = ${sim.url}, API Token = the token above`,
    `  OAuth connection: Authorize URL = ${sim.url}/oauth/authorize, Token URL = ${sim.url}/oauth/token,`,
    `    client id/secret as above; every call then goes to the api_domain (${sim.url})`,
    "",
    "Every request is checked against Pipedrive's OpenAPI specs; violations are printed below.",
    "Ctrl-C stops the simulator.",
    "",
  ];
  console.log(lines.join("\n"));

  let seen = 0;
  const timer = setInterval(() => {
    const v = sim.violations;
    for (; seen < v.length; seen++) {
      const x = v[seen];
      console.log(`[violation] ${x.method} ${x.path} (${x.operationId ?? "no operation"}): ${x.reasons.join("; ")}`);
    }
  }, 500);

  const shutdown = async () => {
    clearInterval(timer);
    await sim.stop();
    console.log("Pipedrive simulator stopped.");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
