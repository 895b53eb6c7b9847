/**
 * ManagementStore: resource names compare case-insensitively (as in Azure Resource Manager) and keep
 * the case they were created with, on every dialect; the unique indexes on lower(name) of migration
 * 0002 refuse a second row whose name differs only in case.
 */
import { Kysely, Migrator } from 'kysely';
import { afterEach, expect, test } from 'vitest';
import { createDialect } from '../../src/store/dialect.js';
import { openStore } from '../../src/store/index.js';
import * as initial from '../../src/store/migrations/2026_11_26_0001_initial.js';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/databases.js';
import { useFreshStore } from './harness.js';
import { api, clientApplication, group, operation, product, productLink, subscription, user } from './records.js';

describeEachDialect('ManagementStore names in any case', (dialect) => {
  const ctx = useFreshStore(dialect);
  const mgmt = () => ctx().store.management;

  /** Every kind of name in mixed case, with every kind of link between them. */
  async function seed(): Promise<void> {
    await mgmt().putProduct(product({ id: 'Starter' }));
    await mgmt().putApi(api({ id: 'Echo-Api', path: 'echo' }));
    await mgmt().putOperation(operation({ apiId: 'Echo-Api', id: 'Get-Item' }));
    await mgmt().addProductApi('Starter', 'Echo-Api');
    await mgmt().putGroup(group({ id: 'Devs' }));
    await mgmt().addProductGroup('Starter', 'Devs');
    await mgmt().putUser(user({ id: 'Alice', email: 'alice@example.com' }));
    await mgmt().addGroupUser('Devs', 'Alice');
    await mgmt().putSubscription(subscription({ id: 'Sub-1', ownerId: 'Alice', scope: '/products/Starter' }));
    await mgmt().putClientApplication(clientApplication({ id: 'Alice-App', ownerId: 'Alice' }));
    await mgmt().putProductLink(productLink({ clientApplicationId: 'Alice-App', id: 'Starter-Link', productId: 'Starter' }));
  }

  test('get* finds a name in any case and answers with the stored case', async () => {
    await seed();
    expect((await mgmt().getProduct('STARTER'))?.id).toBe('Starter');
    expect((await mgmt().getProduct('starter'))?.id).toBe('Starter');
    expect((await mgmt().getApi('echo-api'))?.id).toBe('Echo-Api');
    expect(await mgmt().getOperation('ECHO-API', 'get-item')).toMatchObject({ apiId: 'Echo-Api', id: 'Get-Item' });
    expect((await mgmt().getGroup('DEVS'))?.id).toBe('Devs');
    expect((await mgmt().getUser('alice'))?.id).toBe('Alice');
    expect((await mgmt().getSubscription('sub-1'))?.id).toBe('Sub-1');
    expect((await mgmt().getClientApplication('ALICE-APP'))?.id).toBe('Alice-App');
    expect(await mgmt().getProductLink('alice-app', 'STARTER-LINK')).toMatchObject({ clientApplicationId: 'Alice-App', id: 'Starter-Link' });
    expect(await mgmt().getProduct('Starte')).toBeUndefined();
    expect(await mgmt().getOperation('other', 'get-item')).toBeUndefined();
  });

  test('list filters match names in any case', async () => {
    await seed();
    expect((await mgmt().listOperations('echo-API')).map((o) => o.id)).toEqual(['Get-Item']);
    expect(await mgmt().listProductApis({ productId: 'STARTER' })).toEqual([{ productId: 'Starter', apiId: 'Echo-Api' }]);
    expect(await mgmt().listProductApis({ productId: 'starter', apiId: 'ECHO-API' })).toEqual([{ productId: 'Starter', apiId: 'Echo-Api' }]);
    expect(await mgmt().listProductGroups('starter')).toEqual(['Devs']);
    expect(await mgmt().listGroupUsers('DEVS')).toEqual(['Alice']);
    expect(await mgmt().listUserGroups('alice')).toEqual(['Devs']);
    expect((await mgmt().listClientApplications({ ownerId: 'ALICE' })).map((a) => a.id)).toEqual(['Alice-App']);
    expect((await mgmt().listProductLinks({ clientApplicationId: 'alice-app' })).map((l) => l.id)).toEqual(['Starter-Link']);
    expect((await mgmt().listProductLinks({ productId: 'STARTER' })).map((l) => l.id)).toEqual(['Starter-Link']);
    expect(await mgmt().listProductLinks({ productId: 'other' })).toEqual([]);
  });

  test('put* under another case updates the one row and keeps the stored name', async () => {
    await seed();
    await mgmt().putProduct(product({ id: 'STARTER', displayName: 'Starter 2' }));
    expect(await mgmt().listProducts()).toEqual([product({ id: 'Starter', displayName: 'Starter 2' })]);
    await mgmt().putApi(api({ id: 'echo-api', path: 'echo2' }));
    expect(await mgmt().listApis()).toEqual([api({ id: 'Echo-Api', path: 'echo2' })]);
    await mgmt().putOperation(operation({ apiId: 'Echo-Api', id: 'GET-ITEM', urlTemplate: '/item' }));
    expect(await mgmt().listOperations()).toEqual([operation({ apiId: 'Echo-Api', id: 'Get-Item', urlTemplate: '/item' })]);
    await mgmt().putGroup(group({ id: 'devs', displayName: 'Developers 2' }));
    expect(await mgmt().listGroups()).toEqual([group({ id: 'Devs', displayName: 'Developers 2' })]);
    await mgmt().putUser(user({ id: 'ALICE', email: 'alice@example.org' }));
    expect(await mgmt().listUsers()).toEqual([user({ id: 'Alice', email: 'alice@example.org' })]);
    await mgmt().putSubscription(subscription({ id: 'SUB-1', ownerId: 'Alice', scope: '/products/Starter', state: 'suspended' }));
    expect(await mgmt().listSubscriptions()).toEqual([subscription({ id: 'Sub-1', ownerId: 'Alice', scope: '/products/Starter', state: 'suspended' })]);
    await mgmt().putClientApplication(clientApplication({ id: 'alice-app', ownerId: 'Alice', state: 'approved' }));
    expect(await mgmt().listClientApplications()).toEqual([clientApplication({ id: 'Alice-App', ownerId: 'Alice', state: 'approved' })]);
    await mgmt().putProductLink(productLink({ clientApplicationId: 'Alice-App', id: 'starter-link', productId: 'Starter', appRoleAssignmentId: 'ara' }));
    expect(await mgmt().listProductLinks({})).toEqual([
      productLink({ clientApplicationId: 'Alice-App', id: 'Starter-Link', productId: 'Starter', appRoleAssignmentId: 'ara' }),
    ]);
    // The links made under the stored names are all still there.
    expect(await mgmt().listProductApis({})).toEqual([{ productId: 'Starter', apiId: 'Echo-Api' }]);
    expect(await mgmt().listUserGroups('Alice')).toEqual(['Devs']);
  });

  test('delete* and remove* match names in any case', async () => {
    await seed();
    await mgmt().removeProductApi('STARTER', 'echo-api');
    expect(await mgmt().listProductApis({})).toEqual([]);
    await mgmt().removeGroupUser('devs', 'ALICE');
    expect(await mgmt().listGroupUsers('Devs')).toEqual([]);
    await mgmt().deleteOperation('echo-api', 'GET-ITEM');
    expect(await mgmt().listOperations()).toEqual([]);
    await mgmt().deleteProductLink('ALICE-APP', 'starter-link');
    expect(await mgmt().listProductLinks({})).toEqual([]);
    await mgmt().deleteClientApplication('alice-app');
    expect(await mgmt().listClientApplications()).toEqual([]);
    await mgmt().putSubscription(subscription({ id: 'Sub-2', scope: '/apis/Echo-Api' }));
    await mgmt().deleteSubscription('SUB-2');
    expect((await mgmt().listSubscriptions()).map((s) => s.id)).toEqual(['Sub-1']);
    await mgmt().deleteApi('ECHO-API');
    expect(await mgmt().listApis()).toEqual([]);
    // deleteProduct also takes the subscriptions scoped to it, whatever case it is named in.
    await mgmt().deleteProduct('starter');
    expect(await mgmt().listProducts()).toEqual([]);
    expect(await mgmt().listSubscriptions()).toEqual([]);
    await mgmt().deleteUser('alice');
    await mgmt().deleteUser('alice');
    expect(await mgmt().listUsers()).toEqual([]);
  });

  test('the unique indexes refuse a second row whose name differs only in case (STORE_CONFLICT)', async () => {
    await seed();
    const { database } = ctx();
    const db = new Kysely<any>({ dialect: createDialect({ dataDir: database.dataDir, databaseUrl: database.databaseUrl }).dialect });
    try {
      // [table, the stored row's key, the same name in another case, a fresh name; other unique columns changed]
      const cases: [string, Record<string, string>, Record<string, string>, Record<string, string>][] = [
        ['products', { id: 'Starter' }, { id: 'STARTER' }, { id: 'Starter2' }],
        ['apis', { id: 'Echo-Api' }, { id: 'echo-api', path: 'p1' }, { id: 'Echo-Api2', path: 'p2' }],
        ['operations', { api_id: 'Echo-Api', id: 'Get-Item' }, { id: 'get-item' }, { id: 'Get-Item2' }],
        ['groups', { id: 'Devs' }, { id: 'DEVS' }, { id: 'Devs2' }],
        ['users', { id: 'Alice' }, { id: 'alice', email: 'a1@example.com', email_lower: 'a1@example.com' }, { id: 'Alice2', email: 'a2@example.com', email_lower: 'a2@example.com' }],
        ['subscriptions', { id: 'Sub-1' }, { id: 'sub-1' }, { id: 'Sub-2' }],
        ['client_applications', { id: 'Alice-App' }, { id: 'ALICE-APP' }, { id: 'Alice-App2' }],
      ];
      await db.insertInto('products').values({ ...(await rowOf(db, 'products', { id: 'Starter' })), id: 'Gold' }).execute();
      cases.push(['product_links', { client_application_id: 'Alice-App', id: 'Starter-Link' }, { id: 'starter-link', product_id: 'Gold' }, { id: 'Gold-Link', product_id: 'Gold' }]);
      for (const [table, key, sameInOtherCase, fresh] of cases) {
        const row = await rowOf(db, table, key);
        await expect(db.insertInto(table).values({ ...row, ...sameInOtherCase }).execute(), table).rejects.toMatchObject({
          name: 'StoreError',
          code: 'STORE_CONFLICT',
        });
        await db.insertInto(table).values({ ...row, ...fresh }).execute();
      }
    } finally {
      await db.destroy();
    }
    expect((await mgmt().listProducts()).map((p) => p.id)).toEqual(['Gold', 'Starter', 'Starter2']);
  });
});

async function rowOf(db: Kysely<any>, table: string, key: Record<string, string>): Promise<Record<string, unknown>> {
  let query = db.selectFrom(table).selectAll();
  for (const [column, value] of Object.entries(key)) query = query.where(column, '=', value);
  return query.executeTakeFirstOrThrow();
}

describeEachDialect('migration 0002 (case-insensitive names)', (dialect) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  test('a database holding names that differ only in case is not migrated, and the error names them', async () => {
    database = await createTestDatabase(dialect);
    const db = new Kysely<any>({ dialect: createDialect({ dataDir: database.dataDir, databaseUrl: database.databaseUrl }).dialect });
    try {
      const migrated = await new Migrator({ db, provider: { getMigrations: async () => ({ '2026_11_26_0001_initial': initial }) } }).migrateToLatest();
      expect(migrated.error).toBeUndefined();
      const row = { display_name: 'P', description: null, terms: null, subscription_required: 1, approval_required: 0, subscriptions_limit: null, state: 'published', authentication_type: '[]', entra_application_id: null, entra_audience: null };
      for (const id of ['starter', 'Starter', 'gold']) await db.insertInto('products').values({ ...row, id }).execute();
    } finally {
      await db.destroy();
    }
    const error = await openStore({ dataDir: database.dataDir, databaseUrl: database.databaseUrl }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      "database migration 2026_11_26_0002_case_insensitive_names failed: resource names are now case-insensitive, but these names differ only in case: products 'Starter', 'starter'. " +
        'Delete one of each pair with the previous Portico version, then start again.',
    );
  });
});
