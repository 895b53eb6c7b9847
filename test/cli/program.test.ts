import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { main } from '../../src/cli/index.js';
import { refusedPort } from '../helpers/refused-port.js';

/** Runs the CLI in-process with captured output; none of these cases reaches the network. */
async function run(args: string[], env: NodeJS.ProcessEnv = {}, cwd = '/tmp/portico-cli-test-cwd'): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (text: string) => void (out += text), err: (text: string) => void (err += text) };
  const code = await main(['node', 'portico', ...args], { io, env, cwd, exit: () => undefined });
  return { code, out, err };
}

const MISSING = (path: string): string =>
  `error: no Portico credentials found at ${path}. Start Portico first (\`portico start\`), or pass --credentials <file> (or set PORTICO_CREDENTIALS / PORTICO_DATA_DIR).\n`;

describe('portico (argument handling)', () => {
  it('prints help with exit code 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Usage: portico [options] [command]');
    expect(result.out).toContain('$ portico product update starter --auth-types subscription-key,application-token');
  });

  it('gives every command help with examples', async () => {
    for (const command of [['product', 'show'], ['user', 'create'], ['app', 'secret', 'add'], ['app', 'secret', 'list'], ['subscription', 'create'], ['apply'], ['export'], ['status'], ['token'], ['directory', 'role', 'assign'], ['start'], ['call']]) {
      const result = await run([...command, '--help']);
      expect(result.code).toBe(0);
      expect(result.out).toContain('Examples:\n  $ portico ');
    }
  });

  it('prints the version', async () => {
    const result = await run(['--version']);
    expect(result).toEqual({ code: 0, out: '0.1.0\n', err: '' });
  });

  it('exits 2 on an unknown option, a bad value or a missing required option', async () => {
    const unknown = await run(['product', 'list', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe("error: unknown option '--bogus'\n(add --help for usage)\n");

    const bad = await run(['product', 'update', 'starter', '--auth-types', 'oauth']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('"oauth" is not an authentication type; use subscription-key and/or application-token, or none alone.');

    const missing = await run(['app', 'register', '--name', 'Billing', '--owner', 'alice']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("error: required option '--products <ids>' not specified");

    const port = await run(['start', '--gateway-port', '70000']);
    expect(port.code).toBe(2);
    expect(port.err).toContain('Give a whole number from 0 to 65535 (0 picks a free port).');

    const output = await run(['product', 'list', '--output', 'xml']);
    expect(output.code).toBe(2);

    // A mistyped option is reported as unknown, with a suggestion, not as a missing required one.
    const typo = await run(['app', 'register', '--name', 'Billing', '--owner', 'alice', '--product', 'starter']);
    expect(typo).toEqual({ code: 2, out: '', err: "error: unknown option '--product'\n(Did you mean --products?)\n(add --help for usage)\n" });
  });

  it('tells someone who types the old `app secret <appId>` what to type now', async () => {
    const result = await run(['app', 'secret', 'contoso-billing']);
    expect(result.code).toBe(2);
    expect(result.err).toBe("error: unknown command 'contoso-billing'. To create a client secret for application contoso-billing: portico app secret add contoso-billing\n(add --help for usage)\n");
    const typo = await run(['app', 'secret', 'lst', 'x']);
    expect(typo.err).toContain("error: unknown command 'lst'\n(Did you mean list?)");
  });

  it('exits 2 when a command group is called without a command', async () => {
    const result = await run(['product']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('Usage: portico product [options] [command]');
  });

  it('exits 2 when product update has nothing to change', async () => {
    const result = await run(['product', 'update', 'starter']);
    expect(result).toEqual({
      code: 2,
      out: '',
      err: 'error: nothing to update: give --auth-types, --state, --subscription-required, --approval-required, --display-name or --description.\n',
    });
  });

  it('exits 2 when token gets neither or both of --scope and --product', async () => {
    const neither = await run(['token', '--client-id', 'a', '--client-secret', 'b']);
    expect(neither).toEqual({ code: 2, out: '', err: 'error: give either --scope or --product.\n' });
    const both = await run(['token', '--client-id', 'a', '--client-secret', 'b', '--scope', 's', '--product', 'p']);
    expect(both.code).toBe(2);
  });

  it("--output's help names every format it accepts, on the program and on a command", async () => {
    for (const args of [['--help'], ['product', 'list', '--help']]) {
      const help = (await run(args)).out.replace(/\s+/g, ' ');
      const described = /-o, --output <format> (.*?)\(choices: (.*?)\)/.exec(help);
      expect(described, help).not.toBeNull();
      const choices = described![2]!.split(', ').map((choice) => choice.replace(/"/g, ''));
      expect(choices).toEqual(['table', 'json', 'text']);
      for (const choice of choices) expect(described![1]).toContain(choice);
    }
  });

  it('exits 2 on an invalid PORTICO_OUTPUT', async () => {
    const result = await run(['product', 'list'], { PORTICO_OUTPUT: 'xml' });
    expect(result).toEqual({ code: 2, out: '', err: 'error: output format "xml" is not one of table, json, text (from PORTICO_OUTPUT).\n' });
  });
});

describe('portico (json errors and invocation)', () => {
  it('reports usage errors as one JSON document on stderr with --output json', async () => {
    const result = await run(['product', 'list', '--bogus', '--output', 'json']);
    expect(result).toEqual({ code: 2, out: '', err: '{"error":{"code":"UsageError","message":"unknown option \'--bogus\'"}}\n' });
    const missing = await run(['product', 'list'], { PORTICO_OUTPUT: 'json' });
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.err)).toEqual({ error: { code: 'Error', message: MISSING('/tmp/portico-cli-test-cwd/.portico/credentials.json').replace(/^error: /, '').trim() } });
  });

  it('prints usage and examples the way Portico was invoked (npx)', async () => {
    const result = await run(['product', 'show', '--help'], { npm_command: 'exec' });
    expect(result.out).toContain('Usage: npx portico product show [options] <productId>');
    expect(result.out).toContain('  $ npx portico product show starter\n');
    const plain = await run(['product', 'show', '--help'], {});
    expect(plain.out).toContain('  $ portico product show starter\n');
  });
});

describe('portico (credentials)', () => {
  it('says to start Portico when there is no credentials file', async () => {
    const result = await run(['product', 'list']);
    expect(result).toEqual({ code: 1, out: '', err: MISSING('/tmp/portico-cli-test-cwd/.portico/credentials.json') });
  });

  it('looks in PORTICO_DATA_DIR, then PORTICO_CREDENTIALS, then --credentials', async () => {
    expect((await run(['user', 'list'], { PORTICO_DATA_DIR: '/srv/portico' })).err).toBe(MISSING('/srv/portico/credentials.json'));
    expect((await run(['user', 'list'], { PORTICO_DATA_DIR: '/srv/portico', PORTICO_CREDENTIALS: 'c.json' })).err).toBe(
      MISSING('/tmp/portico-cli-test-cwd/c.json'),
    );
    expect((await run(['user', 'list', '--credentials', '/x/c.json'], { PORTICO_CREDENTIALS: 'c.json' })).err).toBe(MISSING('/x/c.json'));
  });

  it('takes global options before or after the command, the later one winning', async () => {
    expect((await run(['--credentials', '/a.json', 'app', 'list'])).err).toBe(MISSING('/a.json'));
    expect((await run(['--credentials', '/a.json', 'app', 'list', '--credentials', '/b.json'])).err).toBe(MISSING('/b.json'));
  });

  it('explains a credentials file that is not JSON or lacks a field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-cli-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ not json');
    const notJson = await run(['product', 'list', '--credentials', broken]);
    expect(notJson).toEqual({
      code: 1,
      out: '',
      err: `error: ${broken} is not valid JSON. It is written by \`portico start\`; start Portico again or pass --credentials <file>.\n`,
    });
    const partial = join(dir, 'partial.json');
    writeFileSync(partial, JSON.stringify({ tenantId: 't', identityUrl: 'http://127.0.0.1:1' }));
    const lacking = await run(['product', 'list', '--credentials', partial]);
    expect(lacking.code).toBe(1);
    expect(lacking.err).toBe(`error: ${partial} has no managementScope. It is written by \`portico start\`; start Portico again or pass --credentials <file>.\n`);
  });

  it('token --scope needs no credentials file when --identity-url and --tenant are given', async () => {
    // A port nobody listens on refuses the connection: the request was attempted, and the message is clear.
    const port = await refusedPort();
    const url = `http://127.0.0.1:${port}`;
    const result = await run(['token', '--client-id', 'app', '--client-secret', 's3cret', '--scope', 'api://x/.default', '--identity-url', url, '--tenant', 't1']);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`error: cannot reach Portico at ${url} (connection refused).`);
    expect(result.err).not.toContain('s3cret');
  });
});

