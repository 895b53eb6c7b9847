/**
 * List routes read a page with a constant number of SQL statements, whatever the page size: the
 * page itself (paged in SQL) plus one batched query for related rows, never one query per item.
 * The same holds for the Graph-shaped lists, whose pages continue by @odata.nextLink ($skiptoken).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootOn, type Booted } from '../helpers/boot.js';
import { describeEachDialect } from '../helpers/databases.js';
import { clientCredentialsToken, ManagementClient } from '../helpers/clients.js';
import { GRAPH_SCOPE, putUser, raw, tokenProduct } from './harness.js';

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
      expect(all.body.value[7].properties).toMatchObject({ displayName: expect.any(String), state: 'active' });
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

  describe('Graph lists', () => {
    let graphToken: string;
    const graph = async (path: string) => {
      const response = await raw(path.startsWith('http') ? path : `${portico.identityUrl}/v1.0${path}`, { token: graphToken });
      return response;
    };
    const countGraph = async (path: string): Promise<{ queries: number; body: any }> => {
      const before = statements;
      const response = await graph(path);
      expect(response.status).toBe(200);
      return { queries: statements - before, body: response.body };
    };
    /** Every item of a list, following @odata.nextLink, and the links followed. */
    const followAll = async (path: string): Promise<{ items: any[]; links: string[] }> => {
      const items: any[] = [];
      const links: string[] = [];
      let next: string | undefined = path;
      while (next !== undefined) {
        const page = await graph(next);
        expect(page.status).toBe(200);
        items.push(...page.body.value);
        next = page.body['@odata.nextLink'];
        if (next !== undefined) links.push(next);
      }
      return { items, links };
    };

    beforeAll(async () => {
      const c = portico.credentials;
      graphToken = await clientCredentialsToken(c.identityUrl, c.tenantId, c.admin.clientId, c.admin.clientSecret, GRAPH_SCOPE);
    });

    test('applications, service principals and a product\'s appRoleAssignedTo: the same number of statements for 1 and 100 items', async () => {
      const gold = (await graph(`/servicePrincipals?$filter=${encodeURIComponent("displayName eq 'APIMProductApplicationGold'")}`)).body.value[0];
      expect(gold.displayName).toBe('APIMProductApplicationGold');
      for (const path of ['/applications', '/servicePrincipals', `/servicePrincipals/${gold.id}/appRoleAssignedTo`]) {
        const one = await countGraph(`${path}?$top=1`);
        const all = await countGraph(`${path}?$top=100`);
        expect(one.body.value).toHaveLength(1);
        expect(all.body.value.length).toBeGreaterThanOrEqual(APPS);
        expect(all.queries).toBe(one.queries);
      }
    });

    test('@odata.nextLink continues with a $skiptoken, keeps $filter and $top, and pages through everything once', async () => {
      const whole = (await graph('/applications?$top=999')).body.value.map((a: any) => a.id);
      const { items, links } = await followAll('/applications?$top=7');
      expect(items.map((a) => a.id)).toEqual(whole);
      expect(links.length).toBe(Math.ceil(whole.length / 7) - 1);
      for (const link of links) {
        const url = new URL(link);
        expect(url.origin + url.pathname).toBe(`${portico.identityUrl}/v1.0/applications`);
        expect(url.searchParams.get('$top')).toBe('7');
        expect(url.searchParams.get('$skiptoken')).toMatch(/^[A-Za-z0-9_-]+$/);
      }
      // An application's passwords come with it, from the batched read.
      const secret = await admin.call('POST', '/clientApplications/app-03/listSecrets');
      expect(secret.status).toBe(200);
      const appId = (await admin.call('GET', '/clientApplications/app-03')).body.properties.entraApplicationId;
      const filtered = await followAll(`/applications?$top=1&$filter=${encodeURIComponent(`appId eq '${appId.toUpperCase()}'`)}`);
      expect(filtered.items).toHaveLength(1);
      expect(filtered.items[0].passwordCredentials).toHaveLength(1);
      const byName = await followAll(`/servicePrincipals?$top=1&$filter=${encodeURIComponent("displayName eq 'apimproductapplicationgold'")}`);
      expect(byName.items.map((sp) => sp.displayName)).toEqual(['APIMProductApplicationGold']);
    });

    test('$top out of range and a $skiptoken no link carried are 400 Request_BadRequest', async () => {
      for (const [query, message] of [
        ['$top=0', "Invalid page size specified: '0'. Must be between 1 and 999 inclusive."],
        ['$top=1000', "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive."],
        ['$skiptoken=nonsense!', 'Invalid $skiptoken: it must be the value from an @odata.nextLink of this list. Follow the link as given, or start again without $skiptoken.'],
        [`$skiptoken=${Buffer.from(JSON.stringify({ v: 1, k: ['only one part'] })).toString('base64url')}`, 'Invalid $skiptoken: it must be the value from an @odata.nextLink of this list. Follow the link as given, or start again without $skiptoken.'],
      ]) {
        const response = await graph(`/applications?${query}`);
        expect(response.status).toBe(400);
        expect(response.body.error).toMatchObject({ code: 'Request_BadRequest', message });
      }
    });
  });
});
