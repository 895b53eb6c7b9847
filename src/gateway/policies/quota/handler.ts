import type { PolicyDefinition } from '../definition.js';
import { counterKeyOf, secondsUntil, uncounted } from '../limits.js';
import { Refusals } from '../refusals.js';
import type { Outcome, Rejection } from '../types.js';

/**
 * Limits phase, after rate-limit: APIM's `<quota>` of the call's product, counted per product-scoped
 * subscription or client application. Over it: 403 with the time until the quota is replenished,
 * and `Retry-After`. Counts are persisted a few seconds behind (counters/quota-persistence.ts).
 */
export const quota: PolicyDefinition = {
  name: 'quota',
  create: (deps) => ({
    name: 'quota',
    phase: 'limits',
    priority: 900,
    run(call): Outcome | Promise<Outcome> {
      const config = call.product?.limits.quota;
      if (config === undefined || call.limitSubject === undefined) return undefined;
      const waitMs = deps.quotaCounters.take(counterKeyOf(call), config.calls, config.renewalPeriod * 1000, deps.now());
      if (typeof waitMs === 'number') return waitMs === 0 ? undefined : quotaExceeded(waitMs);
      // A shared store (Redis) that cannot count rejects: the product's fail mode decides.
      return waitMs.then(
        (ms) => (ms === 0 ? undefined : quotaExceeded(ms)),
        () => uncounted(config.failMode),
      );
    },
  }),
};

export function quotaExceeded(waitMs: number): Rejection {
  const seconds = secondsUntil(waitMs);
  return {
    status: 403,
    message: `Out of call volume quota. Quota will be replenished in ${replenishTime(seconds)}.`,
    headers: { 'retry-after': String(seconds) },
    reason: Refusals.quotaExceeded,
  };
}

/** `hh:mm:ss`, with `d.` in front past a day: how .NET prints a TimeSpan, which is what APIM shows. */
export function replenishTime(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86_400);
  const rest = totalSeconds % 86_400;
  const hms = [Math.floor(rest / 3600), Math.floor((rest % 3600) / 60), rest % 60].map((n) => String(n).padStart(2, '0')).join(':');
  return days > 0 ? `${days}.${hms}` : hms;
}
