/**
 * One request-id scheme on every listener: the caller's sane `x-request-id` (else a new UUID) is
 * returned as `x-request-id` on every answer and logged as `reqId` — on the management API, the
 * identity provider (Fastify) and its token endpoint (node:http), as on the gateway
 * (test/gateway/observability.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let portico: Booted;

beforeAll(async () => {
  portico = await bootPortico();
}, 60_000);
afterAll(async () => {
  await portico?.stop();
});

async function loopTurns(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** The log lines (parsed) that carry this reqId. */
async function logged(reqId: string): Promise<Record<string, unknown>[]> {
  await loopTurns();
  return portico.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['reqId'] === reqId);
}

describe.each([
  ['management', () => `${portico.managementUrl}/metadata/endpoints?api-version=2022-09-01`, () => `${portico.managementUrl}/no/such/route`, 'management'],
  ['identity', () => `${portico.identityUrl}/${portico.credentials.tenantId}/v2.0/.well-known/openid-configuration`, () => `${portico.identityUrl}/no/such/route`, 'identity'],
])('the %s listener', (_name, okUrl, missingUrl, listener) => {
  it('keeps a sane caller id: returned and logged as reqId', async () => {
    const id = `${listener}-trace-1_a.b:c`;
    const response = await fetch(okUrl(), { headers: { 'x-request-id': id } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe(id);
    const lines = await logged(id);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line['listener'] === listener)).toBe(true);
  });

  it('makes a UUID when none or an unsafe one is sent, on errors too', async () => {
    const none = await fetch(okUrl());
    expect(none.headers.get('x-request-id')).toMatch(UUID);
    for (const bad of ['has space', 'a'.repeat(129), 'semi;colon']) {
      const response = await fetch(missingUrl(), { headers: { 'x-request-id': bad } });
      expect(response.status).toBe(404);
      expect(response.headers.get('x-request-id')).toMatch(UUID);
      expect(await logged(bad)).toEqual([]);
    }
    const missing = await fetch(missingUrl(), { headers: { 'x-request-id': `${listener}-404` } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBe(`${listener}-404`);
    expect((await logged(`${listener}-404`)).length).toBeGreaterThan(0);
  });
});

describe('the token endpoint (node:http in front of the identity listener)', () => {
  const tokenUrl = () => `${portico.identityUrl}/${portico.credentials.tenantId}/oauth2/v2.0/token`;
  const post = (headers: Record<string, string>, body: string) =>
    fetch(tokenUrl(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

  it('returns and logs the caller id; it is also the error body\'s trace_id', async () => {
    const response = await post({ 'x-request-id': 'token-trace-1' }, 'grant_type=client_credentials');
    expect(response.status).toBe(400);
    expect(response.headers.get('x-request-id')).toBe('token-trace-1');
    expect(((await response.json()) as { trace_id: string }).trace_id).toBe('token-trace-1');
    const lines = await logged('token-trace-1');
    expect(lines.map((line) => line['msg'])).toContain('token request refused');
  });

  it('makes a UUID when the caller sends none or an unsafe one, on success too', async () => {
    const refused = await post({ 'x-request-id': 'bad id' }, 'grant_type=client_credentials');
    const id = refused.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect(((await refused.json()) as { trace_id: string }).trace_id).toBe(id);
    const { admin, managementScope } = portico.credentials;
    const issued = await post({}, new URLSearchParams({ grant_type: 'client_credentials', client_id: admin.clientId, client_secret: admin.clientSecret, scope: managementScope }).toString());
    expect(issued.status).toBe(200);
    expect(issued.headers.get('x-request-id')).toMatch(UUID);
  });
});
