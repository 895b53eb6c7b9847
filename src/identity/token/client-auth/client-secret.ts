import { OAuthError } from '../../../errors/index.js';
import { constantTimeEqual, sha256 } from '../../../shared/index.js';
import type { PasswordCredentialRecord } from '../../directory/directory-store.js';

/**
 * Compares the presented secret's digest with EVERY credential of the app, expired or not, without
 * stopping at a match, so response time does not reveal which credential (if any) matched.
 * Returns the keyId of a currently valid match; otherwise throws Entra's error.
 */
export function verifyClientSecret(secret: string, credentials: readonly Pick<PasswordCredentialRecord, 'keyId' | 'secretHash' | 'startDateTime' | 'endDateTime'>[], now: Date, appId: string): string {
  const digest = sha256(secret);
  const at = now.getTime();
  let validMatch: string | undefined;
  let expiredMatch = false;
  let anyUnexpired = false;
  for (const credential of credentials) {
    const matches = constantTimeEqual(digest, credential.secretHash);
    const expired = Date.parse(credential.endDateTime) <= at;
    const started = Date.parse(credential.startDateTime) <= at;
    if (!expired) anyUnexpired = true;
    if (matches && expired) expiredMatch = true;
    if (matches && !expired && started && validMatch === undefined) validMatch = credential.keyId;
  }
  if (validMatch !== undefined) return validMatch;
  if (expiredMatch || (credentials.length > 0 && !anyUnexpired)) {
    throw new OAuthError(7000222, `The provided client secret keys for app '${appId}' are expired. Create a new client secret for the app and use it instead.`);
  }
  throw new OAuthError(7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${appId}'.`);
}
