import type { JWTPayload } from 'jose';
import { bearerToken } from '../../../shared/bearer.js';
import type { PolicyDefinition } from '../definition.js';
import { Refusals, TOKEN_REJECTION_REFUSALS } from '../refusals.js';
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
      const header = call.req.headers.authorization;
      if (header === undefined) return undefined;
      const keys = call.snapshot.signingKeys;
      // The common shape first, without the parser's regex: a hit means the slice equals a token
      // verified before, which is exactly what bearerToken would have returned for this header.
      const plain = plainBearer(header);
      if (plain !== undefined) {
        const cached = deps.tokens.cached(plain, keys);
        if (cached !== undefined) {
          call.tokenPresented = true;
          return grant(call, cached, deps.onRevoked);
        }
      }
      const token = bearerToken(header);
      if (token === undefined) return undefined;
      call.tokenPresented = true;
      if (token === '') return void (call.credentialRefusal = Refusals.tokenEmpty);
      if (token !== plain) {
        const cached = deps.tokens.cached(token, keys);
        if (cached !== undefined) return grant(call, cached, deps.onRevoked);
      }
      return deps.tokens.verify(token, keys).then((payload) => {
        if (typeof payload !== 'string') return grant(call, payload, deps.onRevoked);
        call.credentialRefusal = TOKEN_REJECTION_REFUSALS[payload];
        return undefined;
      });
    },
  }),
};

/** The token of `Bearer <token>` (exactly that scheme spelling, one space, no padding); undefined for any other shape. */
function plainBearer(header: string): string | undefined {
  if (header.length < 9 || header.charCodeAt(6) !== 0x20 || !header.startsWith('Bearer')) return undefined;
  if (!printable(header.charCodeAt(7)) || !printable(header.charCodeAt(header.length - 1))) return undefined;
  return header.slice(7);
}

/** Visible ASCII: nothing trim() or the parser would remove. */
function printable(code: number): boolean {
  return code > 0x20 && code < 0x7f;
}

function grant(call: GatewayCall, payload: JWTPayload, onRevoked: OnRevoked | undefined): undefined {
  authorizeToken(call, call.api!.access.tokenProducts, payload, onRevoked);
  return undefined;
}
