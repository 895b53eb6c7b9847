import { AppError } from '../../errors/index.js';
import { newSubscriptionKey } from '../../shared/index.js';
import { commitChange } from '../../store/change-unit.js';
import { storedSubscriptionKey } from './subscription-keys.js';
import type { SubscriptionRecord, SubscriptionState } from '../management-store.js';
import type { ManagementContext } from '../context.js';
import { resolveOwnerReference } from './users.js';
import { armResource, childResourceId, type ArmResource } from '../arm/resource.js';
import { BodyValidator, checkResourceName, validationError } from '../arm/validate.js';
import { checkIfMatch } from '../arm/etag.js';
import { armDateTime } from '../arm/date.js';
import { serviceResourceId } from '../context.js';

export const SUBSCRIPTION_STATES: readonly SubscriptionState[] = ['active', 'suspended', 'submitted', 'rejected', 'cancelled', 'expired'];

export function subscriptionResource(ctx: ManagementContext, s: SubscriptionRecord): ArmResource {
  return armResource(ctx.instance, [['subscriptions', s.id]], {
    displayName: s.displayName,
    ownerId: s.ownerId ? childResourceId(ctx.instance, 'users', s.ownerId) : null,
    scope: `${serviceResourceId(ctx.instance)}${s.scope}`,
    state: s.state,
    createdDate: armDateTime(s.createdDate),
    stateComment: s.stateComment,
    allowTracing: s.allowTracing,
    // Absent unless set, as APIM leaves unset dates out.
    ...(s.startDate ? { startDate: armDateTime(s.startDate) } : {}),
    ...(s.expirationDate ? { expirationDate: armDateTime(s.expirationDate) } : {}),
    ...(s.endDate ? { endDate: armDateTime(s.endDate) } : {}),
    ...(s.notificationDate ? { notificationDate: armDateTime(s.notificationDate) } : {}),
  });
}

/**
 * APIM's audit dates follow the state: `startDate` is stamped whenever the subscription becomes
 * active (and `endDate` cleared), `endDate` whenever it becomes cancelled or expired. Otherwise both
 * stay as they were. They are read-only: a value sent in a body is ignored, as ARM ignores read-only
 * properties. `notificationDate` is kept as stored (Portico sends no expiry notifications).
 */
export function withStateDates(existing: SubscriptionRecord | undefined, next: SubscriptionRecord, now: string = new Date().toISOString()): SubscriptionRecord {
  const { startDate: _s, endDate: _e, notificationDate: _n, ...rest } = next;
  let startDate = existing?.startDate ?? null;
  let endDate = existing?.endDate ?? null;
  const entered = existing?.state !== next.state;
  if (entered && next.state === 'active') {
    startDate = now;
    endDate = null;
  } else if (entered && (next.state === 'cancelled' || next.state === 'expired')) {
    endDate = now;
  }
  const notificationDate = existing?.notificationDate ?? null;
  return {
    ...rest,
    ...(startDate !== null ? { startDate } : {}),
    ...(endDate !== null ? { endDate } : {}),
    ...(notificationDate !== null ? { notificationDate } : {}),
  };
}

export async function requireSubscription(ctx: ManagementContext, id: string): Promise<SubscriptionRecord> {
  const subscription = await ctx.store.management.getSubscription(id);
  if (!subscription) throw new AppError('ResourceNotFound', 'Subscription not found.');
  return subscription;
}

export async function putSubscription(ctx: ManagementContext, id: string, body: unknown, ifMatch: string | undefined): Promise<{ subscription: SubscriptionRecord; created: boolean }> {
  checkResourceName('subscription', id);
  const existing = await ctx.store.management.getSubscription(id);
  if (existing) checkIfMatch(ifMatch, subscriptionResource(ctx, existing));
  const input = BodyValidator.fromBody(body);
  const displayName = input.string('displayName', { required: !existing, max: 100 });
  const scopeRef = input.string('scope', { required: !existing, max: 1000 });
  const ownerRef = input.nullableString('ownerId', 1000);
  const state = input.oneOf('state', SUBSCRIPTION_STATES);
  // Keys are looked up by an unsalted hash, so they must be long enough not to be guessed.
  const primaryKey = input.string('primaryKey', { min: 32, max: 256 });
  const secondaryKey = input.string('secondaryKey', { min: 32, max: 256 });
  const allowTracing = input.boolean('allowTracing');
  const stateComment = input.nullableString('stateComment', 1000);
  const expirationDate = readDate(input, 'expirationDate');
  input.done();
  const scope = scopeRef !== undefined ? await resolveScope(ctx, scopeRef) : existing!.scope;
  // A subscription that exists keeps its scope (a re-PUT of an export still works after a product stopped taking keys).
  if (!existing || scope !== existing.scope) await checkScopeTakesKeys(ctx, scope);
  let ownerId = existing?.ownerId ?? null;
  if (ownerRef !== undefined) ownerId = ownerRef === null ? null : await resolveOwnerReference(ctx, ownerRef);
  const primary = primaryKey ?? (existing ? undefined : newSubscriptionKey());
  const secondary = secondaryKey ?? (existing ? undefined : newSubscriptionKey());
  let subscription: SubscriptionRecord = {
    // Names are case-insensitive: an existing subscription keeps the name it was created with.
    id: existing?.id ?? id,
    displayName: displayName ?? existing!.displayName,
    ownerId,
    scope,
    state: state ?? existing?.state ?? 'submitted',
    ...(primary !== undefined ? primaryFields(ctx, primary) : { primaryKeyHash: existing!.primaryKeyHash, primaryKeyEncrypted: existing!.primaryKeyEncrypted }),
    ...(secondary !== undefined ? secondaryFields(ctx, secondary) : { secondaryKeyHash: existing!.secondaryKeyHash, secondaryKeyEncrypted: existing!.secondaryKeyEncrypted }),
    allowTracing: allowTracing ?? existing?.allowTracing ?? false,
    stateComment: stateComment !== undefined ? stateComment : (existing?.stateComment ?? null),
    createdDate: existing?.createdDate ?? new Date().toISOString(),
  };
  const expires = expirationDate !== undefined ? expirationDate : (existing?.expirationDate ?? null);
  if (expires !== null) subscription = { ...subscription, expirationDate: expires };
  subscription = withStateDates(existing, subscription);
  await commitChange(ctx, async (tx) => {
    await tx.management.putSubscription(subscription);
    return { result: undefined, event: { type: existing ? 'subscription.updated' : 'subscription.created', subscriptionId: subscription.id } };
  });
  return { subscription, created: !existing };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/** An ISO-8601 date or date-time (UTC when no offset is given), normalised; null clears it. */
function readDate(input: BodyValidator, name: string): string | null | undefined {
  const value = input.nullableString(name, 40);
  if (value === null || value === undefined) return value;
  const withZone = value.length > 10 && !/(?:Z|[+-]\d{2}:\d{2})$/.test(value) ? `${value}Z` : value;
  const time = ISO_DATE.test(value) ? Date.parse(withZone) : Number.NaN;
  if (Number.isNaN(time)) {
    input.fail(name, 'must be an ISO 8601 date or date-time, e.g. 2027-01-31T00:00:00Z.');
    return undefined;
  }
  return new Date(time).toISOString();
}

/** The owner's stored user id: the reference may name it in any case. */

/**
 * The scope as stored: names (and, as in ARM, collection segments) match in any case, and the stored
 * scope carries the product's or API's stored name, which the gateway compares exactly.
 */
export async function resolveScope(ctx: ManagementContext, reference: string): Promise<string> {
  const base = serviceResourceId(ctx.instance).toLowerCase();
  let scope = reference.toLowerCase().startsWith(base) ? reference.slice(base.length) : reference;
  if (scope === '') scope = '/';
  if (scope === '/' || scope.toLowerCase() === '/apis') return scope.toLowerCase();
  const productName = scope.match(/^\/products\/([^/]+)$/i)?.[1];
  const product = productName !== undefined ? await ctx.store.management.getProduct(productName) : undefined;
  if (product) return `/products/${product.id}`;
  const apiName = scope.match(/^\/apis\/([^/]+)$/i)?.[1];
  const api = apiName !== undefined ? await ctx.store.management.getApi(apiName) : undefined;
  if (api) return `/apis/${api.id}`;
  throw validationError([{ target: 'scope', message: `scope must be '/products/{productId}', '/apis/{apiId}' or '/apis' of this service, naming something that exists; '${reference}' is not.` }]);
}

/**
 * A product whose authenticationType leaves out subscription-key (application-token only) refuses
 * every key at the gateway: a subscription to it would hand out keys that never work, so it is
 * refused here, saying what to do instead. An empty authenticationType means keys (APIM's default).
 */
export async function checkScopeTakesKeys(ctx: ManagementContext, scope: string): Promise<void> {
  if (!scope.startsWith('/products/')) return;
  const product = await ctx.store.management.getProduct(scope.slice('/products/'.length));
  if (!product || product.authenticationType.length === 0 || product.authenticationType.includes('subscription-key')) return;
  throw validationError([
    {
      target: 'scope',
      message: `scope names product '${product.id}', which does not accept subscription keys (its authenticationType is ${product.authenticationType.join(', ')}): a subscription to it would have keys the gateway refuses. Add 'subscription-key' to the product's authenticationType, or give the client application access with a product link (PUT /clientApplications/{id}/productLinks/{linkId}).`,
    },
  ]);}

export function subscriptionSecrets(ctx: ManagementContext, subscription: SubscriptionRecord): { primaryKey: string; secondaryKey: string } {
  return { primaryKey: ctx.secretBox.open(subscription.primaryKeyEncrypted), secondaryKey: ctx.secretBox.open(subscription.secondaryKeyEncrypted) };
}

export async function regenerateKey(ctx: ManagementContext, id: string, which: 'primary' | 'secondary'): Promise<void> {
  const subscription = await requireSubscription(ctx, id);
  const key = newSubscriptionKey();
  const updated: SubscriptionRecord =
    which === 'primary'
      ? { ...subscription, ...primaryFields(ctx, key) }
      : { ...subscription, ...secondaryFields(ctx, key) };
  await commitChange(ctx, async (tx) => {
    await tx.management.putSubscription(updated);
    return { result: undefined, event: { type: 'subscription.keyRegenerated', subscriptionId: subscription.id, key: which } };
  });
}

export async function deleteSubscription(ctx: ManagementContext, id: string, ifMatch: string | undefined): Promise<boolean> {
  const existing = await ctx.store.management.getSubscription(id);
  if (!existing) return false;
  checkIfMatch(ifMatch, subscriptionResource(ctx, existing));
  await commitChange(ctx, async (tx) => {
    await tx.management.deleteSubscription(existing.id);
    return { result: undefined, event: { type: 'subscription.deleted', subscriptionId: existing.id } };
  });
  return true;
}

export function primaryFields(ctx: ManagementContext, key: string): Pick<SubscriptionRecord, 'primaryKeyHash' | 'primaryKeyEncrypted'> {
  const stored = storedSubscriptionKey(ctx.secretBox, key);
  return { primaryKeyHash: stored.hash, primaryKeyEncrypted: stored.encrypted };
}

export function secondaryFields(ctx: ManagementContext, key: string): Pick<SubscriptionRecord, 'secondaryKeyHash' | 'secondaryKeyEncrypted'> {
  const stored = storedSubscriptionKey(ctx.secretBox, key);
  return { secondaryKeyHash: stored.hash, secondaryKeyEncrypted: stored.encrypted };
}
