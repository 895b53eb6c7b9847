/**
 * The audit log over HTTP against the real program, on every dialect: the seed flow's writes are
 * listed with actor and target, refusals and failures too, filters and keyset paging work, the
 * directory API's writes are recorded, and no secret ever reaches a stored row.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { bootOn, type Booted } from '../helpers/boot.js';
import { ManagementClient, clientCredentialsToken, requestToken } from '../helpers/clients.js';
import { GraphClient, raw, serviceUrl } from '../management/harness.js';
import { dumpDatabase } from '../helpers/dump.js';
import { makeCertificate } from '../helpers/certificates.js';

interface AuditEvent {
  id: string;
  name: string;
  type: string;
  properties: {
    timestamp: string;
    actor: { objectId?: string; appId?: string };
    operation: string;
    targetId: string;
    outcome: 'success' | 'failure';
    status?: number;
    correlationId?: string;
    details?: Record<string, unknown>;
  };
}

describeEachDialect('the audit log', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;
  let graph: GraphClient;
  let adminObjectId: string;
  const secrets: string[] = [];
  const started = new Date().toISOString();

  const events = async (query = ''): Promise<AuditEvent[]> => {
    const response = await admin.call('GET', `/auditEvents${query}`);
    expect(response.status).toBe(200);
    return response.body.value;
  };
  const find = (list: AuditEvent[], operation: string, targetSuffix: string) =>
    list.filter((e) => e.properties.operation === operation && e.properties.targetId.endsWith(targetSuffix));

  beforeAll(async () => {
    portico = await bootOn(dialect);
    admin = new ManagementClient(portico.credentials);
    graph = new GraphClient(portico);
    secrets.push(portico.credentials.admin.clientSecret, portico.credentials.adminUser.password);
    const sp = await graph.servicePrincipalByAppId(portico.credentials.admin.clientId);
    adminObjectId = sp!.id;

    // The seed flow.
    expect((await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } }, { 'if-match': '*' })).status).toBe(200);
    expect((await admin.call('PUT', '/users/alice', { properties: { email: 'alice@example.com', firstName: 'Alice', lastName: 'Example' } })).status).toBe(201);
    const app = await admin.call('PUT', '/clientApplications/alice-app', { properties: { displayName: 'Alice app', ownerId: '/users/alice', productIds: ['/products/starter'] } });
    expect(app.status).toBe(201);
    const secret = await admin.call('POST', '/clientApplications/alice-app/listSecrets');
    expect(secret.status).toBe(200);
    secrets.push(secret.body.entra.clientSecret);
  });
  afterAll(async () => {
    await portico?.stop();
  });

  test("the seed flow's writes are listed newest first with actor, target and outcome", async () => {
    const list = await events();
    const base = admin.servicePath;
    // First start recorded Starter too (no actor); the seed flow's PATCH is the admin's.
    const product = find(list, 'products.write', `${base}/products/starter`).filter((e) => e.properties.actor.objectId !== undefined);
    expect(product).toHaveLength(1);
    expect(product[0]!.properties).toMatchObject({
      actor: { objectId: adminObjectId, appId: portico.credentials.admin.clientId },
      targetId: `${base}/products/starter`,
      outcome: 'success',
      status: 200,
    });
    expect(product[0]!.type).toBe('Microsoft.ApiManagement/service/auditEvents');
    expect(product[0]!.id).toBe(`${base}/auditEvents/${product[0]!.name}`);
    expect(find(list, 'users.write', `${base}/users/alice`)[0]!.properties).toMatchObject({ outcome: 'success', status: 201 });
    const registered = find(list, 'clientApplications.write', `${base}/clientApplications/alice-app`);
    expect(registered).toHaveLength(1);
    expect(registered[0]!.properties).toMatchObject({ actor: { objectId: adminObjectId }, outcome: 'success', status: 201 });
    // The directory steps the registration took, by the same caller, in the same request.
    const correlation = registered[0]!.properties.correlationId;
    expect(correlation).toBeDefined();
    const steps = list.filter((e) => e.properties.correlationId === correlation).map((e) => e.properties.operation).sort();
    expect(steps).toEqual(['appRoleAssignments.create', 'applications.create', 'clientApplications.write', 'servicePrincipals.create']);
    const minted = find(list, 'applications.addPassword', registered[0]!.properties.details!.entraObjectId as string);
    expect(minted).toHaveLength(1);
    expect(minted[0]!.properties.actor.objectId).toBe(adminObjectId);
    // The action itself is on the client application's history too, next to the mint it caused.
    const action = find(list, 'clientApplications.listSecrets', `${base}/clientApplications/alice-app`);
    expect(action).toHaveLength(1);
    expect(action[0]!.properties).toMatchObject({ outcome: 'success', status: 200, correlationId: minted[0]!.properties.correlationId });
    // One row per committed change, none twice: the PUT's own row is its change's.
    expect(list.filter((e) => e.properties.correlationId === correlation && e.properties.operation === 'clientApplications.write')).toHaveLength(1);
    const one = await admin.call('GET', `/auditEvents/${registered[0]!.name}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(registered[0]);
    const missing = await admin.call('GET', '/auditEvents/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: 'ResourceNotFound', message: 'Audit event not found.', details: null });
    // Newest first.
    const times = list.map((e) => e.properties.timestamp);
    expect([...times].sort().reverse()).toEqual(times);
  });

  test('a refused write is recorded as a failure with its status, separately', async () => {
    const stale = await admin.call('PATCH', '/products/starter', { properties: { description: 'x' } }, { 'if-match': '"stale"' });
    expect(stale.status).toBe(412);
    const list = await events(`?$filter=${encodeURIComponent(`target eq '${admin.servicePath}/products/starter' and operation eq 'products.write'`)}`);
    expect(list[0]!.properties).toMatchObject({ outcome: 'failure', status: 412, actor: { objectId: adminObjectId } });
  });

  test('filters by actor, target and time, and pages with $skipToken', async () => {
    const all = await events();
    const byActor = await events(`?$filter=${encodeURIComponent(`actor eq '${adminObjectId}'`)}`);
    expect(byActor.length).toBeGreaterThan(4);
    expect(byActor.every((e) => e.properties.actor.objectId === adminObjectId)).toBe(true);
    const byAppId = await events(`?$filter=${encodeURIComponent(`actor eq '${portico.credentials.admin.clientId}'`)}`);
    expect(byAppId.map((e) => e.name)).toEqual(byActor.map((e) => e.name));
    const target = `${admin.servicePath.toUpperCase()}/CLIENTAPPLICATIONS/ALICE-APP`;
    const byTarget = await events(`?$filter=${encodeURIComponent(`target eq '${target}'`)}`);
    expect(byTarget.map((e) => e.properties.operation)).toEqual(['clientApplications.listSecrets', 'clientApplications.write']);
    const future = await events(`?$filter=${encodeURIComponent(`timestamp ge '2999-01-01T00:00:00Z'`)}`);
    expect(future).toEqual([]);
    const since = await events(`?$filter=${encodeURIComponent(`timestamp ge '${started}' and timestamp le '2999-01-01T00:00:00Z'`)}`);
    expect(since.length).toBeGreaterThan(0);
    expect(since.every((e) => e.properties.timestamp >= started)).toBe(true);

    const seen: string[] = [];
    let next: string | undefined = serviceUrl(portico, '/auditEvents?$top=2', '2025-03-01-preview');
    const token = await admin.bearer();
    while (next) {
      const page = await raw(next, { token });
      expect(page.status).toBe(200);
      expect(page.body.value.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.value.map((e: AuditEvent) => e.name));
      next = page.body.nextLink;
      if (next) expect(next).toContain('%24skipToken=');
    }
    // Rows written since `all` was read (the list calls are reads: none) do not shift the pages.
    expect(seen).toEqual(all.map((e) => e.name));
  });

  test('unsupported filters and damaged continuations are 400 with ARM errors', async () => {
    const bad = await admin.call('GET', `/auditEvents?$filter=${encodeURIComponent("status eq '200'")}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('ValidationError');
    expect(bad.body.error.details[0].target).toBe('$filter');
    const time = await admin.call('GET', `/auditEvents?$filter=${encodeURIComponent("timestamp ge 'yesterday'")}`);
    expect(time.status).toBe(400);
    const token = await admin.call('GET', '/auditEvents?$skipToken=abc');
    expect(token.status).toBe(400);
    expect(token.body.error.details[0].target).toBe('$skipToken');
  });

  test("the directory API's writes are audited: secrets minted and removed, role assignments", async () => {
    const app = (await admin.call('GET', '/clientApplications/alice-app')).body.properties;
    const objectId = (await graph.applicationByAppId(app.entraApplicationId))!.id;
    const added = await graph.call('POST', `/applications/${objectId}/addPassword`, { passwordCredential: { displayName: 'ci' } });
    expect(added.status).toBe(200);
    secrets.push(added.body.secretText);
    expect((await graph.call('POST', `/applications/${objectId}/removePassword`, { keyId: added.body.keyId })).status).toBe(204);
    const missing = await graph.call('POST', `/applications/${objectId}/removePassword`, { keyId: added.body.keyId });
    expect(missing.status).toBe(404);
    const list = await events(`?$filter=${encodeURIComponent(`target eq '${objectId}'`)}`);
    expect(list.map((e) => [e.properties.operation, e.properties.outcome, e.properties.status])).toEqual([
      ['applications.removePassword', 'failure', 404],
      ['applications.removePassword', 'success', 204],
      ['applications.addPassword', 'success', 200],
      ['applications.addPassword', 'success', 200],
      ['applications.create', 'success', undefined],
    ]);
    expect(list[1]!.properties.details).toEqual({ keyIds: [added.body.keyId] });
    expect(list.every((e) => e.properties.actor.objectId === adminObjectId)).toBe(true);

    const sp = await graph.servicePrincipalByAppId(app.entraApplicationId);
    const assigned = await graph.call('POST', '/roleManagement/directory/roleAssignments', { principalId: sp!.id, roleDefinitionId: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3', directoryScopeId: '/' });
    expect(assigned.status).toBe(201);
    expect((await graph.call('DELETE', `/roleManagement/directory/roleAssignments/${assigned.body.id}`)).status).toBe(204);
    const roles = await events(`?$filter=${encodeURIComponent(`target eq '${assigned.body.id}'`)}`);
    expect(roles.map((e) => e.properties.operation)).toEqual(['roleAssignments.delete', 'roleAssignments.create']);
    expect(roles[0]!.properties.details).toEqual({ principalId: sp!.id });
  });

  test('certificate credential changes are audited with their key ids, a refused one as a failure', async () => {
    const app = (await admin.call('GET', '/clientApplications/alice-app')).body.properties;
    const objectId = (await graph.applicationByAppId(app.entraApplicationId))!.id;
    const cert = await makeCertificate({ subject: 'alice-app' });
    const added = await graph.call('PATCH', `/applications/${objectId}`, { keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: cert.derBase64 }] });
    expect(added.status).toBe(204);
    const refused = await graph.call('PATCH', `/applications/${objectId}`, { keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: 'bm90IGEgY2VydGlmaWNhdGU=' }] });
    expect(refused.status).toBe(400);
    const keyId = (await graph.call('GET', `/applications/${objectId}`)).body.keyCredentials[0].keyId as string;
    const list = await events(`?$filter=${encodeURIComponent(`target eq '${objectId}' and operation eq 'applications.write'`)}`);
    expect(list.map((e) => [e.properties.outcome, e.properties.status])).toEqual([['failure', 400], ['success', 204]]);
    expect(list[1]!.properties.details).toEqual({ keyIds: [keyId] });
    expect(JSON.stringify(list)).not.toContain(cert.derBase64.slice(0, 64));
  });

  test('the list needs a management role like every service resource; a refused write is audited with who tried it', async () => {
    const anonymous = await raw(serviceUrl(portico, '/auditEvents', '2025-03-01-preview'));
    expect(anonymous.status).toBe(401);
    const c = portico.credentials;
    const app = (await admin.call('GET', '/clientApplications/alice-app')).body.properties;
    const appToken = await clientCredentialsToken(c.identityUrl, c.tenantId, app.entraApplicationId, secrets[2]!, c.managementScope);
    const read = await raw(serviceUrl(portico, '/auditEvents', '2025-03-01-preview'), { token: appToken });
    expect(read.status).toBe(403);
    expect(read.body.error.code).toBe('AuthorizationFailed');
    const write = await raw(serviceUrl(portico, '/products/intruder', '2025-03-01-preview'), { method: 'PUT', token: appToken, body: { properties: { displayName: 'X' } } });
    expect(write.status).toBe(403);
    const list = await events(`?$filter=${encodeURIComponent(`actor eq '${app.entraApplicationId}'`)}`);
    expect(list).toHaveLength(1);
    expect(list[0]!.properties).toMatchObject({
      operation: 'products.write',
      targetId: `${admin.servicePath}/products/intruder`,
      outcome: 'failure',
      status: 403,
      details: { code: 'AuthorizationFailed' },
      actor: { appId: app.entraApplicationId },
    });
  });

  test('the gateway refusing a token of an unlinked application is audited once, off the request path', async () => {
    const app = (await admin.call('GET', '/clientApplications/alice-app')).body.properties;
    const audience = (await admin.call('GET', '/products/starter')).body.properties.application.entra.audience;
    const issued = await requestToken(portico.identityUrl, portico.credentials.tenantId, {
      grant_type: 'client_credentials', client_id: app.entraApplicationId, client_secret: secrets[2]!, scope: `api://${audience}/.default`,
    });
    const token = issued.body.access_token as string;
    secrets.push(token);
    const call = () => fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, { headers: { authorization: `Bearer ${token}` } });
    expect((await call()).status).toBe(200);
    expect((await admin.call('DELETE', '/clientApplications/alice-app/productLinks/starter')).status).toBe(200);
    // Repeats coalesce per clock minute, and a closed minute adds a row with the repeats: start the
    // refusals early in a minute, so the calls and the read below end before it does.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
    for (let i = 0; i < 5; i++) expect((await call()).status).toBe(401);
    // Written by the queue's flush (about a second): wait for it, then check it was coalesced.
    const filter = `?$filter=${encodeURIComponent("operation eq 'gateway.tokenRefused'")}`;
    let refused = await events(filter);
    while (refused.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      refused = await events(filter);
    }
    expect(refused).toHaveLength(1);
    expect(refused[0]!.properties).toMatchObject({
      actor: { appId: app.entraApplicationId },
      targetId: `${admin.servicePath}/clientApplications/alice-app`,
      outcome: 'failure',
      status: 401,
      details: { reason: 'notLinked', appId: app.entraApplicationId, count: 1 },
    });
  });

  test("first start's rows target full ARM ids (the seeded service resources) or directory object ids, never a service-relative path", async () => {
    const first = (await events('?$top=1000')).filter((e) => e.properties.actor.objectId === undefined);
    const base = admin.servicePath;
    expect(first.length).toBeGreaterThan(0);
    for (const event of first) expect(event.properties.targetId.startsWith(`${base}/`) || /^[0-9a-f-]{36}$/.test(event.properties.targetId), event.properties.targetId).toBe(true);
    const seeded = first.filter((e) => e.properties.details?.['via'] === 'first start').map((e) => [e.properties.operation, e.properties.targetId.slice(base.length)]);
    expect(seeded).toEqual(
      expect.arrayContaining([
        ['users.write', '/users/1'],
        ['apis.write', '/apis/echo-api'],
        ['apis/operations.write', '/apis/echo-api/operations/create-resource'],
        ['products.write', '/products/starter'],
        ['products.write', '/products/unlimited'],
        ['products/apis.write', '/products/starter/apis/echo-api'],
        ['products/policies.write', '/products/starter/policies/policy'],
        ['subscriptions.write', '/subscriptions/master'],
      ]),
    );
  });

  test('a bulk import records one row for the batch and one per written item, in its transaction; a refused batch one failure row', async () => {
    const items = [
      { type: 'user', name: 'imported-ivy', properties: { email: 'ivy@example.com', firstName: 'Ivy', lastName: 'Import' } },
      { type: 'clientApplication', name: 'ivy-app', properties: { displayName: 'Ivy app', ownerId: '/users/imported-ivy', productIds: ['/products/starter'] } },
      // Starter takes only tokens here, so the subscription is to all APIs.
      { type: 'subscription', name: 'ivy-sub', properties: { displayName: 'Ivy', scope: '/apis', ownerId: '/users/imported-ivy', state: 'active' } },
    ];
    const imported = await admin.call('POST', '/portico.import', { items });
    expect(imported.status).toBe(200);
    const list = await events(`?$filter=${encodeURIComponent(`timestamp ge '${started}'`)}`);
    const base = admin.servicePath;
    const batch = find(list, 'portico.import', base).filter((e) => e.properties.targetId === base);
    expect(batch).toHaveLength(1);
    expect(batch[0]!.properties).toMatchObject({ outcome: 'success', status: 200, details: { created: 3, updated: 0, items: 3 } });
    const correlationId = batch[0]!.properties.correlationId;
    const rows = list.filter((e) => e.properties.correlationId === correlationId && e.properties.details?.['via'] === 'portico.import');
    expect(rows.map((e) => [e.properties.operation, e.properties.targetId.slice(base.length), e.properties.details?.['status']]).sort()).toEqual([
      ['clientApplications.write', '/clientApplications/ivy-app', 'created'],
      ['subscriptions.write', '/subscriptions/ivy-sub', 'created'],
      ['users.write', '/users/imported-ivy', 'created'],
    ]);
    expect(rows.find((e) => e.properties.operation === 'clientApplications.write')!.properties.details).toMatchObject({ productLinksAdded: ['starter'] });

    // Sent again: nothing changed, so only the batch row (no item rows).
    expect((await admin.call('POST', '/portico.import', { items })).status).toBe(200);
    const again = find(await events(`?$filter=${encodeURIComponent("operation eq 'portico.import'")}`), 'portico.import', base);
    expect(again).toHaveLength(2);
    expect(again[0]!.properties).toMatchObject({ outcome: 'success', status: 200 });

    const refused = await admin.call('POST', '/portico.import', { items: [{ type: 'user', name: 'bad', properties: { email: 'not-an-email' } }] });
    expect(refused.status).toBe(400);
    const failures = (await events(`?$filter=${encodeURIComponent("operation eq 'portico.import'")}`)).filter((e) => e.properties.outcome === 'failure');
    expect(failures.map((e) => [e.properties.targetId, e.properties.status, e.properties.details?.['code']])).toEqual([[base, 400, 'ValidationError']]);
  });

  test('approving and rejecting a product link are audited on the link with their role grant and revocation', async () => {
    expect((await admin.call('PATCH', '/products/unlimited', { properties: { authenticationType: ['application-token'] } }, { 'if-match': '*' })).status).toBe(200);
    expect((await admin.call('PUT', '/clientApplications/alice-pending', { properties: { displayName: 'Alice pending', ownerId: '/users/alice', productIds: ['/products/unlimited'] } })).status).toBe(201);
    const link = '/clientApplications/alice-pending/productLinks/unlimited';
    expect((await admin.call('POST', `${link}/approve`)).status).toBe(200);
    expect((await admin.call('POST', `${link}/reject`)).status).toBe(200);
    const list = await events(`?$filter=${encodeURIComponent(`target eq '${admin.servicePath}${link}'`)}`);
    expect(list.map((e) => [e.properties.operation, e.properties.outcome, e.properties.status])).toEqual([
      ['clientApplications/productLinks.reject', 'success', 200],
      ['clientApplications/productLinks.approve', 'success', 200],
    ]);
    expect(list[1]!.properties.details).toEqual({ productId: 'unlimited' });
    const all = await events();
    const [reject, approve] = list;
    expect(all.filter((e) => e.properties.correlationId === approve!.properties.correlationId).map((e) => e.properties.operation).sort())
      .toEqual(['appRoleAssignments.create', 'clientApplications/productLinks.approve']);
    expect(all.filter((e) => e.properties.correlationId === reject!.properties.correlationId).map((e) => e.properties.operation).sort())
      .toEqual(['appRoleAssignments.delete', 'clientApplications/productLinks.reject']);
  });

  test('no secret value appears in any stored audit row (nor anywhere in the audit table)', async () => {
    // Reading a subscription's keys is an audited action too; the keys themselves are not in it.
    const keys = await admin.call('POST', '/subscriptions/master/listSecrets');
    expect(keys.status).toBe(200);
    secrets.push(keys.body.primaryKey, keys.body.secondaryKey);
    const read = await events(`?$filter=${encodeURIComponent("operation eq 'subscriptions.listSecrets'")}`);
    expect(read.map((e) => [e.properties.targetId, e.properties.outcome, e.properties.status])).toEqual([[`${admin.servicePath}/subscriptions/master`, 'success', 200]]);
    const rows = (await dumpDatabase(portico.dataDir, portico.databaseUrl))['audit_events']!;
    expect(rows.length).toBeGreaterThan(10);
    const dump = JSON.stringify(rows);
    expect(dump.length).toBeGreaterThan(100);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(10);
      expect(dump).not.toContain(secret);
    }
  });
});
