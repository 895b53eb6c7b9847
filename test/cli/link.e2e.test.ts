/**
 * `portico link approve|reject` against the real program (the CLI runs in-process and talks HTTP):
 * a pending link to Unlimited approved, then rejected, each reported, the link found by its product.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { putUser } from '../management/harness.js';

describe('portico link approve|reject', () => {
  let portico: Booted;
  let admin: ManagementClient;

  const cli = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const io = { out: (text: string) => void (out += text), err: (text: string) => void (err += text) };
    const code = await main(['node', 'portico', ...args, '--credentials', portico.credentialsPath], { io, env: {}, cwd: portico.dataDir, exit: () => undefined });
    return { code, out, err };
  };
  const linkState = async () => (await admin.call('GET', '/clientApplications/billing/productLinks/unlimited')).body.properties.state;

  beforeAll(async () => {
    portico = await bootPortico();
    admin = new ManagementClient(portico.credentials);
    expect((await admin.call('PATCH', '/products/unlimited', { properties: { authenticationType: ['application-token'] } }, { 'if-match': '*' })).status).toBe(200);
    await putUser(admin, 'alice');
    expect((await admin.call('PUT', '/clientApplications/billing', { properties: { displayName: 'Billing', ownerId: '/users/alice' } })).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await portico?.stop();
  });

  it('a link to a product that requires approval starts pending', async () => {
    expect((await cli('app', 'link', 'billing', 'unlimited')).code).toBe(0);
    expect(await linkState()).toBe('pending');
  });

  it('approves, then rejects, reporting each; json output is the link resource', async () => {
    const approved = { code: 0, out: 'The link of application billing to product unlimited is approved.\n', err: '' };
    expect(await cli('link', 'approve', 'billing', 'unlimited')).toEqual(approved);
    expect(await linkState()).toBe('approved');
    expect(await cli('link', 'approve', 'billing', 'UNLIMITED')).toEqual({ ...approved, out: 'The link of application billing to product UNLIMITED is approved.\n' });

    const rejected = await cli('link', 'reject', 'billing', 'unlimited', '--yes', '--output', 'json');
    expect(rejected.code).toBe(0);
    expect(JSON.parse(rejected.out)).toMatchObject({ name: 'unlimited', properties: { state: 'rejected' } });
    expect(await linkState()).toBe('rejected');
  });

  it('a product the application is not linked to, or an unknown application, fails with exit code 1', async () => {
    expect(await cli('link', 'approve', 'billing', 'starter')).toEqual({ code: 1, out: '', err: 'error: application billing is not linked to product starter.\n' });
    const noApp = await cli('link', 'reject', 'nobody', 'unlimited');
    expect(noApp.code).toBe(1);
    expect(noApp.err).toContain("Client application 'nobody' was not found.");
  });
});
