/**
 * Pipedrive simulator: `const sim = await PipedriveSimulator.start()`, point the component at
 * `sim.url` with `sim.apiToken` (or an OAuth token), and `await sim.stop()` afterwards.
 */

export { CORRECTIONS, type Correction, WEBHOOK_V2_OBJECTS } from "./corrections";
export { COMPANY, customFieldKey, SEED_USERS } from "./seed";
export { PipedriveSimulator } from "./simulator";
export { SPEC_ERRATA } from "./spec";
export type * from "./types";
export type { UninstallNotice, UninstallResult } from "./uninstall";
