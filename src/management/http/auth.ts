import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors/index.js';
import { decodeJwt } from 'jose';
import { bearerToken } from '../../shared/index.js';
import { setRequestActor } from '../../audit/index.js';

/** App roles of the management resource application. */
export const MANAGEMENT_ROLES = Object.freeze({
  contributor: 'Service.Contributor',
  reader: 'Service.Reader',
});

/** The URI-shaped identifier of the management resource, as Azure tooling expects (ARM's is https://management.azure.com/). */
export const MANAGEMENT_RESOURCE_URI = 'https://management.portico.local/';

/** Refusals carry `reason` (the identity provider's TokenVerificationError); 'issuer' is told apart. */
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

/**
 * The issuer is checked after the signature, so an issuer refusal means one of our own keys signed
 * the token under an earlier public identity URL: say so, since the fix (a new token) is not obvious.
 */
function rejectionMessage(error: unknown, token: string): string {
  if ((error as { reason?: unknown } | null)?.reason === 'issuer') {
    const issuer = String(decodeJwt(token).iss ?? '').replace(/[^\x21-\x7e]/g, '?').slice(0, 256);
    return `Authentication failed. The access token was issued as '${issuer}', an issuer this Portico no longer uses (its public identity URL changed). Request a new token.`;
  }
  return 'Authentication failed. The access token is invalid, expired, or not issued for the management resource.';
}

/**
 * A signed-in admin portal user (src/portal): a session cookie instead of a bearer token. The
 * portal's own checks (live session, CSRF token on writes, still an administrator) run here.
 */
export interface SessionAuthenticator {
  /** undefined when the request carries no admin session cookie; otherwise the caller, or an AppError. */
  authenticate(request: FastifyRequest): Promise<Caller | undefined>;
}

/**
 * Checks the bearer token (or, without an Authorization header, the admin portal session) and the
 * role the HTTP method needs; reads need Reader or Contributor.
 */
export async function authenticateCaller(request: FastifyRequest, verifier: TokenVerifier, managementAppId: string, liveRoles: LiveRoles, sessions?: SessionAuthenticator): Promise<Caller> {
  const header = request.headers.authorization;
  if (header === undefined || header === '') {
    const caller = await sessions?.authenticate(request);
    if (caller) return authorize(request, caller);
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
    throw new AppError('AuthenticationFailed', rejectionMessage(error, token), [], { cause: error });
  }
  const objectId = String(claims.oid ?? '');
  const caller: Caller = {
    objectId,
    appId: String(claims.azp ?? ''),
    roles: (await liveRoles(objectId)) ?? [],
  };
  return authorize(request, caller);
}

function authorize(request: FastifyRequest, caller: Caller): Caller {
  // Known before the role check, so a refused write is audited with who tried it.
  setRequestActor(request, { objectId: caller.objectId || null, appId: caller.appId || null });
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
