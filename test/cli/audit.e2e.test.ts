/**
 * `portico audit list` through the built command (bin/portico.js → dist/) against the real program
 * booted in this process. Run `npm run build` before running this file alone.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { timeOf } from '../../src/cli/commands/audit.js';

// Every test spawns `portico` processes (seconds each on a busy machine): a generous limit, not a timed assertion.
vi.setConfig({ testTimeout: 120_000 });

const BIN = fileURLToPath(new URL('../../bin/portico.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));

describe('portico audit list', () => {
  let portico: Booted;
  let admin: ManagementClient;

  const cli = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PORTICO_')));
      execFile(process.execPath, [BIN, ...args, '--credentials', portico.credentialsPath], { env, cwd: portico.dataDir }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
      });
    });

  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` before this test.');
    portico = await bootPortico();
    admin = new ManagementClient(portico.credentials);
    expect((await admin.call('PATCH', '/products/starter', { properties: { description: 'audited' } }, { 'if-match': '*' })).status).toBe(200);
    expect((await admin.call('PUT', '/users/dora', { properties: { email: 'dora@example.com', firstName: 'Dora', lastName: 'Example' } })).status).toBe(201);
  });
  afterAll(async () => {
    await portico?.stop();
  });

  it('prints the last hour as an aligned table, newest first, targets relative to the service', async () => {
    const run = await cli('audit', 'list', '--since', '1h');
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME +ACTOR +OPERATION +TARGET +OUTCOME$/);
    expect(lines[1]).toMatch(new RegExp(`^\\S+ +${portico.credentials.admin.clientId} +users\\.write +/users/dora +success 201$`));
    expect(lines[2]).toMatch(/ products\.write +\/products\/starter +success 200$/);
  });

  it('filters by target and operation and prints JSON with --output json', async () => {
    const run = await cli('audit', 'list', '--since', '1h', '--target', '/products/starter', '--output', 'json');
    expect(run.code, run.stderr).toBe(0);
    const body = JSON.parse(run.stdout) as { value: { properties: { operation: string; targetId: string; actor: { appId: string } } }[] };
    // Newest first: the admin's PATCH, then first start's record of Starter (no actor).
    expect(body.value.map((e) => e.properties.operation)).toEqual(['products.write', 'products.write']);
    expect(body.value.map((e) => e.properties.actor.appId)).toEqual([portico.credentials.admin.clientId, undefined]);
    const byActor = await cli('audit', 'list', '--actor', portico.credentials.admin.clientId, '--operation', 'users.write', '--output', 'json');
    expect((JSON.parse(byActor.stdout) as { value: unknown[] }).value).toHaveLength(1);
    const limited = await cli('audit', 'list', '--limit', '1', '--output', 'json');
    expect((JSON.parse(limited.stdout) as { value: unknown[] }).value).toHaveLength(1);
  });

  it('refuses a malformed --since with exit code 2 and says what it takes', async () => {
    const run = await cli('audit', 'list', '--since', 'yesterday');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--since takes a duration such as 30m, 1h or 7d, or an ISO 8601 time');
  });

  it('reads durations and times', () => {
    const now = Date.parse('2026-11-30T07:00:00.000Z');
    expect(timeOf('90s', now, '--since')).toBe('2026-11-30T06:58:30.000Z');
    expect(timeOf('1h', now, '--since')).toBe('2026-11-30T06:00:00.000Z');
    expect(timeOf('7d', now, '--since')).toBe('2026-11-23T07:00:00.000Z');
    expect(timeOf('2026-11-30T06:00:00+01:00', now, '--since')).toBe('2026-11-30T05:00:00.000Z');
  });
});
