/**
 * The gateway's operational surface on the real program: x-request-id in/out and to the backend,
 * one access-log line per request with the caller's identity, and Prometheus /metrics on the
 * management listener with the gateway, token endpoint and snapshot series.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient, requestToken } from '../helpers/clients.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let portico: Booted;
let admin: ManagementClient;
let key: string;
let clientId: string;
let clientSecret: string;
let audience: string;

async function token(): Promise<string> {
  const result = await requestToken(portico.identityUrl, portico.credentials.tenantId, {
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: clientSecret,
    scope: `api://${audience}/.default`,
  });
  expect(result.status).toBe(200);
  return result.body.access_token as string;
}

/**
 * The log line and the metrics are written when the server sees the response close, which can be
 * a few event-loop turns after the client has read it: let those turns pass (no clock involved).
 */
async function loopTurns(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

async function echo(headers: Record<string, string>, path = '/echo/resource?param1=sample'): Promise<{ status: number; requestId: string | null; body: any }> {
  const response = await fetch(`${portico.gatewayUrl}${path}`, { headers });
  const text = await response.text();
  await loopTurns();
  return { status: response.status, requestId: response.headers.get('x-request-id'), body: text === '' ? undefined : JSON.parse(text) };
}

function accessLines(): Record<string, any>[] {
  return portico.logLines.map((line) => JSON.parse(line) as Record<string, any>).filter((line) => line['msg'] === 'gateway request');
}

beforeAll(async () => {
  portico = await bootPortico();
  admin = new ManagementClient(portico.credentials);
  expect((await admin.call('PUT', '/users/olga', { properties: { email: 'olga@example.com', firstName: 'Olga', lastName: 'Ops' } })).status).toBe(201);
  expect((await admin.call('PUT', '/subscriptions/olga-unlimited', { properties: { scope: '/products/unlimited', displayName: 'Olga', ownerId: '/users/olga', state: 'active' } })).status).toBe(201);
  key = (await admin.call('POST', '/subscriptions/olga-unlimited/listSecrets')).body.primaryKey;
  const unlimited = await admin.call('PATCH', '/products/unlimited', { properties: { authenticationType: ['subscription-key', 'application-token'] } }, { 'if-match': '*' });
  expect(unlimited.status).toBe(200);
  audience = unlimited.body.properties.application.entra.audience;
  const app = await admin.call('PUT', '/clientApplications/olga-app', { properties: { displayName: 'Olga app', ownerId: '/users/olga', productIds: ['/products/unlimited'] } });
  expect(app.status).toBe(201);
  clientId = app.body.properties.entraApplicationId;
  // Unlimited requires approval (as in APIM): the link is pending until approved.
  expect((await admin.call('POST', '/clientApplications/olga-app/productLinks/unlimited/approve')).status).toBe(200);
  clientSecret = (await admin.call('POST', '/clientApplications/olga-app/listSecrets')).body.entra.clientSecret;
}, 60_000);

afterAll(async () => {
  await portico?.stop();
});

describe('x-request-id', () => {
  it('passes a sane id through: returned to the caller and seen by the backend', async () => {
    const id = 'trace-42_abc.DEF:9+/=@x';
    const answer = await echo({ 'ocp-apim-subscription-key': key, 'x-request-id': id });
    expect(answer.status).toBe(200);
    expect(answer.requestId).toBe(id);
    expect(answer.body.headers['x-request-id']).toBe(id);
  });

  it('generates one when none is sent, the same for the caller and the backend', async () => {
    const answer = await echo({ 'ocp-apim-subscription-key': key });
    expect(answer.status).toBe(200);
    expect(answer.requestId).toMatch(UUID);
    expect(answer.body.headers['x-request-id']).toBe(answer.requestId);
  });

  it('replaces an oversized or unsafe id with a generated one', async () => {
    for (const bad of ['a'.repeat(129), 'has space', 'quote"d', 'semi;colon', 'ünïcode']) {
      const answer = await echo({ 'ocp-apim-subscription-key': key, 'x-request-id': bad });
      expect(answer.status).toBe(200);
      expect(answer.requestId).toMatch(UUID);
      expect(answer.body.headers['x-request-id']).toBe(answer.requestId);
    }
    const longest = 'b'.repeat(128);
    expect((await echo({ 'ocp-apim-subscription-key': key, 'x-request-id': longest })).requestId).toBe(longest);
  });

  it('is on the gateway\'s own answers too (401, 404)', async () => {
    const unauthorized = await echo({ 'x-request-id': 'no-key-1' });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.requestId).toBe('no-key-1');
    const missing = await echo({}, '/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.requestId).toMatch(UUID);
  });
});

describe('access log', () => {
  it('writes one line per request with the id, route, product, subscription, status and durations, never the key', async () => {
    await echo({ 'ocp-apim-subscription-key': key, 'x-request-id': 'log-key-1' }, `/echo/resource?param1=sample&subscription-key=${key}`);
    const lines = accessLines().filter((line) => line['reqId'] === 'log-key-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      reqId: 'log-key-1',
      method: 'GET',
      path: '/echo/resource',
      status: 200,
      apiId: 'echo-api',
      operationId: 'retrieve-resource',
      productId: 'unlimited',
      subscriptionId: 'olga-unlimited',
    });
    expect(lines[0]!['durationMs']).toBeGreaterThanOrEqual(0);
    expect(lines[0]!['backendMs']).toBeGreaterThanOrEqual(0);
    expect(lines[0]!['backendMs']).toBeLessThanOrEqual(lines[0]!['durationMs'] + 0.1);
    expect(portico.logLines.join('\n')).not.toContain(key);
  });

  it('names the client application of a token call, and logs refusals without backend time', async () => {
    const bearer = await token();
    expect((await echo({ authorization: `Bearer ${bearer}`, 'x-request-id': 'log-token-1' })).status).toBe(200);
    const [line] = accessLines().filter((l) => l['reqId'] === 'log-token-1');
    expect(line).toMatchObject({ status: 200, apiId: 'echo-api', productId: 'unlimited', clientAppId: clientId });
    expect(line!['subscriptionId']).toBeUndefined();
    expect(portico.logLines.join('\n')).not.toContain(bearer);

    expect((await echo({ 'x-request-id': 'log-401-1' })).status).toBe(401);
    const [refused] = accessLines().filter((l) => l['reqId'] === 'log-401-1');
    expect(refused).toMatchObject({ status: 401, apiId: 'echo-api', operationId: 'retrieve-resource' });
    expect(refused!['backendMs']).toBeUndefined();
    expect(refused!['productId']).toBeUndefined();
  });
});

describe('/metrics', () => {
  interface Sample {
    readonly name: string;
    readonly labels: Record<string, string>;
    readonly value: number;
  }

  /** Prometheus text format, the sample lines (enough of the grammar for prom-client's output). */
  function parse(text: string): Sample[] {
    const samples: Sample[] = [];
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      expect(match, `unparsable metrics line: ${line}`).not.toBeNull();
      const labels: Record<string, string> = {};
      for (const pair of match![2]?.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g) ?? []) labels[pair[1]!] = pair[2]!;
      samples.push({ name: match![1]!, labels, value: Number(match![3]) });
    }
    return samples;
  }

  const find = (samples: Sample[], name: string, labels: Record<string, string>): Sample | undefined =>
    samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

  it('exposes gateway requests by api, operation, product and status class, latency histograms, token outcomes and the snapshot', async () => {
    const route = { api: 'echo-api', operation: 'retrieve-resource' };
    const scrape = async (): Promise<Sample[]> => {
      const response = await fetch(`${portico.managementUrl}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return parse(await response.text());
    };
    const before = await scrape();
    const count = (samples: Sample[], labels: Record<string, string>): number => find(samples, 'portico_gateway_requests_total', labels)?.value ?? 0;

    expect((await echo({ 'ocp-apim-subscription-key': key })).status).toBe(200);
    expect((await echo({ 'ocp-apim-subscription-key': key })).status).toBe(200);
    expect((await echo({ authorization: `Bearer ${await token()}` })).status).toBe(200);
    expect((await echo({})).status).toBe(401);
    expect((await echo({}, '/nowhere')).status).toBe(404);
    const refused = await requestToken(portico.identityUrl, portico.credentials.tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong', scope: `api://${audience}/.default` });
    expect(refused.status).toBe(401);

    const after = await scrape();
    expect(count(after, { ...route, product: 'unlimited', status_class: '2xx' }) - count(before, { ...route, product: 'unlimited', status_class: '2xx' })).toBe(3);
    expect(count(after, { ...route, product: '', status_class: '4xx' }) - count(before, { ...route, product: '', status_class: '4xx' })).toBe(1);
    expect(count(after, { api: '', operation: '', product: '', status_class: '4xx' }) - count(before, { api: '', operation: '', product: '', status_class: '4xx' })).toBe(1);

    const histogramCount = (name: string, samples: Sample[]): number => find(samples, `${name}_count`, { ...route, product: 'unlimited' })?.value ?? 0;
    for (const name of ['portico_gateway_request_duration_seconds', 'portico_gateway_backend_duration_seconds']) {
      expect(histogramCount(name, after) - histogramCount(name, before)).toBe(3);
      expect(find(after, `${name}_bucket`, { ...route, product: 'unlimited', le: '+Inf' })?.value).toBe(histogramCount(name, after));
      expect(find(after, `${name}_sum`, { ...route, product: 'unlimited' })?.value).toBeGreaterThan(0);
    }
    // Refusals never reach a backend: no backend series for them.
    expect(find(after, 'portico_gateway_backend_duration_seconds_count', { ...route, product: '' })).toBeUndefined();

    expect(find(after, 'portico_token_requests_total', { outcome: 'issued' })?.value).toBeGreaterThanOrEqual(2);
    expect(find(after, 'portico_token_requests_total', { outcome: 'invalid_client' })?.value).toBeGreaterThanOrEqual(1);

    const version = find(after, 'portico_gateway_snapshot_version', {})?.value;
    expect(version).toBeGreaterThan(0);
    expect(find(after, 'portico_gateway_snapshot_age_seconds', {})?.value).toBeGreaterThanOrEqual(0);
    expect(find(after, 'portico_process_cpu_user_seconds_total', {})).toBeDefined();
    // Every label value is an id or a status class, never a path or caller input.
    for (const sample of after.filter((s) => s.name.startsWith('portico_gateway_requests'))) {
      expect(Object.keys(sample.labels).sort()).toEqual(['api', 'operation', 'product', 'status_class']);
      expect(sample.labels['api']).not.toContain('/');
    }
  });

  it('follows the snapshot version after a management write', async () => {
    const versionNow = async (): Promise<number> => {
      const text = await (await fetch(`${portico.managementUrl}/metrics`)).text();
      return Number(/^portico_gateway_snapshot_version (\d+)$/m.exec(text)?.[1]);
    };
    const before = await versionNow();
    expect((await admin.call('PATCH', '/users/olga', { properties: { note: 'on call' } })).status).toBe(200);
    expect(await versionNow()).toBeGreaterThan(before);
  });
});

describe('/metrics with PORTICO_METRICS_TOKEN', () => {
  it('answers only a caller sending the token as a bearer token', async () => {
    const { createTestDatabase } = await import('../helpers/databases.js');
    const { loadConfig } = await import('../../src/config/index.js');
    const { startPortico } = await import('../../src/main.js');
    const { pino } = await import('pino');
    const database = await createTestDatabase('sqlite');
    const metricsToken = 'prometheus-scrape-token-0123456789';
    const config = loadConfig({ PORTICO_METRICS_TOKEN: metricsToken }, { dataDir: database.dataDir, ports: { gateway: 0, management: 0, identity: 0, echo: 0 } });
    const running = await startPortico(config, { logger: pino({ level: 'silent' }), print: () => undefined, env: {} });
    try {
      const url = `${running.urls.management}/metrics`;
      const missing = await fetch(url);
      expect(missing.status).toBe(401);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('AuthenticationFailed');
      expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status).toBe(401);
      const allowed = await fetch(url, { headers: { authorization: `Bearer ${metricsToken}` } });
      expect(allowed.status).toBe(200);
      expect(await allowed.text()).toContain('# TYPE portico_gateway_requests_total counter');
    } finally {
      await running.stop();
      await database.drop();
    }
  });
});
