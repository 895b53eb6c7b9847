import { APP_ERROR_CODES, AADSTS_CODES, type AppErrorCode, type AadstsCode } from './codes.js';

/** Raised by store implementations; carries no HTTP meaning, edges translate it. */
export class StoreError extends Error {
  constructor(
    readonly code: 'STORE_NOT_FOUND' | 'STORE_CONFLICT' | 'STORE_REFERENCE' | 'STORE_UNAVAILABLE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

export interface ErrorDetail {
  readonly code: string;
  readonly target?: string;
  readonly message: string;
}

/**
 * 5xx codes whose message is written for the client (it names no internals): shown, not replaced.
 * Try it's BadGateway says in words what failed (src/portal/developer/relay-failure.ts), never Node's message.
 */
const EXPOSED_SERVER_ERRORS: ReadonlySet<AppErrorCode> = new Set<AppErrorCode>(['TryItTimedOut', 'BadGateway']);

/** A failure with a stable code and an HTTP status; `expose` says whether clients may see the message. */
export class AppError extends Error {
  readonly status: number;
  readonly expose: boolean;
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.status = APP_ERROR_CODES[code].status;
    this.expose = this.status < 500 || EXPOSED_SERVER_ERRORS.has(code);
  }
}

/** An RFC 6749 token-endpoint error with Entra's AADSTS code and description. */
export class OAuthError extends Error {
  readonly error: string;
  readonly status: number;
  constructor(
    readonly aadsts: AadstsCode,
    readonly description: string,
  ) {
    super(`AADSTS${aadsts}: ${description}`);
    this.name = 'OAuthError';
    this.error = AADSTS_CODES[aadsts].error;
    this.status = AADSTS_CODES[aadsts].status;
  }
}
