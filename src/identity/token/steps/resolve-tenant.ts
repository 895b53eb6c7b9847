import { OAuthError } from '../../../errors/index.js';
import type { TokenStep } from '../token-context.js';

/** MSAL lowercases the whole authority, so the tenant in the path is matched case-insensitively. */
export const resolveTenant: TokenStep = (ctx, deps) => {
  const tenant = ctx.request.tenant;
  if (tenant.toLowerCase() !== deps.urls.tenantId.toLowerCase()) throw tenantNotFound(tenant);
  ctx.tenantId = deps.urls.tenantId;
};

export function tenantNotFound(tenant: string): OAuthError {
  const shown = tenant.replace(/[^\x20-\x7e]/g, '?').slice(0, 256);
  return new OAuthError(90002, `Tenant '${shown}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
}
