/**
 * The test kit for flows that use this component's triggers and actions, without a Pipedrive account
 * or a Prismatic instance (import from "pipedrive-prismatic-component/testing"):
 * - `startPipedrive()`: the spec-checked Pipedrive simulator over loopback HTTP, with API-token and
 *   OAuth connections for it;
 * - `FlowHost`: deploys webhook triggers as the platform does (their webhookLifecycleHandlers:
 *   create on deploy, delete on instance removal), hosts their webhook URLs, runs the trigger on each
 *   delivery and keeps cross-flow and flow state between executions;
 * - `PollingHost`: scheduled runs of polling and batched triggers, with the polling state kept in
 *   instanceState as the platform keeps it.
 * spectral's createHarness(...).triggerOnInstanceDeploy does not apply to these triggers: their
 * lifecycle is webhookLifecycleHandlers, which FlowHost runs.
 */
import { createConnection } from "@prismatic-io/spectral/dist/testing";
import { PipedriveSimulator, type SimulatorOptions } from "../../sim";
import { apiToken, oauth2 } from "../connections";

export { PipedriveSimulator, type SimulatorOptions } from "../../sim";
export { collectingLogger, type Delivery, type Flow, FlowHost, type KitLogger } from "./flowHost";
export { PollingHost, type RunReport } from "./pollingHost";

export interface Pipedrive {
  sim: PipedriveSimulator;
  /** An API-token connection to the simulator. */
  token: ReturnType<typeof createConnection>;
  /** An OAuth 2.0 connection to the simulator, with a token it issued. */
  oauth: ReturnType<typeof createConnection>;
  stop(): Promise<void>;
}

/** Starts the simulator on a free loopback port, with connections to it. */
export async function startPipedrive(options: SimulatorOptions = {}): Promise<Pipedrive> {
  const sim = await PipedriveSimulator.start(options);
  const app = sim.defaultOAuthApp;
  const oauth = createConnection(
    oauth2,
    {
      authorizeUrl: `${sim.url}/oauth/authorize`,
      tokenUrl: `${sim.url}/oauth/token`,
      scopes: "",
      clientId: app.clientId,
      clientSecret: app.clientSecret,
    },
    sim.issueOAuthToken({}) as unknown as Record<string, unknown>,
  );
  const token = createConnection(apiToken, { apiToken: sim.apiToken, companyDomain: sim.url });
  return { sim, token, oauth, stop: () => sim.stop() };
}
