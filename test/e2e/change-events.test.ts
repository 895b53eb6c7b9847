/**
 * Change events (docs/events.md): one event per write, named `<entity>.<past verb>` with the ids
 * consumers need, stamped with a config version kept in the store that survives a restart.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { GraphClient, putUser, tokenProduct } from '../management/harness.js';
import { openStore } from '../../src/store/index.js';
import type { ChangeEvent } from '../../src/shared/index.js';

describeEachDialect('change events', (dialect) => {
  let database: TestDatabase;
  let portico: Booted;
  let admin: ManagementClient;
  let graph: GraphClient;
  const events: ChangeEvent[] = [];

  const boot = (ports?: Record<'gateway' | 'management' | 'identity' | 'echo', number>) =>
    bootPortico({ dataDir: database.dataDir, ...(database.databaseUrl ? { databaseUrl: database.databaseUrl } : {}), ...(ports ? { ports } : {}) });
  const follow = (booted: Booted) => {
    booted.running.feed.subscribe((event) => void events.push(event));
    admin = new ManagementClient(booted.credentials);
    graph = new GraphClient(booted);
  };
  /** The events a call published; its status must be `status`. */
  const eventsOf = async (status: number, call: () => Promise<{ status: number }>): Promise<ChangeEvent[]> => {
    events.length = 0;
    expect((await call()).status).toBe(status);
    return [...events];
  };
  const portOf = (url: string) => Number(new URL(url).port);

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    portico = await boot();
    follow(portico);
    await tokenProduct(admin, 'gold', 'Gold');
    await putUser(admin, 'dev');
  });
  afterAll(async () => {
    await portico?.running.stop();
    await database?.drop();
  });

  test('a registration (directory app, service principal, role grant, record) publishes exactly one event, once all of it committed', async () => {
    const before = portico.running.feed.currentVersion;
    const recordAtEvent: number[] = [];
    const unsubscribe = portico.running.feed.subscribe(async () => {
      recordAtEvent.push((await admin.call('GET', '/clientApplications/registered')).status);
    });
    let response: Awaited<ReturnType<ManagementClient['call']>> | undefined;
    const published = await eventsOf(201, async () => {
      response = await admin.call('PUT', '/clientApplications/registered', { properties: { displayName: 'Registered', ownerId: '/users/dev', productIds: ['/products/gold'] } });
      return response;
    });
    unsubscribe();
    const clientId = response!.body.properties.entraApplicationId as string;
    const sp = await graph.servicePrincipalByAppId(clientId);
    const app = await graph.applicationByAppId(clientId);
    expect(published).toEqual([
      {
        type: 'clientApplication.created',
        clientApplicationId: 'registered',
        entraApplicationId: clientId,
        entraObjectId: app!.id,
        entraServicePrincipalId: sp!.id,
        version: before + 1,
      },
    ]);
    expect(recordAtEvent).toEqual([200]);
    expect(portico.running.feed.currentVersion).toBe(before + 1);
  });

  test('each write announces itself by name with the ids consumers need, one version after another', async () => {
    const start = portico.running.feed.currentVersion;
    const app = (await admin.call('GET', '/clientApplications/registered')).body.properties;
    const registered = await graph.applicationByAppId(app.entraApplicationId);
    const sp = await graph.servicePrincipalByAppId(app.entraApplicationId);
    const ids = { clientApplicationId: 'registered', entraApplicationId: app.entraApplicationId, entraObjectId: registered!.id, entraServicePrincipalId: sp!.id };

    const all: ChangeEvent[] = [];
    const step = async (status: number, call: () => Promise<{ status: number }>) => {
      const published = await eventsOf(status, call);
      all.push(...published);
      return published.map(({ version: _version, ...body }) => body);
    };

    expect(await step(201, () => admin.call('PUT', '/users/erin', { properties: { email: 'erin@example.com', firstName: 'Erin', lastName: 'Example' } })))
      .toEqual([{ type: 'user.created', userId: 'erin' }]);
    expect(await step(200, () => admin.call('PATCH', '/users/erin', { properties: { state: 'blocked' } }, { 'if-match': '*' })))
      .toEqual([{ type: 'user.stateChanged', userId: 'erin', state: 'blocked' }]);
    expect(await step(200, () => admin.call('PATCH', '/users/erin', { properties: { note: 'hello' } }, { 'if-match': '*' })))
      .toEqual([{ type: 'user.updated', userId: 'erin' }]);
    expect(await step(201, () => admin.call('PUT', '/subscriptions/erin-sub', { properties: { scope: '/products/starter', displayName: 'Erin', ownerId: '/users/dev', state: 'active' } })))
      .toEqual([{ type: 'subscription.created', subscriptionId: 'erin-sub' }]);
    expect(await step(204, () => admin.call('POST', '/subscriptions/erin-sub/regenerateSecondaryKey')))
      .toEqual([{ type: 'subscription.keyRegenerated', subscriptionId: 'erin-sub', key: 'secondary' }]);
    const secret = await step(200, () => admin.call('POST', '/clientApplications/registered/listSecrets'));
    expect(secret).toEqual([{ type: 'application.credentialAdded', applicationObjectId: registered!.id, keyIds: [expect.any(String)] }]);
    expect(await step(200, () => admin.call('DELETE', '/clientApplications/registered/productLinks/gold')))
      .toEqual([{ type: 'productLink.deleted', productLinkId: 'gold', productId: 'gold', ...ids }]);
    expect(await step(201, () => admin.call('PUT', '/clientApplications/registered/productLinks/gold-again', { properties: { productId: '/products/gold' } })))
      .toEqual([{ type: 'productLink.created', productLinkId: 'gold-again', productId: 'gold', ...ids }]);
    // An update that revokes a product's role and removes its link is still one write, one event.
    expect(await step(200, () => admin.call('PUT', '/clientApplications/registered', { properties: { displayName: 'Renamed', productIds: [] } })))
      .toEqual([{ type: 'clientApplication.updated', ...ids }]);
    expect((await admin.call('GET', '/clientApplications/registered/productLinks')).body.value).toEqual([]);
    expect(await step(200, () => admin.call('DELETE', '/clientApplications/registered')))
      .toEqual([{ type: 'clientApplication.deleted', ...ids }]);
    const rotated = await step(201, () => graph.call('POST', '/portico/signingKeys/rotate', {}));
    expect(rotated).toEqual([{ type: 'signingKey.rotated', kid: expect.any(String) }]);

    expect(all.map((e) => e.version)).toEqual(all.map((_, i) => start + 1 + i));
  });

  test('the stored version increases with each write and survives a restart', async () => {
    const last = portico.running.feed.currentVersion;
    expect(last).toBeGreaterThan(0);
    const ports = { gateway: portOf(portico.gatewayUrl), management: portOf(portico.managementUrl), identity: portOf(portico.identityUrl), echo: portOf(portico.echoUrl) };
    await portico.running.stop();

    const store = await openStore({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
    try {
      expect(await store.configVersion.current()).toBe(last);
    } finally {
      await store.close();
    }

    portico = await boot(ports);
    follow(portico);
    expect(portico.running.feed.currentVersion).toBe(last);
    expect(await eventsOf(201, () => admin.call('PUT', '/users/frank', { properties: { email: 'frank@example.com', firstName: 'Frank', lastName: 'Example' } })))
      .toEqual([{ type: 'user.created', userId: 'frank', version: last + 1 }]);
  });
});
