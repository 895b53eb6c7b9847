import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/index.js';
import { graphAuthentication } from './graph-auth.js';
import type { GraphDeps } from './graph-context.js';
import { sendGraphError, toGraphError } from './graph-errors.js';
import { registerApplicationRoutes } from './routes/applications.js';
import { registerRoleManagementRoutes } from './routes/role-management.js';
import { registerServicePrincipalRoutes } from './routes/service-principals.js';
import { auditRequests, type AuditEntry } from '../../audit/index.js';

/** How a caller of the directory API is authenticated: sets the caller (setCaller) or answers the request. */
export type GraphAuthentication = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/**
 * The Microsoft Graph–shaped directory API; register with `{ prefix: '/v1.0' }`. Callers present a
 * Graph bearer token, unless another authentication is given (the admin portal's session, src/portal).
 */
export async function registerGraphRoutes(app: FastifyInstance, deps: GraphDeps, authenticate: GraphAuthentication = graphAuthentication(deps)): Promise<void> {
  app.setErrorHandler((error, request, reply) => sendGraphError(request, reply, toGraphError(error, request), deps.now()));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    return sendGraphError(request, reply, new AppError('NotFound', `Resource not found for the segment '${path.slice(0, 256)}'.`), deps.now());
  });
  // Authenticate before the body is parsed: an anonymous caller learns nothing about body rules.
  app.addHook('onRequest', authenticate);
  auditRequests(app, { audit: deps.audit, logger: deps.logger, serviceResourceId: null, describe: describeGraphRequest, now: deps.now, successRow: 'if-nothing-committed' });
  registerApplicationRoutes(app, deps);
  registerServicePrincipalRoutes(app, deps);
  registerRoleManagementRoutes(app, deps);
}

/** The directory API's writes, named as their committed changes are (audit/audit-entry.ts); the target is the object. */
const GRAPH_WRITES: Readonly<Record<string, { operation: string; param?: string }>> = {
  'PATCH /v1.0/applications/:id': { operation: 'applications.write', param: 'id' },
  'POST /v1.0/applications/:id/addPassword': { operation: 'applications.addPassword', param: 'id' },
  'POST /v1.0/applications/:id/removePassword': { operation: 'applications.removePassword', param: 'id' },
  'POST /v1.0/roleManagement/directory/roleAssignments': { operation: 'roleAssignments.create' },
  'DELETE /v1.0/roleManagement/directory/roleAssignments/:id': { operation: 'roleAssignments.delete', param: 'id' },
  'POST /v1.0/portico/signingKeys/rotate': { operation: 'signingKeys.rotate' },
};

function describeGraphRequest(method: string, mountedRoute: string, params: Readonly<Record<string, string>>): Pick<AuditEntry, 'operation' | 'target'> | undefined {
  // The admin portal mounts the same routes under /graph (src/portal/admin-graph.ts): audited alike.
  const route = mountedRoute.replace(/^\/graph\//i, '/');
  const known = GRAPH_WRITES[`${method} ${route}`];
  if (!known) return { operation: `${method} ${route}`, target: route };
  return { operation: known.operation, target: known.param ? (params[known.param] ?? '') : route.replace(/^\/v1\.0/, '') };
}
