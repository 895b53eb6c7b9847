/**
 * The token endpoint's directory view, on a real store: each event re-reads only what it names and
 * the result equals a full load; a version gap or an imprecise event rebuilds once; the statements
 * one event costs do not grow with the directory.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { newGuid } from '../../src/shared/index.js';
import type { ChangeEvent } from '../../src/shared/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { IncrementalTokenView, loadTokenDirectory, type IndexedTokenDirectory } from '../../src/identity/token/token-view.js';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/databases.js';
import { commitChange, oneChange } from '../../src/store/change-unit.js';
import { IdentityHarness, type TestClient } from './harness.js';

/** Every index of a directory as sorted plain data, to compare an incremental view with a full load. */
function contents(directory: IndexedTokenDirectory): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, map] of Object.entries(directory.indexes)) {
    out[name] = [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
  return out;
}

describeEachDialect('IncrementalTokenView', (dialect) => {
  let h: IdentityHarness;
  let view: IncrementalTokenView;
  let loads = 0;
  const directory = () => view.current() as IndexedTokenDirectory;
  const expectSameAsFullLoad = async () => expect(contents(directory())).toEqual(contents(await loadTokenDirectory(h.store)));

  beforeAll(async () => {
    h = await IdentityHarness.start(dialect);
    view = new IncrementalTokenView(h.store, { load: (store) => (loads++, loadTokenDirectory(store)) });
    h.feed.subscribe((event) => view.changed(event));
    await view.current();
  });
  afterAll(async () => h?.stop());

  test('each directory event updates exactly what it names, without a full load; earlier states stay as they were', async () => {
    const before = loads;
    const resource = await h.createResource({ identifierUris: ['api://incremental-resource'], roles: ['R.All'], assignmentRequired: true });
    expect(directory().application(resource.app.appId.toUpperCase())?.id).toBe(resource.app.id);
    expect(directory().servicePrincipal(resource.app.appId)?.id).toBe(resource.sp.id);
    expect(directory().appIdForIdentifierUri('API://incremental-resource/')).toBe(resource.app.appId);

    const client = await h.createClient();
    expect(directory().passwordCredentials(client.app.id).map((c) => c.keyId)).toEqual([client.keyId]);
    await expectSameAsFullLoad();

    const grant = await h.system.grantAppRole({ principalId: client.sp.id, resourceId: resource.sp.id, appRoleId: h.roleId(resource.app, 'R.All') });
    expect(directory().appRoleAssignments(client.sp.id).map((a) => a.id)).toEqual([grant.id]);
    expect(directory().application(client.app.appId)!.requiredResourceAccess).toHaveLength(1);
    await expectSameAsFullLoad();

    const granted = directory();
    await h.system.revokeAppRole(grant.id);
    expect(directory().appRoleAssignments(client.sp.id)).toEqual([]);
    expect(granted.appRoleAssignments(client.sp.id).map((a) => a.id)).toEqual([grant.id]); // an earlier state is untouched

    const second = await h.system.addPassword(client.app.id);
    expect(directory().passwordCredentials(client.app.id).map((c) => c.keyId).sort()).toEqual([client.keyId, second.keyId].sort());
    await h.system.removePassword(client.app.id, client.keyId);
    expect(directory().passwordCredentials(client.app.id).map((c) => c.keyId)).toEqual([second.keyId]);
    await expectSameAsFullLoad();

    await h.system.grantAppRole({ principalId: client.sp.id, resourceId: resource.sp.id, appRoleId: h.roleId(resource.app, 'R.All') });
    await h.system.deleteApplication(resource.app.id);
    expect(directory().application(resource.app.appId)).toBeUndefined();
    expect(directory().servicePrincipal(resource.app.appId)).toBeUndefined();
    expect(directory().appIdForIdentifierUri('api://incremental-resource')).toBeUndefined();
    expect(directory().appRoleAssignments(client.sp.id)).toEqual([]); // the client's grant went with the resource
    expect(directory().application(client.app.appId)!.requiredResourceAccess).toEqual([]);
    await expectSameAsFullLoad();

    await h.system.deleteApplication(client.app.id);
    expect(directory().application(client.app.appId)).toBeUndefined();
    expect(directory().passwordCredentials(client.app.id)).toEqual([]);
    await expectSameAsFullLoad();
    expect(loads).toBe(before);
  });

  test('a management write announced once after its directory steps is applied from the ids its event carries', async () => {
    const target = { store: h.store, feed: h.feed };
    const resource = await h.createResource({ roles: ['R.All'], assignmentRequired: true });
    const before = loads;
    const announce = (type: 'clientApplication.created' | 'productLink.deleted', client: TestClient) =>
      commitChange(target, async () => ({
        result: undefined,
        event: type === 'clientApplication.created'
          ? { type, clientApplicationId: 'app-1', entraApplicationId: client.app.appId, entraObjectId: client.app.id, entraServicePrincipalId: client.sp.id }
          : { type, productLinkId: 'link-1', productId: 'gold', clientApplicationId: 'app-1', entraApplicationId: client.app.appId, entraObjectId: client.app.id, entraServicePrincipalId: client.sp.id },
      }));
    let client: TestClient | undefined;
    let assignmentId = '';
    await oneChange(target, async () => {
      client = await h.createClient(); // the directory steps publish nothing on their own
      assignmentId = (await h.system.grantAppRole({ principalId: client.sp.id, resourceId: resource.sp.id, appRoleId: h.roleId(resource.app, 'R.All') })).id;
      expect(directory().application(client.app.appId)).toBeUndefined();
      await announce('clientApplication.created', client);
    });
    expect(directory().application(client!.app.appId)!.requiredResourceAccess).toHaveLength(1);
    expect(directory().passwordCredentials(client!.app.id)).toHaveLength(1);
    expect(directory().appRoleAssignments(client!.sp.id).map((a) => a.id)).toEqual([assignmentId]);

    await oneChange(target, async () => {
      await h.system.revokeAppRole(assignmentId);
      await announce('productLink.deleted', client!);
    });
    expect(directory().appRoleAssignments(client!.sp.id)).toEqual([]);
    expect(directory().application(client!.app.appId)!.requiredResourceAccess).toEqual([]);
    await expectSameAsFullLoad();
    expect(loads).toBe(before);
  });

  test('batch.imported re-reads each client application it names, without a full load', async () => {
    const target = { store: h.store, feed: h.feed };
    const before = loads;
    const clients: TestClient[] = [];
    await oneChange(target, async () => {
      clients.push(await h.createClient(), await h.createClient()); // absorbed: the batch's event names them
      await commitChange(target, async () => ({
        result: undefined,
        event: {
          type: 'batch.imported', userIds: ['someone'], subscriptionIds: ['sub'],
          clientApplications: clients.map((c, i) => ({ clientApplicationId: `imported-${i}`, entraApplicationId: c.app.appId, entraObjectId: c.app.id, entraServicePrincipalId: c.sp.id })),
        },
      }));
    });
    for (const client of clients) {
      expect(directory().application(client.app.appId)?.id).toBe(client.app.id);
      expect(directory().servicePrincipal(client.app.appId)?.id).toBe(client.sp.id);
    }
    expect(loads).toBe(before);
    await expectSameAsFullLoad();
  });

  test('product.deleted names its backend app: the app and its principal leave the view without a full load', async () => {
    const target = { store: h.store, feed: h.feed };
    const backend = await h.createResource({ roles: ['Product.Gone.All'], assignmentRequired: true });
    expect(directory().servicePrincipal(backend.app.appId)?.id).toBe(backend.sp.id);
    const before = loads;
    await oneChange(target, async () => {
      await h.system.deleteApplication(backend.app.id); // absorbed: the product's own event names it
      await commitChange(target, async () => ({
        result: undefined,
        event: { type: 'product.deleted', productId: 'gone', subscriptionIds: [], entraApplicationId: backend.app.appId },
      }));
    });
    expect(directory().application(backend.app.appId)).toBeUndefined();
    expect(directory().servicePrincipal(backend.app.appId)).toBeUndefined();
    expect(loads).toBe(before);
    await expectSameAsFullLoad();
  });

  test('a version gap rebuilds once and picks up the write whose event was missed; imprecise events rebuild too', async () => {
    const client = await h.createClient();
    const before = loads;
    // A write this process never hears about: committed with its version bump, but not published.
    const missedKeyId = newGuid();
    await h.store.transaction(async (tx) => {
      await tx.directory.insertPasswordCredential({
        keyId: missedKeyId, applicationId: client.app.id, displayName: null, hint: 'abc', secretHash: 'x'.repeat(43),
        startDateTime: new Date().toISOString(), endDateTime: new Date(Date.now() + 86_400_000).toISOString(),
      });
      await tx.configVersion.bump();
    });
    expect(directory().passwordCredentials(client.app.id).map((c) => c.keyId)).toEqual([client.keyId]);

    const next = await h.system.addPassword(client.app.id); // arrives at last + 2
    expect(loads).toBe(before + 1);
    expect(directory().passwordCredentials(client.app.id).map((c) => c.keyId).sort()).toEqual([client.keyId, missedKeyId, next.keyId].sort());
    expect(view.version).toBe(await h.store.configVersion.current());

    await h.system.removePassword(client.app.id, missedKeyId); // consecutive again: applied, no load
    expect(loads).toBe(before + 1);
    expect(directory().passwordCredentials(client.app.id).map((c) => c.keyId).sort()).toEqual([client.keyId, next.keyId].sort());

    await h.announceDirectoryWrite(client.app.id); // directory.changed: says only what may have changed
    expect(loads).toBe(before + 2);
    await expectSameAsFullLoad();
  });

  test('events the token endpoint does not read apply nothing and load nothing', async () => {
    const before = loads;
    const state = directory();
    const version = view.version!;
    await view.changed({ type: 'subscription.keyRegenerated', subscriptionId: 'sub', key: 'primary', version: version + 1 });
    await view.changed({ type: 'directoryRoleAssignment.created', assignmentId: newGuid(), principalId: newGuid(), version: version + 2 });
    expect(loads).toBe(before);
    expect(view.version).toBe(version + 2);
    expect(contents(directory())).toEqual(contents(state));
  });
});

/** Directory rows made straight through the repositories: n applications, each with a principal and a secret. */
async function seed(store: Store, n: number): Promise<{ appIds: string[]; objectIds: string[]; spIds: string[] }> {
  const now = new Date().toISOString();
  const later = new Date(Date.now() + 86_400_000).toISOString();
  const out = { appIds: [] as string[], objectIds: [] as string[], spIds: [] as string[] };
  await store.transaction(async (tx) => {
    for (let i = 0; i < n; i++) {
      const id = newGuid();
      const appId = newGuid();
      const spId = newGuid();
      await tx.directory.insertApplication({
        id, appId, displayName: `app-${i}`, description: null, identifierUris: [`api://scale-${i}`],
        appRoles: [{ id: newGuid(), value: 'R.All', displayName: 'R.All', description: 'r', allowedMemberTypes: ['Application'], isEnabled: true }],
        requiredResourceAccess: [], requestedAccessTokenVersion: 2, createdDateTime: now,
      });
      await tx.directory.insertServicePrincipal({
        id: spId, appId, displayName: `app-${i}`, servicePrincipalType: 'Application', appRoleAssignmentRequired: false, accountEnabled: true, createdDateTime: now,
      });
      await tx.directory.insertPasswordCredential({
        keyId: newGuid(), applicationId: id, displayName: null, hint: 'abc', secretHash: 'x'.repeat(43), startDateTime: now, endDateTime: later,
      });
      out.appIds.push(appId);
      out.objectIds.push(id);
      out.spIds.push(spId);
    }
    await tx.configVersion.bump();
  });
  return out;
}

describeEachDialect('IncrementalTokenView: statements per event', (dialect) => {
  const opened: { store: Store; database: TestDatabase }[] = [];
  afterEach(async () => {
    for (const { store, database } of opened.splice(0)) {
      await store.close();
      await database.drop();
    }
  });

  /** The statements applying each kind of event costs, with n applications in the directory. */
  async function statementsPerEvent(n: number): Promise<Record<string, number>> {
    let statements = 0;
    const seen: string[] = [];
    const database = await createTestDatabase(dialect);
    const store = await openStore({ dataDir: database.dataDir, databaseUrl: database.databaseUrl, onQuery: (q) => void (statements++, seen.push(q.sql)) });
    opened.push({ store, database });
    const rows = await seed(store, n);
    const view = new IncrementalTokenView(store);
    await view.current();
    const target = Math.floor(n / 2);
    const appId = rows.appIds[target]!;
    const objectId = rows.objectIds[target]!;
    const spId = rows.spIds[target]!;
    const ids = { clientApplicationId: 'c', entraApplicationId: appId, entraObjectId: objectId, entraServicePrincipalId: spId };
    const events: ChangeEvent[] = [];
    const next = () => (view.version ?? 0) + 1 + events.length;
    const bodies = [
      { type: 'application.credentialAdded', applicationObjectId: objectId, keyIds: ['k'] },
      { type: 'servicePrincipal.created', servicePrincipalId: spId, appId },
      { type: 'appRoleAssignment.created', assignmentId: newGuid(), principalId: spId, changedObjectIds: [objectId] },
      { type: 'application.created', applicationObjectId: objectId, appId, changedObjectIds: [objectId] },
      { type: 'clientApplication.updated', ...ids },
      { type: 'productLink.deleted', productLinkId: 'l', productId: 'p', ...ids },
      { type: 'user.created', userId: 'u' },
    ] as const;
    for (const body of bodies) events.push({ ...body, version: next() } as ChangeEvent);
    const counts: Record<string, number> = {};
    seen.length = 0;
    for (const event of events) {
      const before = statements;
      await view.changed(event);
      counts[event.type] = statements - before;
    }
    expect(view.version).toBe(events.at(-1)!.version); // every one applied, none rebuilt
    for (const statement of seen) expect(statement).toMatch(/ where /i); // by key, never a whole table
    expect((view.current() as IndexedTokenDirectory).application(appId)?.id).toBe(objectId);
    return counts;
  }

  test('applying an event costs the same statements with 10 and 1,000 applications', async () => {
    const small = await statementsPerEvent(10);
    const large = await statementsPerEvent(1000);
    expect(large).toEqual(small);
    for (const count of Object.values(small)) expect(count).toBeLessThanOrEqual(10);
    expect(small['user.created']).toBe(0);
  }, 120_000);
});

describe('IncrementalTokenView: failures', () => {
  test('a failed load is not cached: the next request loads again', async () => {
    const database = await createTestDatabase('sqlite');
    const store = await openStore({ dataDir: database.dataDir });
    let fail = true;
    const view = new IncrementalTokenView(store, { load: (s) => (fail ? Promise.reject(new Error('store down')) : loadTokenDirectory(s)) });
    await expect(view.current()).rejects.toThrow('store down');
    fail = false;
    expect(await view.current()).toBeDefined();
    await store.close();
    await database.drop();
  });
});

describeEachDialect('loadTokenDirectory: page by page', (dialect) => {
  test('a load in pages of one, two or three rows equals one in large pages, and reports its progress', async () => {
    const database = await createTestDatabase(dialect);
    const store = await openStore({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
    try {
      const rows = await seed(store, 7);
      for (let i = 1; i < 4; i++) {
        await store.directory.insertAppRoleAssignment({ id: newGuid(), principalId: rows.spIds[i]!, resourceId: rows.spIds[0]!, appRoleId: newGuid(), createdDateTime: new Date().toISOString() });
      }
      const reference = contents(await loadTokenDirectory(store));
      expect((reference['apps'] as unknown[]).length).toBe(7);
      expect((reference['assignments'] as unknown[]).length).toBe(3);
      for (const pageSize of [1, 2, 3]) expect(contents(await loadTokenDirectory(store, { pageSize }))).toEqual(reference);

      const lines: string[] = [];
      const logger = pino({ level: 'info' }, new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line).msg);
          done();
        },
      }));
      let now = 0;
      await loadTokenDirectory(store, { pageSize: 4, logger, progress: { everyMs: 1_000, clock: () => (now += 1_000) } });
      expect(lines).toEqual([
        'loading the token endpoint directory: 4 of 7 applications',
        'loading the token endpoint directory: 7 of 7 applications',
        'loading the token endpoint directory: 4 of 7 service principals',
        'loading the token endpoint directory: 7 of 7 service principals',
        'loading the token endpoint directory: 3 of 3 app role assignments',
        'loaded the token endpoint directory in 6.0 s (7 applications, 7 service principals, 3 app role assignments)',
      ]);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});

describeEachDialect('loadTokenDirectory: order within an object', (dialect) => {
  test("a principal's grants and an application's secrets are in the repositories' order, as an event's re-read puts them", async () => {
    const database = await createTestDatabase(dialect);
    const store = await openStore({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
    try {
      const rows = await seed(store, 3);
      const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes)).toISOString();
      // Ids and times in opposite orders, so an order by id alone would differ.
      const later = new Date(Date.now() + 86_400_000).toISOString();
      for (const [i, keyId] of ['ffffffff-0000-4000-8000-000000000001', 'eeeeeeee-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'].entries()) {
        await store.directory.insertPasswordCredential({ keyId, applicationId: rows.objectIds[0]!, displayName: null, hint: 'abc', secretHash: 'y'.repeat(43), startDateTime: at(i), endDateTime: later });
      }
      for (const [i, id] of ['ffffffff-0000-4000-8000-00000000000a', 'eeeeeeee-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-00000000000c'].entries()) {
        await store.directory.insertAppRoleAssignment({ id, principalId: rows.spIds[1]!, resourceId: rows.spIds[i === 2 ? 2 : 0]!, appRoleId: newGuid(), createdDateTime: at(i) });
      }
      for (const pageSize of [1, 2, 100]) {
        const full = await loadTokenDirectory(store, { pageSize });
        expect(full.passwordCredentials(rows.objectIds[0]!).map((c) => c.keyId)).toEqual((await store.directory.listPasswordCredentials(rows.objectIds[0]!)).map((c) => c.keyId));
        expect(full.appRoleAssignments(rows.spIds[1]!).map((a) => a.id)).toEqual((await store.directory.listAppRoleAssignments({ principalId: rows.spIds[1]! })).map((a) => a.id));
      }
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
