/**
 * Issue 7 items 2 and 3 on the real program: product policies (rate limit, quota) configured through
 * APIM's `products/{id}/policies/policy`, enforced for keys and tokens, counted per subscription or
 * client application and product, quota counts surviving a restart. No timed assertions: limits are
 * small counts in long windows, reached by calling, never by waiting.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient, requestToken } from '../helpers/clients.js';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/databases.js';

const OUT_OF_QUOTA = /^Out of call volume quota\. Quota will be replenished in (\d\d):(\d\d):(\d\d)\.$/;

const policy = (inbound: string): string =>
  `<policies>\n  <inbound>\n    ${inbound}\n    <base />\n  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    <base />\n  </outbound>\n  <on-error>\n    <base />\n  </on-error>\n</policies>`;

describeEachDialect('product policies: rate limit and quota for keys and tokens', (dialect) => {
  let database: TestDatabase;
  let portico: Booted;
  let admin: ManagementClient;

  const boot = async (): Promise<void> => {
    portico = await bootPortico({ dataDir: database.dataDir, ...(database.databaseUrl ? { databaseUrl: database.databaseUrl } : {}) });
    admin = new ManagementClient(portico.credentials);
  };
  const callEcho = (headers: Record<string, string>): Promise<Response> => fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, { headers });
  const newSubscription = async (id: string, scope: string): Promise<string> => {
    const created = await admin.call('PUT', `/subscriptions/${id}`, { properties: { scope, displayName: id, state: 'active' } });
    expect(created.status).toBe(201);
    return (await admin.call('POST', `/subscriptions/${id}/listSecrets`)).body.primaryKey as string;
  };
  /** Calls until the first refusal and returns how many were let through, and the refusal. */
  const callUntilRefused = async (headers: Record<string, string>, max: number): Promise<{ passed: number; refusal: Response }> => {
    for (let passed = 0; passed < max; passed++) {
      const response = await callEcho(headers);
      if (response.status !== 200) return { passed, refusal: response };
      await response.arrayBuffer();
    }
    throw new Error(`no refusal after ${max} calls`);
  };
  const expectRateLimited = async (refusal: Response): Promise<void> => {
    expect(refusal.status).toBe(429);
    const retryAfter = Number(refusal.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refusal.headers.get('content-type')).toBe('application/json');
    expect(await refusal.json()).toEqual({ statusCode: 429, message: `Rate limit is exceeded. Try again in ${retryAfter} seconds.` });
  };

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    await boot();
  }, 60_000);
  afterAll(async () => {
    await portico?.running.stop();
    await database?.drop();
  });

  test("Starter has APIM's policy from the first start, shown as XML and as JSON limits", async () => {
    const got = await admin.call('GET', '/products/starter/policies/policy');
    expect(got.status).toBe(200);
    expect(got.body.id).toBe(`${admin.servicePath}/products/starter/policies/policy`);
    expect(got.body.type).toBe('Microsoft.ApiManagement/service/products/policies');
    expect(got.body.name).toBe('policy');
    expect(got.body.properties.format).toBe('xml');
    expect(got.body.properties.value).toContain('<rate-limit calls="5" renewal-period="60" />');
    expect(got.body.properties.value).toContain('<quota calls="100" renewal-period="604800" />');
    expect(got.body.properties.limits).toEqual({ rateLimit: { calls: 5, renewalPeriod: 60 }, quota: { calls: 100, renewalPeriod: 604800 } });
    const raw = await admin.call('GET', '/products/starter/policies/policy?format=rawxml');
    expect(raw.body.properties.format).toBe('rawxml');
    const list = await admin.call('GET', '/products/starter/policies');
    expect(list.status).toBe(200);
    expect(list.body.value.map((p: { name: string }) => p.name)).toEqual(['policy']);
    expect((await admin.call('GET', '/products/unlimited/policies')).body.value).toEqual([]);
    expect((await admin.call('GET', '/products/unlimited/policies/policy')).status).toBe(404);
  });

  test("Starter's 5 calls a minute: the 6th call with a key is 429 with Retry-After; another subscription is counted apart", async () => {
    const first = await newSubscription('rate-a', '/products/starter');
    const second = await newSubscription('rate-b', '/products/starter');
    const a = await callUntilRefused({ 'ocp-apim-subscription-key': first }, 10);
    expect(a.passed).toBe(5);
    await expectRateLimited(a.refusal);
    const b = await callUntilRefused({ 'ocp-apim-subscription-key': second }, 10);
    expect(b.passed).toBe(5);
    await expectRateLimited(b.refusal);
    // The log phase sees who was refused, by which policy, in which product's context.
    const refusals = portico.logLines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'gateway request' && line.status === 429);
    expect(refusals.map((line) => [line.subscriptionId, line.productId, line.apiId, line.operationId, line.rejectedBy])).toEqual([
      ['rate-a', 'starter', 'echo-api', 'retrieve-resource', 'rate-limit'],
      ['rate-b', 'starter', 'echo-api', 'retrieve-resource', 'rate-limit'],
    ]);
    expect(refusals.every((line) => typeof line.durationMs === 'number' && line.backendMs === undefined)).toBe(true);
    // The built-in all-access subscription is not a product subscription: product policies do not apply (APIM).
    const master = (await admin.call('POST', '/subscriptions/master/listSecrets')).body.primaryKey as string;
    for (let i = 0; i < 7; i++) expect((await callEcho({ 'ocp-apim-subscription-key': master })).status).toBe(200);
  });

  test("Starter's 5 calls a minute with tokens (application-token): the 6th is 429; another client application is counted apart", async () => {
    const starter = await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['subscription-key', 'application-token'] } }, { 'if-match': '*' });
    expect(starter.status).toBe(200);
    const audience = starter.body.properties.application.entra.audience as string;
    expect((await admin.call('PUT', '/users/carol', { properties: { email: 'carol@example.com', firstName: 'Carol', lastName: 'Example' } })).status).toBe(201);
    const bearerOf = async (appId: string): Promise<Record<string, string>> => {
      const app = await admin.call('PUT', `/clientApplications/${appId}`, { properties: { displayName: appId, ownerId: '/users/carol', productIds: ['/products/starter'] } });
      expect(app.status).toBe(201);
      const secret = (await admin.call('POST', `/clientApplications/${appId}/listSecrets`)).body.entra.clientSecret as string;
      const token = await requestToken(portico.identityUrl, portico.credentials.tenantId, {
        grant_type: 'client_credentials',
        client_id: app.body.properties.entraApplicationId,
        client_secret: secret,
        scope: `api://${audience}/.default`,
      });
      expect(token.status).toBe(200);
      return { authorization: `Bearer ${token.body.access_token}` };
    };
    const one = await callUntilRefused(await bearerOf('carol-one'), 10);
    expect(one.passed).toBe(5);
    await expectRateLimited(one.refusal);
    const two = await callUntilRefused(await bearerOf('carol-two'), 10);
    expect(two.passed).toBe(5);
    await expectRateLimited(two.refusal);
  });

  test('a quota gives 403 with the time until it is replenished, and its count survives a restart', async () => {
    expect((await admin.call('PUT', '/products/metered', { properties: { displayName: 'Metered', state: 'published' } })).status).toBe(201);
    expect((await admin.call('PUT', '/products/metered/apis/echo-api')).status).toBe(201);
    const put = await admin.call('PUT', '/products/metered/policies/policy', { properties: { format: 'rawxml', value: policy('<quota calls="3" renewal-period="3600" />') } });
    expect(put.status).toBe(201);
    expect(put.body.properties.limits).toEqual({ quota: { calls: 3, renewalPeriod: 3600 } });
    const key = await newSubscription('metered-a', '/products/metered');
    const other = await newSubscription('metered-b', '/products/metered');

    const expectOutOfQuota = async (refusal: Response): Promise<void> => {
      expect(refusal.status).toBe(403);
      const body = (await refusal.json()) as { statusCode: number; message: string };
      expect(body.statusCode).toBe(403);
      const [, hh, mm, ss] = OUT_OF_QUOTA.exec(body.message) ?? [];
      expect(hh).toBeDefined();
      const seconds = Number(hh) * 3600 + Number(mm) * 60 + Number(ss);
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThanOrEqual(3600);
      expect(Number(refusal.headers.get('retry-after'))).toBe(seconds);
    };
    const first = await callUntilRefused({ 'ocp-apim-subscription-key': key }, 10);
    expect(first.passed).toBe(3);
    await expectOutOfQuota(first.refusal);
    expect((await callEcho({ 'ocp-apim-subscription-key': other })).status).toBe(200); // counted apart

    // A graceful stop writes the counts; the next start reads them back.
    await portico.running.stop();
    await boot();
    await expectOutOfQuota(await callEcho({ 'ocp-apim-subscription-key': key }));
    const rest = await callUntilRefused({ 'ocp-apim-subscription-key': other }, 10);
    expect(rest.passed).toBe(2);
    await expectOutOfQuota(rest.refusal);

    // Without the policy the product limits nothing.
    expect((await admin.call('DELETE', '/products/metered/policies/policy')).status).toBe(200);
    expect((await admin.call('DELETE', '/products/metered/policies/policy')).status).toBe(204);
    expect((await callEcho({ 'ocp-apim-subscription-key': key })).status).toBe(200);
  }, 60_000);

  test('a policy document with anything but rate-limit, quota and base is a 400 naming it', async () => {
    const put = (value: string, format = 'xml') => admin.call('PUT', '/products/unlimited/policies/policy', { properties: { format, value } });
    const unknownElement = await put(policy('<set-header name="x" exists-action="override"><value>1</value></set-header>'));
    expect(unknownElement.status).toBe(400);
    const message = "Policy element 'set-header' is not supported in <inbound> (line 3): Portico supports only <rate-limit>, <quota> and <base /> in <inbound>.";
    expect(unknownElement.body).toEqual({ error: { code: 'ValidationError', message: 'One or more fields contain incorrect values:', details: [{ code: 'ValidationError', target: 'set-header', message }] } });

    const inOutbound = await put('<policies><inbound /><outbound><cache-store duration="10" /></outbound></policies>');
    expect(inOutbound.status).toBe(400);
    expect(inOutbound.body.error.details[0].message).toBe("Policy element 'cache-store' is not supported in <outbound> (line 1): Portico supports only <base /> in <outbound>.");

    const unknownAttribute = await put(policy('<rate-limit calls="5" renewal-period="60" counter-key="x" />'));
    expect(unknownAttribute.status).toBe(400);
    expect(unknownAttribute.body.error.details[0].message).toBe("Attribute 'counter-key' is not supported on <rate-limit>; it takes 'calls', 'renewal-period', 'portico-fail-mode'.");

    const missing = await put(policy('<quota calls="5" />'));
    expect(missing.body.error.details[0].message).toBe("<quota> needs the attribute 'renewal-period' (length of the period in seconds).");
    const notNumber = await put(policy('<rate-limit calls="many" renewal-period="60" />'));
    expect(notNumber.body.error.details[0].message).toBe("Attribute 'calls' of <rate-limit> must be an integer from 1 to 2147483647; 'many' is not.");
    const malformed = await put('<policies><inbound></policies>');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details[0].message).toBe('The policy document is not well-formed XML: </policies> closes <inbound> (line 1).');
    const link = await put('https://example.com/policy.xml', 'rawxml-link');
    expect(link.status).toBe(400);
    expect(link.body.error).toEqual({
      code: 'ValidationError',
      message: 'One or more fields contain incorrect values:',
      details: [{ code: 'ValidationError', target: 'format', message: 'format must be xml or rawxml: Portico does not fetch policy documents from a URL.' }],
    });
    expect((await admin.call('GET', '/products/unlimited/policies/policy')).status).toBe(404);
  });
});
