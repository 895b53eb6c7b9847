import { OAuthError } from '../../../errors/index.js';
import { decodeFormComponent } from '../form-body.js';

export interface BasicCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * client_secret_basic (RFC 6749 §2.3.1): id and secret are form-encoded, joined by ':', then
 * base64-encoded. Returns undefined when there is no Basic header (other schemes are not ours).
 */
export function parseBasicCredentials(authorization: string | undefined): BasicCredentials | undefined {
  if (authorization === undefined) return undefined;
  const match = /^basic(?:\s+(.*))?$/is.exec(authorization.trim());
  if (!match) return undefined;
  const encoded = (match[1] ?? '').trim();
  const malformed = () => new OAuthError(900023, 'The Authorization header is not valid HTTP Basic client authentication: expected base64(urlencode(client_id):urlencode(client_secret)).');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw malformed();
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw malformed();
  const clientId = decodeFormComponent(decoded.slice(0, colon));
  const clientSecret = decodeFormComponent(decoded.slice(colon + 1));
  if (clientId === undefined || clientSecret === undefined || clientSecret === '') throw malformed();
  return { clientId, clientSecret };
}
