import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors/index.js';
import { bearerToken } from '../../shared/index.js';

/** App roles of the management resource application. */
export const MANAGEMENT_ROLES = Object.freeze({
  contributor: 'Service.Contributor',
  reader: 'Service.Reader',
});

/** The URI-shaped identifier of the management resource, as Azure tooling expects (ARM's is https://management.azure.com/). */
export const MANAGEMENT_RESOURCE_URI = 'https://management.portico.local/';

export interface TokenVerifier {
  verify(token: string, options: { audiences: string[] }): Promise<Record<string, unknown>>;
}

/**
 * The caller's management app roles as the directory has them now (undefined when the principal is
 * gone or disabled). Roles are checked live, so removing a role or deleting an application takes
 * effect at once rather than when its token expires.
 */
export type LiveRoles = (objectId: string) => Promise<readonly string[] | undefined>;

export interface Caller {
  readonly objectId: string;
  readonly appId: string;
  readonly roles: readonly string[];
}

/** Checks the bearer token and the role the HTTP method needs; reads need Reader or Contributor. */
export async function authenticateCaller(request: FastifyRequest, verifier: TokenVerifier, managementAppId: string, liveRoles: LiveRoles): Promise<Caller> {
  const header = request.headers.authorization;
  if (header === undefined || header === '') {
    throw new AppError('AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
  }
  const token = bearerToken(header);
  if (!token) {
    throw new AppError('AuthenticationFailed', "Authentication failed. The 'Authorization' header is not in the 'Bearer <token>' format.");
  }
  let claims: Record<string, unknown>;
  try {
    claims = await verifier.verify(token, { audiences: [managementAppId, MANAGEMENT_RESOURCE_URI, MANAGEMENT_RESOURCE_URI.slice(0, -1)] });
  } catch (error) {
    throw new AppError('AuthenticationFailed', 'Authentication failed. The access token is invalid, expired, or not issued for the management resource.', [], { cause: error });
  }
  const objectId = String(claims.oid ?? '');
  const caller: Caller = {
    objectId,
    appId: String(claims.azp ?? ''),
    roles: (await liveRoles(objectId)) ?? [],
  };
  const readOnly = request.method === 'GET' || request.method === 'HEAD';
  const allowed = caller.roles.includes(MANAGEMENT_ROLES.contributor) || (readOnly && caller.roles.includes(MANAGEMENT_ROLES.reader));
  if (!allowed) {
    throw new AppError(
      'AuthorizationFailed',
      `The client '${caller.appId}' with object id '${caller.objectId}' does not have authorization to perform this ${readOnly ? 'read' : 'write'}. ` +
        `It needs the '${readOnly ? `${MANAGEMENT_ROLES.reader}' or '${MANAGEMENT_ROLES.contributor}` : MANAGEMENT_ROLES.contributor}' app role of the management application.`,
    );
  }
  return caller;
}
