import { GatewayMessages } from '../../errors.js';
import type { PolicyDefinition } from '../definition.js';
import { Refusals, type Refusal } from '../refusals.js';
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
  // The authenticate phase said why the credential presented was not good (the token's, when there was one).
  const why = call.credentialRefusal;
  if (call.tokenPresented) {
    return deny(GatewayMessages.tokenInvalid, [`${bearerChallenge}, error="invalid_token"`, ...(keysAccepted ? [keyChallenge] : [])], why ?? Refusals.tokenMalformed);
  }
  const bearer = tokensAccepted ? [bearerChallenge] : [];
  if (call.keyPresented) return deny(GatewayMessages.keyInvalid, [keyChallenge, ...bearer], why ?? Refusals.keyUnknown);
  const challenges = [...(keysAccepted ? [keyChallenge] : []), ...bearer];
  if (tokensAccepted) {
    return keysAccepted
      ? deny(GatewayMessages.tokenOrKeyMissing, challenges, Refusals.credentialsMissing)
      : deny(GatewayMessages.tokenMissing, challenges, Refusals.tokenMissing);
  }
  return deny(GatewayMessages.keyMissing, challenges, Refusals.keyMissing);
}

function deny(message: string, wwwAuthenticate: readonly string[], reason: Refusal): Rejection {
  return { status: 401, message, headers: { 'www-authenticate': wwwAuthenticate }, reason };
}
