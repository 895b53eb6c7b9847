import type { JWTPayload } from 'jose';
import { bearerToken } from '../../../shared/bearer.js';
import type { PolicyDefinition } from '../definition.js';
import type { GatewayCall, Outcome } from '../types.js';
import { authorizeToken, type OnRevoked } from './authorize-token.js';

/**
 * Authenticate phase, after subscription-key: only when no good key was found and a product holding
 * the API takes tokens. A token verified before answers at once (the cache); a new one is verified
 * asynchronously, once. A bad token does not answer here: the access policy picks the message.
 * A valid token whose application lost access is reported to `deps.onRevoked` (the audit log's
 * refusal recorder: an in-memory queue, never the store on the request path).
 */
export const applicationToken: PolicyDefinition = {
  name: 'application-token',
  create: (deps) => ({
    name: 'application-token',
    phase: 'authenticate',
    priority: 900,
    run(call): Outcome | Promise<Outcome> {
      if (call.subscriptionId !== undefined) return undefined;
      if (call.api!.access.tokenProducts.length === 0) return undefined;
      const token = bearerToken(call.req.headers.authorization);
      if (token === undefined) return undefined;
      call.tokenPresented = true;
      if (token === '') return undefined;
      const keys = call.snapshot.signingKeys;
      const cached = deps.tokens.cached(token, keys);
      const onRevoked = deps.onRevoked;
      if (cached !== undefined) return grant(call, cached, onRevoked);
      return deps.tokens.verify(token, keys).then((payload) => (payload === undefined ? undefined : grant(call, payload, onRevoked)));
    },
  }),
};

function grant(call: GatewayCall, payload: JWTPayload, onRevoked: OnRevoked | undefined): undefined {
  authorizeToken(call, call.api!.access.tokenProducts, payload, onRevoked);
  return undefined;
}
