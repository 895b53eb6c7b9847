import { importJWK, importPKCS8, type CryptoKey, type JWK } from 'jose';
import type { ChangeFeed, SecretBox } from '../../shared/index.js';
import type { Store } from '../../store/store.js';
import type { SigningKeyRecord } from '../directory/directory-store.js';
import { SIGNING_ALG, generateSigningKey } from './generate-key.js';
import { publishedKeys, selectSigningKey } from './key-selection.js';

export interface SigningKeysDeps {
  readonly store: Store;
  readonly secretBox: SecretBox;
  /** The `issuer` each JWKS entry carries, as Entra's keys do. */
  readonly issuer: () => string;
  readonly now?: () => Date;
  /** Told publish('signingKey', kid) when a key is created, so gateway snapshots pick it up. */
  readonly feed?: ChangeFeed;
}

export interface Signer {
  readonly kid: string;
  readonly key: CryptoKey;
}

export interface PublicJwk {
  readonly kty: string;
  readonly use: 'sig';
  readonly kid: string;
  readonly n: string;
  readonly e: string;
  readonly alg: typeof SIGNING_ALG;
  readonly issuer: string;
}

/** Key records are re-read at most this often, so keys added by another process show up. */
const RELOAD_AFTER_MS = 60_000; // 1 minute
/** An unknown kid triggers a re-read, but not more often than this (unknown kids are attacker-controlled). */
const MISS_RELOAD_MS = 5_000; // 5 seconds

/** Token-signing keys: one signs, every published one verifies. Private keys never leave this class. */
export class SigningKeys {
  private records: readonly SigningKeyRecord[] | undefined;
  private loadedAt = 0;
  private signer: Signer | undefined;
  private readonly verificationKeys = new Map<string, Promise<CryptoKey>>();
  private readonly now: () => Date;

  constructor(private readonly deps: SigningKeysDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Creates a key if none may sign now. Run at start, before the first token is issued. */
  async ensureCurrentKey(): Promise<{ kid: string }> {
    const records = await this.load(true);
    const current = selectSigningKey(records, this.now());
    if (current) return { kid: current.kid };
    const now = this.now();
    const created = await generateSigningKey(this.deps.secretBox, now, now);
    await this.deps.store.directory.insertSigningKey(created);
    this.invalidate();
    await this.deps.feed?.publish('signingKey', created.kid);
    return { kid: created.kid };
  }

  /** The key that signs now, decrypted once and kept in memory. */
  async currentSigner(): Promise<Signer> {
    const record = selectSigningKey(await this.load(false), this.now());
    if (!record) throw new Error('no signing key is active; call ensureCurrentKey() at start');
    if (this.signer?.kid === record.kid) return this.signer;
    const key = await importPKCS8(this.deps.secretBox.open(record.privateKeyEncrypted), SIGNING_ALG);
    this.signer = { kid: record.kid, key };
    return this.signer;
  }

  /** Every key not past its retirement, for `/discovery/v2.0/keys`. */
  async publicJwks(): Promise<{ keys: PublicJwk[] }> {
    const issuer = this.deps.issuer();
    const keys = publishedKeys(await this.load(false), this.now()).map((record): PublicJwk => {
      const jwk = JSON.parse(record.publicJwk) as { kty: string; n: string; e: string };
      return { kty: jwk.kty, use: 'sig', kid: record.kid, n: jwk.n, e: jwk.e, alg: SIGNING_ALG, issuer };
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
  }

  private findPublished(records: readonly SigningKeyRecord[], kid: string): SigningKeyRecord | undefined {
    return publishedKeys(records, this.now()).find((r) => r.kid === kid);
  }

  private async load(force: boolean): Promise<readonly SigningKeyRecord[]> {
    if (!force && this.records && Date.now() - this.loadedAt < RELOAD_AFTER_MS) return this.records;
    this.records = await this.deps.store.directory.listSigningKeys();
    this.loadedAt = Date.now();
    return this.records;
  }
}
