import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/index.js';
import { graphAuthentication } from './graph-auth.js';
import type { GraphDeps } from './graph-context.js';
import { sendGraphError, toGraphError } from './graph-errors.js';
import { registerApplicationRoutes } from './routes/applications.js';
import { registerRoleManagementRoutes } from './routes/role-management.js';
import { registerServicePrincipalRoutes } from './routes/service-principals.js';

/** The Microsoft Graph–shaped directory API; register with `{ prefix: '/v1.0' }`. */
export async function registerGraphRoutes(app: FastifyInstance, deps: GraphDeps): Promise<void> {
  app.setErrorHandler((error, request, reply) => sendGraphError(request, reply, toGraphError(error, request), deps.now()));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    return sendGraphError(request, reply, new AppError('NotFound', `Resource not found for the segment '${path.slice(0, 256)}'.`), deps.now());
  });
  // Authenticate before the body is parsed: an anonymous caller learns nothing about body rules.
  app.addHook('onRequest', graphAuthentication(deps));
  registerApplicationRoutes(app, deps);
  registerServicePrincipalRoutes(app, deps);
  registerRoleManagementRoutes(app, deps);
}
