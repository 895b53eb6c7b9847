import { FailureThrottle } from '../identity/token/failure-throttle.js';

/** Failed sign-ins one account may have from one client address per window before it must wait. */
const ACCOUNT_ADDRESS_LIMIT = 5;
/**
 * Failed sign-ins one account may have from all addresses together per window. Much higher than the
 * per-address limit so that someone who only knows the admin's email cannot lock the admin out from
 * their own address; it still caps a guessing campaign spread over many addresses.
 */
const ACCOUNT_LIMIT = 50;
/** Failed sign-ins one client address may have per window (several people behind one NAT). */
const ADDRESS_LIMIT = 20;
const WINDOW_MS = 5 * 60_000;

/**
 * Slows password guessing: failed sign-ins are counted per (account, client address), per account
 * (the email, lower-cased) and per client address, in fixed windows. Throttling, not lockout: the
 * wait ends with the window.
 */
export class SignInThrottle {
  private readonly accountAddresses: FailureThrottle;
  private readonly accounts: FailureThrottle;
  private readonly addresses: FailureThrottle;

  constructor(now: () => number = Date.now) {
    this.accountAddresses = new FailureThrottle(ACCOUNT_ADDRESS_LIMIT, WINDOW_MS, now);
    this.accounts = new FailureThrottle(ACCOUNT_LIMIT, WINDOW_MS, now);
    this.addresses = new FailureThrottle(ADDRESS_LIMIT, WINDOW_MS, now);
  }

  /** Seconds to wait before this account may try from this address, or undefined. */
  retryAfter(email: string, address: string): number | undefined {
    const waits = [
      this.accountAddresses.retryAfter(pairKey(email, address)),
      this.accounts.retryAfter(email.toLowerCase()),
      this.addresses.retryAfter(address),
    ].filter((wait): wait is number => wait !== undefined);
    return waits.length === 0 ? undefined : Math.max(...waits);
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
    this.accountAddresses.forgive(pairKey(email, address));
    this.accounts.forgive(email.toLowerCase());
    this.addresses.forgive(address);
  }

  recordFailure(email: string, address: string): void {
    this.accountAddresses.recordFailure(pairKey(email, address));
    this.accounts.recordFailure(email.toLowerCase());
    this.addresses.recordFailure(address);
  }
}

/** One key for (account, address); the newline cannot occur in either part. */
function pairKey(email: string, address: string): string {
  return `${email.toLowerCase()}\n${address}`;
}
