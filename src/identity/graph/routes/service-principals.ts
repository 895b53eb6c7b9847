import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DirectoryClient } from '../../directory/directory-client.js';
import type { AppRoleAssignmentRecord, ServicePrincipalRecord } from '../../directory/directory-store.js';
import { notFound } from '../../directory/validate.js';
import { callerOf, odataEntity, type GraphDeps } from '../graph-context.js';
import { appRoleAssignmentJson, servicePrincipalJson } from '../graph-shapes.js';
import { parseEqFilter } from '../odata-filter.js';
import { graphPageOf, odataPage } from '../odata-paging.js';

type ListQuery = { Querystring: { $filter?: string } };
type ById = { Params: { id: string } };

export function registerServicePrincipalRoutes(app: FastifyInstance, deps: GraphDeps): void {
  const tenantId = deps.urls.tenantId;
  const withApp = async (directory: DirectoryClient, sp: ServicePrincipalRecord) =>
    servicePrincipalJson(sp, await directory.getApplicationByAppId(sp.appId), tenantId);

  // Filtered and paged in SQL; the page's applications (for appRoles) come in one read.
  app.get<ListQuery>('/servicePrincipals', async (request) => {
    const directory = callerOf(request);
    const filter = parseEqFilter(request.query.$filter, ['appId', 'displayName'], 'servicePrincipal');
    const page = graphPageOf(request);
    const rows = await directory.pageServicePrincipals({ top: page.top, after: page.after, filter: filter && { [filter.property]: filter.value } });
    const apps = new Map((await directory.getApplicationsByAppIds(rows.slice(0, page.top).map((sp) => sp.appId))).map((a) => [a.appId, a]));
    return odataPage(deps.urls, request, 'servicePrincipals', page, rows, (sps) => sps.map((sp) => servicePrincipalJson(sp, apps.get(sp.appId), tenantId)));
  });

  app.get<ById>('/servicePrincipals/:id', async (request) => {
    const directory = callerOf(request);
    const sp = await existing(directory, request);
    return odataEntity(deps.urls, 'servicePrincipals', await withApp(directory, sp));
  });

  // A resource's assignments can be many (every client application linked to a product): paged in SQL.
  for (const [segment, side] of [['appRoleAssignments', 'principalId'], ['appRoleAssignedTo', 'resourceId']] as const) {
    app.get<ById>(`/servicePrincipals/:id/${segment}`, async (request) => {
      const directory = callerOf(request);
      const sp = await existing(directory, request);
      const page = graphPageOf(request);
      const filter = side === 'principalId' ? { principalId: sp.id } : { resourceId: sp.id };
      const rows = await directory.pageAppRoleAssignments(filter, page);
      const names = await displayNames(directory, rows.slice(0, page.top));
      return odataPage(deps.urls, request, `servicePrincipals('${sp.id}')/${segment}`, page, rows, (assignments) => assignments.map((a) => appRoleAssignmentJson(a, names)));
    });
  }
}

async function existing(directory: DirectoryClient, request: FastifyRequest<ById>): Promise<ServicePrincipalRecord> {
  const sp = await directory.getServicePrincipal(request.params.id);
  if (!sp) throw notFound(request.params.id);
  return sp;
}

/** Assignments show both sides' display names: the page's principals are read in one go. */
async function displayNames(directory: DirectoryClient, assignments: readonly AppRoleAssignmentRecord[]): Promise<Map<string, string>> {
  const ids = [...new Set(assignments.flatMap((a) => [a.principalId, a.resourceId]))];
  return new Map((await directory.getServicePrincipalsByIds(ids)).map((sp) => [sp.id, sp.displayName]));
}
