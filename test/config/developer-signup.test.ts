/** PORTICO_DEVELOPER_SIGNUP: on by default, on/off (and true/false, 1/0), anything else a clear error. */
import { expect, test } from 'vitest';
import { loadConfig } from '../../src/config/index.js';

test('sign-up is on by default and follows PORTICO_DEVELOPER_SIGNUP', () => {
  expect(loadConfig({}).developerSignUp).toBe(true);
  expect(loadConfig({ PORTICO_DEVELOPER_SIGNUP: 'off' }).developerSignUp).toBe(false);
  expect(loadConfig({ PORTICO_DEVELOPER_SIGNUP: 'OFF' }).developerSignUp).toBe(false);
  expect(loadConfig({ PORTICO_DEVELOPER_SIGNUP: 'false' }).developerSignUp).toBe(false);
  expect(loadConfig({ PORTICO_DEVELOPER_SIGNUP: 'on' }).developerSignUp).toBe(true);
  expect(loadConfig({ PORTICO_DEVELOPER_SIGNUP: 'off' }, { developerSignUp: true }).developerSignUp).toBe(true);
});

test('another value stops the start, naming the variable and the rule', () => {
  expect(() => loadConfig({ PORTICO_DEVELOPER_SIGNUP: 'maybe' })).toThrow('PORTICO_DEVELOPER_SIGNUP must be on or off, got "maybe".');
});
