/** PORTICO_REDIS_URL, PORTICO_REDIS_COMMAND_TIMEOUT_MS and PORTICO_GATEWAY_NODES: read and validated, never echoing a password. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';

describe('shared counter settings', () => {
  it('default to no Redis, a 20 ms command timeout and no configured node count', () => {
    const config = loadConfig({});
    expect([config.redisUrl, config.redisCommandTimeoutMs, config.gatewayNodes]).toEqual([undefined, 20, undefined]);
  });

  it('read redis:// and rediss:// URLs, the timeout and the node count', () => {
    const config = loadConfig({ PORTICO_REDIS_URL: 'rediss://:pw@redis.internal:6380/2', PORTICO_REDIS_COMMAND_TIMEOUT_MS: '50', PORTICO_GATEWAY_NODES: '3' });
    expect([config.redisUrl, config.redisCommandTimeoutMs, config.gatewayNodes]).toEqual(['rediss://:pw@redis.internal:6380/2', 50, 3]);
  });

  it('refuse anything else with a message that names the setting and never shows the value of a URL', () => {
    expect(() => loadConfig({ PORTICO_REDIS_URL: 'http://:secret@host:6379' })).toThrow(/^PORTICO_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
    try {
      loadConfig({ PORTICO_REDIS_URL: 'memcached://:secret@host' });
    } catch (error) {
      expect((error as Error).message).not.toContain('secret');
    }
    expect(() => loadConfig({ PORTICO_REDIS_COMMAND_TIMEOUT_MS: '0' })).toThrow('PORTICO_REDIS_COMMAND_TIMEOUT_MS must be a whole number of milliseconds from 1 to 10000, got "0".');
    expect(() => loadConfig({ PORTICO_GATEWAY_NODES: '1.5' })).toThrow(/^PORTICO_GATEWAY_NODES must be a whole number from 1 to 1024/);
  });
});
