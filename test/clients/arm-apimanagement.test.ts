/**
 * @azure/arm-apimanagement 10 with @azure/identity, configured as its docs say (`endpoint`,
 * `credentialScopes`), runs an API manager's operations against Portico's management API, over
 * `--tls local` and behind a TLS proxy.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLIENT_MODES, MODE_TITLES, commonSettings, runClientScript, startClientEnvironment, type ClientEnvironment } from './environment.js';

for (const mode of CLIENT_MODES) {
  describe(`@azure/arm-apimanagement ${MODE_TITLES[mode]}`, () => {
    let env: ClientEnvironment;
    let steps: any;

    beforeAll(async () => {
      env = await startClientEnvironment(mode);
      const { output, stderr } = await runClientScript(env, 'arm-apimanagement.mjs', {
        ...commonSettings(env),
        CLIENT_ID: env.admin.clientId,
        CLIENT_SECRET: env.admin.clientSecret,
        MANAGEMENT_SCOPE: env.admin.scope,
        SUBSCRIPTION_ID: env.subscriptionId,
        RESOURCE_GROUP: env.resourceGroup,
        SERVICE_NAME: env.serviceName,
      });
      expect(output, `${JSON.stringify(output, null, 2)}\n${stderr}`).toMatchObject({ ok: true });
      steps = output.steps;
    }, 120_000); // boot, then a Node process that runs a dozen management calls
    afterAll(async () => {
      await env?.stop();
    });

    test('lists products, and with top: 1 follows every nextLink one product per page', () => {
      expect(steps.products).toEqual(['starter', 'unlimited']);
      expect(steps.pagedProducts).toEqual(steps.products);
      expect(steps.pageSizes).toEqual([1, 1]);
    });

    test('gets a product with its eTag and updates it with that eTag; a stale eTag is a RestError 412', () => {
      expect(steps.get).toMatchObject({ name: 'starter', displayName: 'Starter', eTag: expect.stringMatching(/^".+"$/) });
      expect(steps.update).toMatchObject({ description: 'Updated with the Azure SDK', eTag: expect.stringMatching(/^".+"$/) });
      expect(steps.update.eTag).not.toBe(steps.get.eTag);
      expect(steps.staleUpdate).toMatchObject({ name: 'RestError', statusCode: 412, code: 'PreconditionFailed' });
    });

    test('creates a user, and a subscription for them whose secrets it lists', () => {
      expect(steps.user).toEqual({ name: 'bob', email: 'bob@example.com', state: 'active' });
      expect(steps.subscription).toMatchObject({ name: 'bob-unlimited', state: 'active' });
      expect(steps.subscription.scope).toMatch(/\/products\/unlimited$/);
      expect(steps.subscription.ownerId).toMatch(/\/users\/bob$/);
      expect(steps.secrets.primaryKeyLength).toBeGreaterThanOrEqual(32);
      expect(steps.secrets.secondaryKeyLength).toBeGreaterThanOrEqual(32);
    });

    test("sets, gets, lists and deletes a product's policy (rate limit) with the SDK's productPolicy operations; an unsupported element is a RestError 400", () => {
      const policy = steps.productPolicy;
      expect(policy.put).toEqual({ name: 'policy', format: 'rawxml', value: expect.stringContaining('<rate-limit calls="10" renewal-period="60" />') });
      expect(policy.get).toMatchObject({ name: 'policy', format: 'rawxml', value: policy.put.value, eTag: expect.stringMatching(/^".+"$/) });
      expect(policy.list).toEqual(['policy']);
      expect(policy.entityTag).toBe(policy.get.eTag);
      expect(policy.bad).toMatchObject({ name: 'RestError', statusCode: 400, code: 'ValidationError' });
    });

    test('lists APIs', () => {
      expect(steps.apis).toEqual([{ name: 'echo-api', path: 'echo' }]);
    });

    test('turns on application-token on a product through the client pipeline', () => {
      expect(steps.applicationToken).toEqual({ status: 200, authenticationType: ['subscription-key', 'application-token'], audience: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    });

    test('the product shows the change to a plain management call', async () => {
      const unlimited = await env.manage('GET', '/products/unlimited');
      expect(unlimited.body.properties.authenticationType).toEqual(['subscription-key', 'application-token']);
      expect(unlimited.body.properties.application.entra.audience).toBe(steps.applicationToken.audience);
    });
  });
}
