/** ManagementStore contract (src/management/management-store.ts), on every dialect. */
import { expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { useFreshStore } from './harness.js';
import { api, clientApplication, group, operation, product, productLink, subscription, user } from './records.js';

describeEachDialect('ManagementStore', (dialect) => {
  const ctx = useFreshStore(dialect);
  const mgmt = () => ctx().store.management;

  // --- users and groups ---------------------------------------------------------------------

  test('putUser inserts, then replaces the whole record', async () => {
    const ada = user({ note: 'first', passwordHash: 'scrypt$x' });
    await mgmt().putUser(ada);
    expect(await mgmt().getUser('u1')).toEqual(ada);
    const changed = user({ email: 'ADA@Example.com', firstName: 'A', state: 'blocked', note: null, passwordHash: null });
    await mgmt().putUser(changed);
    expect(await mgmt().getUser('u1')).toEqual(changed);
    expect(await mgmt().getUser('nope')).toBeUndefined();
  });

  test('getUserByEmail ignores case and keeps the email as given', async () => {
    await mgmt().putUser(user({ email: 'Ada.Lovelace@Example.COM' }));
    expect((await mgmt().getUserByEmail('ada.lovelace@example.com'))?.email).toBe('Ada.Lovelace@Example.COM');
    expect((await mgmt().getUserByEmail('ADA.LOVELACE@EXAMPLE.COM'))?.id).toBe('u1');
    expect(await mgmt().getUserByEmail('other@example.com')).toBeUndefined();
  });

  test('batch reads find the named users, subscriptions and client applications in any case, in chunks, skipping the missing', async () => {
    const ids = Array.from({ length: 1_200 }, (_, i) => `b${i}`); // more than one chunk of 500
    await ctx().store.transaction(async (tx) => {
      for (const id of ids) await tx.management.putUser(user({ id }));
      for (const id of ids.slice(0, 3)) await tx.management.putSubscription(subscription({ id: `s-${id}`, primaryKeyHash: `p-${id}`, secondaryKeyHash: `s-${id}` }));
      await tx.management.putClientApplication(clientApplication({ id: 'ca-b0', ownerId: 'b0', entraApplicationId: 'c0', entraObjectId: 'o0', entraServicePrincipalId: 'p0' }));
    });
    const found = await mgmt().getUsers([...ids.map((id) => id.toUpperCase()), 'missing', 'B0']);
    expect(found.map((u) => u.id).sort()).toEqual([...ids].sort());
    expect((await mgmt().getUsersByEmails(['B1@EXAMPLE.COM', 'b2@example.com', 'none@example.com'])).map((u) => u.id).sort()).toEqual(['b1', 'b2']);
    expect((await mgmt().getSubscriptions(['S-B0', 's-b2', 's-b9'])).map((s) => s.id).sort()).toEqual(['s-b0', 's-b2']);
    expect(await mgmt().getClientApplications(['CA-B0', 'ca-none'])).toEqual([clientApplication({ id: 'ca-b0', ownerId: 'b0', entraApplicationId: 'c0', entraObjectId: 'o0', entraServicePrincipalId: 'p0' })]);
    expect(await mgmt().getUsers([])).toEqual([]);
  });

  test('another user with the same email in any case is STORE_CONFLICT', async () => {
    await mgmt().putUser(user({ id: 'u1', email: 'ada@example.com' }));
    await expect(mgmt().putUser(user({ id: 'u2', email: 'ADA@example.com' }))).rejects.toMatchObject({
      name: 'StoreError',
      code: 'STORE_CONFLICT',
    });
    await mgmt().putUser(user({ id: 'u2', email: 'bob@example.com' }));
    await expect(mgmt().putUser(user({ id: 'u2', email: 'Ada@Example.com' }))).rejects.toMatchObject({
      code: 'STORE_CONFLICT',
    });
    expect((await mgmt().getUser('u2'))?.email).toBe('bob@example.com');
  });

  test('lists are ordered by id, comparing code units on every dialect', async () => {
    // Names are unique whatever their case, so the upper-case one here is a letter of its own.
    for (const [i, id] of ['b', 'a', 'C', '_', '1'].entries()) await mgmt().putUser(user({ id, email: `user${i}@example.com` }));
    expect((await mgmt().listUsers()).map((u) => u.id)).toEqual(['1', 'C', '_', 'a', 'b']);
    for (const id of ['z', 'administrators', 'Guests']) await mgmt().putGroup(group({ id }));
    expect((await mgmt().listGroups()).map((g) => g.id)).toEqual(['Guests', 'administrators', 'z']);
  });

  test('groups round-trip their flags; membership is idempotent, listed both ways, and removable', async () => {
    const custom = group({ id: 'g1', type: 'custom', builtIn: false, description: 'mine' });
    await mgmt().putGroup(custom);
    await mgmt().putGroup(group({ id: 'developers' }));
    expect(await mgmt().getGroup('g1')).toEqual(custom);
    expect(await mgmt().getGroup('developers')).toEqual(group());
    expect(await mgmt().getGroup('nope')).toBeUndefined();
    for (const id of ['u2', 'u1']) await mgmt().putUser(user({ id }));
    await mgmt().addGroupUser('g1', 'u2');
    await mgmt().addGroupUser('g1', 'u1');
    await mgmt().addGroupUser('g1', 'u1');
    await mgmt().addGroupUser('developers', 'u1');
    expect(await mgmt().listGroupUsers('g1')).toEqual(['u1', 'u2']);
    expect(await mgmt().listUserGroups('u1')).toEqual(['developers', 'g1']);
    await mgmt().removeGroupUser('g1', 'u1');
    await mgmt().removeGroupUser('g1', 'u1');
    expect(await mgmt().listGroupUsers('g1')).toEqual(['u2']);
  });

  test('membership of a missing group or user is STORE_REFERENCE', async () => {
    await mgmt().putGroup(group());
    await mgmt().putUser(user());
    await expect(mgmt().addGroupUser('missing', 'u1')).rejects.toMatchObject({ code: 'STORE_REFERENCE' });
    await expect(mgmt().addGroupUser('developers', 'missing')).rejects.toMatchObject({ code: 'STORE_REFERENCE' });
  });

  test('deleteSubscriptionsOfOwner removes exactly the owner\'s subscriptions in one statement', async () => {
    await mgmt().putSubscription(subscription({ id: 's1', ownerId: 'u1' }));
    await mgmt().putSubscription(subscription({ id: 's2', ownerId: 'u2' }));
    await mgmt().putSubscription(subscription({ id: 's3', ownerId: 'u1' }));
    expect(await mgmt().countSubscriptions({ ownerId: 'u1' })).toBe(2);
    expect((await mgmt().deleteSubscriptionsOfOwner('u1')).sort()).toEqual(['s1', 's3']);
    expect(await mgmt().countSubscriptions({ ownerId: 'u1' })).toBe(0);
    expect((await mgmt().listSubscriptions()).map((s) => s.id)).toEqual(['s2']);
    expect(await mgmt().deleteSubscriptionsOfOwner('u1')).toEqual([]);
  });

  test('deleteUser removes its group memberships; deleting again is a no-op', async () => {
    await mgmt().putGroup(group());
    await mgmt().putUser(user());
    await mgmt().addGroupUser('developers', 'u1');
    await mgmt().deleteUser('u1');
    await mgmt().deleteUser('u1');
    expect(await mgmt().getUser('u1')).toBeUndefined();
    expect(await mgmt().listGroupUsers('developers')).toEqual([]);
    expect(await mgmt().listUsers()).toEqual([]);
  });

  // --- products, APIs, operations -------------------------------------------------------------

  test('a product round-trips arrays, booleans and nullable numbers', async () => {
    const p = product({
      authenticationType: ['subscription-key', 'application-token'],
      subscriptionsLimit: null,
      approvalRequired: true,
      subscriptionRequired: false,
      entraApplicationId: 'app',
      entraAudience: 'api://app',
      terms: 'be nice',
    });
    await mgmt().putProduct(p);
    expect(await mgmt().getProduct('starter')).toEqual(p);
    await mgmt().putProduct(product({ id: 'unlimited', subscriptionsLimit: 0, authenticationType: [] }));
    expect(await mgmt().getProduct('unlimited')).toEqual(product({ id: 'unlimited', subscriptionsLimit: 0, authenticationType: [] }));
    expect((await mgmt().listProducts()).map((x) => x.id)).toEqual(['starter', 'unlimited']);
    expect(await mgmt().getProduct('nope')).toBeUndefined();
  });

  test('putting an existing product replaces it without losing its links', async () => {
    await seedCatalog();
    await mgmt().putProduct(product({ displayName: 'Starter 2', state: 'notPublished' }));
    expect((await mgmt().getProduct('starter'))?.displayName).toBe('Starter 2');
    expect(await mgmt().listProductApis({ productId: 'starter' })).toEqual([{ productId: 'starter', apiId: 'echo-api' }]);
    expect(await mgmt().listProductGroups('starter')).toEqual(['developers']);
    expect(await mgmt().listProductLinks({ productId: 'starter' })).toHaveLength(1);
  });

  test('deleteProduct removes API, group and client-application links and product-scoped subscriptions', async () => {
    await seedCatalog();
    await mgmt().putSubscription(subscription({ id: 's-starter', scope: '/products/starter' }));
    await mgmt().putSubscription(subscription({ id: 's-other', scope: '/products/unlimited' }));
    await mgmt().putSubscription(subscription({ id: 's-api', scope: '/apis/echo-api' }));
    await mgmt().putSubscription(subscription({ id: 'master', scope: '/' }));
    expect(await mgmt().deleteProduct('starter')).toEqual(['s-starter']); // what it removed, for the change event
    expect(await mgmt().deleteProduct('starter')).toEqual([]);
    expect(await mgmt().getProduct('starter')).toBeUndefined();
    expect(await mgmt().listProductApis({})).toEqual([{ productId: 'unlimited', apiId: 'echo-api' }]);
    expect(await mgmt().listProductGroups('starter')).toEqual([]);
    expect(await mgmt().listProductLinks({})).toEqual([productLink({ id: 'l2', productId: 'unlimited' })]);
    expect((await mgmt().listSubscriptions()).map((s) => s.id)).toEqual(['master', 's-api', 's-other']);
    expect(await mgmt().getGroup('developers')).toBeDefined();
    expect(await mgmt().getApi('echo-api')).toBeDefined();
    expect(await mgmt().getClientApplication('ca1')).toBeDefined();
  });

  test('product groups are idempotent, ordered, and need both sides', async () => {
    await mgmt().putProduct(product());
    for (const id of ['guests', 'developers']) await mgmt().putGroup(group({ id }));
    await mgmt().addProductGroup('starter', 'guests');
    await mgmt().addProductGroup('starter', 'developers');
    await mgmt().addProductGroup('starter', 'developers');
    expect(await mgmt().listProductGroups('starter')).toEqual(['developers', 'guests']);
    await expect(mgmt().addProductGroup('starter', 'missing')).rejects.toMatchObject({ code: 'STORE_REFERENCE' });
    await expect(mgmt().addProductGroup('missing', 'guests')).rejects.toMatchObject({ code: 'STORE_REFERENCE' });
  });

  test('an API round-trips; the empty path is allowed; a path held by another API is STORE_CONFLICT', async () => {
    const echo = api({ protocols: ['http', 'https'], serviceUrl: null, description: 'echo', isCurrent: false });
    await mgmt().putApi(echo);
    expect(await mgmt().getApi('echo-api')).toEqual(echo);
    await mgmt().putApi(api({ id: 'root', path: '' }));
    expect((await mgmt().getApi('root'))?.path).toBe('');
    await expect(mgmt().putApi(api({ id: 'other', path: 'echo' }))).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
    await expect(mgmt().putApi(api({ id: 'root', path: 'echo' }))).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
    await mgmt().putApi(api({ path: 'echo2', subscriptionRequired: false }));
    expect(await mgmt().getApi('echo-api')).toEqual(api({ path: 'echo2', subscriptionRequired: false }));
    expect((await mgmt().listApis()).map((a) => a.id)).toEqual(['echo-api', 'root']);
    expect(await mgmt().getApi('nope')).toBeUndefined();
  });

  test('operations round-trip their JSON, upsert by (apiId, id), list by API and in order', async () => {
    await mgmt().putApi(api());
    await mgmt().putApi(api({ id: 'b-api' }));
    const rich = operation({
      id: 'create-resource',
      method: 'POST',
      description: 'creates',
      templateParameters: [{ name: 'id', type: 'string', required: true, values: ['a', 'b'] }],
      request: { queryParameters: [{ name: 'q', type: 'string' }], representations: [{ contentType: 'application/json' }] },
      responses: [{ statusCode: 200, description: 'ok' }],
    });
    const plain = operation({ id: 'retrieve-resource' });
    const other = operation({ apiId: 'b-api', id: 'aaa' });
    for (const o of [plain, rich, other]) await mgmt().putOperation(o);
    expect(await mgmt().getOperation('echo-api', 'create-resource')).toEqual(rich);
    expect(await mgmt().getOperation('b-api', 'create-resource')).toBeUndefined();
    expect(await mgmt().listOperations('echo-api')).toEqual([rich, plain]);
    expect(await mgmt().listOperations()).toEqual([other, rich, plain]);
    await mgmt().putOperation({ ...plain, displayName: 'Get', urlTemplate: '/resource/{id}' });
    expect((await mgmt().getOperation('echo-api', 'retrieve-resource'))?.urlTemplate).toBe('/resource/{id}');
    await mgmt().deleteOperation('echo-api', 'retrieve-resource');
    await mgmt().deleteOperation('echo-api', 'retrieve-resource');
    expect(await mgmt().listOperations('echo-api')).toEqual([rich]);
  });

  test('an operation of a missing API is STORE_REFERENCE', async () => {
    await expect(mgmt().putOperation(operation({ apiId: 'missing' }))).rejects.toMatchObject({ code: 'STORE_REFERENCE' });
  });

  test('deleteApi removes its operations, product links and API-scoped subscriptions (returning their ids)', async () => {
    await seedCatalog();
    await mgmt().putApi(api({ id: 'other-api' }));
    await mgmt().putOperation(operation({ apiId: 'other-api' }));
    await mgmt().addProductApi('starter', 'other-api');
    await mgmt().putSubscription(subscription({ id: 'on-echo', scope: '/apis/echo-api' }));
    await mgmt().putSubscription(subscription({ id: 'on-other', scope: '/apis/other-api' }));
    expect(await mgmt().deleteApi('ECHO-API')).toEqual(['on-echo']);
    expect(await mgmt().deleteApi('echo-api')).toEqual([]);
    expect((await mgmt().listSubscriptions()).map((s) => s.id)).toEqual(['on-other']);
    expect(await mgmt().countSubscriptions({ scope: '/apis/other-api' })).toBe(1);
    expect(await mgmt().countSubscriptions({ scope: '/apis/echo-api' })).toBe(0);
    expect(await mgmt().getApi('echo-api')).toBeUndefined();
    expect(await mgmt().listOperations('echo-api')).toEqual([]);
    expect((await mgmt().listOperations()).map((o) => o.apiId)).toEqual(['other-api']);
    expect(await mgmt().listProductApis({})).toEqual([{ productId: 'starter', apiId: 'other-api' }]);
  });

  test('product ↔ API links: idempotent add, filters, order, remove, references', async () => {
    for (const id of ['starter', 'unlimited']) await mgmt().putProduct(product({ id }));
    for (const id of ['b-api', 'a-api']) await mgmt().putApi(api({ id }));
    await mgmt().addProductApi('unlimited', 'a-api');
    await mgmt().addProductApi('starter', 'b-api');
    await mgmt().addProductApi('starter', 'a-api');
    await mgmt().addProductApi('starter', 'a-api');
    expect(await mgmt().listProductApis({})).toEqual([
      { productId: 'starter', apiId: 'a-api' },
      { productId: 'starter', apiId: 'b-api' },
      { productId: 'unlimited', apiId: 'a-api' },
    ]);
    expect(await mgmt().listProductApis({ apiId: 'a-api' })).toEqual([
      { productId: 'starter', apiId: 'a-api' },
      { productId: 'unlimited', apiId: 'a-api' },
    ]);
    expect(await mgmt().listProductApis({ productId: 'starter', apiId: 'b-api' })).toEqual([
      { productId: 'starter', apiId: 'b-api' },
    ]);
    await mgmt().removeProductApi('starter', 'a-api');
    await mgmt().removeProductApi('starter', 'a-api');
    expect(await mgmt().listProductApis({ productId: 'starter' })).toEqual([{ productId: 'starter', apiId: 'b-api' }]);
    await expect(mgmt().addProductApi('missing', 'a-api')).rejects.toMatchObject({ code: 'STORE_REFERENCE' });
    await expect(mgmt().addProductApi('starter', 'missing')).rejects.toMatchObject({ code: 'STORE_REFERENCE' });
  });

  // --- subscriptions, client applications, product links --------------------------------------

  test('subscriptions round-trip, upsert, list by id and delete', async () => {
    const s = subscription({ id: 's2', ownerId: 'u1', scope: '/products/starter', allowTracing: true, stateComment: 'ok' });
    await mgmt().putSubscription(s);
    await mgmt().putSubscription(subscription({ id: 's1' }));
    expect(await mgmt().getSubscription('s2')).toEqual(s);
    await mgmt().putSubscription({ ...s, state: 'suspended', primaryKeyHash: 'new' });
    expect(await mgmt().getSubscription('s2')).toEqual({ ...s, state: 'suspended', primaryKeyHash: 'new' });
    expect((await mgmt().listSubscriptions()).map((x) => x.id)).toEqual(['s1', 's2']);
    await mgmt().deleteSubscription('s2');
    await mgmt().deleteSubscription('s2');
    expect(await mgmt().getSubscription('s2')).toBeUndefined();
  });

  test('client applications round-trip, upsert, filter by owner and list by id', async () => {
    const mine = clientApplication({ id: 'ca2', ownerId: 'u1', description: 'mine', state: 'pending' });
    const theirs = clientApplication({ id: 'ca1', ownerId: 'u2' });
    const mineToo = clientApplication({ id: 'ca0', ownerId: 'u1' });
    for (const a of [mine, theirs, mineToo]) await mgmt().putClientApplication(a);
    expect(await mgmt().getClientApplication('ca2')).toEqual(mine);
    expect(await mgmt().listClientApplications()).toEqual([mineToo, theirs, mine]);
    expect(await mgmt().listClientApplications({})).toEqual([mineToo, theirs, mine]);
    expect(await mgmt().listClientApplications({ ownerId: 'u1' })).toEqual([mineToo, mine]);
    await mgmt().putClientApplication({ ...mine, state: 'approved' });
    expect((await mgmt().getClientApplication('ca2'))?.state).toBe('approved');
    expect(await mgmt().getClientApplication('nope')).toBeUndefined();
  });

  test('deleteClientApplication removes its product links', async () => {
    await seedCatalog();
    await mgmt().putClientApplication(clientApplication({ id: 'ca2' }));
    await mgmt().putProductLink(productLink({ clientApplicationId: 'ca2', id: 'l1' }));
    await mgmt().deleteClientApplication('ca1');
    await mgmt().deleteClientApplication('ca1');
    expect(await mgmt().getClientApplication('ca1')).toBeUndefined();
    expect(await mgmt().listProductLinks({})).toEqual([productLink({ clientApplicationId: 'ca2', id: 'l1' })]);
  });

  test('product links: keyed by (application, id), upsert, filters and order', async () => {
    for (const id of ['starter', 'unlimited']) await mgmt().putProduct(product({ id }));
    for (const id of ['ca1', 'ca2']) await mgmt().putClientApplication(clientApplication({ id }));
    const a = productLink({ clientApplicationId: 'ca2', id: 'l1', productId: 'starter' });
    const b = productLink({ clientApplicationId: 'ca1', id: 'l2', productId: 'starter', appRoleAssignmentId: 'ara' });
    const c = productLink({ clientApplicationId: 'ca1', id: 'l1', productId: 'unlimited' });
    for (const l of [a, b, c]) await mgmt().putProductLink(l);
    expect(await mgmt().getProductLink('ca1', 'l2')).toEqual(b);
    expect(await mgmt().getProductLink('ca2', 'l2')).toBeUndefined();
    expect(await mgmt().listProductLinks({})).toEqual([c, b, a]);
    expect(await mgmt().listProductLinks({ clientApplicationId: 'ca1' })).toEqual([c, b]);
    expect(await mgmt().listProductLinks({ productId: 'starter' })).toEqual([b, a]);
    expect(await mgmt().listProductLinks({ clientApplicationId: 'ca1', productId: 'starter' })).toEqual([b]);
    await mgmt().putProductLink({ ...a, appRoleAssignmentId: 'granted' });
    expect(await mgmt().getProductLink('ca2', 'l1')).toEqual({ ...a, appRoleAssignmentId: 'granted' });
    await mgmt().deleteProductLink('ca1', 'l1');
    await mgmt().deleteProductLink('ca1', 'l1');
    expect(await mgmt().listProductLinks({})).toEqual([b, { ...a, appRoleAssignmentId: 'granted' }]);
  });

  test('transitionProductLink writes only while the stored state is the one read: the second of two decisions loses', async () => {
    for (const id of ['starter', 'unlimited']) await mgmt().putProduct(product({ id }));
    await mgmt().putClientApplication(clientApplication({ id: 'ca1' }));
    const pending = productLink({ clientApplicationId: 'ca1', id: 'l1', productId: 'unlimited', state: 'pending' });
    await mgmt().putProductLink(pending);
    const approved = { ...pending, state: 'approved' as const, appRoleAssignmentId: 'ara' };
    const rejected = { ...pending, state: 'rejected' as const };
    expect(await mgmt().transitionProductLink(approved, 'pending')).toBe(true);
    expect(await mgmt().transitionProductLink(rejected, 'pending')).toBe(false);
    expect(await mgmt().getProductLink('ca1', 'l1')).toEqual(approved);
    // The names match in any case, as everywhere; a missing link is no transition.
    expect(await mgmt().transitionProductLink({ ...rejected, clientApplicationId: 'CA1', id: 'L1' }, 'approved')).toBe(true);
    expect(await mgmt().getProductLink('ca1', 'l1')).toEqual(rejected);
    expect(await mgmt().transitionProductLink({ ...approved, id: 'nope' }, 'pending')).toBe(false);
    // In a transaction: the conditional write is what serializes two decisions.
    const results = await Promise.all([
      ctx().store.transaction(async (tx) => tx.management.transitionProductLink(approved, 'rejected')),
      ctx().store.transaction(async (tx) => tx.management.transitionProductLink({ ...pending, state: 'active' }, 'rejected')),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  test('linking a product the application already links under another id is STORE_CONFLICT', async () => {
    for (const id of ['starter', 'unlimited']) await mgmt().putProduct(product({ id }));
    await mgmt().putClientApplication(clientApplication());
    await mgmt().putProductLink(productLink({ id: 'l1', productId: 'starter' }));
    await mgmt().putProductLink(productLink({ id: 'l2', productId: 'unlimited' }));
    await expect(mgmt().putProductLink(productLink({ id: 'l3', productId: 'starter' }))).rejects.toMatchObject({
      code: 'STORE_CONFLICT',
    });
    await expect(mgmt().putProductLink(productLink({ id: 'l2', productId: 'starter' }))).rejects.toMatchObject({
      code: 'STORE_CONFLICT',
    });
    expect((await mgmt().listProductLinks({})).map((l) => `${l.id}:${l.productId}`)).toEqual(['l1:starter', 'l2:unlimited']);
  });

  test('a product link to a missing application or product is STORE_REFERENCE', async () => {
    await mgmt().putProduct(product());
    await expect(mgmt().putProductLink(productLink())).rejects.toMatchObject({ code: 'STORE_REFERENCE' });
    await mgmt().putClientApplication(clientApplication());
    await expect(mgmt().putProductLink(productLink({ productId: 'missing' }))).rejects.toMatchObject({
      code: 'STORE_REFERENCE',
    });
  });

  /** starter and unlimited both hold echo-api; starter has group developers and client app ca1 (link l1). */
  async function seedCatalog(): Promise<void> {
    for (const id of ['starter', 'unlimited']) await mgmt().putProduct(product({ id }));
    await mgmt().putApi(api());
    await mgmt().putOperation(operation());
    await mgmt().addProductApi('starter', 'echo-api');
    await mgmt().addProductApi('unlimited', 'echo-api');
    await mgmt().putGroup(group());
    await mgmt().addProductGroup('starter', 'developers');
    await mgmt().putClientApplication(clientApplication());
    await mgmt().putProductLink(productLink({ id: 'l1', productId: 'starter' }));
    await mgmt().putProductLink(productLink({ id: 'l2', productId: 'unlimited' }));
  }
});
