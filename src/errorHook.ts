import { isConnectionError } from "@prismatic-io/spectral";
import { redact } from "./client/redact";

/**
 * Every perform (actions, triggers, data sources) goes through this hook. Client and input errors
 * are already clear; anything else is reduced to a message with credentials removed, so no token
 * rides along in an error's properties (axios errors carry request headers).
 */
export function toClearError(error: unknown): Error {
  if (
    error instanceof Error &&
    (error.name === "PipedriveError" || error.name === "InputError" || error.name === "DeliveryRefused")
  )
    return error;
  // By property, not class name: a minifier may rename spectral's class (see webpack.config.js).
  if (error instanceof Error && isConnectionError(error)) {
    error.message = redact(error.message);
    return error;
  }
  const message = error instanceof Error ? error.message : typeof error === "string" ? error : JSON.stringify(error);
  const clear = new Error(redact(`Pipedrive component error: ${message}`));
  clear.name = error instanceof Error ? error.name : "Error";
  return clear;
}
