import type { JWTPayload } from 'jose';
import { bearerToken } from '../../../shared/bearer.js';
import type { PolicyDefinition } from '../definition.js';
import { Refusals, TOKEN_REJECTION_REFUSALS } from '../refusals.js';
import type { GatewayCall, Outcome } from '../types.js';
import { authorizeToken } from './authorize-token.js';

/**
 * Authenticate phase, after subscription-key: only when no good key was found and a product holding
 * the API takes tokens. A token verified before answers at once (the cache); a new one is verified
 * asynchronously, once. A bad token does not answer here: the access policy picks the message.
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
      if (token === '') return void (call.credentialRefusal = Refusals.tokenEmpty);
      const keys = call.snapshot.signingKeys;
      const cached = deps.tokens.cached(token, keys);
      if (cached !== undefined) return grant(call, cached);
      return deps.tokens.verify(token, keys).then((payload) => {
        if (typeof payload !== 'string') return grant(call, payload);
        call.credentialRefusal = TOKEN_REJECTION_REFUSALS[payload];
        return undefined;
      });
    },
  }),
};

function grant(call: GatewayCall, payload: JWTPayload): undefined {
  authorizeToken(call, call.api!.access.tokenProducts, payload);
  return undefined;
}
