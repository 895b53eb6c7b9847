import type { CatalogRoute } from './route-catalog.js';

interface SchemaLike {
  readonly properties?: Record<string, Record<string, unknown>>;
  readonly required?: readonly string[];
}

/**
 * An OpenAPI 3.0 document of the management API, built from the routes' own schemas (the ones the
 * validator checks), so it lists exactly the operations that are served.
 */
export function openApiDocument(routes: readonly CatalogRoute[], info: { title: string; version: string; serverUrl: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, '{$1}') || '/';
    const schema = (route.schema ?? {}) as { params?: SchemaLike; querystring?: SchemaLike; headers?: SchemaLike; body?: Record<string, unknown> };
    const parameters = [
      // Every parameter of the path, in order; the service prefix's are checked by the scope's hook, not the route schema.
      ...[...route.url.matchAll(/:(\w+)/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: schema.params?.properties?.[name!] ?? { type: 'string' } })),
      ...parametersOf('query', schema.querystring, (name) => schema.querystring?.required?.includes(name) ?? false),
      ...parametersOf('header', schema.headers, (name) => schema.headers?.required?.includes(name) ?? false),
    ];
    const operation: Record<string, unknown> = {
      operationId: operationIdOf(route.method, path),
      parameters,
      responses: responsesOf(route.method),
    };
    if (schema.body) operation.requestBody = { required: true, content: { 'application/json': { schema: schema.body } } };
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.0.3',
    info: { title: info.title, version: info.version, description: 'Portico management API (Azure Resource Manager shape of Microsoft.ApiManagement). Errors: {"error": {"code", "message", "details"}}.' },
    servers: [{ url: info.serverUrl }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }],
    paths,
  };
}

function parametersOf(where: 'query' | 'header', schema: SchemaLike | undefined, required: (name: string) => boolean): Record<string, unknown>[] {
  return Object.entries(schema?.properties ?? {}).map(([name, property]) => ({ name, in: where, required: required(name), schema: property }));
}

function responsesOf(method: string): Record<string, unknown> {
  const error = { description: 'An error: {"error": {"code", "message", "details"}}' };
  switch (method) {
    case 'PUT':
      return { '200': { description: 'Updated' }, '201': { description: 'Created' }, default: error };
    case 'DELETE':
      return { '200': { description: 'Deleted' }, '204': { description: 'Nothing to delete' }, default: error };
    default:
      return { '200': { description: 'OK' }, default: error };
  }
}

/** `GET /products/{productId}` → `get_products_productId`: unique per method and path. */
function operationIdOf(method: string, path: string): string {
  const service = path.replace(/^\/subscriptions\/\{subscriptionId\}\/resourceGroups\/\{resourceGroupName\}\/providers\/Microsoft\.ApiManagement\/service\/\{serviceName\}/, '/service');
  return `${method.toLowerCase()}${service.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+/g, '_')}`.replace(/_$/, '');
}
