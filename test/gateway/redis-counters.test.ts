/**
 * The Redis counter store against a real redis-server (test/helpers/redis.ts): the in-memory store's
 * semantics, namespaced and bounded keys, exact counting over several connections, and what happens
 * when Redis goes away and comes back (calls rejected at once, logged once per state change).
 */
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountersUnavailableError, MAX_PLAIN_KEY_LENGTH, RedisCounterConnection, redisKey, shareOf, SplitCounterStore, InMemoryCounterStore } from '../../src/gateway/counters/index.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
let admin: Redis;
const logLines: { level: number; msg: string; reason?: string }[] = [];
const logger = pino(
  { level: 'debug' },
  new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  }),
);
const connections: RedisCounterConnection[] = [];

async function connection(timeoutMs = 1_000): Promise<RedisCounterConnection> {
  const made = new RedisCounterConnection(redis.url, timeoutMs, logger);
  connections.push(made);
  await made.connect();
  return made;
}

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url, { lazyConnect: true });
  admin.on('error', () => undefined); // it sees the outage test's stop too
  await admin.connect();
});

afterAll(async () => {
  for (const made of connections) await made.close();
  admin?.disconnect();
  await redis?.stop();
});

describe('RedisCounterConnection', () => {
  it('counts up to the limit, refuses with the time left without counting, and namespaces its keys', async () => {
    const rate = (await connection()).store('rate');
    const takes: number[] = [];
    for (let i = 0; i < 4; i++) takes.push(await rate.take('starter/subscriptions/s1', 3, 60_000, Date.now()));
    expect(takes.slice(0, 3)).toEqual([0, 0, 0]);
    expect(takes[3]).toBeGreaterThan(0);
    expect(takes[3]).toBeLessThanOrEqual(60_000);
    // The refused call was not counted; the window is the first call's.
    expect(await admin.get('portico:rate:starter/subscriptions/s1')).toBe('3');
    const ttl = await admin.pttl('portico:rate:starter/subscriptions/s1');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    // Another namespace (quota) and another key count apart.
    const quota = (await connection()).store('quota');
    expect(await quota.take('starter/subscriptions/s1', 3, 60_000, Date.now())).toBe(0);
    expect(await rate.take('starter/subscriptions/s2', 3, 60_000, Date.now())).toBe(0);
  });

  it('starts a new window once the old one has ended', async () => {
    const rate = (await connection()).store('rate');
    expect(await rate.take('short', 1, 50, Date.now())).toBe(0);
    expect(await rate.take('short', 1, 50, Date.now())).toBeGreaterThan(0);
    while ((await admin.exists('portico:rate:short')) === 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await rate.take('short', 1, 50, Date.now())).toBe(0);
  });

  it('hashes long keys, so every key stays bounded and distinct', async () => {
    const long = `${'p'.repeat(256)}/subscriptions/${'s'.repeat(256)}`;
    const key = redisKey('portico:rate:', long);
    expect(key).toMatch(/^portico:rate:#[A-Za-z0-9_-]{43}$/);
    expect(redisKey('portico:rate:', `${long}x`)).not.toBe(key);
    expect(redisKey('portico:rate:', 'p'.repeat(MAX_PLAIN_KEY_LENGTH))).toBe(`portico:rate:${'p'.repeat(MAX_PLAIN_KEY_LENGTH)}`);
    const rate = (await connection()).store('rate');
    expect(await rate.take(long, 1, 60_000, Date.now())).toBe(0);
    expect(await admin.get(key)).toBe('1');
  });

  it('is exact over several connections taking at once', async () => {
    const stores = await Promise.all([connection(), connection(), connection()]);
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => stores[i % 3]!.store('rate').take('shared', 5, 60_000, Date.now())));
    expect(results.filter((ms) => ms === 0)).toHaveLength(5);
    expect(await admin.get('portico:rate:shared')).toBe('5');
  });

  it('rejects after the command timeout when Redis hangs, and counts again once it answers', async () => {
    const made = await connection(100);
    const rate = made.store('rate');
    expect(await rate.take('hung', 5, 60_000, Date.now())).toBe(0);
    redis.pause();
    try {
      await expect(rate.take('hung', 5, 60_000, Date.now())).rejects.toBeInstanceOf(CountersUnavailableError);
    } finally {
      redis.resume();
    }
    let result: number | undefined;
    while (result === undefined) result = await rate.take('hung', 5, 60_000, Date.now()).catch(() => undefined);
    expect(result).toBe(0);
    // The timed-out take may have been counted by Redis once it woke: 2 or 3, never more.
    expect(['2', '3']).toContain(await admin.get('portico:rate:hung'));
  });

  it('rejects at once while Redis is down, logs that once, and counts again when it is back', async () => {
    const made = await connection(200);
    const rate = made.store('rate');
    expect(await rate.take('outage', 2, 60_000, Date.now())).toBe(0);
    const before = logLines.length;
    await redis.stop();
    for (let i = 0; i < 5; i++) await expect(rate.take('outage', 2, 60_000, Date.now())).rejects.toBeInstanceOf(CountersUnavailableError);
    const down = logLines.slice(before).filter((line) => line.msg.includes('cannot be reached'));
    expect(down.length).toBeGreaterThanOrEqual(1); // every connection of this file logs its own outage once
    expect(down.length).toBeLessThanOrEqual(connections.length);
    await redis.start();
    await admin.connect().catch(() => undefined);
    // Reconnection runs in the background (every ≤ 1 s); the new server is empty: a new window.
    let result: number | undefined;
    while (result === undefined) result = await rate.take('outage', 2, 60_000, Date.now()).catch(() => undefined);
    expect(result).toBe(0);
    expect(await rate.take('outage', 2, 60_000, Date.now())).toBe(0);
    expect(await rate.take('outage', 2, 60_000, Date.now())).toBeGreaterThan(0);
    const after = logLines.slice(before);
    expect(after.filter((line) => line.msg.includes('reachable again'))).not.toHaveLength(0);
    // Once per connection and state change, never per call.
    const perConnectionDown = after.filter((line) => line.msg.includes('cannot be reached')).length;
    expect(perConnectionDown).toBeLessThanOrEqual(connections.length);
    // The URL (which may hold a password) is never logged.
    expect(JSON.stringify(logLines)).not.toContain(redis.url);
  });
});

describe('SplitCounterStore', () => {
  it("gives each counting process floor(limit / processes), at least 1", () => {
    expect(shareOf(5, 1)).toBe(5);
    expect(shareOf(5, 2)).toBe(2);
    expect(shareOf(6, 3)).toBe(2);
    expect(shareOf(2, 3)).toBe(1);
    let processes = 3;
    const split = new SplitCounterStore(new InMemoryCounterStore(), () => processes);
    expect([1, 2, 3].map(() => split.take('k', 6, 60_000, 0))).toEqual([0, 0, 60_000]);
    processes = 1; // the live node count changed: the share follows
    expect(split.take('k', 6, 60_000, 0)).toBe(0);
  });
});
