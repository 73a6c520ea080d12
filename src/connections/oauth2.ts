import { OAuth2Type, oauth2Connection } from "@prismatic-io/spectral";

export const PIPEDRIVE_AUTHORIZE_URL = "https://oauth.pipedrive.com/oauth/authorize";
export const PIPEDRIVE_TOKEN_URL = "https://oauth.pipedrive.com/oauth/token";

/**
 * Keys match Prismatic's published Pipedrive component (connection `oauth2`, inputs authorizeUrl,
 * tokenUrl, scopes, clientId, clientSecret) so existing integrations keep working.
 * API calls go to the token's `api_domain`; the platform refreshes through the token URL.
 *
 * Marketplace apps (docs/marketplace.md): Pipedrive allows one callback URL per app, which must be
 * the install bridge (src/marketplace), so the Authorize URL becomes
 * `https://oauth.pipedrive.com/oauth/authorize?redirect_uri=<bridge callback, URL-encoded>`
 * (`marketplaceAuthorizeUrl(callbackUrl)` builds it). Pipedrive then redirects every code to the
 * bridge, which hands it to the platform's OAuth callback with `state`; the platform's token
 * exchange must send `redirect_uri=<bridge callback>` too, or Pipedrive answers
 * "Invalid request: redirect_uri is invalid".
 */
export const oauth2 = oauth2Connection({
  key: "oauth2",
  display: {
    label: "OAuth 2.0",
    description:
      "Connect a Pipedrive app (Developer Hub) with the OAuth 2.0 authorization code flow. API calls go to the company domain Pipedrive returns with the token.",
  },
  oauth2Type: OAuth2Type.AuthorizationCode,
  inputs: {
    authorizeUrl: {
      label: "Authorize URL",
      type: "string",
      required: true,
      shown: true,
      default: PIPEDRIVE_AUTHORIZE_URL,
      placeholder: PIPEDRIVE_AUTHORIZE_URL,
      comments:
        "Pipedrive's OAuth 2.0 authorization URL. For a Pipedrive Marketplace app, whose one callback URL is your install bridge, set https://oauth.pipedrive.com/oauth/authorize?redirect_uri= followed by the bridge's callback URL, URL-encoded: the platform adds client_id and state, and must send the same redirect_uri when it exchanges the code, as Pipedrive requires (the component's Marketplace guide explains the install bridge).",
      example: `${PIPEDRIVE_AUTHORIZE_URL}?redirect_uri=https%3A%2F%2Fapp.example.com%2Fpipedrive%2Fcallback`,
    },
    tokenUrl: {
      label: "Token URL",
      type: "string",
      required: true,
      shown: true,
      default: PIPEDRIVE_TOKEN_URL,
      placeholder: PIPEDRIVE_TOKEN_URL,
      comments: "Pipedrive's OAuth 2.0 token URL; also used to refresh access tokens (they last 60 minutes).",
      example: PIPEDRIVE_TOKEN_URL,
    },
    scopes: {
      label: "Scopes",
      type: "string",
      required: false,
      shown: false,
      default: "",
      comments: "Pipedrive sets scopes on the app in Developer Hub, not in the authorize request; leave empty.",
    },
    clientId: {
      label: "Client ID",
      type: "string",
      required: true,
      shown: true,
      comments: "The Client ID from your app's OAuth & access scopes page in Pipedrive's Developer Hub.",
      example: "c1a2b3c4d5e6f708",
    },
    clientSecret: {
      label: "Client Secret",
      type: "password",
      required: true,
      shown: true,
      comments: "The Client Secret from the same page. It is sent only to the token URL.",
    },
  },
});
