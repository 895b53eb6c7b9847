/**
 * The HTTP edges' part of the audit log (management API and Graph-shaped API): each write request
 * (PUT, PATCH, DELETE, POST) runs its handler inside an audit scope carrying the caller, so what it
 * commits is audited in the write's own transaction; when it committed nothing — it failed, was
 * refused (a caller without the role, a stale If-Match), or changed nothing (a DELETE of nothing,
 * listSecrets) — one row for the request is written just before the response, with its status. A
 * management action whose changes are named otherwise (listSecrets mints a password) also gets
 * its own row, so the resource's history shows it (`successRow`).
 * Unauthenticated requests are not audited: there is no actor, and anyone could fill the log.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../errors/index.js';
import { auditRecordsOf, type AuditEntry } from './audit-entry.js';
import { auditKey, newAuditScope, openAuditScope, type AuditScope } from './audit-scope.js';
import type { AuditActor, AuditStore } from './audit-store.js';

export interface RequestAuditOptions {
  readonly audit: AuditStore;
  readonly logger: Logger;
  /** The service's ARM id (management); null for the directory API, whose targets are object ids. */
  readonly serviceResourceId: string | null;
  /** Operation and target of a write request from its route pattern (relative to the scope's prefix) and params. */
  readonly describe: (method: string, route: string, params: Readonly<Record<string, string>>) => Pick<AuditEntry, 'operation' | 'target'> | undefined;
  readonly now?: () => Date;
  /**
   * When a successful request also gets a row of its own: `unless-recorded` when no
   * committed row has the request's own operation and target (management: a `listSecrets` is
   * recorded as such next to the `applications.addPassword` it caused), `if-nothing-committed`
   * (Graph: its operations are recorded by their changes).
   */
  readonly successRow: 'unless-recorded' | 'if-nothing-committed';
}

const WRITE_METHODS = new Set(['PUT', 'PATCH', 'DELETE', 'POST']);
const actors = new WeakMap<FastifyRequest, AuditActor>();
const scopes = new WeakMap<FastifyRequest, AuditScope>();
const errorCodes = new WeakMap<FastifyRequest, string>();

/** Called by the authentication hook as soon as the caller is known (even when it is then refused). */
export function setRequestActor(request: FastifyRequest, actor: AuditActor): void {
  actors.set(request, actor);
}

/** Adds the hooks to a Fastify scope; its routes' writes are then audited. */
export function auditRequests(app: FastifyInstance, options: RequestAuditOptions): void {
  const now = options.now ?? (() => new Date());
  const newScope = (request: FastifyRequest, actor: AuditActor): AuditScope =>
    newAuditScope({ actor, correlationId: String(request.id), serviceResourceId: options.serviceResourceId, now });

  app.addHook('preHandler', async (request) => {
    const actor = actors.get(request);
    if (!WRITE_METHODS.has(request.method) || actor === undefined) return;
    scopes.set(request, newScope(request, actor));
  });
  // Each write route's handler runs inside its request's scope, which closes when the handler's
  // promise settles (every handler here is async), even if the client went away meanwhile; the
  // storage is turned off while no scope is open (audit-scope.ts). Routes are added after this hook.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.some((method) => WRITE_METHODS.has(method))) return;
    const handler = route.handler;
    route.handler = function auditedHandler(this: FastifyInstance, request, reply) {
      const scope = scopes.get(request);
      if (scope === undefined) return handler.call(this, request, reply);
      let result: unknown;
      const close = openAuditScope(scope, () => {
        result = handler.call(this, request, reply);
      });
      if (result instanceof Promise) result.then(close, close);
      else close();
      return result;
    } as typeof handler;
  });
  app.addHook('onError', async (request, _reply, error) => {
    if (error instanceof AppError) errorCodes.set(request, error.code);
  });
  // Before the response goes out (onSend, not onResponse): a caller that reads the log right after
  // its call finds the call in it.
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    await recordRequest(request, reply);
    return payload;
  });
  const recordRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!WRITE_METHODS.has(request.method)) return;
    const actor = actors.get(request);
    if (actor === undefined) return;
    const scope = scopes.get(request) ?? newScope(request, actor);
    const status = reply.statusCode;
    if (status < 400 && scope.committed > 0 && options.successRow === 'if-nothing-committed') return;
    const route = request.routeOptions.url;
    const described = route === undefined ? undefined : options.describe(request.method, route, (request.params ?? {}) as Record<string, string>);
    if (!described) return;
    if (status < 400 && scope.committed > 0) {
      const [own] = auditRecordsOf([described], scope);
      if (scope.committedKeys.has(auditKey(own!.operation, own!.targetId))) return;
    }
    const code = errorCodes.get(request);
    const entry: AuditEntry = { ...described, outcome: status >= 400 ? 'failure' : 'success', status, ...(code ? { details: { code } } : {}) };
    try {
      await options.audit.append(auditRecordsOf([entry], scope));
    } catch (err) {
      options.logger.error({ err, operation: entry.operation }, 'writing an audit event failed');
    }
  };
}

/**
 * ARM operation names from a route pattern: the resource types along the path, then the verb —
 * `clientApplications.write` (PUT, PATCH), `clientApplications.delete`, an action's own name after
 * a resource (`clientApplications.listSecrets`), `clientApplications/productLinks.write`. The
 * target is the resource's path with the request's names (the action segment left out).
 */
export function describeArmRequest(method: string, route: string, params: Readonly<Record<string, string>>): Pick<AuditEntry, 'operation' | 'target'> | undefined {
  const segments = route.split('/').filter((s) => s !== '');
  if (segments.length === 0) return undefined;
  const last = segments[segments.length - 1]!;
  // An action on the service itself (POST …/service/{name}/portico.import): the service is the target.
  if (method === 'POST' && segments.length === 1 && last.includes('.')) return { operation: last, target: '' };
  const action = method === 'POST' && !last.startsWith(':') && segments.length > 1 && segments[segments.length - 2]!.startsWith(':');
  const resource = action ? segments.slice(0, -1) : segments;
  const types = resource.filter((s) => !s.startsWith(':'));
  const verb = action ? last : method === 'DELETE' ? 'delete' : method === 'POST' ? 'create' : 'write';
  const target = resource.map((s) => (s.startsWith(':') ? (params[s.slice(1)] ?? s) : s)).join('/');
  return { operation: `${types.join('/')}.${verb}`, target: `/${target}` };
}
