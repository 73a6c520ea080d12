/**
 * Pipedrive Marketplace install bridge (see docs/marketplace.md): framework-agnostic handlers for
 * the app's single Pipedrive callback URL. Not part of the component bundle; run it in your app.
 */
export { classifyExchangeFailure, createMarketplaceBridge, interpretCallbackAnswer } from "./bridge";
export type { MarketplaceBridge, MarketplaceBridgeOptions } from "./bridge";
export { cookieKey, newPendingId, readCookie, serializeCookie, signCookieValue, verifyCookieValue } from "./cookie";
export type { CookieCheck } from "./cookie";
export { escapeHtml, page } from "./pages";
export type { PageKind } from "./pages";
export { PendingCodeStore } from "./store";
export type { AddResult, PeekResult, TakeResult } from "./store";
export type * from "./types";
export { parseUninstallNotice, pipedriveUserLabel, verifyClientBasicAuth } from "./uninstall";
export type { UninstallNotice } from "./uninstall";
export { marketplaceAuthorizeUrl } from "./authorizeUrl";
