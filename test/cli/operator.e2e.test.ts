/**
 * The operator's commands (secrets, subscriptions, APIs, links, status, confirmations, json
 * errors, did-you-mean) and `portico apply` / `portico export`, run through the built `portico`
 * command against the real program booted in this process. Run `npm run build` first.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';

// Every test spawns `portico` processes (seconds each on a busy machine): a generous limit, not a timed assertion.
vi.setConfig({ testTimeout: 120_000 });

const BIN = fileURLToPath(new URL('../../bin/portico.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI against `target` with stdin a pipe (not a terminal), asynchronously so the in-process server keeps answering. */
function runCli(target: Booted, args: string[], extraEnv: Record<string, string> = {}, withCredentials = true): Promise<Run> {
  return new Promise((resolve) => {
    // The developer's own PORTICO_* and npm settings must not leak into the test.
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PORTICO_') && !name.startsWith('npm_'))), ...extraEnv };
    const child = execFile(process.execPath, [BIN, ...args, ...(withCredentials ? ['--credentials', target.credentialsPath] : [])], { env, cwd: target.dataDir }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
    child.stdin!.end('');
  });
}

describe('portico operator commands', () => {
  let portico: Booted;
  let admin: ManagementClient;
  const cli = (...args: string[]): Promise<Run> => runCli(portico, args);

  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` before this test.');
    portico = await bootPortico();
    admin = new ManagementClient(portico.credentials);
    expect((await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } }, { 'if-match': '*' })).status).toBe(200);
    expect((await admin.call('PUT', '/users/carol', { properties: { email: 'carol@example.com', firstName: 'Carol', lastName: 'Jones' } })).status).toBe(201);
    expect((await admin.call('PUT', '/clientApplications/carol-app', { properties: { displayName: 'Carol app', ownerId: '/users/carol' } })).status).toBe(201);
  });
  afterAll(async () => {
    await portico?.stop();
  });

  it('app secret add shows the value once; list shows key id, hint and expiry only; delete needs --yes', async () => {
    const added = await cli('app', 'secret', 'add', 'carol-app', '--display-name', 'nightly');
    expect(added.code, added.stderr).toBe(0);
    const secret = /^Client secret: (\S+)$/m.exec(added.stdout)![1]!;
    const keyId = /^Key ID: (\S+)$/m.exec(added.stdout)![1]!;
    expect(keyId).toMatch(GUID);
    expect(added.stderr).toContain('warning: copy the client secret now: it cannot be shown again.');

    const list = await cli('app', 'secret', 'list', 'carol-app');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^KEY ID +HINT +DISPLAY NAME +CREATED +EXPIRES$/m);
    expect(list.stdout).toMatch(new RegExp(`^${keyId} +${secret.slice(0, 3).replace(/[.*+?^${}()|[\]\\~]/g, '\\$&')}… +nightly +\\S+ +\\S+$`, 'm'));
    expect(list.stdout).not.toContain(secret);
    const listJson = await cli('app', 'secret', 'list', 'carol-app', '-o', 'json');
    expect(listJson.stdout).not.toContain(secret);
    expect((JSON.parse(listJson.stdout) as { value: Array<{ keyId: string }> }).value.map((p) => p.keyId)).toEqual([keyId]);

    const refused = await cli('app', 'secret', 'delete', 'carol-app', '--key-id', keyId);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('needs confirmation, but stdin is not a terminal to ask on. Add --yes to go ahead.');
    expect((await cli('app', 'secret', 'list', 'carol-app')).stdout).toContain(keyId);

    const deleted = await cli('app', 'secret', 'delete', 'carol-app', '--key-id', keyId, '--yes');
    expect(deleted).toEqual({ code: 0, stdout: `Deleted client secret ${keyId} of application carol-app.\n`, stderr: '' });
    expect((await cli('app', 'secret', 'list', 'carol-app')).stdout).toBe('No client secrets.\n');
  });

  it('reports a mistyped option or command with a suggestion (exit 2), before a missing required option', async () => {
    const option = await cli('app', 'register', '--name', 'X', '--owner', 'carol', '--product', 'starter');
    expect(option.code).toBe(2);
    expect(option.stderr).toBe("error: unknown option '--product'\n(Did you mean --products?)\n(add --help for usage)\n");
    const command = await cli('subscription', 'lst');
    expect(command.code).toBe(2);
    expect(command.stderr).toContain("error: unknown command 'lst'\n(Did you mean list?)");
  });

  it('reports errors as JSON on stderr in json mode', async () => {
    const server = await cli('product', 'show', 'nosuch', '--output', 'json');
    expect(server).toEqual({ code: 1, stdout: '', stderr: `${JSON.stringify({ error: { code: 'ResourceNotFound', message: "Product not found.\nThere is no product 'nosuch'. `portico product list` lists them." } })}\n` });
    const usage = await cli('-o', 'json', 'product', 'lis');
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stderr)).toEqual({ error: { code: 'UsageError', message: "unknown command 'lis'\n(Did you mean list?)" } });
    const refused = await cli('app', 'delete', 'carol-app', '-o', 'json');
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: { code: 'ConfirmationRequired' } });
  });

  it('asks before turning off application-token while applications are linked, and refuses without a terminal', async () => {
    expect((await cli('app', 'link', 'carol-app', 'starter')).stdout).toBe('Linked product starter to application carol-app.\n');
    const refused = await cli('product', 'update', 'starter', '--auth-types', 'subscription-key');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'error: Turning off application-token on starter cuts the access of 1 linked application(s) (carol-app); this needs confirmation, but stdin is not a terminal to ask on. Add --yes to go ahead.\n',
    );
    expect((await admin.call('GET', '/products/starter')).body.properties.authenticationType).toEqual(['application-token']);

    const links = await cli('link', 'list');
    expect(links).toEqual({ code: 0, stdout: 'APPLICATION  PRODUCT  LINK ID  STATE\ncarol-app    starter  starter  active\n', stderr: '' });
    expect((await cli('link', 'show', 'carol-app', 'starter')).stdout).toContain('Product: starter\n');
    const refusedUnlink = await cli('app', 'unlink', 'carol-app', 'starter');
    expect(refusedUnlink.code).toBe(2);
    expect((await cli('app', 'unlink', 'carol-app', 'starter', '--yes')).stdout).toBe('Unlinked product starter from application carol-app.\n');
  });

  it('signs in with --admin-client-id, and still with the deprecated global --client-id', async () => {
    const { clientId, clientSecret } = portico.credentials.admin;
    const fresh = await cli('group', 'list', '--admin-client-id', clientId, '--admin-client-secret', clientSecret);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toMatch(/^administrators +Administrators +system +yes$/m);
    const old = await cli('group', 'list', '--client-id', clientId, '--client-secret', clientSecret);
    expect(old.code, old.stderr).toBe(0);
    expect(old.stderr).toBe('warning: --client-id (for the admin client) is deprecated; use --admin-client-id.\nwarning: --client-secret (for the admin client) is deprecated; use --admin-client-secret.\n');
    const wrong = await cli('group', 'list', '--admin-client-id', clientId, '--admin-client-secret', 'nope');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('--admin-client-id/--admin-client-secret');
  });

  it('prints hints the way the user invoked Portico (npx)', async () => {
    const missing = join(portico.dataDir, 'none.json');
    const viaNpx = await runCli(portico, ['product', 'list', '--credentials', missing], { npm_command: 'exec' }, false);
    expect(viaNpx.stderr).toContain('Start Portico first (`npx portico start`)');
    const direct = await runCli(portico, ['product', 'list', '--credentials', missing], {}, false);
    expect(direct.stderr).toContain('Start Portico first (`portico start`)');
  });

  it('creates, shows (keys only with --show-keys), regenerates and deletes a subscription', async () => {
    const created = await cli('subscription', 'create', 'carol-echo', '--api', 'echo-api', '--owner', 'carol');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Created subscription carol-echo.\n');
    expect(created.stdout).toContain('Scope: /apis/echo-api\n');
    const shown = await cli('subscription', 'show', 'carol-echo');
    expect(shown.stdout).not.toMatch(/key/i);
    const keys = await admin.call('POST', '/subscriptions/carol-echo/listSecrets');
    const withKeys = await cli('subscription', 'show', 'carol-echo', '--show-keys');
    expect(withKeys.stdout).toContain(`Primary key: ${keys.body.primaryKey}\n`);

    expect((await cli('subscription', 'regenerate', 'carol-echo', '--key', 'primary')).code).toBe(2);
    const regenerated = await cli('subscription', 'regenerate', 'carol-echo', '--key', 'primary', '--yes');
    expect(regenerated).toEqual({ code: 0, stdout: 'Regenerated the primary key of subscription carol-echo.\n', stderr: '' });
    expect((await admin.call('POST', '/subscriptions/carol-echo/listSecrets')).body.primaryKey).not.toBe(keys.body.primaryKey);

    const list = await cli('subscription', 'list', '--owner', 'carol');
    expect(list.stdout).toMatch(/^carol-echo +carol-echo +\/apis\/echo-api +carol +active$/m);
    expect((await cli('subscription', 'delete', 'carol-echo', '--yes')).stdout).toBe('Deleted subscription carol-echo.\n');
  });

  it('lists and shows APIs and operations, and reports status', async () => {
    expect((await cli('api', 'list')).stdout).toMatch(/^echo-api +Echo API +echo +http/m);
    expect((await cli('api', 'show', 'echo-api')).stdout).toContain('Path: echo\n');
    expect((await cli('api', 'operations', 'echo-api')).stdout).toMatch(/^retrieve-resource +GET +\/resource +Retrieve resource$/m);
    const status = await cli('status', '-o', 'json');
    expect(status.code, status.stderr).toBe(0);
    const body = JSON.parse(status.stdout) as { service: { name: string }; endpoints: Record<string, { up: boolean }>; counts: Record<string, number>; versions: { cli: string } };
    expect(body.service.name).toBe(portico.credentials.serviceName);
    expect(Object.values(body.endpoints).map((endpoint) => endpoint.up)).toEqual([true, true, true]);
    expect(body.counts).toMatchObject({ products: 2, apis: 1, groups: 3, clientApplications: 1 });
    expect(body.versions.cli).toBe('0.1.0');
    expect((await cli('status')).stdout).toMatch(/^management +http:\/\/localhost:\d+ +up$/m);
  });
});

const FILE = `products:
  - id: gold
    displayName: Gold
    description: For partners.
    state: published
    authenticationTypes: [application-token]
    apis: [echo-api, weather]
apis:
  - id: weather
    displayName: Weather
    path: weather
    serviceUrl: https://weather.example.com
    operations:
      - id: today
        displayName: Today
        method: GET
        urlTemplate: /today
users:
  - id: alice
    email: alice@example.com
    firstName: Alice
    lastName: Smith
applications:
  - id: billing
    displayName: Billing
    owner: alice
    products: [gold]
`;

describe('portico apply and export', () => {
  let first: Booted;
  let second: Booted | undefined;
  let dir: string;
  const cli = (...args: string[]): Promise<Run> => runCli(first, args);
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` before this test.');
    first = await bootPortico();
    dir = mkdtempSync(join(tmpdir(), 'portico-apply-'));
  });
  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const before = await cli('export');
    const run = await cli('apply', '-f', file('portico.yaml', FILE), '--dry-run');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      [
        'ACTION  KIND         ID             CHANGES',
        'create  user         alice',
        'create  api          weather',
        'create  operation    weather/today',
        'create  product      gold           apis: +echo-api +weather',
        'create  application  billing        products: +gold',
        'Plan: 5 to create, 0 to update, 0 to delete.',
        'Dry run: nothing was changed.',
        '',
      ].join('\n'),
    );
    expect((await cli('export')).stdout).toBe(before.stdout);
  });

  it('applies the file, and a second apply prints "no changes"', async () => {
    const path = join(dir, 'portico.yaml');
    const run = await cli('apply', '-f', path);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Applied 5 changes\.\n$/);
    const app = await new ManagementClient(first.credentials).call('GET', '/clientApplications/billing/productLinks');
    expect(app.body.value.map((link: { name: string }) => link.name)).toEqual(['gold']);
    const again = await cli('apply', '-f', path);
    expect(again).toEqual({ code: 0, stdout: `No changes: the service already matches ${path}.\n`, stderr: expect.any(String) });
  });

  it('updates only what the file changes', async () => {
    const changed = FILE.replace('description: For partners.', 'description: For partners only.').replace('lastName: Smith', 'lastName: Jones');
    const run = await cli('apply', '-f', file('changed.yaml', changed), '--output', 'json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      changes: [
        { action: 'update', kind: 'user', id: 'alice', details: ['lastName'] },
        { action: 'update', kind: 'product', id: 'gold', details: ['description'] },
      ],
      applied: true,
    });
  });

  it('export → apply on a fresh instance → export gives the same file', async () => {
    const exported = join(dir, 'exported.yaml');
    const run = await cli('export', '-o', exported);
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(exported, 'utf8');
    expect(text).toContain('  - id: gold\n');
    expect(text).not.toMatch(/clientSecret|secretText|password:|primaryKey|secondaryKey/);
    second = await bootPortico();
    const applied = await runCli(second, ['apply', '-f', exported]);
    expect(applied.code, applied.stderr).toBe(0);
    const again = await runCli(second, ['export']);
    expect(again.stdout).toBe(text);
    expect((await runCli(second, ['apply', '-f', exported])).stdout).toBe(`No changes: the service already matches ${exported}.\n`);
  });

  it('--prune deletes what the file no longer names (asking first), never the built-ins', async () => {
    const pruned = file('pruned.yaml', FILE.replace(/applications:[\s\S]*$/, 'applications: []\n').replace(/apis:\n {2}- id: weather[\s\S]*?users:/, 'users:').replace('apis: [echo-api, weather]', 'apis: [echo-api]'));
    const refused = await cli('apply', '-f', pruned, '--prune');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('delete  application  billing');
    expect(refused.stderr).toContain('Add --yes to go ahead.');
    expect((await new ManagementClient(first.credentials).call('GET', '/clientApplications/billing')).status).toBe(200);

    const run = await cli('apply', '-f', pruned, '--prune', '--yes');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('delete  application  billing');
    // Sections the file has are pruned (products: starter and unlimited are not named); users keeps the admin.
    expect(run.stdout).toMatch(/^delete +product +starter/m);
    expect(run.stdout).not.toMatch(/^delete +user/m);
    const client = new ManagementClient(first.credentials);
    expect((await client.call('GET', '/clientApplications/billing')).status).toBe(404);
    expect((await client.call('GET', '/users/1')).status).toBe(200);
    expect((await client.call('GET', '/subscriptions/master')).status).toBe(200);
    expect((await client.call('GET', '/groups/developers')).status).toBe(200);
  });

  it('names the path and line of each problem in an invalid file, and refuses secrets', async () => {
    const invalid = file('invalid.yaml', 'products:\n  - id: a\n    displayName: A\n  - id: b\n    displayNme: B\n');
    const run = await cli('apply', '-f', invalid);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: ${invalid} is not valid:\n  products[1].displayNme: unknown field (allowed: id, displayName, description, terms, state, subscriptionRequired, approvalRequired, subscriptionsLimit, authenticationTypes, apis, policies). (line 5)\n  products[1].displayName: required. (line 4)\n`,
    });
    const secret = file('secret.yaml', 'users:\n  - id: bob\n    email: bob@example.com\n    firstName: Bob\n    lastName: B\n    password: hunter22\n');
    const refused = await cli('apply', '-f', secret);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('users[0].password: looks like a secret; secrets never go in this file');
    expect(refused.stderr).not.toContain('hunter22');
  });

  it('sets a product policy from the file, and a second apply changes nothing', async () => {
    const policy = '<policies><inbound><rate-limit calls="7" renewal-period="60" /><base /></inbound></policies>';
    const withPolicies = file('policies.yaml', `products:\n  - id: gold\n    displayName: Gold\n    policies: '${policy}'\n`);
    const run = await cli('apply', '-f', withPolicies, '--yes');
    expect(run.code, run.stderr).toBe(0);
    const stored = await new ManagementClient(first.credentials).call('GET', '/products/gold/policies/policy');
    expect(stored.status).toBe(200);
    expect(stored.body.properties.limits).toEqual({ rateLimit: { calls: 7, renewalPeriod: 60 } });
    const again = await cli('apply', '-f', withPolicies);
    expect(again.stdout).toBe(`No changes: the service already matches ${withPolicies}.\n`);
    const unknown = file('bad-policy.yaml', 'products:\n  - id: gold\n    displayName: Gold\n    policies: "<policies><inbound><cors /></inbound></policies>"\n');
    const refused = await cli('apply', '-f', unknown, '--yes');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('cors');
  });
});
