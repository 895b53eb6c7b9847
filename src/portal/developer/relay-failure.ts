/**
 * Try it's network failures in words a developer understands. Node's own messages ("connect
 * ECONNREFUSED 127.0.0.1:8080", "other side closed") name internal addresses and say little, so the
 * answer names only the listener and the origin the developer already sees (the token URL and
 * the gateway URL are on their screen); the raw error stays in the server log.
 */

/** Which of this instance's listeners the relay was calling, and the public origin it used. */
export interface RelayTarget {
  readonly what: 'the token endpoint' | 'the gateway';
  readonly origin: string;
}

/** The setting that names the target's public URL (an administrator's fix for a wrong one). */
const SETTING: Record<RelayTarget['what'], string> = {
  'the token endpoint': 'PORTICO_PUBLIC_IDENTITY_URL',
  'the gateway': 'PORTICO_PUBLIC_GATEWAY_URL',
};

const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE', 'CERT_REJECTED', 'INVALID_CA',
]);
const DATED_CERTIFICATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const WRONG_NAME_CERTIFICATE = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);
const HOST_NOT_FOUND = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);
const NO_ROUTE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);
const TIMED_OUT = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const CLOSED = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/**
 * Why a request failed before any answer came (`stage: 'connect'`), or while its answer's body
 * was arriving (`stage: 'answer'`): a sentence for the BadGateway error, without Node's message.
 */
export function describeRelayFailure(error: unknown, target: RelayTarget, stage: 'connect' | 'answer'): string {
  const codes = errorCodes(error);
  const has = (set: ReadonlySet<string>): boolean => codes.some((code) => set.has(code));
  const at = `${target.what} at ${target.origin}`;
  if (stage === 'answer') {
    const why = has(TIMED_OUT) ? 'it stopped coming' : isNotHttp(codes) ? 'it was not valid HTTP' : 'the connection was closed';
    const who = target.what === 'the gateway' ? "the API's backend, or a proxy on the way," : 'a proxy in front of the token endpoint';
    return `The answer from ${at} broke off before it was complete: ${why}. Try again; if it keeps happening, ${who} is cutting answers short.`;
  }
  const checkUrl = `Check that ${target.what} is running and that its public URL (${SETTING[target.what]}) is the address it is reached at.`;
  if (codes.includes('ECONNREFUSED')) return `Try it could not connect to ${at}: the connection was refused, so nothing is listening there. ${checkUrl}`;
  if (has(HOST_NOT_FOUND)) return `Try it could not connect to ${at}: the host name ${new URL(target.origin).hostname} was not found. ${checkUrl}`;
  if (has(NO_ROUTE)) return `Try it could not connect to ${at}: there is no network route to it. ${checkUrl}`;
  if (has(UNTRUSTED_CERTIFICATE)) return `Try it could not connect securely to ${at}: its TLS certificate is not trusted (self-signed, or signed by an authority this Portico does not trust). Give it a certificate from a trusted authority, or have Portico trust its authority (NODE_EXTRA_CA_CERTS).`;
  if (has(DATED_CERTIFICATE)) return `Try it could not connect securely to ${at}: its TLS certificate has expired or is not valid yet. Renew the certificate.`;
  if (has(WRONG_NAME_CERTIFICATE)) return `Try it could not connect securely to ${at}: its TLS certificate is for another host name. Use a certificate for ${new URL(target.origin).hostname}, or a public URL with the name on the certificate.`;
  if (codes.some((code) => code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO')) {
    return `Try it could not connect securely to ${at}: the TLS handshake failed. Check that it serves HTTPS on that port, or use an http:// public URL (${SETTING[target.what]}) if it does not.`;
  }
  if (has(TIMED_OUT)) return `Try it could not get an answer from ${at}: it timed out. Check that ${target.what} is running and not overloaded.`;
  if (isNotHttp(codes)) return `Try it got an answer from ${at} that is not HTTP. If it serves HTTPS, its public URL (${SETTING[target.what]}) must start with https://.`;
  if (has(CLOSED)) return `Try it reached ${at}, but the connection was closed before an answer came. Try again; if it keeps happening, check ${target.what} and any proxy in front of it.`;
  return `Try it could not reach ${at}. ${checkUrl} The server log has the details.`;
}

/** The `code`s of an error, of its causes and of the errors it aggregates (undici and Node nest them). */
function errorCodes(error: unknown, seen = new Set<unknown>()): string[] {
  if (error === null || typeof error !== 'object' || seen.has(error)) return [];
  seen.add(error);
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  return [
    ...(typeof code === 'string' ? [code] : []),
    ...errorCodes(cause, seen),
    ...(Array.isArray(errors) ? errors.flatMap((inner) => errorCodes(inner, seen)) : []),
  ];
}

/** llhttp's parse errors (HPE_…): what came back was not an HTTP response, e.g. TLS bytes on an http:// URL. */
function isNotHttp(codes: readonly string[]): boolean {
  return codes.some((code) => code.startsWith('HPE_'));
}
