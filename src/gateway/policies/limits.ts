import { GatewayMessages } from '../errors.js';
import { Refusals } from './refusals.js';
import type { ChoiceField } from './schema.js';
import type { GatewayCall, Outcome, Rejection } from './types.js';

/**
 * What a limit does when its shared counters (Redis) cannot count a call — down, unreachable or
 * slower than the command timeout: `open` lets the call through uncounted, `closed` refuses it (503).
 */
export type FailMode = 'open' | 'closed';

/** Portico's extension attribute on `<rate-limit>` and `<quota>`; APIM has no such attribute. */
export const failModeField: ChoiceField = {
  type: 'choice',
  attribute: 'portico-fail-mode',
  description: 'Portico extension: when the shared counters (Redis) cannot be reached, open lets calls pass uncounted, closed refuses them with 503',
  values: ['open', 'closed'],
  default: 'open',
};

const COUNTERS_UNAVAILABLE: Rejection = {
  status: 503,
  message: GatewayMessages.countersUnavailable,
  headers: { 'retry-after': '1' },
  reason: Refusals.countersUnavailable,
};

/** The outcome of a call its limit could not count; the store has logged why (once per outage). */
export function uncounted(failMode: FailMode): Outcome {
  return failMode === 'open' ? undefined : COUNTERS_UNAVAILABLE;
}

/** Counter keys remembered per subject kind and product, at most this many per product (then started afresh). */
const MAX_REMEMBERED_KEYS = 10_000;
const subscriptionKeys = new Map<string, Map<string, string>>();
const clientApplicationKeys = new Map<string, Map<string, string>>();

/**
 * The counter a call's product limits use: per product, per product-scoped subscription (keys) or
 * client application (tokens). Made once per call, by the first limit that needs it.
 *
 * The same caller's key is the same string object every time (a memo of the ids, which are
 * themselves the snapshot's strings): a string built per request would be concatenated, then
 * flattened and hashed by the counters' Map on every call, where a remembered one keeps its hash.
 */
export function counterKeyOf(call: GatewayCall): string {
  if (call.counterKey !== undefined) return call.counterKey;
  const productId = call.product!.id;
  const bySubscription = call.limitSubject === 'subscription';
  const subjectId = bySubscription ? call.subscriptionId! : call.clientApplicationId!;
  const memo = bySubscription ? subscriptionKeys : clientApplicationKeys;
  let keys = memo.get(productId);
  if (keys === undefined) memo.set(productId, (keys = new Map()));
  let key = keys.get(subjectId);
  if (key === undefined) {
    if (keys.size >= MAX_REMEMBERED_KEYS) keys.clear();
    key = `${productId}/${bySubscription ? 'subscriptions' : 'clientApplications'}/${subjectId}`;
    keys.set(subjectId, key);
  }
  call.counterKey = key;
  return key;
}

/** Whole seconds until `ms` from now, at least 1 (a Retry-After of 0 would invite an immediate retry). */
export function secondsUntil(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
