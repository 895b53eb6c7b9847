import type { FastifyInstance } from 'fastify';
import { notFound } from '../../directory/validate.js';
import { callerOf, odataEntity, odataList, type GraphDeps } from '../graph-context.js';
import { applicationJson } from '../graph-shapes.js';
import { parseEqFilter } from '../odata-filter.js';

type ListQuery = { Querystring: { $filter?: string } };

export function registerApplicationRoutes(app: FastifyInstance, deps: GraphDeps): void {
  app.get<ListQuery>('/applications', async (request) => {
    const directory = callerOf(request);
    const filter = parseEqFilter(request.query.$filter, ['appId', 'displayName'], 'application');
    let apps = await directory.listApplications();
    if (filter?.property === 'appId') apps = apps.filter((a) => a.appId === filter.value.toLowerCase());
    if (filter?.property === 'displayName') apps = apps.filter((a) => a.displayName.toLowerCase() === filter.value.toLowerCase());
    const value = await Promise.all(apps.map(async (a) => applicationJson(a, await directory.listPasswords(a.id))));
    return odataList(deps.urls, 'applications', value);
  });

  app.get<{ Params: { id: string } }>('/applications/:id', async (request) => {
    const directory = callerOf(request);
    const application = await directory.getApplication(request.params.id);
    if (!application) throw notFound(request.params.id);
    return odataEntity(deps.urls, 'applications', applicationJson(application, await directory.listPasswords(application.id)));
  });
}
