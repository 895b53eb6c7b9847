import { OAuthError } from '../../../errors/index.js';
import { parseBasicCredentials } from './basic-credentials.js';

/** The client authentication a token request presents, before anything is looked up. */
export interface PresentedClient {
  /** The client id as the endpoint resolves it: the Basic id when there is one, else the body's. */
  readonly clientId: string;
  readonly secret: string | undefined;
  readonly assertion: string | undefined;
  readonly method: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
}

/**
 * The one reading of client_id / client_secret / client_assertion / HTTP Basic (RFC 6749 §2.3):
 * exactly one method per request; an empty body parameter counts as absent; a body client_id next
 * to Basic must be the same id. Everything keyed on "the client" (authentication, the failure
 * throttle, logs) uses this result, so they cannot disagree about who is asking.
 */
export function presentedClient(params: ReadonlyMap<string, string>, authorization: string | undefined): PresentedClient {
  const basic = parseBasicCredentials(authorization);
  const bodyId = params.get('client_id') || undefined;
  const bodySecret = params.get('client_secret') || undefined;
  const assertion = params.get('client_assertion') || undefined;
  if ((basic && bodySecret) || (assertion && (basic || bodySecret))) {
    throw new OAuthError(90014, assertion
      ? 'The request uses more than one client authentication method; send either client_assertion or a client secret, not both.'
      : 'The request uses more than one client authentication method; send the client secret in the body or in the Authorization header, not both.');
  }
  if (basic && bodyId !== undefined && bodyId !== basic.clientId) {
    throw new OAuthError(900023, 'The client_id in the request body does not match the client id in the Authorization header.');
  }
  const secret = basic?.clientSecret ?? bodySecret;
  if (secret === undefined && assertion === undefined) {
    throw new OAuthError(7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }
  return {
    clientId: basic?.clientId ?? bodyId ?? '',
    secret,
    assertion,
    method: basic ? 'client_secret_basic' : secret !== undefined ? 'client_secret_post' : 'private_key_jwt',
  };
}
