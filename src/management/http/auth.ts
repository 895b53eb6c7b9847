import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors/index.js';

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

export interface Caller {
  readonly objectId: string;
  readonly appId: string;
  readonly roles: readonly string[];
}

/** Checks the bearer token and the role the HTTP method needs; reads need Reader or Contributor. */
export async function authenticateCaller(request: FastifyRequest, verifier: TokenVerifier, managementAppId: string): Promise<Caller> {
  const header = request.headers.authorization;
  if (header === undefined || header === '') {
    throw new AppError('AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
  }
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) {
    throw new AppError('AuthenticationFailed', "Authentication failed. The 'Authorization' header is not in the 'Bearer <token>' format.");
  }
  let claims: Record<string, unknown>;
  try {
    claims = await verifier.verify(match[1]!, { audiences: [managementAppId, MANAGEMENT_RESOURCE_URI, MANAGEMENT_RESOURCE_URI.slice(0, -1)] });
  } catch (error) {
    throw new AppError('AuthenticationFailed', 'Authentication failed. The access token is invalid, expired, or not issued for the management resource.', [], { cause: error });
  }
  const caller: Caller = {
    objectId: String(claims.oid ?? ''),
    appId: String(claims.azp ?? claims.appid ?? ''),
    roles: Array.isArray(claims.roles) ? claims.roles.map(String) : [],
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
