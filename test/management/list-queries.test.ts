/**
 * List routes read a page with a constant number of SQL statements, whatever the page size: the
 * page itself (paged in SQL) plus one batched query for related rows, never one query per item.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { bootOn, type Booted } from '../helpers/boot.js';
import { describeEachDialect } from '../helpers/databases.js';
import { ManagementClient } from '../helpers/clients.js';
import { putUser, tokenProduct } from './harness.js';

const USERS = 100;
const APPS = 20;

describeEachDialect('management API: queries per list', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;
  let statements = 0;

  /** The statements the store ran for one GET, and its body. */
  const count = async (path: string): Promise<{ queries: number; body: any }> => {
    await admin.bearer(); // the token request's own statements stay out of the count
    const before = statements;
    const response = await admin.call('GET', path);
    expect(response.status).toBe(200);
    return { queries: statements - before, body: response.body };
  };

  beforeAll(async () => {
    portico = await bootOn(dialect, { onQuery: () => void statements++ });
    admin = new ManagementClient(portico.credentials);
    await tokenProduct(admin, 'gold', 'Gold');
    for (let i = 0; i < USERS - 1; i++) await putUser(admin, `user-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < APPS; i++) {
      const response = await admin.call('PUT', `/clientApplications/app-${String(i).padStart(2, '0')}`, {
        properties: { displayName: `App ${i}`, ownerId: '/users/user-000', productIds: ['/products/gold'] },
      });
      expect(response.status).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await portico?.stop();
  });

  test('GET users: the same number of statements for 1, 10 and 100 users, each with its groups', async () => {
    const one = await count('/users?$top=1');
    const ten = await count('/users?$top=10&$skip=50');
    const hundred = await count('/users?$top=100');
    expect(hundred.body.value).toHaveLength(USERS);
    expect(hundred.body.nextLink).toBeUndefined();
    expect(ten.body.value.map((u: any) => u.name)).toEqual(hundred.body.value.slice(50, 60).map((u: any) => u.name));
    expect(hundred.body.value.find((u: any) => u.name === 'user-042').properties.groups).toEqual([{ id: '/groups/developers', name: 'developers' }]);
    expect(ten.queries).toBe(one.queries);
    expect(hundred.queries).toBe(one.queries);
    expect(hundred.queries).toBeLessThan(10); // the page, its groups, and the caller's authorisation
  });

  test('GET clientApplications (service-level and per user): the same number of statements for 1 and 20 apps, with product links', async () => {
    for (const base of ['/clientApplications', '/users/user-000/clientApplications']) {
      const one = await count(`${base}?$top=1`);
      const all = await count(`${base}?$top=100`);
      expect(all.body.value).toHaveLength(APPS);
      expect(all.body.value[7].properties.productIds).toHaveLength(1);
      expect(all.body.value[7].properties.productIds[0]).toMatch(/\/products\/gold$/);
      expect(all.queries).toBe(one.queries);
    }
  });

  test('GET subscriptions, products, apis (also of a product) and groups: a constant number of statements', async () => {
    expect((await admin.call('PUT', '/products/gold/apis/echo-api')).status).toBe(201);
    for (const path of ['/subscriptions', '/users/user-000/subscriptions', '/products', '/apis', '/products/gold/apis', '/groups']) {
      const one = await count(`${path}?$top=1`);
      const all = await count(`${path}?$top=1000`);
      expect(all.queries).toBe(one.queries);
    }
  });
});
