import { APP_ERROR_CODES, AADSTS_CODES, PORTICO_TOKEN_CODES, type AppErrorCode, type AadstsCode, type PorticoTokenCode } from './codes.js';

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

/**
 * An RFC 6749 token-endpoint error with Entra's AADSTS code and description, or (for a refusal
 * Entra has no code for) one of Portico's own token codes.
 */
export class OAuthError extends Error {
  readonly error: string;
  readonly status: number;
  /** What error_description starts with: `AADSTS7000215`, or a Portico code such as `PorticoConfigurationStale`. */
  readonly code: string;
  constructor(
    readonly aadsts: AadstsCode | PorticoTokenCode,
    readonly description: string,
  ) {
    const code = typeof aadsts === 'number' ? `AADSTS${aadsts}` : aadsts;
    super(`${code}: ${description}`);
    this.name = 'OAuthError';
    this.code = code;
    const entry = typeof aadsts === 'number' ? AADSTS_CODES[aadsts] : PORTICO_TOKEN_CODES[aadsts];
    this.error = entry.error;
    this.status = entry.status;
  }
}
