/**
 * "Subscribe" on a product page, as APIM's developer portal offers it: the signed-in developer names
 * a subscription to a published product that takes subscription keys. The subscription is made by
 * the management API's own `putSubscription` (same validation, change event and audit row), with
 * the owner forced to the signed-in user and the state the product's approval setting calls for.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/index.js';
import { FailureThrottle } from '../../identity/token/failure-throttle.js';
import { newGuid } from '../../shared/index.js';
import { putSubscription, type ManagementContext, type ProductRecord, type SubscriptionState } from '../../management/index.js';
import { developerOf } from './developer-auth.js';
import { subscriptionView, whyNoSubscribe } from './views.js';

/** Subscribe requests one developer may make per hour: many more than anyone clicks, too few to fill the subscription table. */
export const SUBSCRIBE_LIMIT = 20;
const SUBSCRIBE_WINDOW_MS = 60 * 60_000;
/** States that count against a product's subscriptionsLimit: the ones that still hold (or may get) working keys. */
const COUNTED_STATES: ReadonlySet<SubscriptionState> = new Set(['active', 'submitted', 'suspended']);
const PAGE = 500;

const subscribeBody = {
  type: 'object',
  required: ['displayName'],
  // As the management API's subscription displayName: 1 to 100 characters (and not only spaces).
  properties: { displayName: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S', 'x-rule': 'must not be blank.' } },
} as const;

type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function registerSubscribe(app: FastifyInstance, options: { readonly ctx: ManagementContext; readonly guard: Guard }): void {
  const { ctx, guard } = options;
  const attempts = new FailureThrottle(SUBSCRIBE_LIMIT, SUBSCRIBE_WINDOW_MS);
  // One subscribe at a time per developer, so two quick clicks cannot both pass the limit check.
  const queues = new Map<string, Promise<unknown>>();
  const oneAtATime = <T>(userId: string, work: () => Promise<T>): Promise<T> => {
    const previous = queues.get(userId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(() => undefined, () => undefined);
    queues.set(userId, settled);
    void settled.then(() => {
      if (queues.get(userId) === settled) queues.delete(userId);
    });
    return next;
  };

  app.post('/products/:productId/subscriptions', {
    onRequest: guard,
    schema: { params: { type: 'object', required: ['productId'], properties: { productId: { type: 'string', minLength: 1, maxLength: 256 } } }, body: subscribeBody },
  }, async (request, reply) => {
    const { user } = developerOf(request);
    refuseOtherFields(request.body as Record<string, unknown>);
    const wait = attempts.retryAfter(user.id);
    if (wait !== undefined) {
      void reply.header('Retry-After', String(wait));
      throw new AppError('TooManySubscribeRequests', `Too many subscribe requests from your account (at most ${SUBSCRIBE_LIMIT} an hour). Wait ${wait} seconds, then try again.`);
    }
    attempts.recordFailure(user.id); // every try counts: the throttle bounds rows written, not mistakes
    const productId = (request.params as { productId: string }).productId;
    const displayName = (request.body as { displayName: string }).displayName.trim();
    const { subscription, product } = await oneAtATime(user.id, async () => {
      const product = await ctx.store.management.getProduct(productId);
      if (!product || product.state !== 'published') throw new AppError('ResourceNotFound', 'Product not found.');
      const refusal = whyNoSubscribe(product);
      if (refusal !== null) throw new AppError('ValidationError', refusal, [{ code: 'ValidationError', target: 'productId', message: 'names a product that takes no subscriptions.' }]);
      await checkLimit(ctx, user.id, product);
      const id = newGuid().replace(/-/g, '').slice(0, 24);
      const state: SubscriptionState = product.approvalRequired ? 'submitted' : 'active';
      const body = { properties: { displayName, scope: `/products/${product.id}`, ownerId: `/users/${user.id}`, state } };
      return { subscription: (await putSubscription(ctx, id, body, undefined)).subscription, product };
    });
    request.log.info({ userId: user.id, subscriptionId: subscription.id, productId }, 'developer portal subscribe');
    return reply.header('Cache-Control', 'no-store').status(201).send(subscriptionView(subscription, product.displayName));
  });
}

/**
 * Only the name is the developer's to choose; ownerId, state, scope or keys in the body are refused
 * (not silently ignored), so a client that tries learns it has no say.
 */
function refuseOtherFields(body: Record<string, unknown>): void {
  const others = Object.keys(body).filter((name) => name !== 'displayName');
  if (others.length === 0) return;
  throw new AppError(
    'ValidationError',
    `Subscribe takes only displayName. The subscription belongs to you, the signed-in developer, is scoped to the product in the URL, and its state and keys are set by Portico.`,
    others.map((name) => ({ code: 'ValidationError', target: name, message: `${name} cannot be set here.` })),
  );
}

/** A product's subscriptionsLimit caps one user's subscriptions to it (null: no cap). */
async function checkLimit(ctx: ManagementContext, userId: string, product: ProductRecord): Promise<void> {
  const limit = product.subscriptionsLimit;
  if (limit === null) return;
  const scope = `/products/${product.id}`;
  let held = 0;
  for (let skip = 0; ; skip += PAGE) {
    const page = await ctx.store.management.listSubscriptions({ ownerId: userId }, { top: PAGE, skip });
    held += page.filter((s) => s.scope === scope && COUNTED_STATES.has(s.state)).length;
    if (page.length < PAGE) break;
  }
  if (held < limit) return;
  throw new AppError(
    'SubscriptionsLimitReached',
    `You already have ${held} subscription${held === 1 ? '' : 's'} to ${product.displayName}, the most this product allows for one user (${limit}). Use the one you have (Subscriptions → Show keys), or ask an administrator to cancel one.`,
  );
}
