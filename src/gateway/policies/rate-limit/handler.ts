import type { PolicyDefinition } from '../definition.js';
import { counterKeyOf, secondsUntil, uncounted } from '../limits.js';
import { Refusals } from '../refusals.js';
import type { Outcome, Rejection } from '../types.js';

/**
 * Limits phase, first: APIM's `<rate-limit>` of the call's product, counted per product-scoped
 * subscription or client application. Over it: 429, `Retry-After` and APIM's message.
 */
export const rateLimit: PolicyDefinition = {
  name: 'rate-limit',
  create: (deps) => ({
    name: 'rate-limit',
    phase: 'limits',
    priority: 910,
    run(call): Outcome | Promise<Outcome> {
      const config = call.product?.limits.rateLimit;
      if (config === undefined || call.limitSubject === undefined) return undefined;
      const waitMs = deps.rateCounters.take(counterKeyOf(call), config.calls, config.renewalPeriod * 1000, deps.now());
      if (typeof waitMs === 'number') return waitMs === 0 ? undefined : rateLimited(waitMs);
      // A shared store (Redis) that cannot count rejects: the product's fail mode decides.
      return waitMs.then(
        (ms) => (ms === 0 ? undefined : rateLimited(ms)),
        () => uncounted(config.failMode),
      );
    },
  }),
};

export function rateLimited(waitMs: number): Rejection {
  const seconds = secondsUntil(waitMs);
  return { status: 429, message: `Rate limit is exceeded. Try again in ${seconds} seconds.`, headers: { 'retry-after': String(seconds) }, reason: Refusals.rateLimitExceeded };
}
