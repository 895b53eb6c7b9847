import { AppError, StoreError } from '../../errors/index.js';
import type { ApiRecord, OperationParameter, OperationRecord } from '../management-store.js';
import type { ManagementContext } from '../context.js';
import { armResource, type ArmResource } from '../arm/resource.js';
import { BodyValidator, checkResourceName } from '../arm/validate.js';
import { checkIfMatch } from '../arm/etag.js';
import { commitChange } from '../../store/change-unit.js';

const PROTOCOLS = ['http', 'https', 'ws', 'wss'] as const;
const METHODS = /^[A-Z]{1,20}$/;
const API_PATH = /^[A-Za-z0-9._~\-/]*$/;

export function apiResource(ctx: ManagementContext, api: ApiRecord): ArmResource {
  return armResource(ctx.instance, [['apis', api.id]], {
    displayName: api.displayName,
    description: api.description,
    path: api.path,
    serviceUrl: api.serviceUrl,
    protocols: [...api.protocols],
    subscriptionRequired: api.subscriptionRequired,
    subscriptionKeyParameterNames: { header: api.subscriptionKeyHeaderName, query: api.subscriptionKeyQueryName },
    apiRevision: api.apiRevision,
    isCurrent: api.isCurrent,
    type: 'http',
  });
}

export function operationResource(ctx: ManagementContext, operation: OperationRecord): ArmResource {
  return armResource(ctx.instance, [['apis', operation.apiId], ['operations', operation.id]], {
    displayName: operation.displayName,
    method: operation.method,
    urlTemplate: operation.urlTemplate,
    description: operation.description,
    templateParameters: operation.templateParameters,
    request: operation.request ?? { queryParameters: [], headers: [], representations: [] },
    responses: operation.responses,
  });
}

export async function requireApi(ctx: ManagementContext, id: string): Promise<ApiRecord> {
  const api = await ctx.store.management.getApi(id);
  if (!api) throw new AppError('ResourceNotFound', 'Api not found.');
  return api;
}

export async function putApi(ctx: ManagementContext, id: string, body: unknown, ifMatch: string | undefined): Promise<{ api: ApiRecord; created: boolean }> {
  checkResourceName('API', id);
  const existing = await ctx.store.management.getApi(id);
  if (existing) checkIfMatch(ifMatch, apiResource(ctx, existing));
  const input = BodyValidator.fromBody(body);
  const displayName = input.string('displayName', { required: !existing, max: 300 });
  const rawPath = input.string('path', { required: !existing, min: 0, max: 400, pattern: API_PATH, patternRule: "may contain only letters, digits and - . _ ~ /." });
  const serviceUrl = input.nullableString('serviceUrl', 2000);
  if (serviceUrl) {
    try {
      const url = new URL(serviceUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') input.fail('serviceUrl', 'must be an http:// or https:// URL.');
    } catch {
      input.fail('serviceUrl', 'must be an absolute http:// or https:// URL.');
    }
  }
  const protocols = input.stringArray('protocols', PROTOCOLS);
  const subscriptionRequired = input.boolean('subscriptionRequired');
  const description = input.nullableString('description', 10_000);
  const keyNames = input.raw('subscriptionKeyParameterNames') as { header?: unknown; query?: unknown } | undefined;
  if (keyNames !== undefined && (typeof keyNames !== 'object' || keyNames === null || !isOptionalName(keyNames.header) || !isOptionalName(keyNames.query))) {
    input.fail('subscriptionKeyParameterNames', 'must be an object {"header": "<name>", "query": "<name>"} of non-empty strings.');
  }
  input.done();
  // Names are case-insensitive: an existing API keeps the name it was created with.
  const apiId = existing?.id ?? id;
  const api: ApiRecord = {
    id: apiId,
    displayName: displayName ?? existing!.displayName,
    description: description !== undefined ? description : (existing?.description ?? null),
    path: rawPath !== undefined ? rawPath.replace(/^\/+|\/+$/g, '') : existing!.path,
    serviceUrl: serviceUrl !== undefined ? serviceUrl : (existing?.serviceUrl ?? null),
    protocols: protocols ?? existing?.protocols ?? ['https'],
    subscriptionRequired: subscriptionRequired ?? existing?.subscriptionRequired ?? true,
    subscriptionKeyHeaderName: (keyNames?.header as string | undefined) ?? existing?.subscriptionKeyHeaderName ?? 'Ocp-Apim-Subscription-Key',
    subscriptionKeyQueryName: (keyNames?.query as string | undefined) ?? existing?.subscriptionKeyQueryName ?? 'subscription-key',
    apiRevision: existing?.apiRevision ?? '1',
    isCurrent: true,
  };
  // The gateway matches API paths case-insensitively, so 'echo' and 'ECHO' would be one route; the
  // store's unique index compares exactly, hence this check.
  const samePath = (await ctx.store.management.listApis()).some((other) => other.id !== apiId && other.path.toLowerCase() === api.path.toLowerCase());
  if (samePath) throw duplicatePath(api.path);
  try {
    await commitChange(ctx, async (tx) => {
      await tx.management.putApi(api);
      return { result: undefined, event: { type: existing ? 'api.updated' : 'api.created', apiId } };
    });
  } catch (error) {
    if (error instanceof StoreError && error.code === 'STORE_CONFLICT') throw duplicatePath(api.path);
    throw error;
  }
  return { api, created: !existing };
}

function duplicatePath(path: string): AppError {
  return new AppError('Conflict', `Another API already uses the path '${path}'. Choose a different properties.path.`, [
    { code: 'DuplicatePath', target: 'properties.path', message: 'is already used by another API' },
  ]);
}

function isOptionalName(value: unknown): boolean {
  return value === undefined || (typeof value === 'string' && value.length > 0 && value.length <= 100);
}

export async function deleteApi(ctx: ManagementContext, id: string, ifMatch: string | undefined): Promise<boolean> {
  const existing = await ctx.store.management.getApi(id);
  if (!existing) return false;
  checkIfMatch(ifMatch, apiResource(ctx, existing));
  const apiId = existing.id;
  // A subscription scoped to this API would outlive it and silently cover a later API created with
  // the same id, so it goes with the API: the store deletes those in the API's transaction and says
  // which it removed (including any created since the checks above), so their keys leave the gateway.
  await commitChange(ctx, async (tx) => {
    const removed = await tx.management.deleteApi(apiId);
    return { result: undefined, event: { type: 'api.deleted', apiId, subscriptionIds: removed } };
  });
  return true;
}

export async function putOperation(
  ctx: ManagementContext,
  apiId: string,
  id: string,
  body: unknown,
  ifMatch: string | undefined,
): Promise<{ operation: OperationRecord; created: boolean }> {
  const api = await requireApi(ctx, apiId);
  checkResourceName('operation', id);
  const existing = await ctx.store.management.getOperation(api.id, id);
  if (existing) checkIfMatch(ifMatch, operationResource(ctx, existing));
  const input = BodyValidator.fromBody(body);
  const displayName = input.string('displayName', { required: true, max: 300 });
  const method = input.string('method', { required: true, max: 20 });
  if (method !== undefined && !METHODS.test(method.toUpperCase())) input.fail('method', 'must be an HTTP method such as GET or POST.');
  const urlTemplate = input.string('urlTemplate', { required: true, max: 1000 });
  const templateProblem = urlTemplate !== undefined ? urlTemplateProblem(urlTemplate) : undefined;
  if (templateProblem) input.fail('urlTemplate', templateProblem);
  const description = input.nullableString('description', 10_000);
  const templateParameters = readParameters(input);
  const request = input.raw('request');
  if (request !== undefined && request !== null && (typeof request !== 'object' || Array.isArray(request))) input.fail('request', 'must be an object.');
  const responses = input.raw('responses');
  if (responses !== undefined && responses !== null && !Array.isArray(responses)) input.fail('responses', 'must be an array.');
  input.done();
  const operation: OperationRecord = {
    apiId: api.id,
    id: existing?.id ?? id,
    displayName: displayName!,
    method: method!.toUpperCase(),
    urlTemplate: urlTemplate!,
    description: description ?? null,
    templateParameters: templateParameters ?? [],
    request: (request as Record<string, unknown> | null | undefined) ?? null,
    responses: (responses as Record<string, unknown>[] | null | undefined) ?? [],
  };
  await commitChange(ctx, async (tx) => {
    await tx.management.putOperation(operation);
    return { result: undefined, event: { type: existing ? 'operation.updated' : 'operation.created', apiId: api.id, operationId: operation.id } };
  });
  return { operation, created: !existing };
}

/**
 * The gateway matches `{name}` parameters one per segment; a stray brace or an unnamed or repeated
 * parameter would otherwise be stored and silently never match, so it is refused here.
 */
function urlTemplateProblem(template: string): string | undefined {
  if (!template.startsWith('/')) return "must start with '/'.";
  const names = new Set<string>();
  for (const part of (template.split('?', 1)[0] ?? '').split(/(\{[^{}]*\})/)) {
    if (part === '{*}') continue; // an unnamed rest-of-path wildcard
    if (part.startsWith('{') && part.endsWith('}')) {
      const name = part.slice(1, -1).replace(/^\*/, '');
      if (!/^[A-Za-z0-9_.-]+$/.test(name)) return `has the parameter '${part}'; a parameter is {name} with letters, digits, '_', '-' or '.'.`;
      if (names.has(name.toLowerCase())) return `uses the parameter '{${name}}' more than once.`;
      names.add(name.toLowerCase());
    } else if (part.includes('{') || part.includes('}')) {
      return "has a '{' or '}' that is not part of a {name} parameter.";
    }
  }
  return undefined;
}

function readParameters(input: BodyValidator): OperationParameter[] | undefined {
  const raw = input.raw('templateParameters');
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw) || raw.some((p) => typeof p !== 'object' || p === null || typeof p.name !== 'string' || typeof (p.type ?? 'string') !== 'string')) {
    input.fail('templateParameters', 'must be an array of {"name": "<name>", "type": "string", "required": true}.');
    return undefined;
  }
  return raw.map((p) => ({ ...p, type: p.type ?? 'string' }) as OperationParameter);
}

export async function deleteOperation(ctx: ManagementContext, apiId: string, id: string, ifMatch: string | undefined): Promise<boolean> {
  const api = await requireApi(ctx, apiId);
  const existing = await ctx.store.management.getOperation(api.id, id);
  if (!existing) return false;
  checkIfMatch(ifMatch, operationResource(ctx, existing));
  await commitChange(ctx, async (tx) => {
    await tx.management.deleteOperation(api.id, existing.id);
    return { result: undefined, event: { type: 'operation.deleted', apiId: api.id, operationId: existing.id } };
  });
  return true;
}
