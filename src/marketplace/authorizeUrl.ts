import { PIPEDRIVE_AUTHORIZE_URL } from "../connections/oauth2";

/**
 * The Authorize URL to set on the integration's `oauth2` connection when the Pipedrive app's one
 * callback URL is the install bridge: Pipedrive's authorize URL with `redirect_uri` = the bridge's
 * callback, URL-encoded, e.g.
 * https://oauth.pipedrive.com/oauth/authorize?redirect_uri=https%3A%2F%2Fapp.example.com%2Fpipedrive%2Fcallback
 * The platform adds client_id and state. `base` is for the local simulator.
 */
export function marketplaceAuthorizeUrl(bridgeCallbackUrl: string, base: string = PIPEDRIVE_AUTHORIZE_URL): string {
  const callback = new URL(bridgeCallbackUrl);
  if (callback.search || callback.hash)
    throw new Error("marketplaceAuthorizeUrl: the callback URL must have no query or fragment.");
  const url = new URL(base);
  // exactly as registered in Developer Hub: Pipedrive compares the strings
  url.searchParams.set("redirect_uri", bridgeCallbackUrl);
  return url.toString();
}
