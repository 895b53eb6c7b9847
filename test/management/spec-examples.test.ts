/**
 * The spec's example bodies round-trip (test/fixtures/apim-spec-examples/README.md): each example's
 * request body is sent as is (its service id replaced by this instance's), and the answer has the
 * example response's shape — the same property names with the same JSON types. Ids, GUIDs, dates and
 * secrets differ by nature; the few documented Portico extensions are named.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { bootOn, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { putUser, serviceId, tokenProduct } from './harness.js';

const EXAMPLE_SERVICE = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1';

interface Example {
  readonly parameters: Record<string, unknown> & { parameters?: unknown };
  readonly responses: Record<string, { body: unknown }>;
}

function example(name: string): Example {
  return JSON.parse(readFileSync(new URL(`../fixtures/apim-spec-examples/${name}.json`, import.meta.url), 'utf8')) as Example;
}

/** A value's shape: objects by their keys, arrays by their items, anything else by its JSON type. */
function shapeOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, shapeOf(v)]));
  return typeof value;
}

/** The shape with the named (dotted) paths removed: the documented differences. */
function without(shape: unknown, paths: readonly string[]): unknown {
  const copy = structuredClone(shape) as Record<string, unknown>;
  for (const path of paths) {
    const parts = path.split('.');
    let at: unknown = copy;
    for (const part of parts.slice(0, -1)) at = Array.isArray(at) ? (at[0] as Record<string, unknown>)?.[part] : (at as Record<string, unknown> | undefined)?.[part];
    if (Array.isArray(at)) at = at[0];
    if (at && typeof at === 'object') delete (at as Record<string, unknown>)[parts.at(-1)!];
  }
  return copy;
}

describeEachDialect('management API: the spec examples round-trip', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;
  /** The example's request body, with its service id replaced by this instance's. */
  const requestOf = (e: Example) => JSON.parse(JSON.stringify(e.parameters.parameters).replaceAll(EXAMPLE_SERVICE, serviceId(portico))) as unknown;

  beforeAll(async () => {
    portico = await bootOn(dialect);
    admin = new ManagementClient(portico.credentials);
    await putUser(admin, 'userId'); // the examples' owner, /users/userId
    await tokenProduct(admin, 'premium', 'Premium');
    for (const product of ['starter', 'unlimited']) {
      expect((await admin.call('PATCH', `/products/${product}`, { properties: { authenticationType: ['application-token'] } })).status).toBe(200);
    }
  });
  afterAll(async () => {
    await portico?.stop();
  });

  test('ClientApplication_CreateOrUpdate: 201, then 200, each with the example response shape; Get alike', async () => {
    const create = example('ApiManagementCreateClientApplication');
    const created = await admin.call('PUT', '/clientApplications/testAppId', requestOf(create));
    expect(created.status).toBe(201);
    expect(shapeOf(created.body)).toEqual(shapeOf(create.responses['201']!.body));
    expect(created.body).toMatchObject({ id: `${serviceId(portico)}/clientApplications/testAppId`, type: 'Microsoft.ApiManagement/service/clientApplications', name: 'testAppId' });
    expect(created.body.properties).toMatchObject({ displayName: 'Test Application', description: 'This is just an example application', ownerId: `${serviceId(portico)}/users/userId`, entraTenantId: portico.credentials.tenantId });
    expect(created.headers.get('etag')).toMatch(/^"[^"]+"$/);

    const updated = await admin.call('PUT', '/clientApplications/testAppId', requestOf(create));
    expect(updated.status).toBe(200);
    expect(shapeOf(updated.body)).toEqual(shapeOf(create.responses['200']!.body));

    const got = await admin.call('GET', '/clientApplications/testAppId');
    expect(got.status).toBe(200);
    expect(shapeOf(got.body)).toEqual(shapeOf(example('ApiManagementGetClientApplication').responses['200']!.body));
    expect(got.headers.get('etag')).toBe(updated.headers.get('etag'));
  });

  test('ClientApplication_ListSecrets: the example shape, expiresAt with seven fractional digits as in the example', async () => {
    const secrets = example('ApiManagementListClientApplicationSecrets').responses['200']!.body as { entra: { expiresAt: string } };
    const answer = await admin.call('POST', '/clientApplications/testAppId/listSecrets');
    expect(answer.status).toBe(200);
    expect(shapeOf(answer.body)).toEqual(shapeOf(secrets));
    const format = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;
    expect(secrets.entra.expiresAt).toMatch(format);
    expect(answer.body.entra.expiresAt).toMatch(format);
  });

  test('ClientApplicationProductLink_Create: 201 then 200 with the example shape (plus the state extension); the list example alike', async () => {
    const create = example('ApiManagementCreateClientApplicationProductLink');
    const created = await admin.call('PUT', '/clientApplications/testAppId/productLinks/link1', requestOf(create));
    expect(created.status).toBe(201);
    expect(without(shapeOf(created.body), ['properties.state'])).toEqual(shapeOf(create.responses['201']!.body));
    expect(created.body.properties).toEqual({ productId: `${serviceId(portico)}/products/starter`, state: 'active' });
    const again = await admin.call('PUT', '/clientApplications/testAppId/productLinks/link1', requestOf(create));
    expect(again.status).toBe(200);
    expect(without(shapeOf(again.body), ['properties.state'])).toEqual(shapeOf(create.responses['200']!.body));

    // The list example's three links, made the same way.
    for (const [link, product] of [['link2', 'unlimited'], ['link3', 'premium']]) {
      const body = { properties: { productId: `${serviceId(portico)}/products/${product}` } };
      expect((await admin.call('PUT', `/clientApplications/testAppId/productLinks/${link}`, body)).status).toBe(201);
    }
    const listExample = example('ApiManagementListClientApplicationProductLinks').responses['200']!.body as { value: { name: string; properties: { productId: string } }[] };
    const list = await admin.call('GET', '/clientApplications/testAppId/productLinks');
    expect(list.status).toBe(200);
    // nextLink is left out when the list fits on one page (the example shows "").
    expect(without(shapeOf(list.body), ['value.properties.state'])).toEqual(without(shapeOf(listExample), ['nextLink']));
    const relative = (id: string) => id.replace(serviceId(portico), '').replace(EXAMPLE_SERVICE, '');
    expect(list.body.value.map((l: { name: string; properties: { productId: string } }) => [l.name, relative(l.properties.productId)])).toEqual(
      listExample.value.map((l) => [l.name, relative(l.properties.productId)]),
    );
  });
});
