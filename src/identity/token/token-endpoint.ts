import { authenticateClient } from './steps/authenticate-client.js';
import { checkGrantType } from './steps/check-grant-type.js';
import { parseForm } from './steps/parse-form.js';
import { resolveTenant } from './steps/resolve-tenant.js';
import { TokenContext, need, type TokenDeps, type TokenRequest, type TokenResponse, type TokenStep } from './token-context.js';

/** Steps every grant shares; the grant's own steps (scope, resource, assignment, issue) follow. */
export const COMMON_STEPS: readonly TokenStep[] = [parseForm, resolveTenant, checkGrantType, authenticateClient];

/** Runs `POST /{tenant}/oauth2/v2.0/token`; failures are thrown as OAuthError. */
export async function runTokenEndpoint(request: TokenRequest, deps: TokenDeps): Promise<TokenResponse> {
  const ctx = new TokenContext(request);
  for (const step of COMMON_STEPS) await step(ctx, deps);
  for (const step of need(ctx.grant, 'grant').steps) await step(ctx, deps);
  return need(ctx.response, 'response');
}
