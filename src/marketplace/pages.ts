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
  | "code_elsewhere"
  | "store_full"
  | "confirm_invalid"
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
    case "code_elsewhere":
      return {
        status: 409,
        title: "This install link is already in use in another browser",
        paragraphs: [
          "The installation behind this link was started in another browser, and only that browser can finish it. Nothing was connected.",
          `If you did not start it, you can ignore this page. To connect Pipedrive yourself, install ${app} from the Pipedrive Marketplace in this browser.`,
        ],
        reinstall: true,
      };
    case "store_full":
      return {
        status: 503,
        title: "Too many installations are in progress",
        paragraphs: [
          `${app} is holding as many installations in progress as it can, so this one was not kept. Nothing was connected.`,
          "Wait a few minutes, then install the app again from the Pipedrive Marketplace.",
        ],
        reinstall: true,
      };
    case "confirm_invalid":
      return {
        status: 403,
        title: "The confirmation could not be checked",
        paragraphs: [
          "This confirmation was not sent from the page we showed you in this browser, or the installation changed since. Nothing was connected.",
          "Reload the confirmation page and confirm again, or install the app again from the Pipedrive Marketplace.",
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

export interface ConfirmPageInput {
  /** The app account the install would be connected to. */
  accountName: string;
  instanceName: string;
  /** The Pipedrive company and user the instance is connected to now (an active connection), if any. */
  current: { companyId: number; userId: number; companyName?: string; userName?: string } | "unidentified" | null;
  /** Where the form posts (the continue path) and the token bound to this browser's install and session. */
  action: string;
  token: string;
  /** Where a confirmed install ends (the configuration page): its origin is allowed as the form's redirect target. */
  continuesTo: string;
}

const pipedriveAccount = (who: Exclude<ConfirmPageInput["current"], null | "unidentified">) =>
  `${who.userName ? `${who.userName} (user ${who.userId})` : `user ${who.userId}`} of ${who.companyName ? `${who.companyName} (company ${who.companyId})` : `company ${who.companyId}`}`;

/**
 * The page a signed-in user must submit before a Pipedrive authorization is connected: it names
 * the app account, the instance, and the Pipedrive company and user it is connected to now (the
 * one a confirmation replaces). Nothing is connected by opening a link; only this form's POST
 * (with its token) connects.
 */
export function confirmPage(options: PageOptions, input: ConfirmPageInput): BridgeResponse {
  const app = escapeHtml(options.appName);
  const replaces =
    input.current === "unidentified"
      ? `<p id="replaces">It is connected now to a Pipedrive account that could not be identified (its access may have been revoked). Confirming replaces that connection.</p>`
      : input.current
        ? `<p id="replaces">It is connected now to Pipedrive <strong id="current-pipedrive">${escapeHtml(pipedriveAccount(input.current))}</strong>. Confirming replaces that connection, and the flows will then read and change the other Pipedrive account's data.</p>`
        : `<p id="replaces">It is not connected to Pipedrive yet.</p>`;
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Connect Pipedrive? - ${app}</title>
<style>body{font-family:system-ui,sans-serif;max-width:38rem;margin:3rem auto;padding:0 1rem;color:#222;line-height:1.5}
h1{font-size:1.5rem}button{padding:.5rem 1rem;font-size:1rem}</style>
</head><body>
<main id="bridge-message" data-kind="confirm">
<h1>Connect Pipedrive to ${app}?</h1>
<p>The Pipedrive account that approved this installation on Pipedrive's permission screen will be connected to <strong id="confirm-account">${escapeHtml(input.accountName)}</strong> in ${app} (integration <strong id="confirm-instance">${escapeHtml(input.instanceName)}</strong>).</p>
${replaces}
<p><strong>Only confirm if you clicked Install in Pipedrive's Marketplace yourself, just now.</strong> If someone sent you this link, do not confirm: they would connect their Pipedrive account to yours.</p>
<form method="POST" action="${escapeHtml(input.action)}">
<input type="hidden" name="confirm" value="${escapeHtml(input.token)}">
<button id="confirm-install" type="submit">Connect Pipedrive</button>
</form>
<p><a id="marketplace-link" href="${escapeHtml(options.marketplaceUrl)}">Cancel and go to the Pipedrive Marketplace</a></p>
</main>
</body></html>`;
  const headers = pageHeaders();
  // The form's answer redirects to the platform's configuration page, which form-action must allow.
  const target = URL.canParse(input.continuesTo) ? new URL(input.continuesTo).origin : null;
  if (target?.startsWith("http"))
    headers["content-security-policy"] = headers["content-security-policy"].replace(
      "form-action 'self'",
      `form-action 'self' ${target}`,
    );
  return { status: 200, headers, body };
}
