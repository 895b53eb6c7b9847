import { importJWK, importPKCS8, type CryptoKey, type JWK } from 'jose';
import { DEFAULTS } from '../../config/index.js';
import type { ChangeFeed, SecretBox } from '../../shared/index.js';
import type { SigningKeyChange } from '../../shared/change-events.js';
import { commitChange } from '../../store/change-unit.js';
import type { Store } from '../../store/store.js';
import type { SigningKeyRecord } from '../directory/directory-store.js';
import { encodedHeader } from './compact-jws.js';
import { SIGNING_ALG, generateSigningKey } from './generate-key.js';
import { certificateThumbprint } from './key-certificate.js';
import { isKeyPublished, keyState, newestFirst, publishedKeys, selectSigningKey, type SigningKeyState } from './key-selection.js';
import { retirementsFor, rotationDueAt, rotationPolicy, scheduledActivation, type Retirement, type RotationPolicy } from './rotation-policy.js';

export interface SigningKeysDeps {
  readonly store: Store;
  readonly secretBox: SecretBox;
  /** The `issuer` each JWKS entry carries, as Entra's keys do. */
  readonly issuer: () => string;
  readonly now?: () => Date;
  /** Told publish('signingKey', kid) after every key change, so gateway snapshots and verifiers pick it up. */
  readonly feed?: ChangeFeed;
  /** Rotation period, pre-publication and retention; default: from the default configuration. */
  readonly policy?: RotationPolicy;
}

export interface Signer {
  readonly kid: string;
  readonly key: CryptoKey;
  /** The access tokens' protected header for this key, base64url-encoded once. */
  readonly header: string;
}

/** A JWKS entry in Entra's shape (no `alg`, as Entra has none); x5t and x5c only for keys that have a certificate. */
export interface PublicJwk {
  readonly kty: string;
  readonly use: 'sig';
  readonly kid: string;
  readonly x5t?: string;
  readonly n: string;
  readonly e: string;
  readonly x5c?: readonly string[];
  readonly issuer: string;
}

/** What `portico keys list` shows: the lifecycle of a key, never key material. */
export interface SigningKeyInfo {
  readonly kid: string;
  readonly state: SigningKeyState;
  readonly createdAt: string;
  readonly activatesAt: string;
  readonly retiresAt: string | null;
  /** The certificate's thumbprint (= kid); null for a key made before certificates. */
  readonly x5t: string | null;
}

/** Key records are re-read at most this often, so keys added by another process show up. */
const RELOAD_AFTER_MS = 60_000; // 1 minute
/** An unknown kid triggers a re-read, but not more often than this (unknown kids are attacker-controlled). */
const MISS_RELOAD_MS = 5_000; // 5 seconds

/**
 * Token-signing keys: one signs, every published one verifies. Rotation adds a key and schedules
 * the others' retirement (rotation-policy.ts); each change is written, then announced on the change
 * feed — which awaits every listener, so the gateway's snapshot trusts a key before it can sign.
 * Private keys never leave this class. Only one process writes a store (its exclusive lock), so
 * serialising rotations in this process is enough.
 */
export class SigningKeys {
  private records: readonly SigningKeyRecord[] | undefined;
  private loadedAt = 0;
  /** Bumped by invalidate(), so a read that started before a change does not overwrite what follows it. */
  private generation = 0;
  private inflight: { generation: number; records: Promise<readonly SigningKeyRecord[]> } | undefined;
  private signer: Signer | undefined;
  private readonly verificationKeys = new Map<string, Promise<CryptoKey>>();
  private writes: Promise<unknown> = Promise.resolve();
  private readonly now: () => Date;
  readonly policy: RotationPolicy;

  constructor(private readonly deps: SigningKeysDeps) {
    this.now = deps.now ?? (() => new Date());
    this.policy = deps.policy ?? rotationPolicy({ rotationDays: DEFAULTS.signingKeyRotationDays, tokenLifetimeSeconds: DEFAULTS.tokenLifetimeSeconds });
  }

  /** Creates a key that signs at once if none may sign now. Run at start, before the first token is issued. */
  async ensureCurrentKey(): Promise<{ kid: string }> {
    return this.exclusive(async () => {
      const records = await this.load(true);
      const current = selectSigningKey(records, this.now());
      if (current) return { kid: current.kid };
      const now = this.now();
      const created = await generateSigningKey(this.deps.secretBox, now, now);
      await this.writeAndAnnounce('signingKey.created', created.kid, (tx) => tx.directory.insertSigningKey(created));
      return { kid: created.kid };
    });
  }

  /**
   * Adds the next key. By default it is published now and signs after the pre-publication period,
   * so verifiers that cache the JWKS learn it first; the current key signs until then. `immediate`
   * makes it sign as soon as this resolves — after it has been announced, so this process's
   * gateway and verifiers trust it before any token carries it (remote JWKS caches learn it when
   * they refetch, which most do on an unknown kid). Either way the keys it replaces stay published
   * until their tokens have expired.
   */
  async rotate(options: { immediate?: boolean } = {}): Promise<SigningKeyInfo> {
    return this.exclusive(async () => {
      const now = this.now();
      const activatesAt = new Date(now.getTime() + this.policy.prePublicationMs);
      if (!options.immediate) {
        // A scheduled next key already published is the answer: repeated calls must not grow the JWKS.
        const records = await this.load(true);
        const waiting = records.filter((r) => isKeyPublished(r, now) && Date.parse(r.activatesAt) > now.getTime()).sort(newestFirst)[0];
        return waiting ? info(waiting, records, now) : this.addNextKey(activatesAt);
      }
      const pending = await this.addNextKey(activatesAt);
      return this.activateNow(pending.kid);
    });
  }

  /**
   * The automatic schedule's step: adds the next key when the newest has (nearly) signed for a
   * whole period. Returns the key it added, if any, and when to look again.
   */
  async rotateIfDue(): Promise<{ created: SigningKeyInfo | undefined; nextDueAt: Date }> {
    return this.exclusive(async () => {
      let records = await this.load(true);
      let created: SigningKeyInfo | undefined;
      if (!selectSigningKey(records, this.now())) {
        created = await this.addNextKey(this.now()); // nothing may sign (keys removed from the store by hand): never leave it so
        records = await this.load(true);
      } else if (rotationDueAt(records, this.now(), this.policy) <= this.now()) {
        created = await this.addNextKey(scheduledActivation(records, this.now(), this.policy));
        records = await this.load(true);
      }
      return { created, nextDueAt: rotationDueAt(records, this.now(), this.policy) };
    });
  }

  /** Every stored key: the published ones by latest activation first, then the retired ones likewise. */
  async list(): Promise<SigningKeyInfo[]> {
    const records = await this.load(true);
    const now = this.now();
    const retired = (r: SigningKeyRecord) => (isKeyPublished(r, now) ? 0 : 1);
    return [...records].sort((a, b) => retired(a) - retired(b) || newestFirst(a, b)).map((record) => info(record, records, now));
  }

  /** The key that signs now, decrypted once and kept in memory. */
  async currentSigner(): Promise<Signer> {
    const record = selectSigningKey(await this.load(false), this.now());
    if (!record) throw new Error('no signing key is active; call ensureCurrentKey() at start');
    if (this.signer?.kid === record.kid) return this.signer;
    const key = await importPKCS8(this.deps.secretBox.open(record.privateKeyEncrypted), SIGNING_ALG);
    this.signer = { kid: record.kid, key, header: encodedHeader(record.kid) };
    return this.signer;
  }

  /** Every key not past its retirement, next key included, for `/discovery/v2.0/keys`. */
  async publicJwks(): Promise<{ keys: PublicJwk[] }> {
    const issuer = this.deps.issuer();
    const keys = publishedKeys(await this.load(false), this.now()).map((record): PublicJwk => {
      const jwk = JSON.parse(record.publicJwk) as { kty: string; n: string; e: string };
      if (record.certificate === null) return { kty: jwk.kty, use: 'sig', kid: record.kid, n: jwk.n, e: jwk.e, issuer };
      const x5t = certificateThumbprint(Buffer.from(record.certificate, 'base64'));
      return { kty: jwk.kty, use: 'sig', kid: record.kid, x5t, n: jwk.n, e: jwk.e, x5c: [record.certificate], issuer };
    });
    return { keys };
  }

  /** The public key for a published kid, or undefined. Used by AccessTokenVerifier. */
  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    let record = this.findPublished(await this.load(false), kid);
    if (!record && Date.now() - this.loadedAt > MISS_RELOAD_MS) record = this.findPublished(await this.load(true), kid);
    if (!record) return undefined;
    let key = this.verificationKeys.get(record.kid);
    if (!key) {
      key = importJWK(JSON.parse(record.publicJwk) as JWK, SIGNING_ALG) as Promise<CryptoKey>;
      this.verificationKeys.set(record.kid, key);
    }
    return key;
  }

  /** Forget cached records (call on a change event about keys). */
  invalidate(): void {
    this.records = undefined;
    this.generation += 1;
  }

  /** Writes a new key activating at `activatesAt` and the retirements that follow from it, together. */
  private async addNextKey(activatesAt: Date): Promise<SigningKeyInfo> {
    const records = await this.load(true);
    const created = await generateSigningKey(this.deps.secretBox, this.now(), activatesAt);
    const retirements = retirementsFor(records, activatesAt, this.now(), this.policy);
    await this.writeAndAnnounce('signingKey.rotated', created.kid, async (tx) => {
      await tx.directory.insertSigningKey(created);
      await retire(tx, retirements);
    });
    return info(created, [...records, created], this.now());
  }

  /** Moves an announced, not yet active key's activation to now, and retires the others accordingly. */
  private async activateNow(kid: string): Promise<SigningKeyInfo> {
    const now = this.now();
    const others = (await this.load(true)).filter((r) => r.kid !== kid);
    const retirements = retirementsFor(others, now, now, this.policy);
    await this.writeAndAnnounce('signingKey.activated', kid, async (tx) => {
      await tx.directory.setSigningKeyActivation(kid, now.toISOString());
      await retire(tx, retirements);
    });
    const records = await this.load(true);
    return info(records.find((r) => r.kid === kid)!, records, this.now());
  }

  /** Writes in one transaction (bumping the config version) and announces it once committed. */
  private async writeAndAnnounce(type: SigningKeyChange['type'], kid: string, write: (tx: Store) => Promise<void>): Promise<void> {
    const feed = this.deps.feed;
    if (feed) {
      await commitChange({ store: this.deps.store, feed }, async (tx) => {
        await write(tx);
        this.invalidate(); // the event's listeners (identity-app.ts) drop it again once committed
        return { result: undefined, event: { type, kid } };
      });
    } else {
      await this.deps.store.transaction(async (tx) => {
        await write(tx);
        await tx.configVersion.bump(); // nobody listens here, but the version still counts the write
      });
    }
    this.invalidate();
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.writes.then(task, task);
    this.writes = run.catch(() => undefined);
    return run;
  }

  private findPublished(records: readonly SigningKeyRecord[], kid: string): SigningKeyRecord | undefined {
    return publishedKeys(records, this.now()).find((r) => r.kid === kid);
  }

  /** Cached records (unless `force` or stale); concurrent reads of one generation share one query. */
  private async load(force: boolean): Promise<readonly SigningKeyRecord[]> {
    if (!force && this.records && Date.now() - this.loadedAt < RELOAD_AFTER_MS) return this.records;
    const generation = this.generation;
    if (this.inflight?.generation !== generation) {
      const records = this.deps.store.directory.listSigningKeys();
      this.inflight = { generation, records };
      records.then(
        (loaded) => {
          if (this.generation === generation) {
            this.records = loaded;
            this.loadedAt = Date.now();
          }
        },
        () => undefined,
      ).finally(() => {
        if (this.inflight?.records === records) this.inflight = undefined;
      });
    }
    return this.inflight.records;
  }
}

async function retire(tx: Store, retirements: readonly Retirement[]): Promise<void> {
  for (const { kid, retiresAt } of retirements) await tx.directory.setSigningKeyRetirement(kid, retiresAt.toISOString());
}

function info(record: SigningKeyRecord, records: readonly SigningKeyRecord[], now: Date): SigningKeyInfo {
  return {
    kid: record.kid,
    state: keyState(record, records, now),
    createdAt: record.createdAt,
    activatesAt: record.activatesAt,
    retiresAt: record.retiresAt,
    x5t: record.certificate === null ? null : certificateThumbprint(Buffer.from(record.certificate, 'base64')),
  };
}
