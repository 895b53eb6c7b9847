import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { deriveId, parseAuthTypes, parseBoolean, parseHeader, parseIdList, parsePort, userIdFromEmail } from '../../src/cli/args.js';

describe('parseAuthTypes', () => {
  it('reads one or both types, in order, without duplicates', () => {
    expect(parseAuthTypes('application-token')).toEqual(['application-token']);
    expect(parseAuthTypes('subscription-key, application-token')).toEqual(['subscription-key', 'application-token']);
    expect(parseAuthTypes('Application-Token,application-token')).toEqual(['application-token']);
  });

  it('reads none as the empty list', () => {
    expect(parseAuthTypes('none')).toEqual([]);
    expect(() => parseAuthTypes('none,application-token')).toThrow(/"none" cannot be combined with other types/);
    expect(parseAuthTypes('NONE')).toEqual([]);
  });

  it('refuses unknown types and an empty value', () => {
    expect(() => parseAuthTypes('oauth')).toThrow(new InvalidArgumentError('"oauth" is not an authentication type; use subscription-key and/or application-token, or none alone.'));
    expect(() => parseAuthTypes('none,application-token')).toThrow(InvalidArgumentError);
    expect(() => parseAuthTypes(' , ')).toThrow(InvalidArgumentError);
  });
});

describe('deriveId', () => {
  it('lower-cases and keeps letters, digits and single hyphens', () => {
    expect(deriveId('Contoso Billing')).toBe('contoso-billing');
    expect(deriveId('  My   App (v2)!  ')).toBe('my-app-v2');
    expect(deriveId('José Müller')).toBe('jose-muller');
    expect(deriveId('already-an-id')).toBe('already-an-id');
  });

  it('returns an empty id when nothing usable is left', () => {
    expect(deriveId('!!!')).toBe('');
    expect(deriveId('日本')).toBe('');
  });

  it('keeps at most 80 characters and never ends with a hyphen', () => {
    const id = deriveId(`${'a'.repeat(79)} b`);
    expect(id).toBe('a'.repeat(79));
    expect(deriveId('x'.repeat(200))).toHaveLength(80);
  });
});

describe('userIdFromEmail', () => {
  it('uses the local part of the address', () => {
    expect(userIdFromEmail('alice@example.com')).toBe('alice');
    expect(userIdFromEmail('Alice.Smith+test@Example.com')).toBe('alice-smith-test');
    expect(userIdFromEmail('o_brien@example.com')).toBe('o-brien');
  });
});

describe('parseIdList', () => {
  it('splits, trims and removes duplicates', () => {
    expect(parseIdList('starter')).toEqual(['starter']);
    expect(parseIdList(' starter , unlimited,starter,')).toEqual(['starter', 'unlimited']);
  });

  it('needs at least one id', () => {
    expect(() => parseIdList(',')).toThrow(InvalidArgumentError);
  });
});

describe('parsePort', () => {
  it('accepts 0 to 65535', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('8080')).toBe(8080);
    expect(parsePort('65535')).toBe(65535);
  });

  it('refuses anything else', () => {
    for (const bad of ['65536', '-1', '80.5', 'http', '', '1e3']) expect(() => parsePort(bad)).toThrow(InvalidArgumentError);
  });
});

describe('parseBoolean', () => {
  it('reads the usual spellings', () => {
    expect(parseBoolean('true')).toBe(true);
    expect(parseBoolean('Yes')).toBe(true);
    expect(parseBoolean('false')).toBe(false);
    expect(parseBoolean('0')).toBe(false);
    expect(() => parseBoolean('maybe')).toThrow(InvalidArgumentError);
  });
});

describe('parseHeader', () => {
  it('collects "Name: value" pairs', () => {
    expect(parseHeader('x-trace: 1')).toEqual([['x-trace', '1']]);
    expect(parseHeader('Accept:text/plain', [['x-a', 'b']])).toEqual([['x-a', 'b'], ['Accept', 'text/plain']]);
    expect(parseHeader('x-empty:')).toEqual([['x-empty', '']]);
  });

  it('refuses a header without a name', () => {
    expect(() => parseHeader('no colon')).toThrow(InvalidArgumentError);
    expect(() => parseHeader(': value')).toThrow(InvalidArgumentError);
    expect(() => parseHeader('bad name: value')).toThrow(InvalidArgumentError);
  });
});
