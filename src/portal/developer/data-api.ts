import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/index.js';
import {
  applicationState,
  newClientSecret,
  subscriptionSecrets,
  type ClientApplicationRecord,
  type ManagementContext,
  type ProductRecord,
  type SubscriptionRecord,
} from '../../management/index.js';
import { developerOf } from './developer-auth.js';
import { apiView, applicationView, productView, subscriptionView } from './views.js';

/** A developer's own lists are read whole, up to this many (a page of the screen, not a bulk API). */
const MAX_LISTED = 500;

type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface DeveloperDataOptions {
  readonly ctx: ManagementContext;
  readonly guard: Guard;
  /** `{identity}/{tenant}/oauth2/v2.0/token`, as discovery advertises it. */
  readonly tokenUrl: () => string;
  readonly gatewayUrl: () => string;
}

const idParam = (name: string) => ({ type: 'object', required: [name], properties: { [name]: { type: 'string', minLength: 1, maxLength: 256 } } }) as const;

/**
 * The developer data API: everything scoped to the signed-in user, through the management
 * services (the same rules, events and directory steps as the management API). Another user's
 * application or subscription answers exactly as one that does not exist (404), so ids reveal nothing.
 */
export function registerDeveloperData(app: FastifyInstance, options: DeveloperDataOptions): void {
  const { ctx, guard } = options;
  const noStore = (reply: FastifyReply) => reply.header('Cache-Control', 'no-store');

  app.get('/products', { onRequest: guard }, async (_request, reply) => noStore(reply).send({ value: await publishedProducts(ctx) }));
  app.get('/products/:productId', { onRequest: guard, schema: { params: idParam('productId') } }, async (request, reply) => {
    const product = await ctx.store.management.getProduct((request.params as { productId: string }).productId);
    if (!product || product.state !== 'published') throw new AppError('ResourceNotFound', 'Product not found.');
    return noStore(reply).send(await productWithApis(ctx, product));
  });

  app.get('/applications', { onRequest: guard }, async (request, reply) => {
    const { user } = developerOf(request);
    const apps = await ctx.store.management.listClientApplications({ ownerId: user.id }, { top: MAX_LISTED, skip: 0 });
    return noStore(reply).send({ value: await applicationViews(ctx, apps.slice(0, MAX_LISTED)) });
  });
  app.get('/applications/:appId', { onRequest: guard, schema: { params: idParam('appId') } }, async (request, reply) => {
    const own = await ownApplication(ctx, request);
    return noStore(reply).send((await applicationViews(ctx, [own]))[0]);
  });
  // "+ New client secret": the same minting as the management API's listSecrets; the value is in this answer only.
  app.post('/applications/:appId/secrets', { onRequest: guard, schema: { params: idParam('appId') } }, async (request, reply) => {
    const own = await ownApplication(ctx, request);
    const minted = await newClientSecret(ctx, own.id);
    return noStore(reply).status(201).send({ clientId: own.entraApplicationId, clientSecret: minted.entra.clientSecret, expiresAt: minted.entra.expiresAt });
  });

  app.get('/subscriptions', { onRequest: guard }, async (request, reply) => {
    const { user } = developerOf(request);
    const list = (await ctx.store.management.listSubscriptions({ ownerId: user.id }, { top: MAX_LISTED, skip: 0 })).slice(0, MAX_LISTED);
    const names = await productNames(ctx);
    return noStore(reply).send({ value: list.map((s) => subscriptionView(s, names.get(s.scope.slice('/products/'.length)))) });
  });
  // Keys only through this explicit call (a POST, so it needs the CSRF header and is never cached or prefetched).
  app.post('/subscriptions/:sid/reveal', { onRequest: guard, schema: { params: idParam('sid') } }, async (request, reply) => {
    const subscription = await ownSubscription(ctx, request);
    return noStore(reply).send(subscriptionSecrets(ctx, subscription));
  });

  // How to get a token: the tenant's token endpoint and the exact scope of each product the user's apps reach.
  app.get('/token', { onRequest: guard }, async (_request, reply) =>
    noStore(reply).send({ tenantId: ctx.instance.tenantId, tokenUrl: options.tokenUrl(), grantType: 'client_credentials', gatewayUrl: options.gatewayUrl() }),
  );
}

/** The user's own application, or the 404 a missing one gets (another user's is "missing" too). */
export async function ownApplication(ctx: ManagementContext, request: FastifyRequest, appId?: string): Promise<ClientApplicationRecord> {
  const { user } = developerOf(request);
  const app = await ctx.store.management.getClientApplication(appId ?? (request.params as { appId: string }).appId);
  if (!app || app.ownerId !== user.id) throw new AppError('ResourceNotFound', 'Application not found.');
  return app;
}

async function ownSubscription(ctx: ManagementContext, request: FastifyRequest): Promise<SubscriptionRecord> {
  const { user } = developerOf(request);
  const subscription = await ctx.store.management.getSubscription((request.params as { sid: string }).sid);
  if (!subscription || subscription.ownerId !== user.id) throw new AppError('ResourceNotFound', 'Subscription not found.');
  return subscription;
}

async function publishedProducts(ctx: ManagementContext) {
  const products = (await ctx.store.management.listProducts()).filter((p) => p.state === 'published');
  const views = [];
  for (const product of products) views.push(await productWithApis(ctx, product));
  return views;
}

/** A product with its APIs and their operations (the catalog is small; read as the snapshot does). */
export async function productWithApis(ctx: ManagementContext, product: ProductRecord) {
  const apis = await ctx.store.management.listApis({ productId: product.id });
  const views = [];
  for (const api of apis) views.push(apiView(api, await ctx.store.management.listOperations(api.id)));
  return productView(product, views);
}

async function productNames(ctx: ManagementContext): Promise<Map<string, string>> {
  return new Map((await ctx.store.management.listProducts()).map((p) => [p.id, p.displayName]));
}

async function applicationViews(ctx: ManagementContext, apps: readonly ClientApplicationRecord[]) {
  const links = await ctx.store.management.listProductLinksOfApplications(apps.map((a) => a.id));
  const products = new Map((await ctx.store.management.listProducts()).map((p) => [p.id, p]));
  return apps.map((app) => {
    const own = links.get(app.id) ?? [];
    return applicationView(app, applicationState(own), own, products, ctx.instance.tenantId);
  });
}
