import { authenticateClient } from './steps/authenticate-client.js';
import { checkGrantType } from './steps/check-grant-type.js';
import { parseForm } from './steps/parse-form.js';
import { readDirectory } from './steps/read-directory.js';
import { resolveTenant } from './steps/resolve-tenant.js';
import { TokenContext, need, type TokenDeps, type TokenRequest, type TokenResponse, type TokenStep } from './token-context.js';

/** Steps every grant shares; the grant's own steps (scope, resource, assignment, issue) follow. */
export const COMMON_STEPS: readonly TokenStep[] = [parseForm, resolveTenant, checkGrantType, readDirectory, authenticateClient];

/** Runs `POST /{tenant}/oauth2/v2.0/token`; failures are thrown as OAuthError. */
export async function runTokenEndpoint(request: TokenRequest, deps: TokenDeps): Promise<TokenResponse> {
  const ctx = new TokenContext(request);
  await runSteps(COMMON_STEPS, ctx, deps);
  await runSteps(need(ctx.grant, 'grant').steps, ctx, deps);
  return need(ctx.response, 'response');
}

/** Most steps are synchronous: only a step that returns a promise is awaited, the others cost no hop. */
async function runSteps(steps: readonly TokenStep[], ctx: TokenContext, deps: TokenDeps): Promise<void> {
  for (const step of steps) {
    const pending = step(ctx, deps);
    if (pending) await pending;
  }
}
