/**
 * Pipedrive Marketplace install bridge (see docs/marketplace.md): framework-agnostic handlers for
 * the app's single Pipedrive callback URL. Not part of the component bundle; run it in your app.
 */

export { marketplaceAuthorizeUrl } from "./authorizeUrl";
export type { MarketplaceBridge, MarketplaceBridgeOptions } from "./bridge";
export { classifyExchangeFailure, createMarketplaceBridge, interpretCallbackAnswer } from "./bridge";
export type { CookieCheck } from "./cookie";
export { cookieKey, newPendingId, readCookie, serializeCookie, signCookieValue, verifyCookieValue } from "./cookie";
export type { PageKind } from "./pages";
export { escapeHtml, page } from "./pages";
export type { ConnectRedisOptions, RedisPendingCodeStoreOptions } from "./redisStore";
export { connectRedis, RedisPendingCodeStore } from "./redisStore";
export type { AddResult, MemoryPendingCodeStoreOptions, PeekResult, PendingCodeStore, TakeResult } from "./store";
export { MemoryPendingCodeStore, StoreUnavailableError } from "./store";
export type * from "./types";
export type { UninstallNotice } from "./uninstall";
export { parseUninstallNotice, pipedriveUserLabel, verifyClientBasicAuth } from "./uninstall";
