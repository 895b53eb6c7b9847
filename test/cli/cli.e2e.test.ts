/**
 * The seed page's flow driven through the built `portico` command (bin/portico.js → dist/), as a
 * user types it, against the real program booted in this process. `npm test` builds dist first;
 * when running this file alone, run `npm run build` before.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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

describe('the portico command through the seed flow', () => {
  let portico: Booted;
  let audience: string;
  let clientId: string;
  let clientSecret: string;
  let token: string;

  /** Asynchronous on purpose: the server runs in this process and must keep answering. */
  const cliWithInput = (input: string, ...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      // The developer's own PORTICO_* settings must not leak into the test, nor npx's npm_command (hints then say `npx portico`).
      const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PORTICO_') && name !== 'npm_command'));
      const child = execFile(process.execPath, [BIN, ...args, '--credentials', portico.credentialsPath], { env, cwd: portico.dataDir }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
      });
      child.stdin!.end(input);
    });
  const cli = (...args: string[]): Promise<Run> => cliWithInput('', ...args);

  const line = (output: string, label: string): string => {
    const match = new RegExp(`^${label}: (\\S+)$`, 'm').exec(output);
    expect(match, `"${label}: …" in:\n${output}`).not.toBeNull();
    return match![1]!;
  };

  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` before this test.');
    portico = await bootPortico();
  });
  afterAll(async () => {
    await portico?.stop();
  });

  it('turns on application-token for Starter and prints the audience and scope', async () => {
    const run = await cli('product', 'update', 'starter', '--auth-types', 'application-token');
    expect(run.code, run.stderr).toBe(0);
    // --auth-types replaces the list: Starter's subscription keys go, and the command says so.
    expect(run.stdout).toContain(
      'Updated product starter.\nSubscription key access (subscription-key) turned off.\nOAuth 2.0 token access (application-token) turned on.\nAuthentication types: application-token\n',
    );
    audience = line(run.stdout, 'Audience');
    expect(audience).toMatch(GUID);
    expect(line(run.stdout, 'Scope')).toBe(`api://${audience}/.default`);
  });

  it('shows the product with its audience', async () => {
    const run = await cli('product', 'show', 'starter');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('ID: starter\n');
    expect(run.stdout).toContain('Authentication types: application-token\n');
    expect(line(run.stdout, 'Audience')).toBe(audience);
    expect(run.stdout).toContain('Rate limit: 5 calls per 60 seconds\nQuota: 100 calls per 604800 seconds\n');
  });

  it("shows and sets a product's limits (its policy)", async () => {
    const shown = await cli('product', 'policy', 'show', 'starter');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Rate limit: 5 calls per 60 seconds\nQuota: 100 calls per 604800 seconds\n\n<policies>\n');
    const none = await cli('product', 'policy', 'show', 'unlimited');
    expect(none).toEqual({ code: 0, stdout: 'Product unlimited has no policy: its calls are not limited.\n', stderr: '' });

    const set = await cli('product', 'policy', 'set', 'unlimited', '--quota', '1000/2592000');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe('Set the policy of product unlimited.\nRate limit: none\nQuota: 1000 calls per 2592000 seconds\n');
    const json = await cli('product', 'show', 'unlimited', '--output', 'json');
    expect(JSON.parse(json.stdout).limits).toEqual({ quota: { calls: 1000, renewalPeriod: 2592000 } });
    const bad = await cli('product', 'policy', 'set', 'unlimited', '--rate-limit', 'lots');
    expect(bad).toEqual({ code: 2, stdout: '', stderr: "error: --rate-limit must be CALLS/SECONDS with whole numbers above 0, e.g. 5/60; 'lots' is not.\n" });
    const removed = await cli('product', 'policy', 'set', 'unlimited', '--none');
    expect(removed).toEqual({ code: 0, stdout: 'Removed the policy of product unlimited: its calls are not limited.\n', stderr: '' });
  });

  it('creates a user with an id from the email', async () => {
    const run = await cli('user', 'create', '--email', 'alice.smith@example.com', '--first-name', 'Alice', '--last-name', 'Smith');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Created user alice-smith.\n');
    expect(run.stdout).toContain('Email: alice.smith@example.com\n');
  });

  it("sets a password on an existing user with `user update`, read from stdin and never printed, so they can sign in to the developer portal", async () => {
    const signIn = (password: string) =>
      fetch(`${portico.managementUrl}/developer/api/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'alice.smith@example.com', password }) });
    expect((await signIn('Alice-pass-1')).status).toBe(401);
    const run = await cliWithInput('Alice-pass-1\n', 'user', 'update', 'alice-smith', '--password', '-', '--note', 'set by the CLI');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Updated user alice-smith.\n');
    expect(run.stdout).toContain('Note: set by the CLI\n');
    expect(run.stdout).toContain('Password: set');
    expect(run.stdout + run.stderr).not.toContain('Alice-pass-1');
    expect((await signIn('Alice-pass-1')).status).toBe(200);

    const json = await cli('user', 'update', 'alice-smith', '--password', 'Alice-pass-2', '-o', 'json');
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'alice-smith', properties: { email: 'alice.smith@example.com', note: 'set by the CLI' } });
    expect(json.stdout).not.toContain('Alice-pass-2');
    expect((await signIn('Alice-pass-2')).status).toBe(200);

    // The management API's own rules, said by the API: a short password, nothing to change, an unknown user.
    const short = await cli('user', 'update', 'alice-smith', '--password', 'short');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('password');
    expect(short.stderr).not.toContain('short\n');
    expect(await cli('user', 'update', 'alice-smith')).toMatchObject({ code: 2, stderr: 'error: nothing to update: give --email, --first-name, --last-name, --password or --note.\n' });
  });

  it('says a taken email once in a developer sign-up, with the way to set a password', async () => {
    const response = await fetch(`${portico.managementUrl}/developer/api/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice.smith@example.com', firstName: 'A', lastName: 'S', password: 'Whatever-1' }),
    });
    expect(response.status).toBe(409);
    const { error } = (await response.json()) as { error: { code: string; message: string; details: Array<{ message: string }> } };
    expect(error.code).toBe('Conflict');
    expect(error.message).toBe(
      "Another user already has the email 'alice.smith@example.com'. If that account has no password yet, an administrator sets one (`portico user update <user id> --password …` or the admin portal's Users → Edit).",
    );
    // The portals join the message and the details' messages, skipping a repeat: the detail is the message itself.
    expect(error.details.map((detail) => detail.message)).toEqual([error.message]);
  });

  it('registers a client application and prints its client id', async () => {
    const run = await cli('app', 'register', '--name', 'Contoso Billing', '--owner', 'alice-smith', '--products', 'starter');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Registered application contoso-billing.\n');
    expect(run.stdout).toContain('Owner: alice-smith\n');
    expect(run.stdout).toContain('Products: starter\n');
    clientId = line(run.stdout, 'Client ID');
    expect(clientId).toMatch(GUID);
  });

  it('refuses to register or create over an existing application or user', async () => {
    const app = await cli('app', 'register', '--name', 'Contoso Billing', '--owner', 'alice-smith', '--products', 'starter');
    expect(app.code).toBe(1);
    expect(app.stderr).toContain('error: client application contoso-billing already exists (owner alice-smith). Choose another --id');
    const user = await cli('user', 'create', '--email', 'alice.smith@example.com', '--first-name', 'Other', '--last-name', 'Person');
    expect(user.code).toBe(1);
    expect(user.stderr).toContain('error: user alice-smith already exists (alice.smith@example.com). Give this user another id with --id.');
  });

  it('shows the application with its linked product', async () => {
    const run = await cli('app', 'show', 'contoso-billing');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Products: starter\n');
    expect(line(run.stdout, 'Client ID')).toBe(clientId);
  });

  it('creates a client secret, shown once with its expiry', async () => {
    const run = await cli('app', 'secret', 'add', 'contoso-billing');
    expect(run.code, run.stderr).toBe(0);
    expect(line(run.stdout, 'Client ID')).toBe(clientId);
    clientSecret = line(run.stdout, 'Client secret');
    const expires = new Date(line(run.stdout, 'Expires'));
    const inAYear = Date.now() + 365 * 24 * 3600 * 1000;
    expect(Math.abs(expires.getTime() - inAYear)).toBeLessThan(2 * 24 * 3600 * 1000);
    expect(run.stderr).toContain('warning: copy the client secret now: it cannot be shown again.');
  });

  it('gets a token for the product with the client credentials', async () => {
    const run = await cli('token', '--client-id', clientId, '--client-secret', clientSecret, '--product', 'starter');
    expect(run.code, run.stderr).toBe(0);
    token = run.stdout.trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims.aud).toBe(audience);
    expect(claims.azp).toBe(clientId);
    expect(run.stderr).toContain(`Requesting a token for api://${audience}/.default…`);
  });

  it('reads the client secret from stdin with --client-secret -', async () => {
    const run = await cliWithInput(`${clientSecret}\n`, 'token', '--client-id', clientId, '--client-secret', '-', '--scope', `api://${audience}/.default`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  });

  it('calls the Echo API through the gateway with the token', async () => {
    const response = await fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(response.status).toBe(200);

    const run = await cli('call', '/echo/resource?param1=sample', '--method', 'POST', '--data', '{"hello":"world"}', '--token', token);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('HTTP 200 OK\n');
    const unauthenticated = await cli('call', '/echo/resource?param1=sample', '--method', 'POST');
    expect(unauthenticated.code).toBe(1);
    expect(unauthenticated.stderr).toContain('HTTP 401 Unauthorized\n');
  });

  it('prints raw JSON with --output json', async () => {
    const product = await cli('product', 'show', 'starter', '--output', 'json');
    expect(product.code, product.stderr).toBe(0);
    const resource = JSON.parse(product.stdout) as { name: string; properties: { authenticationType: string[]; application: { entra: { audience: string } } } };
    expect(resource.name).toBe('starter');
    expect(resource.properties.authenticationType).toEqual(['application-token']);
    expect(resource.properties.application.entra.audience).toBe(audience);
    expect((resource as unknown as { limits: unknown }).limits).toEqual({ rateLimit: { calls: 5, renewalPeriod: 60 }, quota: { calls: 100, renewalPeriod: 604800 } });

    const apps = await cli('-o', 'json', 'app', 'list', '--owner', 'alice-smith');
    expect(apps.code, apps.stderr).toBe(0);
    const list = JSON.parse(apps.stdout) as { value: Array<{ name: string; properties: { entraApplicationId: string } }> };
    expect(list.value.map((app) => [app.name, app.properties.entraApplicationId])).toEqual([['contoso-billing', clientId]]);

    const tokenJson = await cli('token', '--client-id', clientId, '--client-secret', clientSecret, '--scope', `api://${audience}/.default`, '-o', 'json');
    expect(tokenJson.code, tokenJson.stderr).toBe(0);
    expect(JSON.parse(tokenJson.stdout)).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });
  });

  it('reports an unknown product with the management API\'s code and message, exit 1', async () => {
    const direct = await new ManagementClient(portico.credentials).call('GET', '/products/nosuch');
    expect(direct.status).toBe(404);
    const run = await cli('product', 'show', 'nosuch');
    expect(run).toEqual({ code: 1, stdout: '', stderr: `error ${direct.body.error.code}: ${direct.body.error.message}\nThere is no product 'nosuch'. \`portico product list\` lists them.\n` });
    expect(direct.body.error.code).toBe('ResourceNotFound');
  });

  it('names the id not found and the list command, for every noun that takes an id', async () => {
    expect(await cli('app', 'secret', 'add', 'alice-ap')).toEqual({
      code: 1,
      stdout: '',
      stderr: "error ResourceNotFound: ClientApplication not found.\nThere is no client application 'alice-ap'. `portico app list` lists them.\n",
    });
    for (const [args, hint] of [
      [['user', 'show', 'nobody'], "There is no user 'nobody'. `portico user list` lists them."],
      [['user', 'update', 'nobody', '--note', 'x'], "There is no user 'nobody'. `portico user list` lists them."],
      [['api', 'show', 'no-api'], "There is no API 'no-api'. `portico api list` lists them."],
      [['subscription', 'show', 'no-sub'], "There is no subscription 'no-sub'. `portico subscription list` lists them."],
      [['app', 'show', 'no-app'], "There is no client application 'no-app'. `portico app list` lists them."],
      [['product', 'update', 'no-product', '--state', 'published'], "There is no product 'no-product'. `portico product list` lists them."],
    ] as const) {
      const run = await cli(...args);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(/^error ResourceNotFound: /m);
      expect(run.stderr.trimEnd().split('\n').at(-1)).toBe(hint);
    }
  });

  it('reports a wrong client secret with the token endpoint\'s description, exit 1', async () => {
    const run = await cli('token', '--client-id', clientId, '--client-secret', 'not-the-secret', '--product', 'starter');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error invalid_client: AADSTS7000215: /m);
    expect(run.stderr).toContain('\nhint: check the secret, or make a new one with `portico app secret add <app>` (it is shown once).\n');
    expect(run.stderr).not.toContain('not-the-secret');
  });

  it('lists the directory role the managed identity holds, and assigning it again changes nothing', async () => {
    const list = await cli('directory', 'role', 'list', '--principal', portico.credentials.serviceName);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^Application Administrator +${portico.credentials.serviceName} `, 'm'));

    const assign = await cli('directory', 'role', 'assign', '--role', 'application administrator', '--principal', portico.credentials.serviceName);
    expect(assign).toEqual({ code: 0, stdout: `${portico.credentials.serviceName} already has the Application Administrator role.\n`, stderr: '' });

    const apps = await cli('directory', 'apps');
    expect(apps.code, apps.stderr).toBe(0);
    expect(apps.stdout).toContain(clientId);
    expect(apps.stdout).toContain(audience);
  });

  it('unlinks, deletes and blocks, reporting each', async () => {
    expect((await cli('app', 'unlink', 'contoso-billing', 'starter', '--yes')).stdout).toBe('Unlinked product starter from application contoso-billing.\n');
    // An application without a link to the product gets no token: the CLI says how to link it.
    const unlinked = await cli('token', '--client-id', clientId, '--client-secret', clientSecret, '--product', 'starter');
    expect(unlinked.code).toBe(1);
    expect(unlinked.stderr).toMatch(/AADSTS501051/);
    expect(unlinked.stderr).toContain('\nhint: the application has no approved link to starter: link it with `portico app link <app> starter`, or check the link\'s state with `portico link list --app <app>` (a link waiting for approval gives no token).\n');
    expect((await cli('app', 'link', 'contoso-billing', 'starter')).stdout).toBe('Linked product starter to application contoso-billing.\n');
    expect((await cli('user', 'block', 'alice-smith', '--yes')).stdout).toBe('User alice-smith is now blocked.\n');
    expect((await cli('user', 'unblock', 'alice-smith')).stdout).toBe('User alice-smith is now active.\n');
    expect((await cli('app', 'delete', 'contoso-billing', '-y')).stdout).toBe('Deleted application contoso-billing.\n');
    expect((await cli('app', 'delete', 'contoso-billing', '-y')).stdout).toBe('Application contoso-billing does not exist; nothing deleted.\n');
  });

  it('prints no audience once application-token is off again', async () => {
    const run = await cli('product', 'update', 'starter', '--auth-types', 'subscription-key');
    expect(run).toEqual({
      code: 0,
      stdout: 'Updated product starter.\nSubscription key access (subscription-key) turned on.\nOAuth 2.0 token access (application-token) turned off.\nAuthentication types: subscription-key\nState: published\n',
      stderr: 'Updating product starter…\n',
    });
    // The README's step keeps both; nothing else is turned off, and the same list again changes nothing.
    const both = await cli('product', 'update', 'starter', '--auth-types', 'subscription-key,application-token', '--yes');
    expect(both.code, both.stderr).toBe(0);
    expect(both.stdout).toMatch(/^Updated product starter\.\nOAuth 2\.0 token access \(application-token\) turned on\.\nAuthentication types: subscription-key, application-token\n/);
    const again = await cli('product', 'update', 'starter', '--auth-types', 'subscription-key,application-token');
    expect(again.stdout).toMatch(/^Updated product starter\.\nAuthentication types: subscription-key, application-token\n/);
  });
});

describe('portico start', () => {
  it('starts on free ports, serves the other commands, and stops with exit 0 on SIGINT', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portico-cli-start-'));
    const ports = ['--gateway-port', '0', '--management-port', '0', '--identity-port', '0', '--echo-port', '0'];
    const child = spawn(process.execPath, [BIN, 'start', '--data-dir', dataDir, ...ports, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString('utf8')));
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
      const credentialsPath = join(dataDir, 'credentials.json');
      // The banner is on stderr: stdout stays machine-readable (the log).
      await waitFor(() => stderr.includes(`credentials ${credentialsPath}`), () => `no "credentials" line; stdout:\n${stdout}\nstderr:\n${stderr}`);
      expect(stdout).not.toContain('credentials ');

      const list = await new Promise<{ code: number; stdout: string }>((resolve) =>
        execFile(process.execPath, [BIN, 'product', 'list', '--credentials', credentialsPath], (error, out) =>
          resolve({ code: error === null ? 0 : Number(error.code), stdout: out }),
        ),
      );
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/^starter +Starter +published /m);

      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('prints a startup failure without a stack and exits 1', async () => {
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [BIN, 'start', '--database-url', 'mysql://localhost/portico'], (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
      ),
    );
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'error: PORTICO_DATABASE_URL (--database-url) must start with postgres:// or postgresql://.\n' });
  });
});

async function waitFor(condition: () => boolean, describe: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(describe());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
