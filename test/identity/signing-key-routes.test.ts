/** The Portico extension `/v1.0/portico/signingKeys`: who may call it, what it answers, what it refuses. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROLE_IDS } from '../../src/identity/index.js';
import { describeEachDialect } from '../helpers/databases.js';
import { IdentityHarness } from './harness.js';

describeEachDialect('signing-key API', (dialect) => {
  let h: IdentityHarness;
  let privileged: string;
  let global: string;

  beforeAll(async () => {
    h = await IdentityHarness.start(dialect);
    privileged = (await h.graphCaller([ROLE_IDS.privilegedRoleAdministrator])).token;
    global = (await h.graphCaller([ROLE_IDS.globalAdministrator])).token;
  });
  afterAll(async () => h?.stop());

  const keyShape = { kid: expect.any(String), state: expect.any(String), createdDateTime: expect.any(String), activationDateTime: expect.any(String), retirementDateTime: null, x5t: expect.any(String) };

  test('a Privileged Role Administrator lists the keys and rotates them, scheduled or immediate', async () => {
    const listed = await h.graph('GET', '/portico/signingKeys', privileged);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ value: [{ ...keyShape, state: 'current' }] });
    const first = listed.body.value[0];
    expect(first.x5t).toBe(first.kid);

    const scheduled = await h.graph('POST', '/portico/signingKeys/rotate', privileged);
    expect(scheduled.status).toBe(201);
    expect(scheduled.body).toEqual({ ...keyShape, state: 'next' });
    expect(Date.parse(scheduled.body.activationDateTime) - Date.parse(scheduled.body.createdDateTime)).toBeGreaterThan(23 * 3_600_000);
    expect((await h.fetch(`${h.url}/${h.tenantId}/discovery/v2.0/keys`)).body.keys.map((k: { kid: string }) => k.kid)).toEqual([scheduled.body.kid, first.kid]);

    const immediate = await h.graph('POST', '/portico/signingKeys/rotate', global, { immediate: true });
    expect(immediate.status).toBe(201);
    expect(immediate.body).toEqual({ ...keyShape, state: 'current' });
    const after = await h.graph('GET', '/portico/signingKeys', global);
    expect(after.body.value.map((k: { kid: string; state: string }) => [k.kid, k.state])).toEqual([
      [immediate.body.kid, 'current'],
      [first.kid, 'previous'],
      [scheduled.body.kid, 'retired'],
    ]);
    expect(after.body.value[1].retirementDateTime).toEqual(expect.any(String));
  });

  test('without a token: 401; with a role that does not manage keys: 403 naming the roles that do', async () => {
    const anonymous = await h.graph('GET', '/portico/signingKeys', undefined);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('InvalidAuthenticationToken');

    const appAdmin = (await h.graphCaller([ROLE_IDS.applicationAdministrator])).token;
    const before = (await h.graph('GET', '/portico/signingKeys', privileged)).body.value;
    for (const [method, path] of [['GET', '/portico/signingKeys'], ['POST', '/portico/signingKeys/rotate']] as const) {
      const refused = await h.graph(method, path, appAdmin, method === 'POST' ? { immediate: true } : undefined);
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({
        code: 'Authorization_RequestDenied',
        message: 'Insufficient privileges to complete the operation. Managing signing keys needs the Global Administrator or Privileged Role Administrator directory role.',
      });
    }
    expect((await h.graph('GET', '/portico/signingKeys', privileged)).body.value).toEqual(before);
  });

  test('a malformed rotate body is a 400 that says what to fix, and rotates nothing', async () => {
    const count = async () => (await h.graph('GET', '/portico/signingKeys', privileged)).body.value.length;
    const before = await count();
    const cases: [unknown, string][] = [
      [{ immediate: 'yes' }, "Property 'immediate' must be true or false."],
      [{ now: true }, "Property 'now' is not supported; the only property is 'immediate'."],
      [[true], 'The request body must be a JSON object such as {"immediate": true}, or empty.'],
    ];
    for (const [body, message] of cases) {
      const result = await h.graph('POST', '/portico/signingKeys/rotate', privileged, body);
      expect(result.status).toBe(400);
      expect(result.body.error).toMatchObject({ code: 'Request_BadRequest', message });
    }
    expect(await count()).toBe(before);
  });
});
