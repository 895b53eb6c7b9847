/** docs/errors.md and the error registry must list the same codes. */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { AADSTS_CODES, APP_ERROR_CODES, PORTICO_TOKEN_CODES } from '../src/errors/index.js';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const documented = (section: string): string[] => {
  const part = doc.split(`<!-- ${section} -->`)[1]?.split('<!-- end -->')[0] ?? '';
  return [...part.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
};

test('every AppError code is documented, and nothing else', () => {
  expect(documented('app-errors').sort()).toEqual(Object.keys(APP_ERROR_CODES).sort());
});

test('every AADSTS code is documented, and nothing else', () => {
  expect(documented('aadsts').sort()).toEqual(Object.keys(AADSTS_CODES).map((code) => `AADSTS${code}`).sort());
});

test('every Portico token code is documented, and nothing else', () => {
  expect(documented('portico-token').sort()).toEqual(Object.keys(PORTICO_TOKEN_CODES).sort());
});

test('documented statuses match the registry', () => {
  for (const [code, { status }] of Object.entries(APP_ERROR_CODES)) {
    expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
  }
  for (const [code, { status, error }] of Object.entries(AADSTS_CODES)) {
    expect(doc).toMatch(new RegExp(`\\| \`AADSTS${code}\` \\| ${status} \\| \`${error}\` \\|`));
  }
  for (const [code, { status, error }] of Object.entries(PORTICO_TOKEN_CODES)) {
    expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\| \`${error}\` \\|`));
  }
});

test('every gateway message is in the gateway table', async () => {
  const { GatewayMessages } = await import('../src/gateway/errors.js');
  const gateway = doc.split('## Gateway')[1] ?? '';
  for (const message of Object.values(GatewayMessages)) expect(gateway).toContain(`| ${message} |`);
});
