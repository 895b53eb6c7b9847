import { describe, expect, it } from 'vitest';
import { InvalidFileError, formatPorticoFile, parsePorticoFile } from '../../src/cli/apply/document.js';

function problems(text: string): string[] {
  try {
    parsePorticoFile(text);
  } catch (error) {
    if (error instanceof InvalidFileError) return error.message.split('\n');
    throw error;
  }
  return [];
}

describe('the portico.yaml file', () => {
  it('formats and reads back the same document', () => {
    const file = { products: [{ id: 'gold', displayName: 'Gold', subscriptionsLimit: null, authenticationTypes: ['application-token'], apis: ['echo-api'] }], users: [] };
    const text = formatPorticoFile(file);
    expect(text).toMatch(/^# Portico configuration/);
    expect(parsePorticoFile(text)).toEqual({ version: 1, ...file });
  });

  it('accepts an empty file', () => {
    expect(parsePorticoFile('')).toEqual({});
  });

  it('names the path and line of each problem', () => {
    expect(problems('version: 2\nproduct: []\n')).toEqual([
      'version: must be 1. (line 1)',
      'product: unknown section; the file has products, apis, users, applications (and version). (line 2)',
    ]);
    expect(problems('products:\n  - id: a\n    displayName: A\n    state: live\n    authenticationTypes: [oauth]\n  - id: A\n    displayName: Other\n')).toEqual([
      'products[0].state: must be one of published, notPublished. (line 4)',
      'products[0].authenticationTypes: "oauth" is not one of subscription-key, application-token. (line 5)',
      'products[1].id: "A" is already declared at products[0] (ids are case-insensitive). (line 6)',
    ]);
    expect(problems('apis:\n  - id: w\n    displayName: W\n    path: w\n    operations:\n      - id: t\n        method: GET\n        urlTemplate: /t\n')).toEqual([
      'apis[0].operations[0].displayName: required. (line 6)',
    ]);
    expect(problems('users:\n  - id: bob\n    email: bob\n    firstName: Bob\n    lastName: B\n')).toEqual(['users[0].email: not an email address. (line 3)']);
    expect(problems('products: [\n')[0]).toMatch(/^\(document\): not valid YAML: .* \(line \d+\)$/);
  });

  it('refuses anything that looks like a secret, wherever it is', () => {
    expect(problems('applications:\n  - id: a\n    displayName: A\n    owner: u\n    clientSecret: x\n')[0]).toMatch(/^applications\[0\]\.clientSecret: looks like a secret/);
    expect(problems('apis:\n  - id: w\n    displayName: W\n    path: w\n    operations:\n      - id: t\n        displayName: T\n        method: GET\n        urlTemplate: /t\n        request: { headers: [{ name: x, apiKey: y }] }\n')[0]).toMatch(
      /^apis\[0\]\.operations\[0\]\.request\.headers\[0\]\.apiKey: looks like a secret/,
    );
  });
});
