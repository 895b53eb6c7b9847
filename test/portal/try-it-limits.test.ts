/**
 * Try it's limits: the whole exchange has one deadline (504 TryItTimedOut, however the backend
 * stalls), and one developer may have at most 4 calls in flight (429 TooManyTryItCalls). The
 * backend here accepts requests and never answers; the deadline is set short for the test.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';

let portico: Booted;
let stalled: Server;
const waiting: ServerResponse[] = [];
let arrived: (() => void)[] = [];

beforeAll(async () => {
  stalled = createServer((_request: IncomingMessage, response: ServerResponse) => {
    waiting.push(response);
    const listeners = arrived;
    arrived = [];
    for (const listener of listeners) listener();
  });
  await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
  portico = await bootPortico({ config: { tryItTimeoutMs: 3_000 } });
  const admin = new ManagementClient(portico.credentials);
  const serviceUrl = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`;
  expect((await admin.call('PUT', '/apis/stall-api', { properties: { displayName: 'Stall', path: 'stall', serviceUrl } })).status).toBe(201);
  expect((await admin.call('PUT', '/apis/stall-api/operations/wait', { properties: { displayName: 'Wait', method: 'GET', urlTemplate: '/wait' } })).status).toBe(201);
  expect((await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } }, { 'if-match': '*' })).status).toBe(200);
  expect((await admin.call('PUT', '/products/starter/apis/stall-api')).status).toBe(201);
  expect((await admin.call('PUT', '/users/tia', { properties: { email: 'tia@example.com', firstName: 'Tia', lastName: 'Example', password: 'tia-password-1' } })).status).toBe(201);
  expect((await admin.call('PUT', '/clientApplications/tia-app', { properties: { displayName: 'Tia app', ownerId: '/users/tia', productIds: ['/products/starter'] } })).status).toBe(201);
});
afterAll(async () => {
  for (const response of waiting) response.destroy();
  stalled?.closeAllConnections();
  stalled?.close();
  await portico?.stop();
});

/** Resolves once the stalled backend holds `count` requests. */
function backendHolds(count: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (waiting.length >= count ? resolve() : arrived.push(check));
    check();
  });
}

describe('Try it limits', () => {
  test('four calls in flight per developer, the fifth is 429; each stalled call ends at the deadline with 504; then Try it works again', async () => {
    const signIn = await fetch(`${portico.managementUrl}/developer/api/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'tia@example.com', password: 'tia-password-1' }) });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    const call = (body: unknown) =>
      fetch(`${portico.managementUrl}/developer/api/try-it`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    expect((await call({})).status).toBe(400); // a body the schema refuses: the session and CSRF token work
    const minted = await fetch(`${portico.managementUrl}/developer/api/applications/tia-app/secrets`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken } });
    const { clientSecret } = (await minted.json()) as { clientSecret: string };
    const stall = { applicationId: 'tia-app', clientSecret, productId: 'starter', apiId: 'stall-api', operationId: 'wait' };

    const inFlight = Array.from({ length: 4 }, () => call(stall));
    await backendHolds(4);
    expect(await call(stall)).toEqual({ status: 429, body: { error: { code: 'TooManyTryItCalls', message: 'You already have 4 Try it calls waiting for an answer. Wait for one to finish, then send again.' } } });

    for (const answer of await Promise.all(inFlight)) {
      expect(answer).toEqual({ status: 504, body: { error: { code: 'TryItTimedOut', message: 'Try it gave up after 3 seconds without a complete answer from the token endpoint or the gateway. Check that the API\'s backend answers, then try again.' } } });
    }
    const echo = await call({ applicationId: 'tia-app', clientSecret, productId: 'starter', apiId: 'echo-api', operationId: 'retrieve-resource' });
    expect(echo.status).toBe(200);
    expect(echo.body.response.status).toBe(200);
  });
});
