import type { IncomingHttpHeaders } from 'node:http';
import { sha256 } from '../shared/crypto.js';
import { userIsActive, type ApiEntry, type Snapshot } from './snapshot.js';

export interface PresentedKey {
  readonly value: string;
  readonly from: 'header' | 'query';
}

/**
 * The subscription key from the API's header, else from its query parameter — the query is read
 * only when the header is absent (APIM behaviour). `rawQuery` is the part after '?'.
 */
export function findSubscriptionKey(api: ApiEntry, headers: IncomingHttpHeaders, rawQuery: string): PresentedKey | undefined {
  const header = headers[api.keyHeaderLower];
  if (header !== undefined) return { value: Array.isArray(header) ? (header[0] ?? '') : header, from: 'header' };
  if (rawQuery === '') return undefined;
  for (const pair of rawQuery.split('&')) {
    const eq = pair.indexOf('=');
    const name = decodeQueryComponent(eq === -1 ? pair : pair.slice(0, eq));
    if (name === api.keyQueryName) return { value: decodeQueryComponent(eq === -1 ? '' : pair.slice(eq + 1)), from: 'query' };
  }
  return undefined;
}

/** The caller's query without the subscription-key parameter, other pairs byte for byte. */
export function stripKeyFromQuery(rawQuery: string, keyQueryName: string): string {
  if (rawQuery === '') return '';
  const kept: string[] = [];
  for (const pair of rawQuery.split('&')) {
    const eq = pair.indexOf('=');
    if (decodeQueryComponent(eq === -1 ? pair : pair.slice(0, eq)) !== keyQueryName) kept.push(pair);
  }
  return kept.join('&');
}

export type KeyCheck =
  | { readonly ok: true; readonly subscriptionId: string; readonly productId: string | undefined }
  | { readonly ok: false };

/**
 * A key is good when an active subscription has it, its owner (if any) is an active user, and its
 * scope covers this API: all access ('/'), all APIs, this API, or a product that holds the API
 * and accepts keys. A product scope also sets the product context.
 */
export function checkSubscriptionKey(snapshot: Snapshot, api: ApiEntry, key: string): KeyCheck {
  if (key === '') return { ok: false };
  const subscription = snapshot.subscriptionsByKeyHash.get(sha256(key));
  if (!subscription || subscription.state !== 'active') return { ok: false };
  if (subscription.ownerId !== null && !userIsActive(snapshot, subscription.ownerId)) return { ok: false };
  const scope = subscription.scope;
  if (scope === '/' || scope === '/apis' || scope === `/apis/${api.id}`) {
    return { ok: true, subscriptionId: subscription.id, productId: undefined };
  }
  if (scope.startsWith('/products/')) {
    const productId = scope.slice('/products/'.length);
    const product = api.products.find((p) => p.id === productId);
    if (product?.acceptsKeys) return { ok: true, subscriptionId: subscription.id, productId };
  }
  return { ok: false };
}

function decodeQueryComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
