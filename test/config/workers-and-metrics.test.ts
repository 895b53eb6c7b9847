/** PORTICO_WORKERS (--workers) and PORTICO_METRICS_TOKEN: defaults, and clear errors for anything else. */
import { describe, expect, it } from 'vitest';
import { DEFAULTS, loadConfig } from '../../src/config/index.js';
import { startOverrides } from '../../src/cli/commands/start.js';

describe('workers', () => {
  it('defaults to 0 (the gateway in the main process); the variable and then the flag win', () => {
    expect(DEFAULTS.workers).toBe(0);
    expect(loadConfig({}).workers).toBe(0);
    expect(loadConfig({ PORTICO_WORKERS: '4' }).workers).toBe(4);
    expect(loadConfig({ PORTICO_WORKERS: '4' }, startOverrides({ workers: '2' })).workers).toBe(2);
  });

  it('refuses negatives, fractions, words and more than 64, naming the variable, the flag and the rule', () => {
    for (const raw of ['-1', '1.5', 'many', '65']) {
      expect(() => loadConfig({ PORTICO_WORKERS: raw })).toThrow(expect.objectContaining({
        code: 'ERR_CONFIG_INVALID',
        message: `PORTICO_WORKERS (--workers) must be a whole number from 0 (the gateway in the main process) to 64, got "${raw}".`,
      }));
    }
  });
});

describe('metricsToken', () => {
  it('is unset by default (/metrics open) and read from the environment only', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ PORTICO_METRICS_TOKEN: 'a'.repeat(32) }).metricsToken).toBe('a'.repeat(32));
  });

  it('refuses a short token or one with spaces', () => {
    for (const raw of ['short', 'has a space in it, long enough']) {
      expect(() => loadConfig({ PORTICO_METRICS_TOKEN: raw })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID', message: expect.stringContaining('PORTICO_METRICS_TOKEN must be at least 16 printable ASCII characters') }));
    }
  });
});
