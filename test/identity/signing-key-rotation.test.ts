/**
 * Signing-key rotation in the identity provider, on a real store, with a clock the test moves:
 * pre-publication, hand-over, retention, immediate rotation, the automatic schedule and keys made
 * before certificates.
 */
import { randomBytes } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import pino from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { TokenVerificationError, createIdentity, rotationPolicy, type Identity, type Signer } from '../../src/identity/index.js';
import { InProcessChangeFeed, SecretBox, newGuid, type ChangeEvent, type ChangeFeed } from '../../src/shared/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, describeEachDialect, type TestDialect } from '../helpers/databases.js';

const DAY = 24 * 3_600_000;
const T0 = Date.parse('2026-12-01T00:00:00.000Z');
/** Default policy: 42-day period, one day of pre-publication, retention = 3599 s + 60 s skew + 1 h. */
const RETENTION = (3599 + 60) * 1000 + 3_600_000;

/** Polls `condition` a bounded number of times (no timing is asserted; this only waits for the program). */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('rotationPolicy', () => {
  test('defaults: a day of pre-publication; retention covers token lifetime, clock skew and a margin', () => {
    expect(rotationPolicy({ rotationDays: 42, tokenLifetimeSeconds: 3599 })).toEqual({ periodMs: 42 * DAY, prePublicationMs: DAY, retentionMs: RETENTION });
  });

  test('a short period pre-publishes for a quarter of it', () => {
    expect(rotationPolicy({ rotationDays: 2, tokenLifetimeSeconds: 60 })).toEqual({ periodMs: 2 * DAY, prePublicationMs: DAY / 2, retentionMs: 120_000 + 3_600_000 });
  });
});

interface Started {
  readonly identity: Identity;
  readonly store: Store;
  readonly feed: ChangeFeed;
  readonly events: ChangeEvent[];
  close(): Promise<void>;
}

describeEachDialect('signing-key rotation', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  let clock = T0;
  const now = () => new Date(clock);

  async function start(options: { rotationDays?: number; realClock?: boolean; seed?: (store: Store, box: SecretBox) => Promise<void> } = {}): Promise<Started> {
    const database = await createTestDatabase(dialect as TestDialect);
    const store = await openStore({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
    const box = new SecretBox(randomBytes(32));
    await options.seed?.(store, box);
    const feed = new InProcessChangeFeed();
    const events: ChangeEvent[] = [];
    feed.subscribe((event) => void events.push(event));
    const identity = await createIdentity({
      config: loadConfig({}, { dataDir: database.dataDir, signingKeyRotationDays: options.rotationDays ?? 42 }),
      store, feed, secretBox: box, tenantId: newGuid(),
      feedCurrent: () => true, // the in-process feed is never lost
      logger: pino({ level: 'silent' }),
      baseUrl: 'http://127.0.0.1:9',
      ...(options.realClock ? {} : { now }),
    });
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await identity.close();
      await store.close();
      await database.drop();
    };
    cleanups.push(close);
    return { identity, store, feed, events, close };
  }

  /** A token as the identity provider would issue it, signed by `signer`, expiring far in the future. */
  const tokenFrom = async (identity: Identity, signer: Signer, at: number) => {
    const iat = Math.floor(at / 1000);
    return new SignJWT({ aud: 'resource', iss: identity.urls.issuer(), iat, nbf: iat, exp: iat + 400 * 86_400, azp: 'client', oid: newGuid(), tid: identity.urls.tenantId })
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: signer.kid })
      .sign(signer.key);
  };
  const verdict = async (identity: Identity, token: string) => {
    try {
      await identity.verifier.verify(token, { audiences: ['resource'] });
      return 'accepted';
    } catch (err) {
      if (err instanceof TokenVerificationError) return err.reason;
      throw err;
    }
  };
  const jwksKids = async (identity: Identity) => (await identity.keys.publicJwks()).keys.map((k) => k.kid);

  test('a rotation publishes the next key a day before it signs; the previous key signs until then and stays published until its tokens have expired', async () => {
    clock = T0;
    const { identity } = await start();
    const first = await identity.keys.currentSigner();
    const oldToken = await tokenFrom(identity, first, clock);

    const next = await identity.keys.rotate();
    expect(next).toMatchObject({ state: 'next', activatesAt: new Date(T0 + DAY).toISOString(), retiresAt: null, x5t: next.kid });
    expect(next.kid).toHaveLength(27);
    expect(await identity.keys.list()).toEqual([
      next,
      { kid: first.kid, state: 'current', createdAt: new Date(T0).toISOString(), activatesAt: new Date(T0).toISOString(), retiresAt: new Date(T0 + DAY + RETENTION).toISOString(), x5t: first.kid },
    ]);
    expect(await jwksKids(identity)).toEqual([next.kid, first.kid]);
    // Asking again while a next key waits answers that key: repeated calls never grow the JWKS.
    clock = T0 + DAY / 2;
    expect((await identity.keys.rotate()).kid).toBe(next.kid);
    expect(await jwksKids(identity)).toEqual([next.kid, first.kid]);

    clock = T0 + DAY - 1;
    expect((await identity.keys.currentSigner()).kid).toBe(first.kid);
    clock = T0 + DAY;
    expect((await identity.keys.currentSigner()).kid).toBe(next.kid);
    expect((await identity.keys.list()).map((k) => k.state)).toEqual(['current', 'previous']);
    expect(await verdict(identity, oldToken)).toBe('accepted');

    clock = T0 + DAY + RETENTION - 1;
    expect(await jwksKids(identity)).toEqual([next.kid, first.kid]);
    expect(await verdict(identity, oldToken)).toBe('accepted');
    clock = T0 + DAY + RETENTION;
    expect(await jwksKids(identity)).toEqual([next.kid]);
    expect(await verdict(identity, oldToken)).toBe('signature');
    expect((await identity.keys.list()).map((k) => k.state)).toEqual(['current', 'retired']);
  });

  test('an immediate rotation is announced (JWKS, feed) before it signs, then signs at once; a scheduled key it overtakes is withdrawn', async () => {
    clock = T0;
    const { identity, feed } = await start();
    const first = (await identity.keys.currentSigner()).kid;
    const scheduled = await identity.keys.rotate();
    clock = T0 + 3_600_000;

    const seen: { kid: string; signer: string; published: boolean }[] = [];
    feed.subscribe(async (event) => {
      if (event.type !== 'signingKey.rotated' && event.type !== 'signingKey.activated') return;
      seen.push({ kid: event.kid, signer: (await identity.keys.currentSigner()).kid, published: (await jwksKids(identity)).includes(event.kid) });
    });
    const immediate = await identity.keys.rotate({ immediate: true });

    expect(immediate).toMatchObject({ state: 'current', activatesAt: new Date(clock).toISOString(), retiresAt: null });
    expect(seen).toEqual([
      { kid: immediate.kid, signer: first, published: true }, // announced while the old key still signs
      { kid: immediate.kid, signer: immediate.kid, published: true },
    ]);
    expect((await identity.keys.currentSigner()).kid).toBe(immediate.kid);
    const byKid = new Map((await identity.keys.list()).map((k) => [k.kid, k]));
    expect(byKid.get(scheduled.kid)).toMatchObject({ state: 'retired', retiresAt: new Date(clock).toISOString() });
    expect(byKid.get(first)).toMatchObject({ state: 'previous', retiresAt: new Date(clock + RETENTION).toISOString() });
    expect(await jwksKids(identity)).toEqual([immediate.kid, first]);

    // Later than the withdrawn key's activation, it still never signs.
    clock = T0 + DAY + 1;
    expect((await identity.keys.currentSigner()).kid).toBe(immediate.kid);
  });

  test('the automatic schedule publishes the next key a pre-publication before the current has signed a whole period', async () => {
    clock = T0;
    const { identity } = await start();
    const first = (await identity.keys.currentSigner()).kid;
    expect(await identity.keys.rotateIfDue()).toEqual({ created: undefined, nextDueAt: new Date(T0 + 41 * DAY) });

    clock = T0 + 41 * DAY - 1;
    expect((await identity.keys.rotateIfDue()).created).toBeUndefined();
    clock = T0 + 41 * DAY;
    const { created, nextDueAt } = await identity.keys.rotateIfDue();
    expect(created).toMatchObject({ state: 'next', activatesAt: new Date(T0 + 42 * DAY).toISOString() });
    expect(nextDueAt).toEqual(new Date(T0 + 83 * DAY));
    expect((await identity.keys.rotateIfDue()).created).toBeUndefined();
    expect((await identity.keys.list()).find((k) => k.kid === first)?.retiresAt).toBe(new Date(T0 + 42 * DAY + RETENTION).toISOString());

    // An instance that was down past its due time publishes at once and still pre-publishes a full day.
    clock = T0 + 200 * DAY;
    const late = (await identity.keys.rotateIfDue()).created;
    expect(late).toMatchObject({ state: 'next', activatesAt: new Date(T0 + 201 * DAY).toISOString() });
  });

  test('when no key may sign (the only one retired by hand in the store), the schedule makes one that signs at once', async () => {
    clock = T0;
    const { identity, store } = await start();
    const first = (await identity.keys.currentSigner()).kid;
    await store.directory.setSigningKeyRetirement(first, new Date(T0 - 1).toISOString());
    identity.keys.invalidate();
    const { created } = await identity.keys.rotateIfDue();
    expect(created).toMatchObject({ state: 'current', activatesAt: new Date(T0).toISOString() });
    expect((await identity.keys.currentSigner()).kid).toBe(created!.kid);
  });

  test('a key made before certificates keeps its kid, is published without x5c, and is rotated out after one pre-publication', async () => {
    clock = T0;
    let legacyKid = '';
    const { identity, events } = await start({
      seed: async (store, box) => {
        const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
        const { kty, n, e } = await exportJWK(publicKey);
        const publicJwk = { kty: kty!, n: n!, e: e! };
        legacyKid = await calculateJwkThumbprint(publicJwk);
        const at = new Date(T0 - 10 * DAY).toISOString();
        await store.directory.insertSigningKey({
          kid: legacyKid, privateKeyEncrypted: box.seal(await exportPKCS8(privateKey)), publicJwk: JSON.stringify(publicJwk),
          createdAt: at, activatesAt: at, retiresAt: null, certificate: null,
        });
      },
    });
    // The schedule's first check runs as the identity provider starts.
    await waitFor(() => events.some((e) => e.type.startsWith('signingKey.')), "the schedule's first rotation");

    expect(legacyKid).toHaveLength(43);
    expect((await identity.keys.currentSigner()).kid).toBe(legacyKid);
    const [next, legacy] = await identity.keys.list();
    expect(next).toMatchObject({ state: 'next', activatesAt: new Date(T0 + DAY).toISOString(), x5t: next!.kid });
    expect(legacy).toMatchObject({ kid: legacyKid, state: 'current', x5t: null, retiresAt: new Date(T0 + DAY + RETENTION).toISOString() });
    const jwks = (await identity.keys.publicJwks()).keys;
    expect(Object.keys(jwks[1]!)).toEqual(['kty', 'use', 'kid', 'n', 'e', 'issuer']);
    expect(jwks[1]!.kid).toBe(legacyKid);
  });

  test('the schedule runs on its own, its timer never holds the process open, and close() stops it', async () => {
    // A two-second period: the next key is published 1.5 s after the first activates.
    const { identity, events, close } = await start({ rotationDays: 2 / 86_400, realClock: true });
    await waitFor(() => identity.keyRotation.pendingTimer !== undefined, "the schedule's timer");
    expect(identity.keyRotation.pendingTimer!.hasRef()).toBe(false);
    const created = events.filter((e) => e.type.startsWith('signingKey.')).length; // the first key, made at start
    await waitFor(() => events.filter((e) => e.type.startsWith('signingKey.')).length > created, 'the scheduled rotation');

    const [next, first] = await identity.keys.list();
    expect(Date.parse(next!.activatesAt)).toBeGreaterThan(Date.parse(next!.createdAt)); // published before it signs
    expect(Date.parse(next!.activatesAt)).toBeGreaterThanOrEqual(Date.parse(first!.activatesAt) + 2_000);
    expect(first!.retiresAt).toBe(new Date(Date.parse(next!.activatesAt) + RETENTION).toISOString());
    await close();
    expect(identity.keyRotation.pendingTimer).toBeUndefined();
  });
});
