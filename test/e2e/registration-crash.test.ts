/**
 * No orphans after a crash: `portico start` as a real child process is killed (SIGKILL, through the
 * test-only PORTICO_TEST_CRASH_AT crash points) at each step of registering a client application;
 * the next start must leave the directory with no application that nothing references, and the
 * client application either fully there (record, directory app, service principal, role grant)
 * or not at all; and a deletion killed midway leaves neither half. Needs the build (`npm test` builds first).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { describeEachDialect, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { readCredentials, type CredentialsFile } from '../../src/bootstrap/credentials-file.js';
import { ManagementClient, clientCredentialsToken } from '../helpers/clients.js';
import { GRAPH_SCOPE, raw } from '../management/harness.js';

// Every test spawns `portico` processes (seconds each on a busy machine): a generous limit, not a timed assertion.
vi.setConfig({ testTimeout: 120_000 });

const BIN = new URL('../../bin/portico.js', import.meta.url).pathname;
const STEPS = ['registration.applicationCreated', 'registration.servicePrincipalCreated', 'registration.roleGranted', 'registration.recordCommitted'] as const;

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<NodeJS.Signals | number | null>;
  readonly credentials: CredentialsFile;
}

async function start(database: TestDatabase, crashAt?: string): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'start'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORTICO_DATA_DIR: database.dataDir,
      PORTICO_DATABASE_URL: database.databaseUrl ?? '',
      PORTICO_GATEWAY_PORT: '0',
      PORTICO_MANAGEMENT_PORT: '0',
      PORTICO_IDENTITY_PORT: '0',
      PORTICO_ECHO_PORT: '0',
      PORTICO_LOG_LEVEL: 'warn',
      PORTICO_TEST_CRASH_AT: crashAt ?? '',
    },
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const stderr: string[] = [];
  child.stdout.resume(); // the log (warnings only here)
  await new Promise<void>((resolve, reject) => {
    // The start-up banner, with its credentials line, is on stderr.
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk.toString());
      if (/^\s*credentials /m.test(stderr.join(''))) resolve();
    });
    void exited.then((how) => reject(new Error(`portico start ended (${String(how)}) before it was ready: ${stderr.join('')}`)));
  });
  const credentials = (await readCredentials(`${database.dataDir}/credentials.json`))!;
  return { child, exited, credentials };
}

async function stop(running: Running): Promise<void> {
  if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGTERM');
  await running.exited;
}

/** Every page of a Graph list. */
async function graphList(credentials: CredentialsFile, path: string): Promise<{ id: string; appId: string; displayName: string }[]> {
  const token = await clientCredentialsToken(credentials.identityUrl, credentials.tenantId, credentials.admin.clientId, credentials.admin.clientSecret, GRAPH_SCOPE);
  const items: { id: string; appId: string; displayName: string }[] = [];
  let next: string | undefined = `${credentials.identityUrl}/v1.0${path}`;
  while (next) {
    const page = await raw(next, { token });
    expect(page.status).toBe(200);
    items.push(...page.body.value);
    next = page.body['@odata.nextLink'];
  }
  return items;
}

describeEachDialect('a registration killed at each step leaves no orphan', (dialect) => {
  let database: TestDatabase;
  let running: Running | undefined;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    running = await start(database);
    const admin = new ManagementClient(running.credentials);
    expect((await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } }, { 'if-match': '*' })).status).toBe(200);
    expect((await admin.call('PUT', '/users/carol', { properties: { email: 'carol@example.com', firstName: 'Carol', lastName: 'Example' } })).status).toBe(201);
    await stop(running);
    running = undefined;
  });
  afterAll(async () => {
    if (running) await stop(running);
    await database?.drop();
  });

  for (const step of STEPS) {
    test(`killed at ${step}: after a restart the application fully exists or not at all, and no directory app is unreferenced`, async () => {
      const crashing = await start(database, step);
      const admin = new ManagementClient(crashing.credentials);
      await admin.bearer();
      const name = `crash-${step.split('.')[1]}`;
      const put = admin.call('PUT', `/clientApplications/${name}`, { properties: { displayName: name, ownerId: '/users/carol', productIds: ['/products/starter'] } });
      await expect(put).rejects.toThrow(); // the connection dies with the process
      expect(await crashing.exited).toBe('SIGKILL');

      running = await start(database);
      const restarted = new ManagementClient(running.credentials);
      const record = await restarted.call('GET', `/clientApplications/${name}`);
      const clientApps = (await restarted.call('GET', '/clientApplications')).body.value as { name: string; properties: { entraApplicationId: string } }[];
      const applications = await graphList(running.credentials, '/applications');
      const principals = await graphList(running.credentials, '/servicePrincipals');

      // No orphan: every client-application directory app is referenced by a client application.
      const referenced = new Set(clientApps.map((app) => app.properties.entraApplicationId));
      const clientDirectoryApps = applications.filter((a) => a.displayName.startsWith('APIMApplication'));
      expect(clientDirectoryApps.map((a) => a.appId).sort()).toEqual([...referenced].sort());
      expect(principals.filter((p) => p.displayName.startsWith('APIMApplication')).map((p) => p.appId).sort()).toEqual([...referenced].sort());

      if (step === 'registration.recordCommitted') {
        expect(record.status).toBe(200);
        const appId = record.body.properties.entraApplicationId as string;
        const sp = principals.find((p) => p.appId === appId)!;
        const grants = await graphList(running.credentials, `/servicePrincipals/${sp.id}/appRoleAssignments`);
        expect(grants).toHaveLength(1);
      } else {
        expect(record.status).toBe(404);
        // The removal was audited, by the service's managed identity.
        const removed = await restarted.call('GET', `/auditEvents?$filter=${encodeURIComponent("operation eq 'applications.delete'")}`);
        expect(removed.status).toBe(200);
        const byManagedIdentity = removed.body.value.filter((e: { properties: { actor: { objectId?: string } } }) => e.properties.actor.objectId !== undefined);
        expect(byManagedIdentity.length).toBeGreaterThan(0);
      }
      await stop(running);
      running = undefined;
    });
  }

  test('killed between deleting the directory application and the record: after a restart the record is gone too', async () => {
    const crashing = await start(database, 'deletion.applicationDeleted');
    const admin = new ManagementClient(crashing.credentials);
    await admin.bearer();
    await expect(admin.call('DELETE', '/clientApplications/crash-recordCommitted')).rejects.toThrow();
    expect(await crashing.exited).toBe('SIGKILL');

    running = await start(database);
    const restarted = new ManagementClient(running.credentials);
    expect((await restarted.call('GET', '/clientApplications/crash-recordCommitted')).status).toBe(404);
    expect((await restarted.call('GET', '/clientApplications')).body.value).toEqual([]);
    const applications = await graphList(running.credentials, '/applications');
    expect(applications.filter((a) => a.displayName.startsWith('APIMApplication'))).toEqual([]);
    const removed = await restarted.call('GET', `/auditEvents?$filter=${encodeURIComponent("operation eq 'clientApplications.delete'")}`);
    expect(removed.body.value).toHaveLength(1);
    expect(removed.body.value[0].properties).toMatchObject({ targetId: `${restarted.servicePath}/clientApplications/crash-recordCommitted`, outcome: 'success' });
    expect(removed.body.value[0].properties.actor.objectId).toBeDefined();
    await stop(running);
    running = undefined;
  });

  test('killed after a product\'s backend application was created: after a restart it is gone and the product unchanged', async () => {
    const crashing = await start(database, 'product.backendCreated');
    const admin = new ManagementClient(crashing.credentials);
    await admin.bearer();
    const etag = (await admin.call('GET', '/products/unlimited')).headers.get('etag')!;
    await expect(admin.call('PATCH', '/products/unlimited', { properties: { authenticationType: ['application-token'] } }, { 'if-match': etag })).rejects.toThrow();
    expect(await crashing.exited).toBe('SIGKILL');

    running = await start(database);
    const restarted = new ManagementClient(running.credentials);
    const product = await restarted.call('GET', '/products/unlimited');
    expect(product.body.properties.application).toBeUndefined();
    const applications = await graphList(running.credentials, '/applications');
    expect(applications.filter((a) => a.displayName.startsWith('APIMProductApplication')).map((a) => a.displayName)).toEqual(['APIMProductApplicationStarter']);
    await stop(running);
    running = undefined;
  });

  test('the crash points are ignored outside NODE_ENV=test', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', `
      const { crashPoint } = await import(${JSON.stringify(new URL('../../dist/shared/test-crash.js', import.meta.url).href)});
      crashPoint('registration.applicationCreated');
      process.stdout.write('survived');`], { env: { ...process.env, NODE_ENV: 'production', PORTICO_TEST_CRASH_AT: 'registration.applicationCreated' } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const how = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    expect(how).toBe(0);
    expect(out).toBe('survived');
  });
});
