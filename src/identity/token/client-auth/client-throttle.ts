import { OAuthError } from '../../../errors/index.js';
import { FailureThrottle } from '../failure-throttle.js';

/**
 * Failed authentications of one client from one address allowed per minute before 429. Keyed by
 * both, so failing on purpose cannot shut a client out from everywhere. Only clients that exist
 * are counted (there is nothing to guess about an unknown id, and counting them would let a flood
 * of random ids crowd the table). Secrets are 256-bit random, so this limits load and noise
 * rather than guessing.
 */
export const FAILURES_PER_CLIENT = 20;
export const THROTTLE_WINDOW_MS = 60_000; // one minute

export function createClientThrottle(): FailureThrottle {
  return new FailureThrottle(FAILURES_PER_CLIENT, THROTTLE_WINDOW_MS);
}

/** The appId as the directory stores it, so every spelling of one client id shares one count. */
export function clientThrottleKey(appId: string, clientAddress: string): string {
  return `${appId}@${clientAddress}`;
}

/** AADSTS90055, carrying the Retry-After the route sends with it. */
export class TooManyFailuresError extends OAuthError {
  constructor(readonly retryAfterSeconds: number) {
    super(90055, `Too many failed client authentications. Retry after ${retryAfterSeconds} seconds.`);
  }
}
