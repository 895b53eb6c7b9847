import { describe, expect, it } from 'vitest';
import { Output, formatFields, formatTable } from '../../src/cli/output.js';

describe('formatTable', () => {
  it('aligns columns and does not pad the last one', () => {
    expect(formatTable(['ID', 'NAME', 'STATE'], [['starter', 'Starter', 'published'], ['unlimited', 'Unlimited', '']])).toBe(
      ['ID         NAME       STATE', 'starter    Starter    published', 'unlimited  Unlimited'].map((line) => `${line}\n`).join(''),
    );
  });

  it('keeps control characters from a server value out of the terminal', () => {
    expect(formatTable(['A'], [['x\n\u001b[31my']])).toBe('A\nx [31my\n');
  });
});

describe('formatFields', () => {
  it('prints "Label: value" lines and leaves out undefined values', () => {
    expect(formatFields([['Client ID', 'abc'], ['Description', undefined], ['Expires', '2027-01-01T00:00:00Z']])).toBe(
      'Client ID: abc\nExpires: 2027-01-01T00:00:00Z\n',
    );
  });
});

describe('Output', () => {
  it('prints raw JSON in json mode and the text form otherwise', () => {
    const written: string[] = [];
    const io = { out: (text: string) => written.push(`out:${text}`), err: (text: string) => written.push(`err:${text}`) };
    new Output('json', io).result({ name: 'starter' }, () => written.push('text'));
    new Output('text', io).result({ name: 'starter' }, () => written.push('text'));
    expect(written).toEqual(['out:{\n  "name": "starter"\n}\n', 'text']);
  });
});
