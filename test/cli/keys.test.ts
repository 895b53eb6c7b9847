/** `portico keys list` and `portico keys rotate`, run in-process against the real program over HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { bootPortico, type Booted } from '../helpers/boot.js';

describe('portico keys', () => {
  let portico: Booted;

  beforeAll(async () => {
    portico = await bootPortico();
  });
  afterAll(async () => portico?.stop());

  async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io = { out: (text: string) => void (out += text), err: (text: string) => void (err += text) };
    const code = await main(['node', 'portico', ...args, '--credentials', portico.credentialsPath], { io, env: {}, cwd: portico.dataDir, exit: () => undefined });
    return { code, out, err };
  }

  it('lists the current key, rotates (scheduled, then immediate) and lists the states', async () => {
    const initial = await run('keys', 'list');
    expect(initial.code, initial.err).toBe(0);
    const [header, row, ...rest] = initial.out.trimEnd().split('\n');
    expect(header).toMatch(/^KID\s+STATE\s+CREATED\s+ACTIVATES\s+RETIRES$/);
    expect(row).toMatch(/^[A-Za-z0-9_-]{27}\s+current\s+\S+Z\s+\S+Z\s+-$/);
    expect(rest).toEqual([]);
    const first = row!.split(/\s+/)[0]!;

    const scheduled = await run('keys', 'rotate');
    expect(scheduled.code, scheduled.err).toBe(0);
    expect(scheduled.err).toBe('Publishing the next signing key…\n');
    expect(scheduled.out).toMatch(/^Key [A-Za-z0-9_-]{27} is published and signs from \S+Z\. The current key signs until then\.\n$/);
    const next = scheduled.out.split(' ')[1]!;

    const immediate = await run('keys', 'rotate', '--immediate', '--output', 'json');
    expect(immediate.code, immediate.err).toBe(0);
    const key = JSON.parse(immediate.out) as { kid: string; state: string; x5t: string };
    expect(key).toMatchObject({ state: 'current', x5t: key.kid });

    const listed = await run('keys', 'list', '--output', 'json');
    expect((JSON.parse(listed.out) as { value: { kid: string; state: string }[] }).value.map((k) => [k.kid, k.state])).toEqual([
      [key.kid, 'current'],
      [first, 'previous'],
    ]);
    const all = await run('keys', 'list', '--all');
    expect(all.out.trimEnd().split('\n').slice(1).map((line) => line.split(/\s+/).slice(0, 2))).toEqual([
      [key.kid, 'current'],
      [first, 'previous'],
      [next, 'retired'], // the scheduled key never signed: the immediate rotation withdrew it
    ]);
  });

  it('explains itself in --help', async () => {
    const help = await run('keys', 'rotate', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('--immediate');
    expect(help.out).toContain('Examples:\n  $ portico keys rotate');
  });
});
