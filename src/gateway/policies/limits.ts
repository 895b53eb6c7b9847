import type { GatewayCall } from './types.js';

/**
 * The counter a call's product limits use: per product, per product-scoped subscription (keys) or
 * client application (tokens). Made once per call, by the first limit that needs it.
 */
export function counterKeyOf(call: GatewayCall): string {
  if (call.counterKey !== undefined) return call.counterKey;
  const key =
    call.limitSubject === 'subscription' ? `${call.product!.id}/subscriptions/${call.subscriptionId!}` : `${call.product!.id}/clientApplications/${call.clientApplicationId!}`;
  call.counterKey = key;
  return key;
}

/** Whole seconds until `ms` from now, at least 1 (a Retry-After of 0 would invite an immediate retry). */
export function secondsUntil(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
