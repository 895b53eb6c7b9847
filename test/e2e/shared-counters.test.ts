/**
 * Issue 10 item 4 on the real program: product limits counted in Redis (PORTICO_REDIS_URL), and what
 * a product's `portico-fail-mode` does when Redis goes away mid-test (stopped) and comes back
 * (restarted): `closed` answers 503 with a clear body, `open` lets calls pass, and counting resumes
 * once Redis is back. No timed assertions: limits are small counts in long windows.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

const policy = (inbound: string): string => `<policies><inbound>${inbound}<base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;

describe('shared counters in Redis', () => {
  let redis: TestRedis;
  let portico: Booted;
  let admin: ManagementClient;
  let inspect: Redis;

  const callEcho = async (key: string): Promise<Response> => fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, { headers: { 'ocp-apim-subscription-key': key } });
  const statuses = async (key: string, times: number): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < times; i++) {
      const response = await callEcho(key);
      await response.arrayBuffer();
      out.push(response.status);
    }
    return out;
  };
  const newSubscription = async (id: string, scope: string): Promise<string> => {
    expect((await admin.call('PUT', `/subscriptions/${id}`, { properties: { scope, displayName: id, state: 'active' } })).status).toBe(201);
    return (await admin.call('POST', `/subscriptions/${id}/listSecrets`)).body.primaryKey as string;
  };
  const setPolicy = async (product: string, inbound: string): Promise<void> => {
    const put = await admin.call('PUT', `/products/${product}/policies/policy`, { properties: { format: 'rawxml', value: policy(inbound) } }, { 'if-match': '*' });
    expect([200, 201]).toContain(put.status);
  };

  beforeAll(async () => {
    redis = await startRedis();
    // A generous command timeout: this machine is shared, and a timed-out take would be uncounted.
    portico = await bootPortico({ config: { redisUrl: redis.url, redisCommandTimeoutMs: 2_000 } });
    admin = new ManagementClient(portico.credentials);
    inspect = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    inspect.on('error', () => undefined); // it sees the outage too; the test reads the gateway's log
    await inspect.connect();
  }, 60_000);
  afterAll(async () => {
    inspect?.disconnect();
    await portico?.stop();
    await redis?.stop();
  });

  test("Starter's 5 calls a minute are counted in Redis, under Portico's namespace", async () => {
    const key = await newSubscription('redis-a', '/products/starter');
    expect(await statuses(key, 6)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(await inspect.get('portico:rate:starter/subscriptions/redis-a')).toBe('5');
    expect(await inspect.get('portico:quota:starter/subscriptions/redis-a')).toBe('5');
    const ttl = await inspect.pttl('portico:quota:starter/subscriptions/redis-a');
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(604_800_000);
  });

  test('portico-fail-mode must be open or closed: anything else is a 400 naming it', async () => {
    const put = await admin.call('PUT', '/products/starter/policies/policy', { properties: { format: 'rawxml', value: policy('<rate-limit calls="5" renewal-period="60" portico-fail-mode="maybe" />') } }, { 'if-match': '*' });
    expect(put.status).toBe(400);
    const message = "Attribute 'portico-fail-mode' of <rate-limit> must be 'open' or 'closed'; 'maybe' is not.";
    expect(put.body).toEqual({ error: { code: 'ValidationError', message: 'One or more fields contain incorrect values:', details: [{ code: 'ValidationError', target: 'rate-limit/@portico-fail-mode', message }] } });
  });

  test('Redis stopped: closed refuses with 503, open lets calls through; Redis back: counting resumes', async () => {
    expect((await admin.call('PUT', '/products/guarded', { properties: { displayName: 'Guarded', state: 'published', subscriptionRequired: true, approvalRequired: false } })).status).toBe(201);
    expect((await admin.call('PUT', '/products/guarded/apis/echo-api')).status).toBe(201);
    await setPolicy('guarded', '<rate-limit calls="3" renewal-period="3600" portico-fail-mode="closed" />');
    const shown = await admin.call('GET', '/products/guarded/policies/policy');
    expect(shown.body.properties.limits).toEqual({ rateLimit: { calls: 3, renewalPeriod: 3600, failMode: 'closed' } });
    const key = await newSubscription('guarded-a', '/products/guarded');
    expect(await statuses(key, 1)).toEqual([200]);

    const before = portico.logLines.length;
    await redis.stop();
    for (let i = 0; i < 3; i++) {
      const refused = await callEcho(key);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toEqual({ statusCode: 503, message: 'Service unavailable: the rate limit and quota counters cannot be reached. Try again shortly.' });
    }
    // Open: calls pass, uncounted.
    await setPolicy('guarded', '<rate-limit calls="3" renewal-period="3600" />');
    expect(await statuses(key, 5)).toEqual([200, 200, 200, 200, 200]);
    const lines = portico.logLines.slice(before).map((line) => JSON.parse(line) as { msg: string; reason?: string; status?: number });
    // One warning for the outage, not one per call; the refusals have their reason in the access log.
    expect(lines.filter((line) => line.msg.includes('cannot be reached'))).toHaveLength(1);
    expect(lines.filter((line) => line.msg === 'gateway request' && line.status === 503).map((line) => line.reason)).toEqual(Array(3).fill('limit.countersUnavailable'));

    await redis.start();
    await inspect.connect().catch(() => undefined);
    // Back (reconnection runs in the background, every ≤ 1 s): a new, empty Redis starts a new window.
    await setPolicy('guarded', '<rate-limit calls="2" renewal-period="3600" portico-fail-mode="closed" />');
    let first = 503;
    while (first === 503) {
      const response = await callEcho(key);
      await response.arrayBuffer();
      first = response.status;
    }
    expect(first).toBe(200);
    expect(await statuses(key, 2)).toEqual([200, 429]);
    expect(await inspect.get('portico:rate:guarded/subscriptions/guarded-a')).toBe('2');
    expect(portico.logLines.slice(before).filter((line) => line.includes('reachable again'))).toHaveLength(1);
    expect(portico.logLines.join('\n')).not.toContain(redis.url);
  });
});
