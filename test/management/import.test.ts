/**
 * Bulk import (POST …/portico.import): one batch = one management transaction, one version bump,
 * one `batch.imported` event; a bad item writes nothing and is named; re-importing is idempotent;
 * the gateway and the token endpoint know imported keys and apps on the very next request.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { bootOn, type Booted } from '../helpers/boot.js';
import { ManagementClient, requestToken } from '../helpers/clients.js';
import { GraphClient, linkedProductIds, tokenProduct } from './harness.js';
import type { ChangeEvent } from '../../src/shared/index.js';

const KEY = 'imported-primary-key-0123456789abcdef';

describeEachDialect('management API: bulk import', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;
  let graph: GraphClient;
  let goldAudience: string;
  const events: ChangeEvent[] = [];
  /** Transactions begun (SQLite `begin immediate`, PostgreSQL `begin`), counted from every statement the store runs. */
  let transactions = 0;

  const importItems = (items: unknown[]) => admin.call('POST', '/portico.import', { items });
  const users = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({ type: 'user', name: `imp-user-${from + i}`, properties: { email: `imp-user-${from + i}@example.com`, firstName: 'Imp', lastName: `User ${from + i}` } }));
  const batch = [
    ...users(3),
    { type: 'clientApplication', name: 'imp-app-0', properties: { displayName: 'Imported app 0', ownerId: '/users/imp-user-0', productIds: ['/products/gold'] } },
    { type: 'clientApplication', name: 'imp-app-1', properties: { displayName: 'Imported app 1', ownerId: '/users/imp-user-1', productIds: [] } },
    { type: 'subscription', name: 'imp-sub-0', properties: { displayName: 'Imported sub 0', scope: '/apis/echo-api', ownerId: '/users/imp-user-2', state: 'active', primaryKey: KEY } },
    { type: 'subscription', name: 'imp-sub-1', properties: { displayName: 'Imported sub 1', scope: '/products/starter', state: 'active' } },
  ];

  beforeAll(async () => {
    portico = await bootOn(dialect, { onQuery: (query) => void (/^begin\b/i.test(query.sql) && transactions++) });
    admin = new ManagementClient(portico.credentials);
    graph = new GraphClient(portico);
    goldAudience = await tokenProduct(admin, 'gold', 'Gold');
    expect((await admin.call('PUT', '/products/gold/apis/echo-api')).status).toBe(201);
    portico.running.feed.subscribe((event) => void events.push(event));
  });
  afterAll(async () => {
    await portico?.stop();
  });

  test('a batch is written once: one version bump, one event naming what it created, directory objects as a registration makes them', async () => {
    const before = portico.running.feed.currentVersion;
    events.length = 0;
    const response = await importItems(batch);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const clientId0 = response.body.value[3].entraApplicationId as string;
    const clientId1 = response.body.value[4].entraApplicationId as string;
    expect(response.body).toEqual({
      created: 7,
      updated: 0,
      unchanged: 0,
      value: [
        { type: 'user', name: 'imp-user-0', status: 'created' },
        { type: 'user', name: 'imp-user-1', status: 'created' },
        { type: 'user', name: 'imp-user-2', status: 'created' },
        { type: 'clientApplication', name: 'imp-app-0', status: 'created', entraApplicationId: clientId0 },
        { type: 'clientApplication', name: 'imp-app-1', status: 'created', entraApplicationId: clientId1 },
        { type: 'subscription', name: 'imp-sub-0', status: 'created' },
        { type: 'subscription', name: 'imp-sub-1', status: 'created' },
      ],
    });
    const app0 = await graph.applicationByAppId(clientId0);
    const sp0 = await graph.servicePrincipalByAppId(clientId0);
    const app1 = await graph.applicationByAppId(clientId1);
    const sp1 = await graph.servicePrincipalByAppId(clientId1);
    expect(events).toEqual([
      {
        type: 'batch.imported',
        userIds: ['imp-user-0', 'imp-user-1', 'imp-user-2'],
        clientApplications: [
          { clientApplicationId: 'imp-app-0', entraApplicationId: clientId0, entraObjectId: app0!.id, entraServicePrincipalId: sp0!.id },
          { clientApplicationId: 'imp-app-1', entraApplicationId: clientId1, entraObjectId: app1!.id, entraServicePrincipalId: sp1!.id },
        ],
        subscriptionIds: ['imp-sub-0', 'imp-sub-1'],
        version: before + 1,
      },
    ]);
    expect(portico.running.feed.currentVersion).toBe(before + 1);

    // What a single registration makes: APIMApplication<product>, its principal, the product's role granted.
    expect(app0!.displayName).toBe('APIMApplicationGold');
    const gold = await graph.servicePrincipalByAppId(goldAudience);
    const grants = await graph.call('GET', `/servicePrincipals/${sp0!.id}/appRoleAssignments`);
    expect(grants.body.value.map((g: { resourceId: string; appRoleId: string }) => [g.resourceId, g.appRoleId])).toEqual([[gold!.id, gold!.appRoles[0]!.id]]);
    const record = await admin.call('GET', '/clientApplications/imp-app-0');
    expect(record.body.properties).toMatchObject({ displayName: 'Imported app 0', state: 'active', entraApplicationId: clientId0 });
    expect(await linkedProductIds(admin, 'imp-app-0')).toEqual([expect.stringMatching(/\/products\/gold$/)]);
    expect((await admin.call('GET', '/users/imp-user-1')).body.properties.groups).toEqual([{ id: '/groups/developers', name: 'developers' }]);
    const secrets = await admin.call('POST', '/subscriptions/imp-sub-1/listSecrets');
    expect(secrets.body.primaryKey).toMatch(/^[0-9a-f]{32,}$/); // generated
  });

  test('the gateway accepts an imported key and an imported app’s token on the very next request', async () => {
    const keyed = await fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, { headers: { 'ocp-apim-subscription-key': KEY } });
    expect(keyed.status).toBe(200);

    const secret = await admin.call('POST', '/clientApplications/imp-app-0/listSecrets');
    expect(secret.status).toBe(200);
    const clientId = (await admin.call('GET', '/clientApplications/imp-app-0')).body.properties.entraApplicationId as string;
    const token = await requestToken(portico.identityUrl, portico.credentials.tenantId, {
      grant_type: 'client_credentials', client_id: clientId, client_secret: secret.body.entra.clientSecret, scope: `api://${goldAudience}/.default`,
    });
    expect(token.status).toBe(200);
    const called = await fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, { headers: { authorization: `Bearer ${token.body.access_token as string}` } });
    expect(called.status).toBe(200);
  });

  test('re-importing the same file changes nothing and announces nothing; a changed item is updated', async () => {
    const version = portico.running.feed.currentVersion;
    const applications = await graph.applicationCount();
    events.length = 0;
    const again = await importItems(batch);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 7 });
    expect(events).toEqual([]);
    expect(portico.running.feed.currentVersion).toBe(version);
    expect(await graph.applicationCount()).toBe(applications);

    const changed = await importItems([
      { type: 'user', name: 'IMP-USER-0', properties: { email: 'imp-user-0@example.com', firstName: 'Imp', lastName: 'User 0', state: 'blocked' } },
      { type: 'clientApplication', name: 'imp-app-1', properties: { displayName: 'Imported app 1', productIds: ['/products/gold'] } },
    ]);
    expect(changed.status).toBe(200);
    expect(changed.body.value.map((v: { status: string }) => v.status)).toEqual(['updated', 'updated']);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'batch.imported', userIds: ['imp-user-0'], subscriptionIds: [], version: version + 1 });
    expect((await admin.call('GET', '/users/imp-user-0')).body.properties.state).toBe('blocked');
    expect(await linkedProductIds(admin, 'imp-app-1')).toEqual([expect.stringMatching(/\/products\/gold$/)]);
    expect(await graph.applicationCount()).toBe(applications); // linked by a grant, not a new registration
  });

  test('users and subscriptions are one transaction; client registrations add one directory transaction', async () => {
    transactions = 0;
    const plain = await importItems([...users(2, 400), { type: 'subscription', name: 'imp-tx-sub', properties: { displayName: 'Tx', scope: '/apis/echo-api', ownerId: '/users/imp-user-400' } }]);
    expect(plain.status).toBe(200);
    expect(transactions).toBe(1);
    transactions = 0;
    const apps = await importItems([
      { type: 'clientApplication', name: 'imp-tx-app-0', properties: { displayName: 'Tx 0', ownerId: '/users/imp-user-400', productIds: ['/products/gold'] } },
      { type: 'clientApplication', name: 'imp-tx-app-1', properties: { displayName: 'Tx 1', ownerId: '/users/imp-user-401', productIds: ['/products/gold'] } },
    ]);
    expect(apps.status).toBe(200);
    expect(transactions).toBe(2);
  });

  test('a bad item writes nothing: 400 naming each bad item by index and field', async () => {
    const version = portico.running.feed.currentVersion;
    const applications = await graph.applicationCount();
    events.length = 0;
    const response = await importItems([
      ...users(2, 100),
      { type: 'clientApplication', name: 'imp-bad-app', properties: { displayName: 'Bad', ownerId: '/users/imp-user-100', productIds: ['/products/starter'] } },
      { type: 'subscription', name: 'imp-bad-sub', properties: { displayName: 'Bad', scope: '/products/gold', primaryKey: 'short' } },
      { type: 'user', name: 'imp-user-102', properties: { email: 'IMP-USER-100@example.com', firstName: 'Dup', lastName: 'Email', password: 'secret-password' } },
      { type: 'group', name: 'x', properties: {} },
    ]);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('ValidationError');
    expect(response.body.error.details.map((d: { target: string }) => d.target)).toEqual([
      'items[2].properties.productIds[0]',
      'items[3].properties.primaryKey',
      'items[4].properties.password',
      'items[5].type',
    ]);
    expect(response.body.error.message).toContain('items[3].properties.primaryKey must be 32 to 256 characters long.');
    expect(response.body.error.message).toContain("product 'starter' does not have application-token access turned on");

    const email = await importItems([...users(1, 200), { type: 'user', name: 'imp-user-201', properties: { email: 'imp-user-200@example.com', firstName: 'A', lastName: 'B' } }]);
    expect(email.status).toBe(400);
    expect(email.body.error.details).toEqual([{ code: 'ValidationError', target: 'items[1].properties.email', message: 'items[1].properties.email is already used by items[0] of this batch.' }]);

    // A subscription to a product that takes only tokens is refused as a PUT would refuse it.
    const tokensOnly = await importItems([{ type: 'subscription', name: 'imp-gold-sub', properties: { displayName: 'Gold', scope: '/products/gold' } }]);
    expect(tokensOnly.status).toBe(400);
    expect(tokensOnly.body.error.details).toEqual([
      {
        code: 'ValidationError',
        target: 'items[0].properties.scope',
        message:
          "items[0].properties.scope names product 'gold', which does not accept subscription keys (its authenticationType is application-token): a subscription to it would have keys the gateway refuses. Add 'subscription-key' to the product's authenticationType, or give the client application access with a product link (PUT /clientApplications/{id}/productLinks/{linkId}).",
      },
    ]);

    const tooMany = await importItems(users(1001, 300));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details).toEqual([{ code: 'ValidationError', target: 'items', message: 'items must hold 1 to 1000 resources; it holds 1001. Send larger imports in several batches.' }]);

    expect((await admin.call('GET', '/users/imp-user-100')).status).toBe(404);
    expect((await admin.call('GET', '/users/imp-user-200')).status).toBe(404);
    expect(await graph.applicationCount()).toBe(applications);
    expect(events).toEqual([]);
    expect(portico.running.feed.currentVersion).toBe(version);
  });
  test('an imported link to a product with approvalRequired is pending, as a PUT makes it: no role until an administrator approves it', async () => {
    // Platinum takes tokens and needs approval; Gold does not.
    const platinumAudience = await tokenProduct(admin, 'platinum', 'Platinum');
    expect((await admin.call('PATCH', '/products/platinum', { properties: { approvalRequired: true } }, { 'if-match': '*' })).status).toBe(200);
    const imported = await importItems([
      { type: 'user', name: 'imp-approver', properties: { email: 'imp-approver@example.com', firstName: 'Imp', lastName: 'Approver' } },
      { type: 'clientApplication', name: 'imp-pending', properties: { displayName: 'Imported pending', ownerId: '/users/imp-approver', productIds: ['/products/platinum', '/products/gold'] } },
      { type: 'clientApplication', name: 'imp-later', properties: { displayName: 'Imported later', ownerId: '/users/imp-approver', productIds: ['/products/gold'] } },
    ]);
    expect(imported.status).toBe(200);
    const links = async (app: string) =>
      ((await admin.call('GET', `/clientApplications/${app}/productLinks`)).body.value as { name: string; properties: { state: string } }[]).map((l) => [l.name, l.properties.state]);
    expect(await links('imp-pending')).toEqual([['gold', 'active'], ['platinum', 'pending']]);
    expect((await admin.call('GET', '/clientApplications/imp-pending')).body.properties.state).toBe('active');

    const secret = (await admin.call('POST', '/clientApplications/imp-pending/listSecrets')).body.entra.clientSecret as string;
    const clientId = imported.body.value[1].entraApplicationId as string;
    const tokenFor = (audience: string) =>
      requestToken(portico.identityUrl, portico.credentials.tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: `api://${audience}/.default` });
    expect((await tokenFor(goldAudience)).status).toBe(200);
    const refused = await tokenFor(platinumAudience);
    expect(refused.status).toBe(400);
    expect(refused.body.error_codes).toEqual([501051]);

    // An existing application gaining the product through a later batch gets a pending link too.
    const gained = await importItems([{ type: 'clientApplication', name: 'imp-later', properties: { displayName: 'Imported later', productIds: ['/products/gold', '/products/platinum'] } }]);
    expect(gained.body.value).toEqual([{ type: 'clientApplication', name: 'imp-later', status: 'updated', entraApplicationId: expect.any(String) }]);
    expect(await links('imp-later')).toEqual([['gold', 'active'], ['platinum', 'pending']]);
    // Sent again, nothing changes: the pending link stays pending.
    expect((await importItems([{ type: 'clientApplication', name: 'imp-later', properties: { displayName: 'Imported later', productIds: ['/products/gold', '/products/platinum'] } }])).body.unchanged).toBe(1);
    expect(await links('imp-later')).toEqual([['gold', 'active'], ['platinum', 'pending']]);

    expect((await admin.call('POST', '/clientApplications/imp-pending/productLinks/platinum/approve')).status).toBe(200);
    expect((await tokenFor(platinumAudience)).status).toBe(200);
  });
});
