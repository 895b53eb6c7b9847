import { bearerToken } from '../../shared/index.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GRAPH_APP_ID } from '../directory/microsoft-graph.js';
import { TokenVerificationError } from '../token/access-token-verifier.js';
import { graphErrorBody } from './graph-errors.js';
import { setCaller, type GraphDeps } from './graph-context.js';
import { setRequestActor } from '../../audit/index.js';

/**
 * Bearer token for Microsoft Graph's appId, verified against our own keys. The caller then acts
 * as the token's `oid` service principal, through the same permission checks as the management plane.
 */
export function graphAuthentication(deps: GraphDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const token = bearerToken(request.headers.authorization);
    if (!token) return unauthorized(request, reply, deps, 'Access token is empty.');
    try {
      const claims = await deps.verifier.verify(token, { audiences: [GRAPH_APP_ID] });
      setCaller(request, deps.directory.forPrincipal(claims.oid), claims.oid);
      setRequestActor(request, { objectId: claims.oid, appId: typeof claims.azp === 'string' ? claims.azp : null });
      return undefined;
    } catch (err) {
      if (!(err instanceof TokenVerificationError)) throw err;
      request.log.info({ reason: err.reason }, 'directory API token refused');
      const message = err.reason === 'expired' ? 'Lifetime validation failed, the token is expired.'
        : err.reason === 'audience' ? 'Access token validation failure. Invalid audience.'
          : `Access token validation failure. ${err.message}`;
      return unauthorized(request, reply, deps, message);
    }
  };
}

function unauthorized(request: FastifyRequest, reply: FastifyReply, deps: GraphDeps, message: string): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', `Bearer realm="", authorization_uri="${deps.urls.authorizationEndpoint()}", client_id="${GRAPH_APP_ID}"`)
    .send(graphErrorBody('InvalidAuthenticationToken', message, request, deps.now()));
}
