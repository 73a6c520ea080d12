/**
 * The pages the install bridge shows people: short, plain HTML that says what happened and what to
 * do next. No stack traces, no codes, no tokens; a reference id ties a page to its log line.
 */
import type { BridgeResponse } from "./types";

export type PageKind =
  | "user_denied"
  | "code_used"
  | "code_expired"
  | "missing_cookie"
  | "unknown_state"
  | "redirect_uri_mismatch"
  | "platform_unavailable"
  | "store_unavailable"
  | "connect_failed"
  | "bad_request"
  | "method_not_allowed"
  | "internal";

export interface PageOptions {
  appName: string;
  marketplaceUrl: string;
}

interface PageText {
  status: number;
  title: string;
  paragraphs: string[];
  /** Show the "Install again from the Pipedrive Marketplace" link. */
  reinstall: boolean;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function text(kind: PageKind, app: string): PageText {
  switch (kind) {
    case "user_denied":
      return {
        status: 200,
        title: "Installation cancelled",
        paragraphs: [
          `You chose Cancel on Pipedrive's permission screen, so ${app} was not connected to your Pipedrive account. Nothing was changed.`,
          "If that was a mistake, install the app again from the Pipedrive Marketplace and choose Allow and Install.",
        ],
        reinstall: true,
      };
    case "code_used":
      return {
        status: 400,
        title: "This install link was already used",
        paragraphs: [
          "Pipedrive's authorization works only once, and this one has already been used (the page was probably reloaded or opened twice).",
          `If your installation finished, there is nothing more to do. Otherwise install ${app} again from the Pipedrive Marketplace.`,
        ],
        reinstall: true,
      };
    case "code_expired":
      return {
        status: 400,
        title: "This install link has expired",
        paragraphs: [
          "Pipedrive's authorization is valid for 5 minutes, and this one ran out before the installation was finished.",
          `Install ${app} again from the Pipedrive Marketplace; it only takes a moment.`,
        ],
        reinstall: true,
      };
    case "missing_cookie":
      return {
        status: 400,
        title: "No installation is waiting in this browser",
        paragraphs: [
          "This step finishes an installation started from the Pipedrive Marketplace, but none was found for this browser.",
          "That happens when cookies are blocked, when the installation was started in another browser, or when this address was opened directly. Start the installation from the Pipedrive Marketplace in this browser, with cookies allowed.",
        ],
        reinstall: true,
      };
    case "unknown_state":
      return {
        status: 400,
        title: "This connection request is not valid any more",
        paragraphs: [
          "The integration platform did not recognise this connection request; it may have been completed or replaced already.",
          `Open the Pipedrive integration's configuration in ${app} and click Connect again.`,
        ],
        reinstall: false,
      };
    case "redirect_uri_mismatch":
      return {
        status: 502,
        title: "Pipedrive refused the connection settings",
        paragraphs: [
          "Pipedrive requires the same redirect URI when the app is authorized and when the authorization is exchanged for a token, and they differed.",
          `Please tell ${app}'s support: the integration's Authorize URL must carry redirect_uri set to this install endpoint (see the Marketplace section of the component's documentation).`,
        ],
        reinstall: false,
      };
    case "platform_unavailable":
      return {
        status: 502,
        title: "We could not finish setting up the integration",
        paragraphs: [
          "The integration platform did not answer. Your Pipedrive authorization is kept for a few minutes: reload this page to try again.",
          `If it keeps failing, install ${app} again from the Pipedrive Marketplace later.`,
        ],
        reinstall: true,
      };
    case "store_unavailable":
      return {
        status: 503,
        title: "The installation is paused for a moment",
        paragraphs: [
          `${app} could not reach the storage that keeps installations in progress, so this step did not happen. Nothing was connected, and Pipedrive's authorization cannot be used twice.`,
          "Reload this page in a minute to try again. If it then says the install link was already used or has expired, install the app again from the Pipedrive Marketplace.",
        ],
        reinstall: true,
      };
    case "connect_failed":
      return {
        status: 502,
        title: "Pipedrive could not be connected",
        paragraphs: [
          "The integration platform could not exchange Pipedrive's authorization for access.",
          `Install ${app} again from the Pipedrive Marketplace. If it fails again, contact support with the reference below.`,
        ],
        reinstall: true,
      };
    case "bad_request":
      return {
        status: 400,
        title: "This is Pipedrive's install address",
        paragraphs: [
          "This address receives the authorization Pipedrive sends after you approve the app, and nothing came with this request.",
          `To connect Pipedrive, install ${app} from the Pipedrive Marketplace.`,
        ],
        reinstall: true,
      };
    case "method_not_allowed":
      return {
        status: 405,
        title: "Not allowed",
        paragraphs: ["This address does not accept that kind of request."],
        reinstall: false,
      };
    default:
      return {
        status: 500,
        title: "Something went wrong",
        paragraphs: [
          "An unexpected error stopped the installation. Nothing about your Pipedrive account was changed by this error.",
          "Please try again in a moment, or contact support with the reference below.",
        ],
        reinstall: true,
      };
  }
}

/** Response headers for every page: no caching, no referrer (callback URLs carry codes), no framing. */
export function pageHeaders(): Record<string, string> {
  return {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "content-security-policy":
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  };
}

export function page(kind: PageKind, options: PageOptions, reference: string): BridgeResponse {
  const t = text(kind, options.appName);
  const paragraphs = t.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n");
  const link = t.reinstall
    ? `<p><a id="marketplace-link" href="${escapeHtml(options.marketplaceUrl)}">Go to the Pipedrive Marketplace</a></p>`
    : "";
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.title)} - ${escapeHtml(options.appName)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:38rem;margin:3rem auto;padding:0 1rem;color:#222;line-height:1.5}
h1{font-size:1.5rem}.ref{color:#666;font-size:.85rem}</style>
</head><body>
<main id="bridge-message" data-kind="${kind}">
<h1>${escapeHtml(t.title)}</h1>
${paragraphs}
${link}
<p class="ref">Reference: <span id="reference">${escapeHtml(reference)}</span></p>
</main>
</body></html>`;
  return { status: t.status, headers: pageHeaders(), body };
}
