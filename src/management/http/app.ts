import type { Server } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../../errors/index.js';
import type { ManagementContext } from '../context.js';
import { checkApiVersion } from '../arm/api-version.js';
import { armErrorHandler } from './errors.js';
import { authenticateCaller, MANAGEMENT_RESOURCE_URI, type LiveRoles, type SessionAuthenticator, type TokenVerifier } from './auth.js';
import { registerServiceRoutes } from './routes.js';
import { PathOnlyLogController, REQUEST_ID_OPTIONS, returnRequestId } from '../../shared/request-log.js';
import { AJV_OPTIONS, paramsOf, plainQuery } from './schemas.js';
import { RouteCatalog } from './route-catalog.js';
import { openApiDocument } from './openapi.js';
import { schemaValidationError } from './schema-errors.js';
import { auditRequests, describeArmRequest } from '../../audit/index.js';
import { serviceResourceId } from '../context.js';

export interface ManagementAppOptions {
  readonly ctx: ManagementContext;
  readonly verifier: TokenVerifier;
  readonly logger: Logger;
  /** An http.Server that is already listening; Fastify attaches its handler to it. */
  readonly server: Server;
  readonly bodyLimit: number;
  readonly identityUrl: string;
  /** This listener's own base URL: nextLink and metadata are built from it, never from the Host header. */
  readonly publicUrl: string;
  readonly liveRoles: LiveRoles;
  /** Serves Prometheus' text format at GET /metrics (docs/gateway.md, Observability). */
  readonly metrics?: MetricsEndpoint | undefined;
  /** The portals (src/portal): their routes, their pages and the admin session as a way to call this API. */
  readonly portal?: PortalMount | undefined;
}

/** What the portals add to the management listener; ARM and the other routes keep priority. */
export interface PortalMount {
  readonly sessions: SessionAuthenticator;
  /** Adds the portal's own routes (sign-in, static assets). */
  register(app: FastifyInstance<Server>): Promise<void>;
  /** Serves a portal page for a request no route matched; false when it is not a page request. */
  serveFallback(request: FastifyRequest, reply: FastifyReply): boolean;
}

export interface MetricsEndpoint {
  /** The exposition text and its content type (for every process of this instance). */
  scrape(): Promise<{ readonly contentType: string; readonly body: string }>;
  /** When set, callers must send `Authorization: Bearer <token>`; otherwise /metrics is open. */
  authorize?(authorization: string | undefined): boolean;
}

/** The api-version whose shapes /openapi.json describes (the one with clientApplications). */
const API_DOCUMENT_VERSION = '2025-03-01-preview';

const SERVICE_PREFIX = '/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.ApiManagement/service/:serviceName';

export async function buildManagementApp(options: ManagementAppOptions): Promise<FastifyInstance<Server>> {
  const { ctx, verifier } = options;
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimit,
    // ARM paths are case-insensitive and the Azure CLI sends a doubled leading slash.
    routerOptions: { caseSensitive: false, ignoreDuplicateSlashes: true, ignoreTrailingSlash: true },
    serverFactory: (handler) => options.server.on('request', handler),
    logController: new PathOnlyLogController(),
    ...REQUEST_ID_OPTIONS, // x-request-id in (when sane) and out, `reqId` in the log
    ajv: { customOptions: { ...AJV_OPTIONS, keywords: [...AJV_OPTIONS.keywords] } },
    schemaErrorFormatter: schemaValidationError,
  });
  returnRequestId(app as unknown as FastifyInstance);
  // Fastify's own JSON parser (it refuses __proto__ and constructor.prototype keys), except that an
  // empty body is no body: Azure SDKs POST listSecrets without one.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (String(body).trim() === '') return done(null, undefined);
    parseJson(request, String(body), done);
  });
  // Fastify parses text/plain by default; a management body must be JSON, so refuse it with 415.
  app.removeContentTypeParser('text/plain');
  const handleError = armErrorHandler({ authorizationUri: `${options.identityUrl}/${ctx.instance.tenantId}`, bodyLimit: options.bodyLimit });
  app.decorateRequest('publicBaseUrl', '');
  app.addHook('onRequest', async (request) => {
    request.publicBaseUrl = options.publicUrl;
  });
  app.setErrorHandler(handleError);
  // Before the catalog starts recording: the portals' routes are not operations of the management API's document.
  if (options.portal) await options.portal.register(app);
  const catalog = new RouteCatalog();
  catalog.attach(app);
  app.setNotFoundHandler((request, reply) => {
    if (options.portal?.serveFallback(request, reply)) return;
    const path = request.url.split('?')[0] ?? '';
    const allowed = catalog.methodsFor(path);
    if (allowed.length > 0) {
      // A known resource, another method: ARM's 405, with the methods it does answer.
      void reply.header('Allow', allowed.join(', '));
      handleError(new AppError('MethodNotAllowed', `The requested resource does not support http method '${request.method}'.`), request, reply);
      return;
    }
    handleError(new AppError('NotFound', `No management API route matches ${request.method} ${path.slice(0, 256)}.`), request, reply);
  });

  // The document of every operation, generated from the schemas the validator checks (no authentication: it holds no data).
  app.get('/openapi.json', async (_request, reply) =>
    reply.header('Cache-Control', 'no-cache').send(openApiDocument(catalog.routes, { title: 'Portico management API', version: API_DOCUMENT_VERSION, serverUrl: options.publicUrl })),
  );

  // Azure CLI `cloud register` reads this without authentication.
  app.get('/metadata/endpoints', async () => {
    const base = options.publicUrl;
    return {
      galleryEndpoint: `${base}/`,
      graphEndpoint: `${options.identityUrl}/`,
      portalEndpoint: `${base}/`,
      authentication: { loginEndpoint: `${options.identityUrl}/adfs`, audiences: [MANAGEMENT_RESOURCE_URI] },
    };
  });

  if (options.metrics) {
    const metrics = options.metrics;
    // Prometheus scrapes without a session: open by default (an internal port), or a bearer token.
    app.get('/metrics', async (request, reply) => {
      if (metrics.authorize && !metrics.authorize(request.headers.authorization)) {
        throw new AppError('AuthenticationFailed', 'GET /metrics needs Authorization: Bearer <the token in PORTICO_METRICS_TOKEN>.');
      }
      const { contentType, body } = await metrics.scrape();
      return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
    });
  }

  const subscriptionResource = () => ({
    id: `/subscriptions/${ctx.instance.subscriptionId}`,
    subscriptionId: ctx.instance.subscriptionId,
    tenantId: ctx.instance.tenantId,
    displayName: 'Portico',
    state: 'Enabled',
  });
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => {
      await authenticateCaller(request, verifier, ctx.instance.managementAppId, options.liveRoles, options.portal?.sessions);
      checkApiVersion((request.query as Record<string, unknown>)['api-version']);
    });
    scope.get('/subscriptions', { schema: { querystring: plainQuery } }, async () => ({ value: [subscriptionResource()] }));
    scope.get('/subscriptions/:subscriptionId', { schema: { params: paramsOf(['subscriptionId']), querystring: plainQuery } }, async (request) => {
      const { subscriptionId } = request.params as { subscriptionId: string };
      if (subscriptionId.toLowerCase() !== ctx.instance.subscriptionId) {
        throw new AppError('ResourceNotFound', `Subscription '${subscriptionId}' was not found.`);
      }
      return subscriptionResource();
    });
  });

  await app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request) => {
        await authenticateCaller(request, verifier, ctx.instance.managementAppId, options.liveRoles, options.portal?.sessions);
        const p = request.params as Record<string, string>;
        const matches =
          p.subscriptionId?.toLowerCase() === ctx.instance.subscriptionId.toLowerCase() &&
          p.resourceGroupName?.toLowerCase() === ctx.instance.resourceGroup.toLowerCase() &&
          p.serviceName?.toLowerCase() === ctx.instance.serviceName.toLowerCase();
        if (!matches) {
          throw new AppError(
            'ResourceNotFound',
            `The Resource 'Microsoft.ApiManagement/service/${p.serviceName}' under resource group '${p.resourceGroupName}' was not found in subscription '${p.subscriptionId}'. ` +
              `This Portico instance serves /subscriptions/${ctx.instance.subscriptionId}/resourceGroups/${ctx.instance.resourceGroup}/providers/Microsoft.ApiManagement/service/${ctx.instance.serviceName}.`,
          );
        }
        checkApiVersion((request.query as Record<string, unknown>)['api-version']);
      });
      auditRequests(scope, {
        audit: ctx.store.audit,
        logger: options.logger,
        serviceResourceId: serviceResourceId(ctx.instance),
        successRow: 'unless-recorded',
        describe: (method, route, params) => describeArmRequest(method, route.slice(SERVICE_PREFIX.length), params),
      });
      registerServiceRoutes(scope, ctx);
    },
    { prefix: SERVICE_PREFIX },
  );
  await app.ready();
  return app;
}
