import { FailureThrottle } from '../identity/token/failure-throttle.js';

/** Failed sign-ins one account may have per window before it must wait. */
const ACCOUNT_LIMIT = 5;
/** Failed sign-ins one client address may have per window (several people behind one NAT). */
const ADDRESS_LIMIT = 20;
const WINDOW_MS = 5 * 60_000;

/**
 * Slows password guessing: failed sign-ins are counted per account (the email, lower-cased) and per
 * client address in fixed windows. Throttling, not lockout: the wait ends with the window.
 */
export class SignInThrottle {
  private readonly accounts = new FailureThrottle(ACCOUNT_LIMIT, WINDOW_MS);
  private readonly addresses = new FailureThrottle(ADDRESS_LIMIT, WINDOW_MS);

  /** Seconds to wait before this account may try from this address, or undefined. */
  retryAfter(email: string, address: string): number | undefined {
    const account = this.accounts.retryAfter(email.toLowerCase());
    const client = this.addresses.retryAfter(address);
    if (account === undefined && client === undefined) return undefined;
    return Math.max(account ?? 0, client ?? 0);
  }

  /**
   * Starts a sign-in: the seconds to wait when over the limit, otherwise undefined and the attempt
   * is counted as a failure now, before the password hashing awaits, so parallel attempts cannot
   * all pass the check and slip under the limit. A sign-in that then succeeds calls succeeded().
   */
  begin(email: string, address: string): number | undefined {
    const wait = this.retryAfter(email, address);
    if (wait !== undefined) return wait;
    this.recordFailure(email, address);
    return undefined;
  }

  /** Takes back the failure begin() counted: the password was right. */
  succeeded(email: string, address: string): void {
    this.accounts.forgive(email.toLowerCase());
    this.addresses.forgive(address);
  }

  recordFailure(email: string, address: string): void {
    this.accounts.recordFailure(email.toLowerCase());
    this.addresses.recordFailure(address);
  }
}
