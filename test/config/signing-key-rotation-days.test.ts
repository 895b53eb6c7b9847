/** PORTICO_SIGNING_KEY_ROTATION_DAYS: default, fractions, and a clear error for anything else. */
import { describe, expect, it } from 'vitest';
import { DEFAULTS, loadConfig } from '../../src/config/index.js';

describe('signingKeyRotationDays', () => {
  it('defaults to 42 days; the variable and then an override win', () => {
    expect(DEFAULTS.signingKeyRotationDays).toBe(42);
    expect(loadConfig({}).signingKeyRotationDays).toBe(42);
    expect(loadConfig({ PORTICO_SIGNING_KEY_ROTATION_DAYS: '' }).signingKeyRotationDays).toBe(42);
    expect(loadConfig({ PORTICO_SIGNING_KEY_ROTATION_DAYS: '7' }).signingKeyRotationDays).toBe(7);
    expect(loadConfig({ PORTICO_SIGNING_KEY_ROTATION_DAYS: '0.25' }).signingKeyRotationDays).toBe(0.25);
    expect(loadConfig({ PORTICO_SIGNING_KEY_ROTATION_DAYS: '7' }, { signingKeyRotationDays: 1 }).signingKeyRotationDays).toBe(1);
  });

  it('refuses zero, negatives, more than a year and non-numbers, naming the variable and the rule', () => {
    for (const raw of ['0', '-1', '366', 'weekly', 'Infinity']) {
      expect(() => loadConfig({ PORTICO_SIGNING_KEY_ROTATION_DAYS: raw })).toThrow(expect.objectContaining({
        code: 'ERR_CONFIG_INVALID',
        message: `PORTICO_SIGNING_KEY_ROTATION_DAYS (--signing-key-rotation-days) must be a number of days greater than 0 and at most 365 (fractions allowed), got "${raw}".`,
      }));
    }
  });
});
