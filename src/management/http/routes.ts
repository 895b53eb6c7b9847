import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ManagementContext } from '../context.js';
import { AppError } from '../../errors/index.js';
import { sendDeleted, sendList, sendPage, sendResource, ifMatchOf, requiredIfMatchOf, flag } from './send.js';
import { etagOf } from '../arm/etag.js';
import * as products from '../services/products.js';
import * as apis from '../services/apis.js';
import * as users from '../services/users.js';
import * as subscriptions from '../services/subscriptions.js';
import * as productPolicies from '../services/product-policies.js';
import * as clientApps from '../services/client-applications.js';
import { groupResource, requireGroup, serviceResource } from '../services/service.js';
import { commitChange } from '../../store/change-unit.js';
import { auditEventResource } from '../services/audit-events.js';
import { auditFilterOf } from '../arm/audit-filter.js';
import { keysetPageOf, keysetWindowOf } from '../arm/paging.js';
import { requestUrl } from './send.js';
import { importBatch } from '../services/import.js';
import { apiBody, auditListQuery, clientApplicationBody, ifMatchRequired, deleteQuery, importBody, listQuery, operationBody, paramsOf, plainQuery, policyListQuery, policyQuery, productLinkBody, productPatchBody, productPolicyBody, productPutBody, subscriptionBody, userPatchBody, userPutBody } from './schemas.js';

type Params = Record<string, string>;
/** What the lists' $filter compares (by index, case-insensitively); users have no displayName but an email. */
const NAMED = ['name', 'displayName'] as const;
const params = (request: FastifyRequest): Params => request.params as Params;

/** Routes relative to the service's ARM path; one line of wiring per operation, logic lives in services/. */
export function registerServiceRoutes(app: FastifyInstance, ctx: ManagementContext): void {
  app.get('', { schema: { querystring: plainQuery } }, async (_request, reply) => sendResource(reply, 200, serviceResource(ctx)));

  // audit log (a Portico extension): newest first, filtered and paged in SQL
  app.get('/auditEvents', { schema: { querystring: auditListQuery } }, async (request, reply) => {
    const url = requestUrl(request);
    const window = keysetWindowOf(url, 2);
    const query = auditFilterOf(url);
    const rows = await ctx.store.audit.list(query, { top: window.top, after: window.after as [string, string] | undefined });
    const page = keysetPageOf(rows, window.top, url, (event) => [event.timestamp, event.id]);
    return reply.header('Cache-Control', 'no-store').send({ ...page, value: page.value.map((event) => auditEventResource(ctx, event)) });
  });
  app.get('/auditEvents/:eventId', { schema: { params: paramsOf(['eventId']), querystring: plainQuery } }, async (request, reply) => {
    const event = await ctx.store.audit.get(params(request).eventId!);
    if (!event) throw new AppError('ResourceNotFound', 'Audit event not found.');
    return reply.header('Cache-Control', 'no-store').send(auditEventResource(ctx, event));
  });

  // products
  app.get('/products', { schema: { querystring: listQuery } }, async (request, reply) =>
    sendPage(request, reply, NAMED, (window, filter) => ctx.store.management.listProducts(window, filter), (list) => list.map((p) => products.productResource(ctx, p))));
  app.get('/products/:productId', { schema: { params: paramsOf(['productId']), querystring: plainQuery } }, async (request, reply) =>
    sendResource(reply, 200, products.productResource(ctx, await products.requireProduct(ctx, params(request).productId!))));
  app.put('/products/:productId', { schema: { params: paramsOf(['productId'], true), querystring: plainQuery, body: productPutBody } }, async (request, reply) => {
    const { product, created } = await products.putProduct(ctx, params(request).productId!, request.body, ifMatchOf(request));
    return sendResource(reply, created ? 201 : 200, products.productResource(ctx, product));
  });
  app.patch('/products/:productId', { schema: { headers: ifMatchRequired, params: paramsOf(['productId']), querystring: plainQuery, body: productPatchBody } }, async (request, reply) =>
    sendResource(reply, 200, products.productResource(ctx, await products.patchProduct(ctx, params(request).productId!, request.body, ifMatchOf(request)))));
  app.delete('/products/:productId', { schema: { headers: ifMatchRequired, params: paramsOf(['productId']), querystring: deleteQuery(true) } }, async (request, reply) =>
    sendDeleted(reply, await products.deleteProduct(ctx, params(request).productId!, ifMatchOf(request), flag(request, 'deleteSubscriptions'))));

  // product policies (APIM's products/{id}/policies/policy)
  app.get('/products/:productId/policies', { schema: { params: paramsOf(['productId']), querystring: policyListQuery } }, async (request, reply) => {
    const product = await products.requireProduct(ctx, params(request).productId!);
    const policy = await ctx.store.management.getProductPolicy(product.id);
    const format = productPolicies.formatOf(request.query);
    return sendList(request, reply, policy ? [productPolicies.productPolicyResource(ctx, product, policy, format)] : []);
  });
  app.get('/products/:productId/policies/:policyId', { schema: { params: paramsOf(['productId', 'policyId']), querystring: policyQuery } }, async (request, reply) => {
    const format = productPolicies.formatOf(request.query);
    const { product, policy } = await productPolicies.requireProductPolicy(ctx, params(request).productId!, params(request).policyId!);
    // One ETag per stored policy, whichever format the caller asked to see it in.
    return reply.status(200).header('ETag', etagOf(productPolicies.policyEtagResource(ctx, product, policy))).send(productPolicies.productPolicyResource(ctx, product, policy, format));
  });
  app.put('/products/:productId/policies/:policyId', { schema: { params: paramsOf(['productId', 'policyId'], true), querystring: plainQuery, body: productPolicyBody } }, async (request, reply) => {
    const { product, policy, created } = await productPolicies.putProductPolicy(ctx, params(request).productId!, params(request).policyId!, request.body, ifMatchOf(request));
    return sendResource(reply, created ? 201 : 200, productPolicies.productPolicyResource(ctx, product, policy, policy.format));
  });
  app.delete('/products/:productId/policies/:policyId', { schema: { headers: ifMatchRequired, params: paramsOf(['productId', 'policyId']), querystring: plainQuery } }, async (request, reply) =>
    sendDeleted(reply, await productPolicies.deleteProductPolicy(ctx, params(request).productId!, params(request).policyId!, requiredIfMatchOf(request))));

  // product ↔ API links
  app.get('/products/:productId/apis', { schema: { params: paramsOf(['productId']), querystring: listQuery } }, async (request, reply) => {
    const productId = (await products.requireProduct(ctx, params(request).productId!)).id;
    return sendPage(request, reply, NAMED, (window, filter) => ctx.store.management.listApis({ ...filter, productId }, window), (list) => list.map((a) => apis.apiResource(ctx, a)));
  });
  app.put('/products/:productId/apis/:apiId', { schema: { params: paramsOf(['productId', 'apiId'], true), querystring: plainQuery } }, async (request, reply) => {
    const product = await products.requireProduct(ctx, params(request).productId!);
    const api = await apis.requireApi(ctx, params(request).apiId!);
    const existing = await ctx.store.management.listProductApis({ productId: product.id, apiId: api.id });
    if (existing.length === 0) {
      await commitChange(ctx, async (tx) => {
        await tx.management.addProductApi(product.id, api.id);
        return { result: undefined, event: { type: 'product.apiAdded', productId: product.id, apiId: api.id } };
      });
    }
    return sendResource(reply, existing.length === 0 ? 201 : 200, apis.apiResource(ctx, api));
  });
  app.delete('/products/:productId/apis/:apiId', { schema: { params: paramsOf(['productId', 'apiId']), querystring: plainQuery } }, async (request, reply) => {
    const product = await products.requireProduct(ctx, params(request).productId!);
    const existing = await ctx.store.management.listProductApis({ productId: product.id, apiId: params(request).apiId! });
    if (existing.length > 0) {
      const apiId = existing[0]!.apiId;
      await commitChange(ctx, async (tx) => {
        await tx.management.removeProductApi(product.id, apiId);
        return { result: undefined, event: { type: 'product.apiRemoved', productId: product.id, apiId } };
      });
    }
    return sendDeleted(reply, existing.length > 0);
  });

  // APIs and operations
  app.get('/apis', { schema: { querystring: listQuery } }, async (request, reply) =>
    sendPage(request, reply, NAMED, (window, filter) => ctx.store.management.listApis(filter, window), (list) => list.map((a) => apis.apiResource(ctx, a))));
  app.get('/apis/:apiId', { schema: { params: paramsOf(['apiId']), querystring: plainQuery } }, async (request, reply) => sendResource(reply, 200, apis.apiResource(ctx, await apis.requireApi(ctx, params(request).apiId!))));
  app.put('/apis/:apiId', { schema: { params: paramsOf(['apiId'], true), querystring: plainQuery, body: apiBody } }, async (request, reply) => {
    const { api, created } = await apis.putApi(ctx, params(request).apiId!, request.body, ifMatchOf(request));
    return sendResource(reply, created ? 201 : 200, apis.apiResource(ctx, api));
  });
  app.patch('/apis/:apiId', { schema: { headers: ifMatchRequired, params: paramsOf(['apiId']), querystring: plainQuery, body: apiBody } }, async (request, reply) => {
    const ifMatch = requiredIfMatchOf(request);
    await apis.requireApi(ctx, params(request).apiId!);
    const { api } = await apis.putApi(ctx, params(request).apiId!, request.body, ifMatch);
    return sendResource(reply, 200, apis.apiResource(ctx, api));
  });
  app.delete('/apis/:apiId', { schema: { headers: ifMatchRequired, params: paramsOf(['apiId']), querystring: plainQuery } }, async (request, reply) => sendDeleted(reply, await apis.deleteApi(ctx, params(request).apiId!, requiredIfMatchOf(request))));
  app.get('/apis/:apiId/operations', { schema: { params: paramsOf(['apiId']), querystring: listQuery } }, async (request, reply) => {
    const api = await apis.requireApi(ctx, params(request).apiId!);
    return sendList(request, reply, (await ctx.store.management.listOperations(api.id)).map((o) => apis.operationResource(ctx, o)));
  });
  app.get('/apis/:apiId/operations/:operationId', { schema: { params: paramsOf(['apiId', 'operationId']), querystring: plainQuery } }, async (request, reply) => {
    const api = await apis.requireApi(ctx, params(request).apiId!);
    const operation = await ctx.store.management.getOperation(api.id, params(request).operationId!);
    if (!operation) throw new AppError('ResourceNotFound', 'Operation not found.');
    return sendResource(reply, 200, apis.operationResource(ctx, operation));
  });
  app.put('/apis/:apiId/operations/:operationId', { schema: { params: paramsOf(['apiId', 'operationId'], true), querystring: plainQuery, body: operationBody } }, async (request, reply) => {
    const { operation, created } = await apis.putOperation(ctx, params(request).apiId!, params(request).operationId!, request.body, ifMatchOf(request));
    return sendResource(reply, created ? 201 : 200, apis.operationResource(ctx, operation));
  });
  app.delete('/apis/:apiId/operations/:operationId', { schema: { headers: ifMatchRequired, params: paramsOf(['apiId', 'operationId']), querystring: plainQuery } }, async (request, reply) =>
    sendDeleted(reply, await apis.deleteOperation(ctx, params(request).apiId!, params(request).operationId!, requiredIfMatchOf(request))));

  // users
  app.get('/users', { schema: { querystring: listQuery } }, async (request, reply) =>
    sendPage(request, reply, ['name', 'email'], (window, filter) => ctx.store.management.listUsers(window, filter), (list) => users.userResources(ctx, list)));
  app.get('/users/:userId', { schema: { params: paramsOf(['userId']), querystring: plainQuery } }, async (request, reply) => sendResource(reply, 200, await users.userResource(ctx, await users.requireUser(ctx, params(request).userId!))));
  app.put('/users/:userId', { schema: { params: paramsOf(['userId'], true), querystring: plainQuery, body: userPutBody } }, async (request, reply) => {
    const { user, created } = await users.putUser(ctx, params(request).userId!, request.body, ifMatchOf(request));
    return sendResource(reply, created ? 201 : 200, await users.userResource(ctx, user));
  });
  app.patch('/users/:userId', { schema: { headers: ifMatchRequired, params: paramsOf(['userId']), querystring: plainQuery, body: userPatchBody } }, async (request, reply) =>
    sendResource(reply, 200, await users.userResource(ctx, await users.patchUser(ctx, params(request).userId!, request.body, requiredIfMatchOf(request)))));
  app.delete('/users/:userId', { schema: { headers: ifMatchRequired, params: paramsOf(['userId']), querystring: deleteQuery(true) } }, async (request, reply) =>
    sendDeleted(reply, await users.deleteUser(ctx, params(request).userId!, requiredIfMatchOf(request), flag(request, 'deleteSubscriptions'))));
  app.get('/users/:userId/clientApplications', { schema: { params: paramsOf(['userId']), querystring: listQuery } }, async (request, reply) => {
    const user = await users.requireUser(ctx, params(request).userId!);
    return sendPage(request, reply, NAMED, (window, filter) => ctx.store.management.listClientApplications({ ...filter, ownerId: user.id }, window), (list) => clientApps.clientApplicationResources(ctx, list));
  });
  app.get('/users/:userId/clientApplications/:appId', { schema: { params: paramsOf(['userId', 'appId']), querystring: plainQuery } }, async (request, reply) => {
    const user = await users.requireUser(ctx, params(request).userId!);
    const clientApp = await ctx.store.management.getClientApplication(params(request).appId!);
    if (!clientApp || clientApp.ownerId !== user.id) {
      throw new AppError('ResourceNotFound', 'ClientApplication not found.');
    }
    return sendResource(reply, 200, await clientApps.clientApplicationResource(ctx, clientApp));
  });
  app.get('/users/:userId/subscriptions', { schema: { params: paramsOf(['userId']), querystring: listQuery } }, async (request, reply) => {
    const user = await users.requireUser(ctx, params(request).userId!);
    return sendPage(request, reply, NAMED, (window, filter) => ctx.store.management.listSubscriptions({ ...filter, ownerId: user.id }, window), (list) => list.map((s) => subscriptions.subscriptionResource(ctx, s)));
  });

  // groups (built-in, read-only for now)
  app.get('/groups', { schema: { querystring: listQuery } }, async (request, reply) =>
    sendPage(request, reply, NAMED, (window, filter) => ctx.store.management.listGroups(window, filter), (list) => list.map((g) => groupResource(ctx, g))));
  app.get('/groups/:groupId', { schema: { params: paramsOf(['groupId']), querystring: plainQuery } }, async (request, reply) => sendResource(reply, 200, groupResource(ctx, await requireGroup(ctx, params(request).groupId!))));

  // subscriptions
  app.get('/subscriptions', { schema: { querystring: listQuery } }, async (request, reply) =>
    sendPage(request, reply, NAMED, (window, filter) => ctx.store.management.listSubscriptions(filter, window), (list) => list.map((s) => subscriptions.subscriptionResource(ctx, s))));
  app.get('/subscriptions/:sid', { schema: { params: paramsOf(['sid']), querystring: plainQuery } }, async (request, reply) =>
    sendResource(reply, 200, subscriptions.subscriptionResource(ctx, await subscriptions.requireSubscription(ctx, params(request).sid!))));
  app.put('/subscriptions/:sid', { schema: { params: paramsOf(['sid'], true), querystring: plainQuery, body: subscriptionBody } }, async (request, reply) => {
    const { subscription, created } = await subscriptions.putSubscription(ctx, params(request).sid!, request.body, ifMatchOf(request));
    return sendResource(reply, created ? 201 : 200, subscriptions.subscriptionResource(ctx, subscription));
  });
  app.patch('/subscriptions/:sid', { schema: { headers: ifMatchRequired, params: paramsOf(['sid']), querystring: plainQuery, body: subscriptionBody } }, async (request, reply) => {
    const ifMatch = requiredIfMatchOf(request);
    await subscriptions.requireSubscription(ctx, params(request).sid!);
    const { subscription } = await subscriptions.putSubscription(ctx, params(request).sid!, request.body, ifMatch);
    return sendResource(reply, 200, subscriptions.subscriptionResource(ctx, subscription));
  });
  app.delete('/subscriptions/:sid', { schema: { headers: ifMatchRequired, params: paramsOf(['sid']), querystring: plainQuery } }, async (request, reply) => sendDeleted(reply, await subscriptions.deleteSubscription(ctx, params(request).sid!, requiredIfMatchOf(request))));
  app.post('/subscriptions/:sid/listSecrets', { schema: { params: paramsOf(['sid']), querystring: plainQuery } }, async (request, reply) => {
    const subscription = await subscriptions.requireSubscription(ctx, params(request).sid!);
    // Azure tooling reads the subscription's ETag from this answer too; keys must not be cached.
    return reply
      .header('ETag', etagOf(subscriptions.subscriptionResource(ctx, subscription)))
      .header('Cache-Control', 'no-store')
      .send(subscriptions.subscriptionSecrets(ctx, subscription));
  });
  app.post('/subscriptions/:sid/regeneratePrimaryKey', { schema: { params: paramsOf(['sid']), querystring: plainQuery } }, async (request, reply) => {
    await subscriptions.regenerateKey(ctx, params(request).sid!, 'primary');
    return reply.status(204).send();
  });
  app.post('/subscriptions/:sid/regenerateSecondaryKey', { schema: { params: paramsOf(['sid']), querystring: plainQuery } }, async (request, reply) => {
    await subscriptions.regenerateKey(ctx, params(request).sid!, 'secondary');
    return reply.status(204).send();
  });

  // bulk import (a Portico extension; docs/management-api.md)
  app.post('/portico.import', { schema: { querystring: plainQuery, body: importBody } }, async (request, reply) => reply.header('Cache-Control', 'no-store').send(await importBatch(ctx, request.body)));

  // client applications
  app.get('/clientApplications', { schema: { querystring: listQuery } }, async (request, reply) =>
    sendPage(request, reply, NAMED, (window, filter) => ctx.store.management.listClientApplications(filter, window), (list) => clientApps.clientApplicationResources(ctx, list)));
  app.get('/clientApplications/:appId', { schema: { params: paramsOf(['appId']), querystring: plainQuery } }, async (request, reply) =>
    sendResource(reply, 200, await clientApps.clientApplicationResource(ctx, await clientApps.requireClientApplication(ctx, params(request).appId!))));
  app.put('/clientApplications/:appId', { schema: { params: paramsOf(['appId'], true), querystring: plainQuery, body: clientApplicationBody } }, async (request, reply) => {
    const { app: clientApp, created } = await clientApps.putClientApplication(ctx, params(request).appId!, request.body, ifMatchOf(request));
    return sendResource(reply, created ? 201 : 200, await clientApps.clientApplicationResource(ctx, clientApp));
  });
  app.delete('/clientApplications/:appId', { schema: { params: paramsOf(['appId']), querystring: plainQuery } }, async (request, reply) =>
    sendDeleted(reply, await clientApps.deleteClientApplication(ctx, params(request).appId!, ifMatchOf(request))));
  app.post('/clientApplications/:appId/listSecrets', { schema: { params: paramsOf(['appId']), querystring: plainQuery } }, async (request, reply) =>
    reply.header('Cache-Control', 'no-store').send(await clientApps.newClientSecret(ctx, params(request).appId!)));
  app.get('/clientApplications/:appId/productLinks', { schema: { params: paramsOf(['appId']), querystring: listQuery } }, async (request, reply) => {
    const clientApp = await clientApps.requireClientApplication(ctx, params(request).appId!);
    const links = await ctx.store.management.listProductLinks({ clientApplicationId: clientApp.id });
    return sendList(request, reply, links.map((link) => clientApps.productLinkResource(ctx, link)));
  });
  app.get('/clientApplications/:appId/productLinks/:linkId', { schema: { params: paramsOf(['appId', 'linkId']), querystring: plainQuery } }, async (request, reply) => {
    const { link } = await clientApps.requireProductLink(ctx, params(request).appId!, params(request).linkId!);
    return sendResource(reply, 200, clientApps.productLinkResource(ctx, link));
  });
  // Approval actions: a Portico extension (docs/management-api.md); writes, so Contributor only.
  app.post('/clientApplications/:appId/productLinks/:linkId/approve', { schema: { params: paramsOf(['appId', 'linkId']), querystring: plainQuery } }, async (request, reply) =>
    sendResource(reply, 200, clientApps.productLinkResource(ctx, await clientApps.approveProductLink(ctx, params(request).appId!, params(request).linkId!))));
  app.post('/clientApplications/:appId/productLinks/:linkId/reject', { schema: { params: paramsOf(['appId', 'linkId']), querystring: plainQuery } }, async (request, reply) =>
    sendResource(reply, 200, clientApps.productLinkResource(ctx, await clientApps.rejectProductLink(ctx, params(request).appId!, params(request).linkId!))));
  app.put('/clientApplications/:appId/productLinks/:linkId', { schema: { params: paramsOf(['appId', 'linkId'], true), querystring: plainQuery, body: productLinkBody } }, async (request, reply) => {
    const { link, created } = await clientApps.putProductLink(ctx, params(request).appId!, params(request).linkId!, request.body);
    return sendResource(reply, created ? 201 : 200, clientApps.productLinkResource(ctx, link));
  });
  app.delete('/clientApplications/:appId/productLinks/:linkId', { schema: { params: paramsOf(['appId', 'linkId']), querystring: plainQuery } }, async (request, reply) =>
    sendDeleted(reply, await clientApps.deleteProductLink(ctx, params(request).appId!, params(request).linkId!)));
}
