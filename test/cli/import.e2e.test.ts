/**
 * `portico import --file …` end to end: the CLI's own code (main) against the real program booted in
 * this process, reading NDJSON and JSON files, in batches, with progress, a summary, safe re-runs and
 * failures that name the line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { main } from '../../src/cli/index.js';

describe('portico import', () => {
  let portico: Booted;
  let admin: ManagementClient;
  let dir: string;

  const run = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    let stdout = '';
    let stderr = '';
    const code = await main(['node', 'portico', ...args, '--credentials', portico.credentialsPath], {
      io: { out: (text) => void (stdout += text), err: (text) => void (stderr += text) },
      env: {},
      cwd: dir,
      exit: () => undefined,
    });
    return { code, stdout, stderr };
  };
  const file = (name: string, lines: readonly unknown[]): string => {
    const path = join(dir, name);
    writeFileSync(path, lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n'));
    return path;
  };
  const user = (name: string) => ({ type: 'user', name, properties: { email: `${name}@example.com`, firstName: 'Cli', lastName: name } });

  beforeAll(async () => {
    portico = await bootPortico();
    admin = new ManagementClient(portico.credentials);
    dir = mkdtempSync(join(tmpdir(), 'portico-import-'));
    const product = await admin.call('PUT', '/products/cli-gold', { properties: { displayName: 'Cli Gold', authenticationType: ['application-token'], state: 'published' } });
    expect(product.status).toBe(201);
  });
  afterAll(async () => {
    await portico?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const lines = [
    user('cli-a'),
    user('cli-b'),
    '',
    { type: 'clientApplication', name: 'cli-app', properties: { displayName: 'Cli app', ownerId: '/users/cli-a', productIds: ['/products/cli-gold'] } },
    { type: 'subscription', name: 'cli-sub', properties: { displayName: 'Cli sub', scope: '/products/starter', ownerId: '/users/cli-b', state: 'active' } },
  ];

  it('imports an NDJSON file in batches, with progress on stderr and a summary on stdout; running it again changes nothing', async () => {
    const path = file('small.ndjson', lines);
    const first = await run('import', '--file', path, '--batch-size', '2');
    expect(first.stderr).toMatch(/^line 2: 2 resources \(created 2, updated 0, unchanged 0\), \d+\/s\nline 5: 4 resources \(created 4, updated 0, unchanged 0\), \d+\/s\n$/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^Imported 4 resources from ${path.replace(/[.]/g, '\\.')} in [\\d.]+ s \\(2 batches\\): created 4, updated 0, unchanged 0\\.\n$`));
    expect((await admin.call('GET', '/clientApplications/cli-app')).body.properties.productIds).toHaveLength(1);
    expect((await admin.call('GET', '/subscriptions/cli-sub')).body.properties.state).toBe('active');

    const again = await run('import', '--file', path, '--output', 'json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ resources: 4, created: 0, updated: 0, unchanged: 4, batches: 1, lines: 5 });
  });

  it('reads a JSON array too', async () => {
    const path = join(dir, 'small.json');
    writeFileSync(path, JSON.stringify([user('cli-json')]));
    const result = await run('import', '--file', path, '--output', 'json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ created: 1, resources: 1 });
  });

  it('stops at a bad batch with exit code 1, naming the file line, and says how to resume', async () => {
    const path = file('bad.ndjson', [user('cli-c'), user('cli-d'), { type: 'user', name: 'cli-e', properties: { email: 'not-an-email', firstName: 'E', lastName: 'E' } }]);
    const result = await run('import', '--file', path, '--batch-size', '2');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('line 2: 2 resources (created 2');
    expect(result.stderr).toContain('error: the import stopped (400 ValidationError):\n  line 3: properties.email must be an email address like name@example.com.\n');
    expect(result.stderr).toContain('Nothing of the batch from line 3 to 3 was written; the lines before 3 were. Fix the file and run again (unchanged resources are skipped), or add --from-line 3.');
    expect((await admin.call('GET', '/users/cli-e')).status).toBe(404);

    const broken = file('broken.ndjson', [user('cli-f'), '{"type": "user",']);
    const parse = await run('import', '--file', broken);
    expect(parse.code).toBe(1);
    expect(parse.stderr).toMatch(/^error: .*broken\.ndjson line 2 is not valid JSON/m);
  });

  it('explains itself with --help, example included', async () => {
    const help = await run('import', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('portico import --file tenants.ndjson');
    expect(help.stdout).toContain('{"type":"user","name":"alice"');
  });
});
