/**
 * Approval of product links (docs/management-api.md, docs/gateway.md): a link to a product with
 * approvalRequired (Unlimited) is pending and grants nothing — the token endpoint refuses the
 * product (AADSTS501051: no role assignment) and the gateway refuses a token it would otherwise
 * accept with APIM's 401 — until an administrator approves it; rejecting takes access away at the
 * next request. A product without approval links active at once. Each change is one event.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { bootOn, type Booted } from '../helpers/boot.js';
import { API_VERSION, ManagementClient, clientCredentialsToken, requestToken } from '../helpers/clients.js';
import { putUser, raw, serviceId, serviceUrl, tokenProduct } from '../management/harness.js';
import type { ChangeEvent } from '../../src/shared/index.js';

const TOKEN_INVALID = {
  statusCode: 401,
  message: 'Access denied due to invalid access token. Make sure to provide a valid token for a client application that has access to this API.',
};

describeEachDialect('product link approval', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;
  let unlimitedAudience: string;
  let goldAudience: string;
  const events: ChangeEvent[] = [];

  /** The events a call published (version left out); its status must be `status`. */
  const eventsOf = async (status: number, call: () => Promise<{ status: number }>) => {
    events.length = 0;
    expect((await call()).status).toBe(status);
    return events.map(({ version: _version, ...body }) => body);
  };
  const link = (app: string, id: string) => `/clientApplications/${app}/productLinks/${id}`;
  const linkBody = (app: string, id: string, productId: string, state: string) => ({
    id: `${serviceId(portico)}/clientApplications/${app}/productLinks/${id}`,
    type: 'Microsoft.ApiManagement/service/clientApplications/productLinks',
    name: id,
    properties: { productId: `${serviceId(portico)}/products/${productId}`, state },
  });
  const stateOf = async (app: string): Promise<string> => (await admin.call('GET', `/clientApplications/${app}`)).body.properties.state;
  const register = async (app: string, productIds: string[] = []) => {
    const created = await admin.call('PUT', `/clientApplications/${app}`, { properties: { displayName: app, ownerId: '/users/dev', productIds } });
    expect(created.status).toBe(201);
    const secret = await admin.call('POST', `/clientApplications/${app}/listSecrets`);
    return { clientId: created.body.properties.entraApplicationId as string, clientSecret: secret.body.entra.clientSecret as string };
  };
  const token = (client: { clientId: string; clientSecret: string }, audience: string) =>
    requestToken(portico.identityUrl, portico.credentials.tenantId, { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope: `api://${audience}/.default` });
  const callEcho = async (accessToken: string) => {
    const response = await fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, { headers: { authorization: `Bearer ${accessToken}` } });
    const text = await response.text();
    return { status: response.status, body: response.status === 200 ? undefined : JSON.parse(text) };
  };

  beforeAll(async () => {
    portico = await bootOn(dialect);
    portico.running.feed.subscribe((event) => void events.push(event));
    admin = new ManagementClient(portico.credentials);
    // Unlimited is seeded with approvalRequired: true; it needs application-token on for links.
    const unlimited = await admin.call('PATCH', '/products/unlimited', { properties: { authenticationType: ['application-token'] } }, { 'if-match': '*' });
    expect(unlimited.status).toBe(200);
    expect(unlimited.body.properties.approvalRequired).toBe(true);
    unlimitedAudience = unlimited.body.properties.application.entra.audience;
    goldAudience = await tokenProduct(admin, 'gold', 'Gold');
    expect((await admin.call('PUT', '/products/gold/apis/echo-api')).status).toBe(201);
    await putUser(admin, 'dev');
  }, 60_000);
  afterAll(async () => {
    await portico?.stop();
  });

  test('a link to Unlimited is pending: no token, and the gateway refuses; approve lets the next request through, reject refuses it', async () => {
    const client = await register('ua');
    expect(await stateOf('ua')).toBe('pending'); // no links

    const linked = await eventsOf(201, async () => {
      const created = await admin.call('PUT', link('ua', 'unlimited'), { properties: { productId: '/products/unlimited' } });
      expect(created.body).toEqual(linkBody('ua', 'unlimited', 'unlimited', 'pending'));
      return created;
    });
    expect(linked.map((e) => e.type)).toEqual(['productLink.created']);
    expect(await stateOf('ua')).toBe('pending');

    // A pending link grants no role: the token endpoint refuses the product as Entra does.
    const refused = await token(client, unlimitedAudience);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_grant');
    expect(refused.body.error_codes).toEqual([501051]);

    const approved = await eventsOf(200, async () => {
      const response = await admin.call('POST', `${link('ua', 'unlimited')}/approve`);
      expect(response.body).toEqual(linkBody('ua', 'unlimited', 'unlimited', 'approved'));
      return response;
    });
    expect(approved).toEqual([{ type: 'productLink.approved', productLinkId: 'unlimited', productId: 'unlimited', clientApplicationId: 'ua', entraApplicationId: client.clientId, entraObjectId: expect.any(String), entraServicePrincipalId: expect.any(String) }]);
    expect(await stateOf('ua')).toBe('approved');
    expect((await admin.call('GET', link('ua', 'unlimited'))).body).toEqual(linkBody('ua', 'unlimited', 'unlimited', 'approved'));

    const issued = await token(client, unlimitedAudience);
    expect(issued.status).toBe(200);
    const accessToken = issued.body.access_token as string;
    expect(await callEcho(accessToken)).toEqual({ status: 200, body: undefined });

    // Approving again changes nothing and announces nothing.
    expect(await eventsOf(200, () => admin.call('POST', `${link('ua', 'unlimited')}/approve`))).toEqual([]);

    const rejected = await eventsOf(200, async () => {
      const response = await admin.call('POST', `${link('ua', 'unlimited')}/reject`);
      expect(response.body).toEqual(linkBody('ua', 'unlimited', 'unlimited', 'rejected'));
      return response;
    });
    expect(rejected.map((e) => e.type)).toEqual(['productLink.rejected']);
    expect(await stateOf('ua')).toBe('rejected');
    // The token issued before still verifies, but the link no longer grants: APIM's 401, as for an unlinked app.
    expect(await callEcho(accessToken)).toEqual({ status: 401, body: TOKEN_INVALID });
    expect((await token(client, unlimitedAudience)).body.error_codes).toEqual([501051]);
    expect(await eventsOf(200, () => admin.call('POST', `${link('ua', 'unlimited')}/reject`))).toEqual([]);

    // Approving a rejected link restores access at the next request.
    expect((await eventsOf(200, () => admin.call('POST', `${link('ua', 'unlimited')}/approve`))).map((e) => e.type)).toEqual(['productLink.approved']);
    expect(await callEcho(accessToken)).toEqual({ status: 200, body: undefined });

    // Unlinked and linked again: pending, so the gateway refuses the still-valid token.
    expect((await admin.call('DELETE', link('ua', 'unlimited'))).status).toBe(200);
    expect((await admin.call('PUT', link('ua', 'again'), { properties: { productId: '/products/unlimited' } })).body).toEqual(linkBody('ua', 'again', 'unlimited', 'pending'));
    expect(await callEcho(accessToken)).toEqual({ status: 401, body: TOKEN_INVALID });
  });

  test('a product without approval links active at once; productIds on PUT follow the same rule', async () => {
    const client = await register('ga', ['/products/gold', '/products/unlimited']);
    const links = await admin.call('GET', '/clientApplications/ga/productLinks');
    expect(links.body.value).toEqual([linkBody('ga', 'gold', 'gold', 'active'), linkBody('ga', 'unlimited', 'unlimited', 'pending')]);
    expect(await stateOf('ga')).toBe('active');

    const issued = await token(client, goldAudience);
    expect(issued.status).toBe(200);
    expect(await callEcho(issued.body.access_token as string)).toEqual({ status: 200, body: undefined });
    expect((await token(client, unlimitedAudience)).body.error_codes).toEqual([501051]);

    // Rejecting an active link cuts it too.
    expect((await eventsOf(200, () => admin.call('POST', `${link('ga', 'gold')}/reject`))).map((e) => e.type)).toEqual(['productLink.rejected']);
    expect(await callEcho(issued.body.access_token as string)).toEqual({ status: 401, body: TOKEN_INVALID });
    expect(await stateOf('ga')).toBe('pending'); // one rejected, one pending
    expect((await admin.call('POST', `${link('ga', 'unlimited')}/reject`)).status).toBe(200);
    expect(await stateOf('ga')).toBe('rejected'); // all rejected
  });

  test('approve and reject: unknown links are 404, and only a Contributor may call them', async () => {
    const client = await register('outsider');
    const c = portico.credentials;
    const outsiderToken = await clientCredentialsToken(c.identityUrl, c.tenantId, client.clientId, client.clientSecret, c.managementScope);
    const forbidden = await raw(serviceUrl(portico, `${link('ua', 'again')}/approve`, API_VERSION), { method: 'POST', token: outsiderToken });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('AuthorizationFailed');
    expect(forbidden.body.error.message).toContain("needs the 'Service.Contributor' app role");
    expect((await admin.call('GET', link('ua', 'again'))).body.properties.state).toBe('pending');

    const missing = await admin.call('POST', `${link('ua', 'nope')}/approve`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 'ResourceNotFound', message: 'ClientApplicationProductLink not found.', details: null } });
    const noApp = await admin.call('POST', `${link('nope', 'x')}/reject`);
    expect(noApp.status).toBe(404);
    expect(noApp.body.error.code).toBe('ResourceNotFound');
  });
  test('approve and reject sent together on one link serialize: one decision wins, the other is 409, and the role follows the final state', async () => {
    const apps = ['race-0', 'race-1', 'race-2', 'race-3', 'race-4', 'race-5'];
    const clients = new Map<string, { clientId: string; clientSecret: string }>();
    for (const app of apps) {
      clients.set(app, await register(app));
      expect((await admin.call('PUT', link(app, 'unlimited'), { properties: { productId: '/products/unlimited' } })).status).toBe(201);
    }
    // Every pair at once; which one wins is up to the scheduler, so the assertions hold for either order.
    const answers = await Promise.all(
      apps.map(async (app) => {
        const [approve, reject] = await Promise.all([admin.call('POST', `${link(app, 'unlimited')}/approve`), admin.call('POST', `${link(app, 'unlimited')}/reject`)]);
        return { app, approve, reject };
      }),
    );
    for (const { app, approve, reject } of answers) {
      const final = (await admin.call('GET', link(app, 'unlimited'))).body.properties.state as string;
      expect(['approved', 'rejected']).toContain(final);
      expect([approve.status, reject.status]).not.toEqual([409, 409]);
      const loser = approve.status === 409 ? { answer: approve, wanted: 'approved', other: 'rejected' } : reject.status === 409 ? { answer: reject, wanted: 'rejected', other: 'approved' } : undefined;
      if (loser) {
        // The winner's decision stands, and the loser says what happened.
        expect(final).toBe(loser.other);
        expect(loser.answer.body).toEqual({
          error: {
            code: 'Conflict',
            message: `Product link 'unlimited' of client application '${app}' was changed by another request while it was being ${loser.wanted} (it was 'pending'; it is '${loser.other}' now). Read the link again and decide on its current state.`,
            details: null,
          },
        });
      } else {
        expect([approve.status, reject.status]).toEqual([200, 200]);
      }
      // The directory agrees with the link: a role (and so a token) exactly when it is approved.
      const issued = await token(clients.get(app)!, unlimitedAudience);
      expect([app, final, issued.status]).toEqual([app, final, final === 'approved' ? 200 : 400]);
    }
  });
});
