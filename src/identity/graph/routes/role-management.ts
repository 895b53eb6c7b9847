import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors/index.js';
import { invalidProperty, notFound } from '../../directory/validate.js';
import { callerOf, odataEntity, odataList, type GraphDeps } from '../graph-context.js';
import { roleAssignmentJson, roleDefinitionJson } from '../graph-shapes.js';
import { parseEqFilter } from '../odata-filter.js';

const BASE = '/roleManagement/directory';
const RESOURCE = 'unifiedRoleAssignment';

export function registerRoleManagementRoutes(app: FastifyInstance, deps: GraphDeps): void {
  app.get(`${BASE}/roleDefinitions`, async (request) => {
    const roles = await callerOf(request).listDirectoryRoleDefinitions();
    return odataList(deps.urls, 'roleManagement/directory/roleDefinitions', roles.map(roleDefinitionJson));
  });

  app.get<{ Querystring: { $filter?: string } }>(`${BASE}/roleAssignments`, async (request) => {
    const filter = parseEqFilter(request.query.$filter, ['principalId', 'roleDefinitionId'], RESOURCE);
    const query = filter ? { [filter.property]: filter.value } : {};
    const assignments = await callerOf(request).listDirectoryRoleAssignments(query);
    return odataList(deps.urls, 'roleManagement/directory/roleAssignments', assignments.map(roleAssignmentJson));
  });

  app.get<{ Params: { id: string } }>(`${BASE}/roleAssignments/:id`, async (request) => {
    const assignment = await callerOf(request).getDirectoryRoleAssignment(request.params.id);
    if (!assignment) throw notFound(request.params.id);
    return odataEntity(deps.urls, 'roleManagement/directory/roleAssignments', roleAssignmentJson(assignment));
  });

  app.post<{ Body: unknown }>(`${BASE}/roleAssignments`, async (request, reply) => {
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new AppError('Request_BadRequest', 'The request body must be a JSON unifiedRoleAssignment object.');
    }
    const { principalId, roleDefinitionId, directoryScopeId } = body as Record<string, unknown>;
    for (const [name, value] of Object.entries({ principalId, roleDefinitionId })) {
      if (value === undefined) throw invalidProperty(name, RESOURCE, 'it is required.');
    }
    if (directoryScopeId !== undefined && typeof directoryScopeId !== 'string') {
      throw invalidProperty('directoryScopeId', RESOURCE, "it must be '/'.");
    }
    const assignment = await callerOf(request).assignDirectoryRole({
      principalId: principalId as string,
      roleDefinitionId: roleDefinitionId as string,
      directoryScopeId: directoryScopeId ?? '/',
    });
    return reply.code(201).send(odataEntity(deps.urls, 'roleManagement/directory/roleAssignments', roleAssignmentJson(assignment)));
  });

  app.delete<{ Params: { id: string } }>(`${BASE}/roleAssignments/:id`, async (request, reply) => {
    await callerOf(request).removeDirectoryRoleAssignment(request.params.id);
    return reply.code(204).send();
  });
}
