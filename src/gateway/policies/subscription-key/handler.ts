import { sha256 } from '../../../shared/crypto.js';
import { subscriptionByKeyHash, userIsActive, type ApiEntry, type Snapshot } from '../../snapshot.js';
import type { PolicyDefinition } from '../definition.js';
import type { GatewayCall } from '../types.js';
import { presentedKey } from './key.js';

/**
 * Authenticate phase, first: a good key sets the subscription (and, for a product-scoped one, the
 * product context). A bad or missing key does not answer here: a token may still be good, or the
 * API open; the access policy (authorize phase) decides and picks the message.
 */
export const subscriptionKey: PolicyDefinition = {
  name: 'subscription-key',
  create: (deps) => ({
    name: 'subscription-key',
    phase: 'authenticate',
    priority: 1000,
    run(call) {
      const api = call.api!;
      const key = presentedKey(api, call.req.headers, call.rawQuery);
      if (key === undefined) return undefined;
      call.keyPresented = true;
      if (key !== '') acceptKey(call, call.snapshot, api, key, deps.now());
      return undefined;
    },
  }),
};

/**
 * A key is good when a subscription has it, is active and not past its expirationDate, its owner (if
 * any) is an active user, and its scope covers this API. Any other state (suspended, submitted,
 * rejected, cancelled, expired) gets APIM's "invalid subscription key" 401.
 */
function acceptKey(call: GatewayCall, snapshot: Snapshot, api: ApiEntry, key: string, now: number): void {
  const subscription = subscriptionByKeyHash(snapshot, sha256(key));
  if (subscription === undefined || subscription.state !== 'active' || subscription.expiresAt <= now) return;
  if (subscription.ownerId !== null && !userIsActive(snapshot, subscription.ownerId)) return;
  const scope = subscription.scope;
  if (scope === '/' || scope === '/apis' || (scope.length === api.id.length + 6 && scope === `/apis/${api.id}`)) {
    // Product policies do not apply to service-, all-APIs- or API-scoped subscriptions (APIM).
    call.subscriptionId = subscription.id;
    return;
  }
  if (scope.startsWith('/products/')) {
    const products = api.products;
    for (let i = 0; i < products.length; i++) {
      const product = products[i]!;
      if (product.acceptsKeys && scope.length === product.id.length + 10 && scope.endsWith(product.id)) {
        call.subscriptionId = subscription.id;
        call.product = product;
        call.limitSubject = 'subscription';
        return;
      }
    }
  }
}
