import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendEntraError } from '../http/entra-error.js';
import type { IdentityUrls } from '../identity-urls.js';
import { tenantNotFound } from '../token/steps/resolve-tenant.js';
import { discoveryDocument } from './discovery-document.js';
import type { SigningKeys } from './signing-keys.js';

export interface DiscoveryDeps {
  readonly urls: IdentityUrls;
  readonly keys: SigningKeys;
  readonly now: () => Date;
}

type TenantRequest = FastifyRequest<{ Params: { tenant: string } }>;

/**
 * OpenID configuration (v2 path, and the v1-style path MSAL's OIDC mode uses) and the JWKS.
 * `/adfs/.well-known/openid-configuration` serves the same document for the Azure CLI's ADFS mode,
 * which drops the tenant.
 */
export async function registerDiscoveryRoutes(app: FastifyInstance, deps: DiscoveryDeps): Promise<void> {
  const configuration = async (request: TenantRequest, reply: FastifyReply, allowAdfs: boolean) => {
    const tenant = request.params.tenant;
    const known = tenant.toLowerCase() === deps.urls.tenantId.toLowerCase() || (allowAdfs && tenant.toLowerCase() === 'adfs');
    if (!known) return sendEntraError(request, reply, tenantNotFound(tenant), deps.urls, deps.now());
    return cacheable(reply).send(discoveryDocument(deps.urls));
  };
  const keys = async (request: TenantRequest, reply: FastifyReply) => {
    if (request.params.tenant.toLowerCase() !== deps.urls.tenantId.toLowerCase()) {
      return sendEntraError(request, reply, tenantNotFound(request.params.tenant), deps.urls, deps.now());
    }
    return cacheable(reply).send(await deps.keys.publicJwks());
  };

  app.get<{ Params: { tenant: string } }>('/:tenant/v2.0/.well-known/openid-configuration', (request, reply) => configuration(request, reply, false));
  app.get<{ Params: { tenant: string } }>('/:tenant/.well-known/openid-configuration', (request, reply) => configuration(request, reply, true));
  app.get<{ Params: { tenant: string } }>('/:tenant/discovery/v2.0/keys', keys);
  app.get<{ Params: { tenant: string } }>('/:tenant/discovery/keys', keys);
}

/** Entra's caching headers; any origin may read public metadata. */
function cacheable(reply: FastifyReply): FastifyReply {
  return reply
    .header('cache-control', 'max-age=86400, private')
    .header('access-control-allow-origin', '*')
    .type('application/json; charset=utf-8');
}
