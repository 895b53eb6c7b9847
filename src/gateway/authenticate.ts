import { bearerToken } from '../shared/index.js';
import type { IncomingHttpHeaders } from 'node:http';
import { authorizeToken, type RevokedApplication } from './authorize-token.js';
import { GatewayMessages } from './errors.js';
import type { ApiEntry, Snapshot } from './snapshot.js';
import { checkSubscriptionKey, findSubscriptionKey } from './subscription-key.js';
import type { VerifiedTokenCache } from './token-cache.js';

/** Who the call runs as; used for the access log (and later for product policies). */
export interface CallContext {
  readonly productId: string | undefined;
  readonly subscriptionId: string | undefined;
  /** Management id and Entra client id of the calling client application (token calls). */
  readonly clientApplicationId: string | undefined;
  readonly clientAppId: string | undefined;
}

export type AuthDecision =
  | { readonly ok: true; readonly context: CallContext }
  | { readonly ok: false; readonly message: string; readonly wwwAuthenticate: readonly string[] };

export interface AuthInput {
  readonly snapshot: Snapshot;
  readonly api: ApiEntry;
  readonly headers: IncomingHttpHeaders;
  readonly rawQuery: string;
  /** `<gateway base URL>/<api path>`, for WWW-Authenticate. */
  readonly realm: string;
  readonly tokens: VerifiedTokenCache;
  /** Told (synchronously; it must not block) when a valid token's application has lost access. */
  readonly onRevoked?: (revoked: RevokedApplication) => void;
}

/**
 * Decides whether the call may go on. Either credential suffices when its products accept it;
 * open products and APIs need none. Failures carry APIM's message and WWW-Authenticate headers.
 */
export async function authenticate(input: AuthInput): Promise<AuthDecision> {
  const { snapshot, api, headers, realm } = input;
  const products = api.products;
  // A product that takes application tokens is never open: subscriptionRequired=false there must
  // not turn the token requirement off, not even while its backend app or role is missing.
  const openProduct = products.find((p) => !p.subscriptionRequired && !p.tokenAuthentication);
  const tokensAccepted = products.some((p) => p.acceptsTokens);
  const keysAccepted = products.length === 0 || products.some((p) => p.acceptsKeys);

  const key = findSubscriptionKey(api, headers, input.rawQuery);
  if (key) {
    const check = checkSubscriptionKey(snapshot, api, key.value);
    if (check.ok) {
      return ok({ productId: check.productId ?? openProduct?.id, subscriptionId: check.subscriptionId });
    }
  }

  const token = tokensAccepted ? bearerToken(headers.authorization) : undefined;
  if (token !== undefined && token !== '') {
    const payload = await input.tokens.verify(token, snapshot.signingKeys);
    const grant = payload ? authorizeToken(snapshot, products, payload) : { ok: false as const };
    if (grant.ok) {
      return ok({ productId: grant.product.id, clientApplicationId: grant.clientApp.id, clientAppId: grant.clientApp.entraApplicationId });
    }
    if (grant.revoked) input.onRevoked?.(grant.revoked);
  }

  if (openProduct || !api.subscriptionRequired) return ok({ productId: openProduct?.id });

  const keyChallenge = `AzureApiManagementKey realm="${realm}",name="${api.keyHeaderName}",type="header"`;
  const bearerChallenge = `Bearer realm="${realm}"`;
  if (token !== undefined) {
    return deny(GatewayMessages.tokenInvalid, [`${bearerChallenge}, error="invalid_token"`, ...(keysAccepted ? [keyChallenge] : [])]);
  }
  const bearer = tokensAccepted ? [bearerChallenge] : [];
  if (key) return deny(GatewayMessages.keyInvalid, [keyChallenge, ...bearer]);
  const challenges = [...(keysAccepted ? [keyChallenge] : []), ...bearer];
  if (tokensAccepted) return deny(keysAccepted ? GatewayMessages.tokenOrKeyMissing : GatewayMessages.tokenMissing, challenges);
  return deny(GatewayMessages.keyMissing, challenges);
}

function ok(context: Partial<CallContext>): AuthDecision {
  return {
    ok: true,
    context: {
      productId: context.productId,
      subscriptionId: context.subscriptionId,
      clientApplicationId: context.clientApplicationId,
      clientAppId: context.clientAppId,
    },
  };
}

function deny(message: string, wwwAuthenticate: readonly string[]): AuthDecision {
  return { ok: false, message, wwwAuthenticate };
}
