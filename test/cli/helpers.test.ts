import { describe, expect, it } from 'vitest';
import { gatewayRequestUrl } from '../../src/cli/commands/call.js';
import { matchRole } from '../../src/cli/commands/directory.js';
import { audienceOf, scopeForAudience, updateProperties } from '../../src/cli/commands/product.js';
import { startOverrides } from '../../src/cli/commands/start.js';
import { lastSegment, parseCredentials, withQuery } from '../../src/cli/context.js';
import { resolveSettings } from '../../src/cli/global-options.js';

describe('resolveSettings', () => {
  const environment = (env: NodeJS.ProcessEnv) => ({ env, cwd: '/home/me/project' });

  it('defaults to table, the preview api-version and ./.portico/credentials.json', () => {
    expect(resolveSettings({}, environment({}))).toEqual({
      credentialsPath: '/home/me/project/.portico/credentials.json',
      output: 'table',
      apiVersion: '2025-03-01-preview',
      managementUrl: undefined,
      identityUrl: undefined,
      tenantId: undefined,
      clientId: undefined,
      clientSecret: undefined,
      deprecations: [],
    });
  });

  it('lets flags win over PORTICO_* variables', () => {
    const env = { PORTICO_CLIENT_ID: 'env-id', PORTICO_CLIENT_SECRET: 'env-secret', PORTICO_MANAGEMENT_URL: 'http://env:1/', PORTICO_OUTPUT: 'json' };
    const fromEnv = resolveSettings({}, environment(env));
    expect([fromEnv.clientId, fromEnv.clientSecret, fromEnv.managementUrl, fromEnv.output]).toEqual(['env-id', 'env-secret', 'http://env:1', 'json']);
    const fromFlags = resolveSettings({ clientId: 'flag-id', managementUrl: 'https://flag:2', output: 'text' }, environment(env));
    expect([fromFlags.clientId, fromFlags.clientSecret, fromFlags.managementUrl, fromFlags.output]).toEqual(['flag-id', 'env-secret', 'https://flag:2', 'text']);
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => resolveSettings({ identityUrl: 'ftp://x' }, environment({}))).toThrow('error: --identity-url must be an http:// or https:// URL, got "ftp://x".');
  });
});

describe('parseCredentials', () => {
  it('keeps the known fields', () => {
    const text = JSON.stringify({ tenantId: 't', serviceName: 'portico', admin: { clientId: 'c', clientSecret: 's' }, extra: 1, gatewayUrl: '' });
    expect(parseCredentials(text, 'f')).toEqual({ tenantId: 't', serviceName: 'portico', admin: { clientId: 'c', clientSecret: 's' } });
  });

  it('refuses JSON that is not an object', () => {
    expect(() => parseCredentials('[1]', '/c.json')).toThrow('error: /c.json does not hold a JSON object.');
  });
});

describe('withQuery and lastSegment', () => {
  it('encodes values with %20 and keeps $filter', () => {
    expect(withQuery('http://h/v1.0/servicePrincipals', { $filter: "displayName eq 'my app'" })).toBe(
      'http://h/v1.0/servicePrincipals?$filter=displayName%20eq%20\'my%20app\'',
    );
    expect(withQuery('http://h/x?a=1', { 'api-version': '2025-03-01-preview' })).toBe('http://h/x?a=1&api-version=2025-03-01-preview');
  });

  it('takes the id at the end of an ARM id or reference', () => {
    expect(lastSegment('/subscriptions/s/resourceGroups/r/providers/Microsoft.ApiManagement/service/p/products/starter')).toBe('starter');
    expect(lastSegment('/users/alice')).toBe('alice');
    expect(lastSegment(undefined)).toBe('');
  });
});

describe('product helpers', () => {
  it('builds the PATCH properties from the options given only', () => {
    expect(updateProperties({ authTypes: [], state: 'published' })).toEqual({ authenticationType: [], state: 'published' });
    expect(updateProperties({ subscriptionRequired: false, displayName: 'S' })).toEqual({ subscriptionRequired: false, displayName: 'S' });
    expect(updateProperties({})).toEqual({});
  });

  it('reads the audience and turns it into the .default scope', () => {
    const properties = { application: { entra: { applicationId: 'a1', audience: '55556666-ffff-7777-aaaa-8888bbbb9999' } } };
    expect(audienceOf(properties)).toBe('55556666-ffff-7777-aaaa-8888bbbb9999');
    expect(audienceOf({})).toBeUndefined();
    expect(scopeForAudience('55556666-ffff-7777-aaaa-8888bbbb9999')).toBe('api://55556666-ffff-7777-aaaa-8888bbbb9999/.default');
    expect(scopeForAudience('api://55556666-ffff-7777-aaaa-8888bbbb9999/')).toBe('api://55556666-ffff-7777-aaaa-8888bbbb9999/.default');
  });
});

describe('matchRole', () => {
  const roles = [
    { id: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3', displayName: 'Application Administrator' },
    { id: 'e8611ab8-c189-46e8-94e1-60213ab1f814', displayName: 'Privileged Role Administrator' },
  ];

  it('finds a role by display name, any case, or by id', () => {
    expect(matchRole(roles, 'application administrator')).toEqual({ id: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3', displayName: 'Application Administrator' });
    expect(matchRole(roles, 'E8611AB8-C189-46E8-94E1-60213AB1F814')?.displayName).toBe('Privileged Role Administrator');
    expect(matchRole(roles, 'Global Administrator')).toBeUndefined();
  });
});

describe('startOverrides', () => {
  it('passes only the flags given, in loadConfig\'s shape', () => {
    expect(startOverrides({})).toEqual({});
    expect(startOverrides({ dataDir: '/d', gatewayPort: 0, identityPort: 9082, logLevel: 'warn' })).toEqual({
      dataDir: '/d',
      logLevel: 'warn',
      ports: { gateway: 0, identity: 9082 },
    });
  });
});

describe('gatewayRequestUrl', () => {
  it('joins a path to the gateway URL and keeps a full URL', () => {
    expect(gatewayRequestUrl('http://127.0.0.1:8080/', '/echo/resource?param1=sample')).toBe('http://127.0.0.1:8080/echo/resource?param1=sample');
    expect(gatewayRequestUrl('http://127.0.0.1:8080', 'echo/resource')).toBe('http://127.0.0.1:8080/echo/resource');
    expect(gatewayRequestUrl('http://127.0.0.1:8080', 'https://other/x')).toBe('https://other/x');
  });
});
