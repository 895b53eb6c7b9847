import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DirectoryClient } from '../../directory/directory-client.js';
import type { AppRoleAssignmentRecord, ServicePrincipalRecord } from '../../directory/directory-store.js';
import { notFound } from '../../directory/validate.js';
import { callerOf, odataEntity, odataList, type GraphDeps } from '../graph-context.js';
import { appRoleAssignmentJson, servicePrincipalJson } from '../graph-shapes.js';
import { parseEqFilter } from '../odata-filter.js';

type ListQuery = { Querystring: { $filter?: string } };
type ById = { Params: { id: string } };

export function registerServicePrincipalRoutes(app: FastifyInstance, deps: GraphDeps): void {
  const tenantId = deps.urls.tenantId;
  const withApp = async (directory: DirectoryClient, sp: ServicePrincipalRecord) =>
    servicePrincipalJson(sp, await directory.getApplicationByAppId(sp.appId), tenantId);

  app.get<ListQuery>('/servicePrincipals', async (request) => {
    const directory = callerOf(request);
    const filter = parseEqFilter(request.query.$filter, ['appId', 'displayName'], 'servicePrincipal');
    let sps = await directory.listServicePrincipals();
    if (filter?.property === 'appId') sps = sps.filter((sp) => sp.appId === filter.value.toLowerCase());
    if (filter?.property === 'displayName') sps = sps.filter((sp) => sp.displayName.toLowerCase() === filter.value.toLowerCase());
    return odataList(deps.urls, 'servicePrincipals', await Promise.all(sps.map((sp) => withApp(directory, sp))));
  });

  app.get<ById>('/servicePrincipals/:id', async (request) => {
    const directory = callerOf(request);
    const sp = await existing(directory, request);
    return odataEntity(deps.urls, 'servicePrincipals', await withApp(directory, sp));
  });

  app.get<ById>('/servicePrincipals/:id/appRoleAssignments', async (request) => {
    const directory = callerOf(request);
    const sp = await existing(directory, request);
    const assignments = await directory.listAppRoleAssignments({ principalId: sp.id });
    return odataList(deps.urls, `servicePrincipals('${sp.id}')/appRoleAssignments`, await named(directory, assignments));
  });

  app.get<ById>('/servicePrincipals/:id/appRoleAssignedTo', async (request) => {
    const directory = callerOf(request);
    const sp = await existing(directory, request);
    const assignments = await directory.listAppRoleAssignments({ resourceId: sp.id });
    return odataList(deps.urls, `servicePrincipals('${sp.id}')/appRoleAssignedTo`, await named(directory, assignments));
  });
}

async function existing(directory: DirectoryClient, request: FastifyRequest<ById>): Promise<ServicePrincipalRecord> {
  const sp = await directory.getServicePrincipal(request.params.id);
  if (!sp) throw notFound(request.params.id);
  return sp;
}

/** Assignments show both sides' display names, looked up once per distinct principal. */
async function named(directory: DirectoryClient, assignments: readonly AppRoleAssignmentRecord[]) {
  const ids = new Set(assignments.flatMap((a) => [a.principalId, a.resourceId]));
  const names = new Map<string, string>();
  for (const id of ids) {
    const sp = await directory.getServicePrincipal(id);
    if (sp) names.set(id, sp.displayName);
  }
  return assignments.map((a) => appRoleAssignmentJson(a, names));
}
