/**
 * ARM resource semantics shared by every collection: the {id, type, name, properties} shape,
 * paged lists with an absolute nextLink, quoted ETags with If-Match, PUT 201/200.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { bootOn, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { raw, serviceId, serviceUrl } from './harness.js';

const QUOTED = /^"[^"]+"$/;

describeEachDialect('management API: resources, lists and ETags', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;
  let token: string;

  beforeAll(async () => {
    portico = await bootOn(dialect);
    admin = new ManagementClient(portico.credentials);
    token = await admin.bearer();
    // Enough products to page through: starter, unlimited and page-01..page-05.
    for (let i = 1; i <= 5; i++) {
      const response = await admin.call('PUT', `/products/page-0${i}`, { properties: { displayName: `Page ${i}` } });
      expect(response.status).toBe(201);
    }
  });
  afterAll(async () => {
    await portico?.stop();
  });

  test('a resource is {id, type, name, properties} with the full ARM id', async () => {
    const response = await admin.call('GET', '/products/starter');
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(['id', 'name', 'properties', 'type']);
    expect(response.body.id).toBe(`${serviceId(portico)}/products/starter`);
    expect(response.body.type).toBe('Microsoft.ApiManagement/service/products');
    expect(response.body.name).toBe('starter');

    const operation = await admin.call('GET', '/apis/echo-api/operations/retrieve-resource');
    expect(operation.body.id).toBe(`${serviceId(portico)}/apis/echo-api/operations/retrieve-resource`);
    expect(operation.body.type).toBe('Microsoft.ApiManagement/service/apis/operations');
    expect(operation.body.name).toBe('retrieve-resource');

    for (const [path, type] of [['/users/1', 'users'], ['/groups/developers', 'groups'], ['/subscriptions/master', 'subscriptions'], ['/apis/echo-api', 'apis']] as const) {
      const resource = await admin.call('GET', path);
      expect(resource.status).toBe(200);
      expect(resource.body.id).toBe(`${serviceId(portico)}${path}`);
      expect(resource.body.type).toBe(`Microsoft.ApiManagement/service/${type}`);
      expect(typeof resource.body.properties).toBe('object');
    }

    const service = await admin.call('GET', '');
    expect(service.status).toBe(200);
    expect(service.body).toMatchObject({ id: serviceId(portico), type: 'Microsoft.ApiManagement/service', name: portico.credentials.serviceName });
  });

  test('a list is {value} when everything fits on one page', async () => {
    const response = await admin.call('GET', '/products');
    expect(response.status).toBe(200);
    expect(Object.keys(response.body)).toEqual(['value']);
    expect(response.body.value.map((p: { name: string }) => p.name).sort()).toEqual(['page-01', 'page-02', 'page-03', 'page-04', 'page-05', 'starter', 'unlimited']);
    for (const product of response.body.value) expect(product.id).toBe(`${serviceId(portico)}/products/${product.name}`);
  });

  test('$top pages a list; nextLink is absolute, carries api-version and a $skipToken, and works when followed verbatim', async () => {
    const all = (await admin.call('GET', '/products')).body.value.map((p: { name: string }) => p.name);
    const seen: string[] = [];
    let url: string | undefined = serviceUrl(portico, '/products?$top=3', '2024-05-01');
    let pages = 0;
    while (url !== undefined) {
      const response = await raw(url, { token });
      expect(response.status).toBe(200);
      pages++;
      seen.push(...response.body.value.map((p: { name: string }) => p.name));
      if (response.body.nextLink !== undefined) {
        const next = new URL(response.body.nextLink);
        expect(next.origin).toBe(portico.managementUrl);
        expect(next.pathname).toBe(new URL(serviceUrl(portico, '/products')).pathname);
        expect(next.searchParams.get('api-version')).toBe('2024-05-01');
        expect(next.searchParams.get('$top')).toBe('3');
        expect(next.searchParams.has('$skip')).toBe(false);
        expect(next.searchParams.get('$skipToken')).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(response.body.value).toHaveLength(3);
      }
      url = response.body.nextLink;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(all);

    const skipped = await admin.call('GET', '/products?$skip=5');
    expect(skipped.body).toEqual({ value: (await admin.call('GET', '/products')).body.value.slice(5) });
    const beyond = await admin.call('GET', '/products?$skip=100');
    expect(beyond.body).toEqual({ value: [] });
  });

  test('a page asked for with $skip links on with a $skipToken that continues after its last item', async () => {
    const all = (await admin.call('GET', '/products')).body.value.map((p: { name: string }) => p.name);
    const first = await admin.call('GET', '/products?$top=2&$skip=3');
    expect(first.body.value.map((p: { name: string }) => p.name)).toEqual(all.slice(3, 5));
    const next = new URL(first.body.nextLink);
    expect(next.searchParams.has('$skip')).toBe(false);
    const second = await raw(first.body.nextLink, { token });
    expect(second.body.value.map((p: { name: string }) => p.name)).toEqual(all.slice(5, 7));
    expect(second.body.nextLink).toBeUndefined();
  });

  test('a $skipToken continuation is stable while items are added and removed between pages', async () => {
    for (const name of ['keyset-b', 'keyset-d', 'keyset-f']) expect((await admin.call('PUT', `/products/${name}`, { properties: { displayName: name } })).status).toBe(201);
    try {
      const first = await admin.call('GET', '/products?$top=2');
      const seen = first.body.value.map((p: { name: string }) => p.name);
      expect(seen).toEqual(['keyset-b', 'keyset-d']);
      // Remove an item already shown and add one after the position: an offset would now skip keyset-e.
      expect((await admin.call('DELETE', '/products/keyset-b')).status).toBe(200);
      expect((await admin.call('PUT', '/products/keyset-e', { properties: { displayName: 'e' } })).status).toBe(201);
      const rest: string[] = [];
      let url: string | undefined = first.body.nextLink;
      while (url !== undefined) {
        const page = await raw(url, { token });
        expect(page.status).toBe(200);
        rest.push(...page.body.value.map((p: { name: string }) => p.name));
        url = page.body.nextLink;
      }
      expect(rest.slice(0, 2)).toEqual(['keyset-e', 'keyset-f']);
      expect(rest).toEqual((await admin.call('GET', '/products')).body.value.map((p: { name: string }) => p.name).slice(1));
    } finally {
      for (const name of ['keyset-b', 'keyset-d', 'keyset-e', 'keyset-f']) await admin.call('DELETE', `/products/${name}`);
    }
  });

  test('$filter: name and displayName eq (any case), joined by and, in SQL; nextLink keeps it', async () => {
    const names = async (query: string) => {
      const response = await admin.call('GET', `/products?$filter=${encodeURIComponent(query)}`);
      expect(response.status).toBe(200);
      return response.body.value.map((p: { name: string }) => p.name);
    };
    expect(await names("name eq 'PAGE-02'")).toEqual(['page-02']);
    expect(await names("displayName eq 'page 3'")).toEqual(['page-03']);
    expect(await names("Name eq 'page-03' and displayName eq 'Page 3'")).toEqual(['page-03']);
    expect(await names("name eq 'page-03' AND displayName eq 'Page 4'")).toEqual([]);
    expect(await names("displayName eq 'nobody''s'")).toEqual([]);
    for (const name of ['twin-a', 'twin-b', 'twin-c']) expect((await admin.call('PUT', `/products/${name}`, { properties: { displayName: "Twin's" } })).status).toBe(201);
    try {
      expect(await names("displayName eq 'TWIN''S'")).toEqual(['twin-a', 'twin-b', 'twin-c']);
      const first = await admin.call('GET', `/products?$top=2&$filter=${encodeURIComponent("displayName eq 'twin''s'")}`);
      expect(new URL(first.body.nextLink).searchParams.get('$filter')).toBe("displayName eq 'twin''s'");
      const second = await raw(first.body.nextLink, { token });
      expect(second.body).toEqual({ value: [expect.objectContaining({ name: 'twin-c' })] });
    } finally {
      for (const name of ['twin-a', 'twin-b', 'twin-c']) await admin.call('DELETE', `/products/${name}`);
    }
    const users = await admin.call('GET', `/users?$filter=${encodeURIComponent(`email eq '${portico.credentials.adminUser.email.toUpperCase()}'`)}`);
    expect(users.body.value.map((u: { name: string }) => u.name)).toEqual(['1']);
  });

  test('an unsupported $filter is a 400 that says what is supported, never ignored', async () => {
    const cases: [string, string, string][] = [
      ['/products', "startswith(name,'page')", "$filter 'startswith(name,'page')' is not supported here. Supported: name eq '…', displayName eq '…', joined by 'and'."],
      ['/products', "state eq 'published'", "$filter cannot compare 'state' on this list. Supported: name eq '…', displayName eq '…', joined by 'and'."],
      ['/products', "name eq 'a' or name eq 'b'", "$filter 'name eq 'a' or name eq 'b'' is not supported here. Supported: name eq '…', displayName eq '…', joined by 'and'."],
      ['/products', "name eq 'a' and name eq 'b'", "$filter compares 'name' twice; give each property once."],
      ['/users', "displayName eq 'x'", "$filter cannot compare 'displayName' on this list. Supported: name eq '…', email eq '…', joined by 'and'."],
      ['/apis/echo-api/operations', "name eq 'x'", '$filter is not supported on this list; remove it.'],
    ];
    // ARM's ValidationError shape, as for a body field: the detail names $filter and what is supported.
    for (const [path, filter, message] of cases) {
      const response = await admin.call('GET', `${path}?$filter=${encodeURIComponent(filter)}`);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: { code: 'ValidationError', message: 'One or more fields contain incorrect values:', details: [{ code: 'ValidationError', target: '$filter', message }] } });
    }
  });

  test('a $skipToken that no nextLink carried is a 400 that says what to do', async () => {
    const forged = Buffer.from(JSON.stringify({ v: 1, k: [1] })).toString('base64url');
    for (const value of ['garbage!', 'Zm9v', forged, 'x'.repeat(5000), '']) {
      const response = await admin.call('GET', `/products?$skipToken=${encodeURIComponent(value)}`);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        error: {
          code: 'ValidationError',
          message: 'One or more fields contain incorrect values:',
          details: [
            { code: 'ValidationError', target: '$skipToken', message: '$skipToken is not a continuation this list issued. Follow the nextLink of the previous page as given, or start again without $skipToken.' },
          ],
        },
      });
    }
  });

  test('a nextLink also works after a doubled leading slash and on other collections', async () => {
    const url = serviceUrl(portico, '/apis/echo-api/operations?$top=4', '2021-08-01').replace(portico.managementUrl, `${portico.managementUrl}/`);
    const first = await raw(url, { token });
    expect(first.status).toBe(200);
    expect(first.body.value).toHaveLength(4);
    expect(first.body.nextLink.startsWith(`${portico.managementUrl}/subscriptions/`)).toBe(true);
    const second = await raw(first.body.nextLink, { token });
    expect(second.status).toBe(200);
    expect(second.body.value).toHaveLength(2);
    expect(second.body.nextLink).toBeUndefined();
  });

  test('$top and $skip must be whole numbers in range: the schema answers in ARM\'s ValidationError shape', async () => {
    const cases = [
      ['$top=0', '$top', '$top must be a whole number from 1 to 1000.'],
      ['$top=abc', '$top', '$top must be a whole number from 1 to 1000.'],
      ['$top=1001', '$top', '$top must be a whole number from 1 to 1000.'],
      ['$skip=-1', '$skip', '$skip must be a whole number from 0 to 999999999999999.'],
      ['$skip=1.5', '$skip', '$skip must be a whole number from 0 to 999999999999999.'],
    ] as const;
    for (const [query, target, message] of cases) {
      const response = await admin.call('GET', `/products?${query}`);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: { code: 'ValidationError', message: 'One or more fields contain incorrect values:', details: [{ code: 'ValidationError', target, message }] } });
    }
    // Lists without a schema'd route (none left) and the audit log check the same rule by hand, in the same shape.
    const audit = await admin.call('GET', '/auditEvents?$skip=2');
    expect(audit.status).toBe(400);
    expect(audit.body).toEqual({
      error: {
        code: 'ValidationError',
        message: 'One or more fields contain incorrect values:',
        details: [{ code: 'ValidationError', target: '$skip', message: '$skip is not supported on this list: it pages by $skipToken only (follow nextLink); remove $skip.' }],
      },
    });
  });

  test('GET, HEAD, PUT and PATCH answer a quoted ETag that tracks the resource', async () => {
    const got = await admin.call('GET', '/products/page-01');
    const etag = got.headers.get('etag')!;
    expect(etag).toMatch(QUOTED);

    const head = await raw(serviceUrl(portico, '/products/page-01', '2024-05-01'), { method: 'HEAD', token });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(etag);
    expect(head.text).toBe('');
    const headMissing = await raw(serviceUrl(portico, '/products/nope', '2024-05-01'), { method: 'HEAD', token });
    expect(headMissing.status).toBe(404);

    const patched = await admin.call('PATCH', '/products/page-01', { properties: { description: 'patched' } }, { 'if-match': etag });
    expect(patched.status).toBe(200);
    const patchedEtag = patched.headers.get('etag')!;
    expect(patchedEtag).toMatch(QUOTED);
    expect(patchedEtag).not.toBe(etag);
    expect((await admin.call('GET', '/products/page-01')).headers.get('etag')).toBe(patchedEtag);

    const put = await admin.call('PUT', '/products/page-01', { properties: { displayName: 'Page 1', description: 'put' } }, { 'if-match': patchedEtag });
    expect(put.status).toBe(200);
    const putEtag = put.headers.get('etag')!;
    expect(putEtag).toMatch(QUOTED);
    expect((await admin.call('GET', '/products/page-01')).headers.get('etag')).toBe(putEtag);
  });

  test('a stale If-Match is 412 PreconditionFailed on PUT, PATCH and DELETE and changes nothing', async () => {
    const before = await admin.call('GET', '/products/page-02');
    const stale = before.headers.get('etag')!;
    const changed = await admin.call('PATCH', '/products/page-02', { properties: { description: 'v2' } }, { 'if-match': stale });
    expect(changed.status).toBe(200);

    const expected = {
      error: {
        code: 'PreconditionFailed',
        message: "The If-Match header does not match the resource's current ETag. Read the resource again and retry with its ETag, or send If-Match: *.",
        details: null,
      },
    };
    const put = await admin.call('PUT', '/products/page-02', { properties: { displayName: 'Stale' } }, { 'if-match': stale });
    expect(put.status).toBe(412);
    expect(put.body).toEqual(expected);
    const patch = await admin.call('PATCH', '/products/page-02', { properties: { description: 'stale' } }, { 'if-match': stale });
    expect(patch.status).toBe(412);
    expect(patch.body).toEqual(expected);
    const del = await admin.call('DELETE', '/products/page-02', undefined, { 'if-match': stale });
    expect(del.status).toBe(412);
    expect(del.body).toEqual(expected);
    // Compared byte for byte: the unquoted or weak form of the current ETag does not match either.
    const current = changed.headers.get('etag')!;
    for (const variant of [current.slice(1, -1), `W/${current}`]) {
      expect((await admin.call('PATCH', '/products/page-02', { properties: { description: 'x' } }, { 'if-match': variant })).status).toBe(412);
    }

    const after = await admin.call('GET', '/products/page-02');
    expect(after.body.properties.displayName).toBe('Page 2');
    expect(after.body.properties.description).toBe('v2');
  });

  test("If-Match '*' and the current ETag are accepted; DELETE answers 200 then 204", async () => {
    const star = await admin.call('PATCH', '/products/page-03', { properties: { description: 'star' } }, { 'if-match': '*' });
    expect(star.status).toBe(200);
    const current = await admin.call('PATCH', '/products/page-03', { properties: { description: 'current' } }, { 'if-match': star.headers.get('etag')! });
    expect(current.status).toBe(200);
    expect(current.body.properties.description).toBe('current');

    const etag = (await admin.call('GET', '/products/page-04')).headers.get('etag')!;
    const deleted = await admin.call('DELETE', '/products/page-04', undefined, { 'if-match': etag });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toBeUndefined();
    const again = await admin.call('DELETE', '/products/page-04', undefined, { 'if-match': '*' });
    expect(again.status).toBe(204);
    expect((await admin.call('GET', '/products/page-04')).status).toBe(404);
    const starDelete = await admin.call('DELETE', '/products/page-05', undefined, { 'if-match': '*' });
    expect(starDelete.status).toBe(200);
  });

  test('PUT answers 201 on create and 200 on replace, with the entity and an ETag', async () => {
    const created = await admin.call('PUT', '/products/put-test', { properties: { displayName: 'Put test', description: 'first' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toMatch(QUOTED);
    expect(created.body).toEqual({
      id: `${serviceId(portico)}/products/put-test`,
      type: 'Microsoft.ApiManagement/service/products',
      name: 'put-test',
      properties: {
        displayName: 'Put test',
        description: 'first',
        subscriptionRequired: true,
        approvalRequired: false,
        state: 'notPublished',
        authenticationType: [],
      },
    });
    const replaced = await admin.call('PUT', '/products/put-test', { properties: { displayName: 'Put test 2' } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.properties.displayName).toBe('Put test 2');
    // Omitted properties keep their value on replace.
    expect(replaced.body.properties.description).toBe('first');
    expect((await admin.call('GET', '/products/put-test')).body).toEqual(replaced.body);

    const user = await admin.call('PUT', '/users/put-user', { properties: { email: 'put-user@example.com', firstName: 'Put', lastName: 'User' } });
    expect(user.status).toBe(201);
    expect((await admin.call('PUT', '/users/put-user', { properties: { email: 'put-user@example.com', firstName: 'Put', lastName: 'Again' } })).status).toBe(200);
  });

  test('a resource name with characters ARM does not allow is refused', async () => {
    const response = await admin.call('PUT', '/products/bad%20name', { properties: { displayName: 'Bad' } });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('ValidationError');
    expect(response.body.error).toEqual({
      code: 'ValidationError',
      message: 'One or more fields contain incorrect values:',
      details: [{ code: 'ValidationError', target: 'productId', message: "productId must be 1 to 256 letters, digits, '-', '_' or '.', starting with a letter or digit." }],
    });
  });
});
