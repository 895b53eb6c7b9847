import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/index.js';
import type { DirectoryService } from '../directory/directory-service.js';
import { ROLE_IDS, describeRoles } from '../directory/roles.js';
import { callerIdOf } from '../graph/graph-context.js';
import type { SigningKeyInfo, SigningKeys } from './signing-keys.js';

export interface SigningKeyRouteDeps {
  readonly keys: SigningKeys;
  readonly directory: DirectoryService;
}

/** A Portico extension, not part of Microsoft Graph: hence its own path segment. */
export const SIGNING_KEYS_PATH = '/portico/signingKeys';

/** Who may see and rotate the token-signing keys: as powerful as managing role assignments. */
const KEY_ADMINS = [ROLE_IDS.globalAdministrator, ROLE_IDS.privilegedRoleAdministrator];

/**
 * `GET /v1.0/portico/signingKeys` and `POST /v1.0/portico/signingKeys/rotate` (`{"immediate": true}`
 * optional). Register inside the Graph-shaped scope (after registerGraphRoutes): its bearer
 * authentication and error shapes apply.
 */
export function registerSigningKeyRoutes(app: FastifyInstance, deps: SigningKeyRouteDeps): void {
  app.get(SIGNING_KEYS_PATH, async (request) => {
    await requireKeyAdmin(request, deps.directory);
    return { value: (await deps.keys.list()).map(signingKeyJson) };
  });

  app.post<{ Body: unknown }>(`${SIGNING_KEYS_PATH}/rotate`, async (request, reply) => {
    await requireKeyAdmin(request, deps.directory);
    const immediate = parseRotateBody(request.body);
    const key = await deps.keys.rotate({ immediate });
    request.log.info({ kid: key.kid, immediate, activatesAt: key.activatesAt, principalId: callerIdOf(request) }, 'signing key rotated on request');
    return reply.code(201).send(signingKeyJson(key));
  });
}

async function requireKeyAdmin(request: FastifyRequest, directory: DirectoryService): Promise<void> {
  const held = await directory.rolesOf(callerIdOf(request));
  if (!KEY_ADMINS.some((role) => held.has(role))) {
    throw new AppError('Authorization_RequestDenied',
      `Insufficient privileges to complete the operation. Managing signing keys needs the ${describeRoles(KEY_ADMINS)} directory role.`);
  }
}

/** No body, `{}` or `{"immediate": true|false}`; anything else is refused, naming what to fix. */
function parseRotateBody(body: unknown): boolean {
  if (body === undefined || body === null) return false;
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('Request_BadRequest', 'The request body must be a JSON object such as {"immediate": true}, or empty.');
  }
  for (const [name, value] of Object.entries(body)) {
    if (name !== 'immediate') throw new AppError('Request_BadRequest', `Property '${name.slice(0, 64)}' is not supported; the only property is 'immediate'.`);
    if (typeof value !== 'boolean') throw new AppError('Request_BadRequest', "Property 'immediate' must be true or false.");
  }
  return (body as { immediate?: boolean }).immediate === true;
}

function signingKeyJson(key: SigningKeyInfo) {
  return {
    kid: key.kid,
    state: key.state,
    createdDateTime: key.createdAt,
    activationDateTime: key.activatesAt,
    retirementDateTime: key.retiresAt,
    x5t: key.x5t,
  };
}
