export { AppError, OAuthError, StoreError } from './errors.js';
export type { ErrorDetail } from './errors.js';
export { APP_ERROR_CODES, AADSTS_CODES, PORTICO_TOKEN_CODES } from './codes.js';
export type { AppErrorCode, AadstsCode, PorticoTokenCode } from './codes.js';
