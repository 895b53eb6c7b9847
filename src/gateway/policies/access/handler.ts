import { GatewayMessages } from '../../errors.js';
import type { PolicyDefinition } from '../definition.js';
import type { GatewayCall, Rejection } from '../types.js';

/**
 * Authorize phase: the decision after both credentials were looked at. A call with a good key or
 * token runs in its product's context (an open product's when the key's scope named none); without
 * one, an open product or an API that needs no subscription lets it through in that context.
 * Refusals are built only here, on failure: the realm string costs nothing on success.
 */
export const access: PolicyDefinition = {
  name: 'access',
  create: (deps) => ({
    name: 'access',
    phase: 'authorize',
    priority: 1000,
    run(call) {
      const access = call.api!.access;
      if (call.subscriptionId !== undefined || call.clientApplicationId !== undefined || !access.credentialsRequired) {
        if (call.product === undefined) call.product = access.openProduct;
        return undefined;
      }
      return refusal(call, deps.publicUrl());
    },
  }),
};

function refusal(call: GatewayCall, publicUrl: string): Rejection {
  const api = call.api!;
  const { keysAccepted, tokenProducts } = api.access;
  const tokensAccepted = tokenProducts.length > 0;
  const realm = `${publicUrl}/${api.path}`;
  const keyChallenge = `AzureApiManagementKey realm="${realm}",name="${api.keyHeaderName}",type="header"`;
  const bearerChallenge = `Bearer realm="${realm}"`;
  if (call.tokenPresented) {
    return deny(GatewayMessages.tokenInvalid, [`${bearerChallenge}, error="invalid_token"`, ...(keysAccepted ? [keyChallenge] : [])]);
  }
  const bearer = tokensAccepted ? [bearerChallenge] : [];
  if (call.keyPresented) return deny(GatewayMessages.keyInvalid, [keyChallenge, ...bearer]);
  const challenges = [...(keysAccepted ? [keyChallenge] : []), ...bearer];
  if (tokensAccepted) return deny(keysAccepted ? GatewayMessages.tokenOrKeyMissing : GatewayMessages.tokenMissing, challenges);
  return deny(GatewayMessages.keyMissing, challenges);
}

function deny(message: string, wwwAuthenticate: readonly string[]): Rejection {
  return { status: 401, message, headers: { 'www-authenticate': wwwAuthenticate } };
}
