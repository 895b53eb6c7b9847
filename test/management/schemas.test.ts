/**
 * The management routes' schemas: ARM's ValidationError shape, Fastify's own JSON parser,
 * /openapi.json listing every served operation, and ARM's 405 for a known path with another method.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { bootOn, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { raw, serviceUrl } from './harness.js';

const V = '2025-03-01-preview';

describeEachDialect('management API: schemas', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;
  let token: string;

  beforeAll(async () => {
    portico = await bootOn(dialect);
    admin = new ManagementClient(portico.credentials);
    token = await admin.bearer();
  });
  afterAll(async () => {
    await portico?.stop();
  });

  test("a body that breaks the schema is ARM's ValidationError, one detail per field, targets without properties.", async () => {
    const response = await admin.call('PUT', '/clientApplications/shape', { properties: { displayName: 'x'.repeat(301), description: 7, productIds: 'gold' } });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: {
        code: 'ValidationError',
        message: 'One or more fields contain incorrect values:',
        details: [
          { code: 'ValidationError', target: 'displayName', message: 'displayName must be 1 to 300 characters long.' },
          { code: 'ValidationError', target: 'description', message: 'description must be a string.' },
          { code: 'ValidationError', target: 'productIds', message: 'productIds must be an array of strings.' },
        ],
      },
    });
    const link = await admin.call('PUT', '/clientApplications/shape/productLinks/l', { properties: {} });
    expect(link.body).toEqual({
      error: { code: 'ValidationError', message: 'One or more fields contain incorrect values:', details: [{ code: 'ValidationError', target: 'productId', message: 'productId is required.' }] },
    });
    const notObject = await admin.call('PUT', '/products/shape', ['not', 'an', 'object']);
    expect(notObject.body).toEqual({ error: { code: 'InvalidRequestContent', message: 'The request body must be a JSON object like {"properties": {...}}.', details: null } });
    const properties = await admin.call('PUT', '/products/shape', { properties: 'x' });
    expect(properties.body).toEqual({ error: { code: 'InvalidRequestContent', message: "The request body's 'properties' must be a JSON object.", details: null } });
    const noCoercion = await admin.call('PUT', '/products/shape', { properties: { displayName: 'Shape', subscriptionRequired: 'true', subscriptionsLimit: '5' } });
    expect(noCoercion.body.error.details.map((d: { target: string }) => d.target)).toEqual(['subscriptionRequired', 'subscriptionsLimit']);
    expect((await admin.call('GET', '/products/shape')).status).toBe(404);
  });

  test("Fastify's JSON parser refuses prototype poisoning; an empty body is no body", async () => {
    for (const body of ['{"properties":{"displayName":"P"},"__proto__":{"polluted":true}}', '{"properties":{"displayName":"P"},"constructor":{"prototype":{"polluted":true}}}']) {
      const response = await raw(serviceUrl(portico, '/products/poison', V), { method: 'PUT', token, body, headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: { code: 'InvalidRequestContent', message: 'The request body is not valid JSON.', details: null } });
    }
    expect((await admin.call('GET', '/products/poison')).status).toBe(404);
    const listed = await raw(serviceUrl(portico, '/subscriptions/master/listSecrets', V), { method: 'POST', token, body: '', headers: { 'content-type': 'application/json' } });
    expect(listed.status).toBe(200);
  });

  test('/openapi.json lists every registered operation with its schemas', async () => {
    const response = await raw(`${portico.managementUrl}/openapi.json`);
    expect(response.status).toBe(200);
    const document = response.body as { openapi: string; paths: Record<string, Record<string, { operationId: string; parameters: { name: string; in: string }[]; requestBody?: unknown }>> };
    expect(document.openapi).toBe('3.0.3');
    const service = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ApiManagement/service/{serviceName}';
    const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    for (const expected of [
      'GET /metadata/endpoints',
      'GET /subscriptions',
      `GET ${service}`,
      `PUT ${service}/products/{productId}`,
      `PATCH ${service}/products/{productId}`,
      `DELETE ${service}/products/{productId}`,
      `HEAD ${service}/products/{productId}`,
      `PUT ${service}/products/{productId}/policies/{policyId}`,
      `PUT ${service}/apis/{apiId}/operations/{operationId}`,
      `POST ${service}/portico.import`,
      `PUT ${service}/clientApplications/{appId}`,
      `POST ${service}/clientApplications/{appId}/listSecrets`,
      `PUT ${service}/clientApplications/{appId}/productLinks/{linkId}`,
      `POST ${service}/subscriptions/{sid}/regenerateSecondaryKey`,
    ]) {
      expect(operations).toContain(expected);
    }
    // Every route the source registers is in the document (HEAD comes with each GET), and each documented one is served.
    const registered = ['app.ts', 'routes.ts'].flatMap((file) => [...readFileSync(join('src/management/http', file), 'utf8').matchAll(/\b(?:app|scope)\.(get|put|patch|delete|post)\('([^']*)'/g)]);
    expect(registered.length).toBeGreaterThan(40);
    expect(operations.filter((o) => !o.startsWith('HEAD ')).length).toBe(registered.length);
    for (const [, method, path] of registered) {
      const documented = operations.some((o) => o.startsWith(`${method!.toUpperCase()} `) && o.endsWith(path!.replace(/:(\w+)/g, '{$1}')));
      expect(documented, `${method} ${path}`).toBe(true);
    }
    const put = document.paths[`${service}/clientApplications/{appId}`]!.put!;
    expect(put.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['path:subscriptionId', 'path:resourceGroupName', 'path:serviceName', 'path:appId', 'query:api-version']);
    expect(put.requestBody).toMatchObject({ content: { 'application/json': { schema: { properties: { properties: { required: ['displayName'] } } } } } });
    expect(new Set(operations.map((o) => o)).size).toBe(operations.length);
    // If-Match is a required header exactly where APIM's spec requires it.
    const requiresIfMatch = (method: string, path: string) =>
      (document.paths[`${service}${path}`]![method]!.parameters as { name: string; in: string; required: boolean }[]).some((p) => p.in === 'header' && p.name === 'if-match' && p.required);
    for (const [method, path] of [['patch', '/products/{productId}'], ['delete', '/products/{productId}'], ['patch', '/apis/{apiId}'], ['delete', '/apis/{apiId}/operations/{operationId}'], ['patch', '/users/{userId}'], ['delete', '/subscriptions/{sid}'], ['delete', '/products/{productId}/policies/{policyId}']] as const) {
      expect(requiresIfMatch(method, path), `${method} ${path}`).toBe(true);
    }
    for (const [method, path] of [['put', '/products/{productId}'], ['delete', '/clientApplications/{appId}'], ['delete', '/clientApplications/{appId}/productLinks/{linkId}']] as const) {
      expect(requiresIfMatch(method, path), `${method} ${path}`).toBe(false);
    }
  });

  test('a blank If-Match where the spec requires one is refused by the route schema, in ARM\'s shape', async () => {
    const blank = await admin.call('PATCH', '/users/1', { properties: { note: 'x' } }, { 'if-match': ' ' });
    expect(blank.status).toBe(400);
    expect(blank.body).toEqual({
      error: {
        code: 'ValidationError',
        message: 'One or more fields contain incorrect values:',
        details: [{ code: 'ValidationError', target: 'If-Match', message: 'If-Match header is required: send the ETag from a GET of the resource, or * to change whatever version is current.' }],
      },
    });
  });

  test('a known resource with an unsupported method is 405 with Allow; an unknown path stays 404', async () => {
    const patch = await admin.call('PATCH', '/clientApplications/any', { properties: { displayName: 'X' } });
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE');
    expect(patch.body).toEqual({ error: { code: 'MethodNotAllowed', message: "The requested resource does not support http method 'PATCH'." } });
    const post = await admin.call('POST', '/products');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await admin.call('GET', '/widgets')).status).toBe(404);
  });
});
