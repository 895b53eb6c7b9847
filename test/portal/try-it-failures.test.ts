/**
 * Try it when the token endpoint or the gateway fails on the network: 502 BadGateway in words —
 * connection refused (a real port nobody listens on), TLS certificate not trusted (a real HTTPS
 * server with a self-signed certificate), the connection closed before an answer, an answer that
 * broke off, an answer that is not HTTP — naming the listener and the public origin the developer
 * already sees, never Node's own message (with its internal addresses), which stays in the log.
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { refusedPort } from '../helpers/refused-port.js';
import { clientCredentialsToken, ManagementClient } from '../helpers/clients.js';
import { makeCertificate } from '../helpers/certificates.js';

interface Answer {
  readonly status: number;
  readonly body: any;
}

/** A port nothing listens on: bound once to learn a free one, then closed. */

/**
 * A developer with an application on Starter (OAuth 2.0 token) and a secret for it; returns Try it of
 * the Echo API's GET /resource. `admin` is given a token when the public identity URL is unreachable.
 */
async function developerTryIt(portico: Booted, admin: ManagementClient): Promise<() => Promise<Answer>> {
  expect((await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } })).status).toBe(200);
  expect((await admin.call('PUT', '/users/ria', { properties: { email: 'ria@example.com', firstName: 'Ria', lastName: 'Example', password: 'ria-password-1' } })).status).toBe(201);
  expect((await admin.call('PUT', '/clientApplications/ria-app', { properties: { displayName: 'Ria app', ownerId: '/users/ria', productIds: ['/products/starter'] } })).status).toBe(201);
  const signIn = await fetch(`${portico.managementUrl}/developer/api/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ria@example.com', password: 'ria-password-1' }) });
  expect(signIn.status).toBe(200);
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  const headers = { cookie, 'x-csrf-token': csrfToken };
  const minted = await fetch(`${portico.managementUrl}/developer/api/applications/ria-app/secrets`, { method: 'POST', headers });
  expect(minted.status).toBe(201);
  const { clientSecret } = (await minted.json()) as { clientSecret: string };
  const call = { applicationId: 'ria-app', clientSecret, productId: 'starter', apiId: 'echo-api', operationId: 'retrieve-resource' };
  return async () => {
    const response = await fetch(`${portico.managementUrl}/developer/api/try-it`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(call) });
    return { status: response.status, body: await response.json() };
  };
}

const badGateway = (message: string): Answer => ({ status: 502, body: { error: { code: 'BadGateway', message } } });

/** Node's words must not reach the developer; the log keeps them for the operator. */
function expectNodeWordsOnlyInLog(answer: Answer, portico: Booted, nodeWords: RegExp): void {
  expect(JSON.stringify(answer.body)).not.toMatch(nodeWords);
  expect(portico.logLines.some((line) => nodeWords.test(line))).toBe(true);
}

describe('the gateway at a plain http:// public URL', () => {
  let portico: Booted;
  let port: number;
  let tryIt: () => Promise<Answer>;
  let fake: Server | undefined;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    port = await refusedPort();
    portico = await bootPortico({ publicUrls: { gateway: `http://127.0.0.1:${port}` } });
    tryIt = await developerTryIt(portico, new ManagementClient(portico.credentials));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => (fake ? fake.close(() => resolve()) : resolve()));
    await portico?.stop();
  });

  /** Listens on the gateway's public port and answers each request with `reply`. */
  async function gatewayThat(reply: (socket: Socket) => void): Promise<void> {
    for (const socket of sockets) socket.destroy();
    if (fake) await new Promise<void>((resolve) => fake!.close(() => resolve()));
    fake = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.once('data', () => reply(socket));
    });
    await new Promise<void>((resolve) => fake!.listen(port, '127.0.0.1', resolve));
  }

  test('nothing listening (connection refused): could not connect, with the origin and what to check', async () => {
    const answer = await tryIt();
    expect(answer).toEqual(badGateway(`Try it could not connect to the gateway at http://127.0.0.1:${port}: the connection was refused, so nothing is listening there. Check that the gateway is running and that its public URL (PORTICO_PUBLIC_GATEWAY_URL) is the address it is reached at.`));
    expectNodeWordsOnlyInLog(answer, portico, /ECONNREFUSED/);
  });

  test('the connection closed before any answer', async () => {
    await gatewayThat((socket) => socket.destroy());
    expect(await tryIt()).toEqual(badGateway(`Try it reached the gateway at http://127.0.0.1:${port}, but the connection was closed before an answer came. Try again; if it keeps happening, check the gateway and any proxy in front of it.`));
  });

  test('an answer that broke off after its headers', async () => {
    await gatewayThat((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\nthe first part', () => socket.destroy());
    });
    const answer = await tryIt();
    expect(answer).toEqual(badGateway(`The answer from the gateway at http://127.0.0.1:${port} broke off before it was complete: the connection was closed. Try again; if it keeps happening, the API's backend, or a proxy on the way, is cutting answers short.`));
    expectNodeWordsOnlyInLog(answer, portico, /other side closed/);
  });

  test('an answer that is not HTTP', async () => {
    await gatewayThat((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n'));
    expect(await tryIt()).toEqual(badGateway(`Try it got an answer from the gateway at http://127.0.0.1:${port} that is not HTTP. If it serves HTTPS, its public URL (PORTICO_PUBLIC_GATEWAY_URL) must start with https://.`));
  });
});

describe('the gateway at an https:// public URL whose certificate is self-signed', () => {
  let portico: Booted;
  let server: HttpsServer;
  let port: number;

  beforeAll(async () => {
    const certificate = await makeCertificate({ subject: '127.0.0.1' });
    server = createHttpsServer({ key: certificate.privateKeyPem, cert: certificate.pem }, (_request, response) => response.end('never reached'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    portico = await bootPortico({ publicUrls: { gateway: `https://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await portico?.stop();
  });

  test('TLS certificate not trusted', async () => {
    const tryIt = await developerTryIt(portico, new ManagementClient(portico.credentials));
    const answer = await tryIt();
    expect(answer).toEqual(badGateway(`Try it could not connect securely to the gateway at https://127.0.0.1:${port}: its TLS certificate is not trusted (self-signed, or signed by an authority this Portico does not trust). Give it a certificate from a trusted authority, or have Portico trust its authority (NODE_EXTRA_CA_CERTS).`));
    expectNodeWordsOnlyInLog(answer, portico, /self[- ]signed certificate/);
  });
});

describe('the token endpoint at a public URL nobody listens on', () => {
  let portico: Booted;
  let port: number;

  beforeAll(async () => {
    port = await refusedPort();
    portico = await bootPortico({ publicUrls: { identity: `http://127.0.0.1:${port}` } });
  });
  afterAll(async () => portico?.stop());

  test('connection refused: the token endpoint is named, and the setting for its URL', async () => {
    // The administrator's token comes from the identity listener itself: its public URL is the broken one.
    const c = portico.credentials;
    const token = await clientCredentialsToken(portico.running.boundUrls.identity, c.tenantId, c.admin.clientId, c.admin.clientSecret, c.managementScope);
    const tryIt = await developerTryIt(portico, new ManagementClient(c, token));
    const answer = await tryIt();
    expect(answer).toEqual(badGateway(`Try it could not connect to the token endpoint at http://127.0.0.1:${port}: the connection was refused, so nothing is listening there. Check that the token endpoint is running and that its public URL (PORTICO_PUBLIC_IDENTITY_URL) is the address it is reached at.`));
    expectNodeWordsOnlyInLog(answer, portico, /ECONNREFUSED/);
  });
});
