import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors/index.js';
import type { KeyCredentialInput } from '../../directory/directory-client.js';
import { notFound, optionalText } from '../../directory/validate.js';
import { callerOf, odataEntity, type GraphDeps } from '../graph-context.js';
import { graphPageOf, odataPage } from '../odata-paging.js';
import { applicationJson } from '../graph-shapes.js';
import { parseEqFilter } from '../odata-filter.js';

type ListQuery = { Querystring: { $filter?: string } };

export function registerApplicationRoutes(app: FastifyInstance, deps: GraphDeps): void {
  // Filtered and paged in SQL; the page's credentials come in one read per kind, not per application.
  app.get<ListQuery>('/applications', async (request) => {
    const directory = callerOf(request);
    const filter = parseEqFilter(request.query.$filter, ['appId', 'displayName'], 'application');
    const page = graphPageOf(request);
    const rows = await directory.pageApplications({ top: page.top, after: page.after, filter: filter && { [filter.property]: filter.value } });
    const credentials = await directory.listCredentialsOfApplications(rows.slice(0, page.top).map((a) => a.id));
    return odataPage(deps.urls, request, 'applications', page, rows, (apps) =>
      apps.map((a) => applicationJson(a, credentials.get(a.id)?.passwords ?? [], credentials.get(a.id)?.keys ?? [])));
  });

  app.get<{ Params: { id: string } }>('/applications/:id', async (request) => {
    const directory = callerOf(request);
    const application = await directory.getApplication(request.params.id);
    if (!application) throw notFound(request.params.id);
    const [passwords, keys] = await Promise.all([directory.listPasswords(application.id), directory.listKeyCredentials(application.id)]);
    return odataEntity(deps.urls, 'applications', applicationJson(application, passwords, keys));
  });

  // Graph's way to manage certificates: PATCH with the whole keyCredentials list (new entries
  // carry `key`). Only keyCredentials can be changed here; other properties are refused, not ignored.
  app.patch<{ Params: { id: string }; Body: unknown }>('/applications/:id', async (request, reply) => {
    const body = request.body;
    if (!isObject(body)) throw new AppError('Request_BadRequest', 'The request body must be an application object, e.g. {"keyCredentials": [...]}.');
    const unsupported = Object.keys(body).filter((key) => key !== 'keyCredentials' && !key.startsWith('@odata.'));
    if (unsupported.length > 0) throw new AppError('Request_BadRequest', `PATCH /applications/{id} here changes only keyCredentials; remove ${unsupported.join(', ')}.`);
    if (body.keyCredentials === undefined) throw new AppError('Request_BadRequest', 'The request body must set keyCredentials, the one property PATCH /applications/{id} changes here.');
    await callerOf(request).replaceKeyCredentials(request.params.id, body.keyCredentials as KeyCredentialInput[]);
    return reply.code(204).send();
  });

  // Graph's credential actions: mint a secret (returned once) and revoke one, e.g. a leaked secret.
  app.post<{ Params: { id: string }; Body: unknown }>('/applications/:id/addPassword', async (request) => {
    const body = request.body ?? {};
    const credential = isObject(body) ? (body.passwordCredential ?? {}) : undefined;
    if (!isObject(credential)) throw new AppError('Request_BadRequest', 'The request body must be {"passwordCredential": {"displayName": "<name>"}} (or empty).');
    // Portico chooses the secret and its one-year lifetime; refuse what would otherwise be silently ignored.
    const unsupported = Object.keys(credential).filter((key) => key !== 'displayName');
    if (unsupported.length > 0) throw new AppError('Request_BadRequest', `passwordCredential may only set displayName; remove ${unsupported.join(', ')}.`);
    const displayName = optionalText(credential.displayName, 'displayName', 'passwordCredential', 256);
    const created = await callerOf(request).addPassword(request.params.id, { displayName });
    return { '@odata.context': `${deps.urls.base()}/v1.0/$metadata#microsoft.graph.passwordCredential`, customKeyIdentifier: null, ...created };
  });

  app.post<{ Params: { id: string }; Body: unknown }>('/applications/:id/removePassword', async (request, reply) => {
    const body = request.body;
    if (!isObject(body) || typeof body.keyId !== 'string') throw invalidKeyId();
    await callerOf(request).removePassword(request.params.id, body.keyId);
    return reply.code(204).send();
  });
}

function invalidKeyId(): Error {
  return new AppError('Request_BadRequest', "The request body must be {\"keyId\": \"<GUID of the password credential>\"}.");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
