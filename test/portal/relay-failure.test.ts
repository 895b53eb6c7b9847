/**
 * Try it's failure words for the network errors the HTTP tests (try-it-failures.test.ts) cannot
 * provoke on this machine: a host name that is not found, timeouts, a certificate that expired or
 * names another host, and errors nested as Node and undici nest them. The errors are built as Node
 * builds them: a message with internal addresses and a `code`.
 */
import { describe, expect, test } from 'vitest';
import { describeRelayFailure, type RelayTarget } from '../../src/portal/developer/index.js';

const gateway: RelayTarget = { what: 'the gateway', origin: 'https://api.example.com' };
const nodeError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

describe('describeRelayFailure', () => {
  test('a host name that is not found names the host, not the resolver', () => {
    expect(describeRelayFailure(nodeError('ENOTFOUND', 'getaddrinfo ENOTFOUND api.example.com'), gateway, 'connect')).toBe(
      'Try it could not connect to the gateway at https://api.example.com: the host name api.example.com was not found. Check that the gateway is running and that its public URL (PORTICO_PUBLIC_GATEWAY_URL) is the address it is reached at.',
    );
  });

  test('a connection that times out, and an answer that stops coming', () => {
    expect(describeRelayFailure(nodeError('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error (attempted address: 10.1.2.3:443, timeout: 10000ms)'), gateway, 'connect')).toBe(
      'Try it could not get an answer from the gateway at https://api.example.com: it timed out. Check that the gateway is running and not overloaded.',
    );
    expect(describeRelayFailure(nodeError('UND_ERR_BODY_TIMEOUT', 'Body Timeout Error'), gateway, 'answer')).toBe(
      "The answer from the gateway at https://api.example.com broke off before it was complete: it stopped coming. Try again; if it keeps happening, the API's backend, or a proxy on the way, is cutting answers short.",
    );
  });

  test('certificates: expired, for another host name, a failed handshake', () => {
    expect(describeRelayFailure(nodeError('CERT_HAS_EXPIRED', 'certificate has expired'), gateway, 'connect')).toBe(
      'Try it could not connect securely to the gateway at https://api.example.com: its TLS certificate has expired or is not valid yet. Renew the certificate.',
    );
    expect(describeRelayFailure(nodeError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames: Host: api.example.com. is not in the cert's altnames: DNS:internal.local"), gateway, 'connect')).toBe(
      'Try it could not connect securely to the gateway at https://api.example.com: its TLS certificate is for another host name. Use a certificate for api.example.com, or a public URL with the name on the certificate.',
    );
    expect(describeRelayFailure(nodeError('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'), gateway, 'connect')).toBe(
      'Try it could not connect securely to the gateway at https://api.example.com: the TLS handshake failed. Check that it serves HTTPS on that port, or use an http:// public URL (PORTICO_PUBLIC_GATEWAY_URL) if it does not.',
    );
  });

  test('codes are found in causes and aggregated errors (both addresses of localhost refused)', () => {
    const refused = new AggregateError([nodeError('ECONNREFUSED', 'connect ECONNREFUSED ::1:8080'), nodeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:8080')], 'connect failed');
    const tokenEndpoint: RelayTarget = { what: 'the token endpoint', origin: 'http://localhost:8082' };
    const message = describeRelayFailure(new TypeError('fetch failed', { cause: refused }), tokenEndpoint, 'connect');
    expect(message).toBe(
      'Try it could not connect to the token endpoint at http://localhost:8082: the connection was refused, so nothing is listening there. Check that the token endpoint is running and that its public URL (PORTICO_PUBLIC_IDENTITY_URL) is the address it is reached at.',
    );
  });

  test('anything else: no Node words, a pointer to the server log', () => {
    const message = describeRelayFailure(nodeError('EWHATEVER', 'something at 10.0.0.7:9999'), gateway, 'connect');
    expect(message).toBe('Try it could not reach the gateway at https://api.example.com. Check that the gateway is running and that its public URL (PORTICO_PUBLIC_GATEWAY_URL) is the address it is reached at. The server log has the details.');
  });
});
