import { describe, expect, it } from 'vitest';
import { wantsJson } from '../../src/cli/index.js';
import { detectInvocation } from '../../src/cli/invocation.js';

describe('detectInvocation', () => {
  it('is npx portico under npx / npm exec, portico otherwise', () => {
    expect(detectInvocation({ npm_command: 'exec' })).toBe('npx portico');
    expect(detectInvocation({ npm_execpath: '/usr/lib/node_modules/npm/bin/npx-cli.js' })).toBe('npx portico');
    expect(detectInvocation({ npm_command: 'run-script' })).toBe('portico');
    expect(detectInvocation({})).toBe('portico');
  });
});

describe('wantsJson', () => {
  const argv = (...args: string[]): string[] => ['node', 'portico', ...args];
  it('reads -o/--output in any spelling, the last one winning, and PORTICO_OUTPUT', () => {
    expect(wantsJson(argv('product', 'list', '-o', 'json'), {})).toBe(true);
    expect(wantsJson(argv('--output=json', 'product', 'list'), {})).toBe(true);
    expect(wantsJson(argv('product', 'list', '-ojson'), {})).toBe(true);
    expect(wantsJson(argv('-o', 'json', 'product', 'list', '-o', 'table'), {})).toBe(false);
    expect(wantsJson(argv('product', 'list'), { PORTICO_OUTPUT: 'json' })).toBe(true);
    expect(wantsJson(argv('call', '/x', '--', '-o', 'json'), {})).toBe(false);
  });
});
