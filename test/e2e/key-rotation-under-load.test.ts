/**
 * Key rotation under load: Portico booted as `portico start` does, several clients getting tokens
 * and calling the gateway with each without pause, while an administrator rotates the signing key
 * through `POST /v1.0/portico/signingKeys/rotate` — scheduled and immediate. No valid token may be
 * refused. Then the clock (Date only; timers stay real) moves past the hand-over of a
 * pre-published key and past an old key's retirement.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { bootOn, type Booted } from '../helpers/boot.js';
import { describeEachDialect } from '../helpers/databases.js';
import { ManagementClient, clientCredentialsToken, requestToken } from '../helpers/clients.js';

const LOOPS = 4;
/** Each loop's round trips (token + gateway call) are bounded; a phase stops its loops sooner. */
const MAX_ROUNDS_PER_LOOP = 400;

interface Round {
  readonly kid: string;
  readonly gatewayStatus: number;
  readonly detail: string;
}

interface KeyJson {
  kid: string;
  state: string;
  activationDateTime: string;
  retirementDateTime: string | null;
}

describeEachDialect('key rotation under load', (dialect) => {
  let portico: Booted;
  let scope: string;
  let clientId: string;
  let clientSecret: string;

  beforeAll(async () => {
    portico = await bootOn(dialect);
    const admin = new ManagementClient(portico.credentials);
    // Hundreds of calls with one client application: Starter's 5 calls a minute would refuse them.
    // This test is about signing keys, so Starter limits nothing here (product-policies.test.ts covers limits).
    expect((await admin.call('DELETE', '/products/starter/policies/policy')).status).toBe(200);
    const product = await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } });
    expect(product.status).toBe(200);
    scope = `api://${product.body.properties.application.entra.audience}/.default`;
    expect((await admin.call('PUT', '/users/loader', { properties: { email: 'loader@example.com', firstName: 'Load', lastName: 'Er' } })).status).toBe(201);
    const app = await admin.call('PUT', '/clientApplications/loader-app', { properties: { displayName: 'Loader', ownerId: '/users/loader', productIds: ['/products/starter'] } });
    expect(app.status).toBe(201);
    clientId = app.body.properties.entraApplicationId;
    clientSecret = (await admin.call('POST', '/clientApplications/loader-app/listSecrets')).body.entra.clientSecret;
  });
  afterAll(async () => {
    vi.useRealTimers();
    await portico?.stop();
  });

  async function token(): Promise<string> {
    const result = await requestToken(portico.identityUrl, portico.credentials.tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope });
    if (result.status !== 200) throw new Error(`token request refused: ${result.status} ${JSON.stringify(result.body)}`);
    return result.body.access_token as string;
  }

  async function callGateway(accessToken: string): Promise<{ status: number; text: string }> {
    const response = await fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, { headers: { authorization: `Bearer ${accessToken}` } });
    return { status: response.status, text: await response.text() };
  }

  /** The admin's Graph token, fresh each time: the test moves the clock past tokens' lifetimes. */
  async function keyAdmin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const { credentials, identityUrl } = portico;
    const bearer = await clientCredentialsToken(identityUrl, credentials.tenantId, credentials.admin.clientId, credentials.admin.clientSecret, 'https://graph.microsoft.com/.default');
    const response = await fetch(`${identityUrl}/v1.0/portico/signingKeys${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  }

  async function rotate(immediate: boolean): Promise<KeyJson> {
    const result = await keyAdmin('POST', '/rotate', { immediate });
    expect(result.status).toBe(201);
    return result.body;
  }

  async function keys(): Promise<KeyJson[]> {
    const result = await keyAdmin('GET', '');
    expect(result.status).toBe(200);
    return result.body.value;
  }

  async function jwks(): Promise<{ kid: string; x5t: string; n: string; e: string; x5c: string[] }[]> {
    return ((await (await fetch(`${portico.identityUrl}/${portico.credentials.tenantId}/discovery/v2.0/keys`)).json()) as { keys: any[] }).keys;
  }

  const kidOf = (accessToken: string): string => decodeProtectedHeader(accessToken).kid!;

  /**
   * Runs LOOPS clients, each getting a token and calling the gateway with it, round after round,
   * while `during` runs; they stop after it (or at MAX_ROUNDS_PER_LOOP). `progress()` resolves once
   * every loop has finished `n` more rounds, so rotations land between live requests.
   */
  async function underLoad(during: (progress: (n: number) => Promise<void>) => Promise<void>): Promise<Round[]> {
    const rounds: Round[] = [];
    const done = new Array<number>(LOOPS).fill(0);
    let stop = false;
    let failure: unknown;
    const loop = async (index: number) => {
      try {
        for (let i = 0; i < MAX_ROUNDS_PER_LOOP && !stop; i++) {
          const accessToken = await token();
          const result = await callGateway(accessToken);
          rounds.push({ kid: kidOf(accessToken), gatewayStatus: result.status, detail: result.status === 200 ? '' : result.text });
          done[index]! += 1;
        }
      } catch (err) {
        failure ??= err; // a refused token request: reported by progress() and rethrown below
        throw err;
      }
    };
    const progress = async (n: number) => {
      const target = done.map((d) => d + n);
      for (let i = 0; done.some((d, k) => d < target[k]!); i++) {
        if (i >= 2_000 || failure !== undefined || done.some((d) => d >= MAX_ROUNDS_PER_LOOP)) {
          throw new Error(`the clients did not make ${n} more rounds (done: ${done.join(', ')})`, { cause: failure });
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const loops = Array.from({ length: LOOPS }, (_, index) => loop(index));
    for (const running of loops) running.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    try {
      await during(progress);
      await progress(3); // a few more rounds after the last change
    } finally {
      stop = true;
      await Promise.all(loops);
    }
    return rounds;
  }

  test('rotations (scheduled and immediate) while clients call the gateway refuse no valid token; old keys verify until they retire', async () => {
    const early = await token();
    const first = kidOf(early);
    const seenInJwks = new Set((await jwks()).map((k) => k.kid));
    const scheduled: KeyJson[] = [];
    const immediate: KeyJson[] = [];

    const rounds = await underLoad(async (progress) => {
      await progress(3);
      scheduled.push(await rotate(false));
      for (const k of await jwks()) seenInJwks.add(k.kid);
      await progress(3);
      immediate.push(await rotate(true));
      await progress(3);
      immediate.push(await rotate(true));
      await progress(3);
      scheduled.push(await rotate(false)); // the last one: published, not signing yet
      for (const k of await jwks()) seenInJwks.add(k.kid);
      await progress(3);
    });

    const refused = rounds.filter((r) => r.gatewayStatus !== 200);
    expect(refused).toEqual([]);
    expect(rounds.length).toBeGreaterThanOrEqual(LOOPS * 15);
    const kidsInTokens = new Set(rounds.map((r) => r.kid));
    // Both immediate keys signed while requests flowed, and the gateway took every token.
    expect(kidsInTokens).toEqual(new Set([first, ...immediate.map((k) => k.kid)]));
    expect(scheduled.map((k) => k.state)).toEqual(['next', 'next']);
    expect(immediate.map((k) => k.state)).toEqual(['current', 'current']);
    // Scheduled keys were in the JWKS as soon as the rotation answered, and no token carried them.
    for (const k of scheduled) {
      expect(seenInJwks.has(k.kid)).toBe(true);
      expect(kidsInTokens.has(k.kid)).toBe(false);
    }

    // Tokens signed by the keys rotated away still open the gateway.
    expect((await callGateway(early)).status).toBe(200);
    const states = new Map((await keys()).map((k) => [k.kid, k.state]));
    expect(states.get(first)).toBe('previous');
    expect(states.get(immediate[0]!.kid)).toBe('previous');
    expect(states.get(immediate[1]!.kid)).toBe('current');
    expect(states.get(scheduled[0]!.kid)).toBe('retired'); // overtaken by an immediate rotation before it signed
    expect(states.get(scheduled[1]!.kid)).toBe('next');

    // Every published key: kid = x5t = SHA-1 of the x5c certificate, whose public key is n/e.
    const published = await jwks();
    expect(published.map((k) => k.kid)).toEqual([scheduled[1]!.kid, immediate[1]!.kid, immediate[0]!.kid, first]);
    for (const key of published) {
      const der = Buffer.from(key.x5c[0]!, 'base64');
      expect(key.kid).toBe(key.x5t);
      expect(key.x5t).toBe(createHash('sha1').update(der).digest('base64url'));
      expect(new X509Certificate(der).publicKey.export({ format: 'jwk' })).toEqual({ kty: 'RSA', n: key.n, e: key.e });
    }

    // Past the first key's retirement: it leaves the JWKS and its token is refused; current tokens still pass.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    const firstRetires = Date.parse((await keys()).find((k) => k.kid === first)!.retirementDateTime!);
    vi.setSystemTime(firstRetires + 1_000);
    expect((await jwks()).map((k) => k.kid)).not.toContain(first);
    expect((await callGateway(early)).status).toBe(401);
    expect((await callGateway(await token())).status).toBe(200);

    // The pre-published key takes over at its activation time, under load, with no request to tell it to.
    const next = scheduled[1]!;
    vi.setSystemTime(Date.parse(next.activationDateTime) - 600_000);
    const lastOfPrevious = await token();
    expect(kidOf(lastOfPrevious)).toBe(immediate[1]!.kid);
    const afterHandOver = await underLoad(async (progress) => {
      await progress(2);
      vi.setSystemTime(Date.parse(next.activationDateTime) + 1_000);
      await progress(3);
    });
    expect(afterHandOver.filter((r) => r.gatewayStatus !== 200)).toEqual([]);
    expect(afterHandOver.at(-1)!.kid).toBe(next.kid);
    expect((await callGateway(lastOfPrevious)).status).toBe(200);
    expect(new Map((await keys()).map((k) => [k.kid, k.state])).get(next.kid)).toBe('current');
  });
});
