import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RateCounterStore } from './rate-counter-store.js';

/**
 * One call counted atomically, with the in-memory store's semantics: the window starts with a key's
 * first call (SET … PX period) and lasts `period` ms; within it at most `limit` calls are counted;
 * a refused call is not counted and learns the milliseconds left in the window (PTTL).
 * KEYS[1] counter key; ARGV[1] limit; ARGV[2] period in ms. Returns 0 (counted) or ms left (> 0).
 */
const TAKE_SCRIPT = `
local count = tonumber(redis.call('GET', KEYS[1]))
if count == nil then
  redis.call('SET', KEYS[1], 1, 'PX', ARGV[2])
  return 0
end
if count >= tonumber(ARGV[1]) then
  local left = redis.call('PTTL', KEYS[1])
  if left < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return tonumber(ARGV[2])
  end
  return math.max(left, 1)
end
redis.call('INCR', KEYS[1])
return 0
`;

/** Keys longer than this are hashed, so a long product or subscription id cannot make huge keys. */
export const MAX_PLAIN_KEY_LENGTH = 200;
/** Every counter key starts with this, so Portico's keys are recognisable in a shared Redis. */
export const REDIS_KEY_PREFIX = 'portico:';

/** Why a shared counter could not count a call; the policies apply the product's fail mode. */
export class CountersUnavailableError extends Error {
  constructor() {
    super('the shared rate-limit and quota counters cannot be reached');
  }
}
// One instance: a refused command allocates no error of its own on the hot path.
const UNAVAILABLE = new CountersUnavailableError();

/** A counter store that always answers later (it asks Redis). */
export interface SharedCounterStore extends RateCounterStore {
  take(key: string, limit: number, periodMs: number, now: number): Promise<number>;
}

interface TakeCommand {
  porticoTake(key: string, limit: number, periodMs: number): Promise<number>;
}

/**
 * The one Redis connection of a gateway process, shared by its rate-limit and quota counters.
 * Built so a Redis that is down or hung costs a call at most the command timeout: no offline queue
 * (a command while disconnected fails at once), no retry of a command after a reconnect (it might
 * count twice), a short command timeout, and reconnection in the background every ≤ 1 s.
 * Auto-pipelining sends the commands of concurrent calls in one write. Its state changes (reachable,
 * not reachable) are logged once each, never per request.
 */
export class RedisCounterConnection {
  private readonly redis: Redis & TakeCommand;
  /** undefined until the first connection attempt ends either way. */
  private healthy: boolean | undefined;
  private closed = false;

  constructor(
    url: string,
    commandTimeoutMs: number,
    private readonly logger: Logger,
  ) {
    this.redis = new Redis(url, {
      lazyConnect: true,
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: commandTimeoutMs,
      connectTimeout: 1_000,
      retryStrategy: (attempt) => Math.min(100 * attempt, 1_000),
      connectionName: 'portico-gateway',
    }) as Redis & TakeCommand;
    this.redis.defineCommand('porticoTake', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    this.redis.on('ready', () => this.markUp());
    this.redis.on('error', (err: Error) => this.markDown(err));
    this.redis.on('end', () => this.markDown(undefined));
  }

  /** Connects; a Redis that is not there yet is not an error (calls apply the fail modes meanwhile). */
  async connect(): Promise<void> {
    try {
      await this.redis.connect();
    } catch (err) {
      this.markDown(err as Error);
    }
  }

  /** Counts one call under `key` (already namespaced); rejects with CountersUnavailableError. */
  take(key: string, limit: number, periodMs: number): Promise<number> {
    return this.redis.porticoTake(key, limit, periodMs).then(
      (ms) => {
        if (this.healthy !== true) this.markUp();
        return ms;
      },
      (err: Error) => {
        this.markDown(err);
        throw UNAVAILABLE;
      },
    );
  }

  /** A view of the counters under one namespace (`rate`, `quota`). */
  store(namespace: string): SharedCounterStore {
    const prefix = `${REDIS_KEY_PREFIX}${namespace}:`;
    return { take: (key, limit, periodMs) => this.take(redisKey(prefix, key), limit, periodMs) };
  }

  async close(): Promise<void> {
    this.closed = true;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  private markUp(): void {
    if (this.healthy === true || this.closed) return;
    if (this.healthy === false) this.logger.info('shared counters (Redis) reachable again; counting resumes');
    else this.logger.debug('shared counters (Redis) connected');
    this.healthy = true;
  }

  private markDown(err: Error | undefined): void {
    if (this.healthy === false || this.closed) return;
    this.healthy = false;
    // The message only: an error object may carry the connection options (and so a password).
    this.logger.warn({ reason: err?.message ?? 'connection closed' }, "shared counters (Redis) cannot be reached; each limit's fail mode applies until it is back");
  }
}

/** `prefix + key`, or `prefix + '#' + sha256(key)` for a long key: bounded and still one key per counter. */
export function redisKey(prefix: string, key: string): string {
  if (key.length <= MAX_PLAIN_KEY_LENGTH) return prefix + key;
  return `${prefix}#${createHash('sha256').update(key).digest('base64url')}`;
}
