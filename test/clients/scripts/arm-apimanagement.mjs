// @azure/arm-apimanagement with @azure/identity: the management operations an API manager runs.
// Prints each step's result; the first failing step ends the run and is printed as the error.
import { ClientSecretCredential } from '@azure/identity';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { describeError, run, setting } from './common.mjs';

const steps = {};
await run(async () => {
  const credential = new ClientSecretCredential(setting('TENANT_ID'), setting('CLIENT_ID'), setting('CLIENT_SECRET'), {
    authorityHost: setting('PORTICO_IDENTITY_URL'),
    disableInstanceDiscovery: true,
  });
  const client = new ApiManagementClient(credential, setting('SUBSCRIPTION_ID'), {
    endpoint: setting('PORTICO_MANAGEMENT_URL'),
    credentialScopes: [setting('MANAGEMENT_SCOPE')],
  });
  const rg = setting('RESOURCE_GROUP');
  const service = setting('SERVICE_NAME');
  try {
    steps.products = [];
    for await (const product of client.product.listByService(rg, service)) steps.products.push(product.name);

    // One product per page: the SDK's iterator follows each nextLink, item by item and page by page.
    steps.pagedProducts = [];
    for await (const product of client.product.listByService(rg, service, { top: 1 })) steps.pagedProducts.push(product.name);
    steps.pageSizes = [];
    for await (const page of client.product.listByService(rg, service, { top: 1 }).byPage()) steps.pageSizes.push(page.length);

    const starter = await client.product.get(rg, service, 'starter');
    steps.get = { name: starter.name, displayName: starter.displayName, eTag: starter.eTag };
    const updated = await client.product.update(rg, service, 'starter', starter.eTag, { description: 'Updated with the Azure SDK' });
    steps.update = { description: updated.description, eTag: updated.eTag };
    try {
      await client.product.update(rg, service, 'starter', starter.eTag, { description: 'A stale eTag' });
      steps.staleUpdate = { status: 'accepted' };
    } catch (error) {
      steps.staleUpdate = describeError(error);
    }

    const user = await client.user.createOrUpdate(rg, service, 'bob', { email: 'bob@example.com', firstName: 'Bob', lastName: 'Example' });
    steps.user = { name: user.name, email: user.email, state: user.state };

    const subscription = await client.subscription.createOrUpdate(rg, service, 'bob-unlimited', {
      scope: '/products/unlimited',
      displayName: 'Bob on Unlimited',
      ownerId: '/users/bob',
      state: 'active',
    });
    steps.subscription = { name: subscription.name, scope: subscription.scope, ownerId: subscription.ownerId, state: subscription.state };
    const secrets = await client.subscription.listSecrets(rg, service, 'bob-unlimited');
    steps.secrets = { primaryKeyLength: secrets.primaryKey?.length ?? 0, secondaryKeyLength: secrets.secondaryKey?.length ?? 0 };

    // Product policy (rate limit and quota): APIM's PolicyContract through the SDK's own operations.
    const policyValue = '<policies><inbound><rate-limit calls="10" renewal-period="60" /><base /></inbound><outbound><base /></outbound></policies>';
    const putPolicy = await client.productPolicy.createOrUpdate(rg, service, 'unlimited', 'policy', { format: 'rawxml', value: policyValue });
    const gotPolicy = await client.productPolicy.get(rg, service, 'unlimited', 'policy', { format: 'rawxml' });
    const policies = [];
    for await (const policy of client.productPolicy.listByProduct(rg, service, 'unlimited')) policies.push(policy.name);
    const policyTag = await client.productPolicy.getEntityTag(rg, service, 'unlimited', 'policy');
    let badPolicy;
    try {
      await client.productPolicy.createOrUpdate(rg, service, 'unlimited', 'policy', { format: 'xml', value: '<policies><inbound><ip-filter action="allow" /></inbound></policies>' });
      badPolicy = { status: 'accepted' };
    } catch (error) {
      badPolicy = describeError(error);
    }
    await client.productPolicy.delete(rg, service, 'unlimited', 'policy', '*');
    steps.productPolicy = {
      put: { name: putPolicy.name, format: putPolicy.format, value: putPolicy.value },
      get: { name: gotPolicy.name, format: gotPolicy.format, value: gotPolicy.value, eTag: gotPolicy.eTag },
      list: policies,
      entityTag: policyTag.eTag,
      bad: badPolicy,
    };

    steps.apis = [];
    for await (const api of client.api.listByService(rg, service)) steps.apis.push({ name: api.name, path: api.path });

    // authenticationType is newer than this SDK's models (which drop unknown properties), so the
    // request goes through the client's own pipeline: same endpoint, same token, same api-version.
    const request = createPipelineRequest({
      url: `${setting('PORTICO_MANAGEMENT_URL')}/subscriptions/${setting('SUBSCRIPTION_ID')}/resourceGroups/${rg}/providers/Microsoft.ApiManagement/service/${service}/products/unlimited?api-version=${client.apiVersion}`,
      method: 'PATCH',
      headers: createHttpHeaders({ 'content-type': 'application/json', 'if-match': '*' }),
      body: JSON.stringify({ properties: { authenticationType: ['subscription-key', 'application-token'] } }),
    });
    const response = await client.sendRequest(request);
    const body = JSON.parse(response.bodyAsText ?? '{}');
    steps.applicationToken = { status: response.status, authenticationType: body.properties?.authenticationType, audience: body.properties?.application?.entra?.audience };
    return { apiVersion: client.apiVersion, steps };
  } catch (error) {
    error.steps = steps;
    throw error;
  }
});
