import { importJWK, type CryptoKey, type JWK } from 'jose';
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import {
  linkGrantsAccess,
  type ApiRecord,
  type ClientApplicationRecord,
  type ClientApplicationState,
  type ProductLinkRecord,
  type ProductRecord,
  type SubscriptionRecord,
  type UserState,
} from '../management/management-store.js';
import { scanPages, type SubscriptionKeyRow } from '../store/scan-store.js';
import { LoadProgress, type LoadProgressOptions } from '../shared/load-progress.js';
import { Interner, lowerCased } from '../shared/interning.js';
import { SubscriptionKeys, SubscriptionTableBuilder } from './subscription-keys.js';
import type { SigningKeyRecord } from '../identity/directory/directory-store.js';
import { isKeyPublished } from '../identity/index.js';
import { PersistentMap } from '../shared/persistent-map.js';
import { compareSpecificity, compileUrlTemplate, type UrlTemplate } from './url-template.js';
import { NO_LIMITS, parseProductPolicy, type ProductLimits } from './policies/product-policy.js';

import type { SubscriptionEntry } from './subscription-keys.js';
export type { SubscriptionEntry } from './subscription-keys.js';

/**
 * Everything the request path needs, never mutated: built from the store in one pass at start (and
 * after a version gap), then replaced on every change event by a new snapshot that shares all it
 * did not change (snapshot-events.ts). Requests never touch the store, and a request that awaits
 * midway keeps reading the snapshot it started with.
 *
 * The high-volume parts change per event in O(changed rows): subscriptions in SubscriptionKeys (a
 * packed base table plus a persistent overlay), users and client applications in PersistentMaps;
 * the small parts (APIs, products, operations, signing keys) are plain structures rebuilt when they
 * change.
 */
export interface Snapshot {
  /** Change-feed version this snapshot reflects (read before the store was). */
  readonly version: number;
  /** Longest path first, so the first prefix match is the most specific API. */
  readonly apis: readonly ApiEntry[];
  readonly products: ReadonlyMap<string, ProductEntry>;
  /** Both keys of every subscription, by SHA-256 hex (get), and by id (for events). */
  readonly subscriptionsByKeyHash: SubscriptionKeys;
  /** By lower-cased user id (ids are case-insensitive): use userIsActive. */
  readonly userStates: PersistentMap<UserState>;
  readonly clientAppsByEntraId: PersistentMap<ClientAppEntry>;
  readonly signingKeys: SigningKeys;
  /** Backend origins in use, so pools of origins no longer referenced can be closed. */
  readonly backendOrigins: ReadonlySet<string>;
  /** What applying an event needs to find the entries a row had before it changed. */
  readonly index: SnapshotIndex;
}

export interface SnapshotIndex {
  /** Lower-cased client application id → its entry (found in clientAppsByEntraId by entraApplicationId). */
  readonly clientAppsById: PersistentMap<ClientAppEntry>;
  /** Directory appIds of products' backend applications (their app roles are the products' roles). */
  readonly backendAppIds: ReadonlySet<string>;
}

/** The subscription one of whose keys hashes (SHA-256 hex) to `keyHash`. Policies look up through these functions, not the maps. */
export function subscriptionByKeyHash(snapshot: Snapshot, keyHash: string): SubscriptionEntry | undefined {
  return snapshot.subscriptionsByKeyHash.get(keyHash);
}

/** The client application with this Entra client id (a token's `azp`). */
export function clientAppByEntraId(snapshot: Snapshot, entraApplicationId: string): ClientAppEntry | undefined {
  return snapshot.clientAppsByEntraId.get(entraApplicationId);
}

/** Whether the user (an owner id as stored on a subscription or client application) is active. */
export function userIsActive(snapshot: Snapshot, userId: string): boolean {
  return snapshot.userStates.get(userId.toLowerCase()) === 'active';
}

export interface ApiEntry {
  readonly id: string;
  readonly path: string;
  /** '/' + path in lower case; '' for an API at the root. */
  readonly prefix: string;
  readonly backend: Backend | undefined;
  readonly subscriptionRequired: boolean;
  readonly keyHeaderName: string;
  readonly keyHeaderLower: string;
  readonly keyQueryName: string;
  /** Upper-case method → operations, most specific template first. */
  readonly operations: ReadonlyMap<string, readonly OperationEntry[]>;
  /** Products holding this API. */
  readonly products: readonly ProductEntry[];
  /** What the access policies decide by, worked out from `products` once per build. */
  readonly access: ApiAccess;
}

/** Per-API facts of APIM's access rules (apim-reference §3.1), precomputed so requests do not scan products. */
export interface ApiAccess {
  /**
   * The open product calls without credentials run in (subscriptionRequired false). A product that
   * takes application tokens is never open: subscriptionRequired=false there must not turn the token
   * requirement off, not even while its backend app or role is missing.
   */
  readonly openProduct: ProductEntry | undefined;
  /** Products holding the API that accept tokens (application-token, audience and role set). */
  readonly tokenProducts: readonly ProductEntry[];
  /** Whether a key can be the right credential (no products, or one that takes keys). */
  readonly keysAccepted: boolean;
  /** Neither an open product nor the API itself needs credentials. */
  readonly credentialsRequired: boolean;
}

export interface Backend {
  readonly origin: string;
  /** host[:port], sent as the Host header to the backend. */
  readonly host: string;
  /** Path of the service URL without a trailing slash ('' for the root). */
  readonly basePath: string;
  /** Query of the service URL without '?', prepended to the caller's query ('' when none). */
  readonly query: string;
}

export interface OperationEntry {
  readonly id: string;
  readonly method: string;
  readonly template: UrlTemplate;
}

export interface ProductEntry {
  readonly id: string;
  readonly displayName: string;
  readonly subscriptionRequired: boolean;
  readonly state: ProductRecord['state'];
  /** authenticationType empty or containing 'subscription-key'. */
  readonly acceptsKeys: boolean;
  /** 'application-token' in authenticationType, usable or not: such a product is never open. */
  readonly tokenAuthentication: boolean;
  /** 'application-token' on, an audience set and an enabled role on the backend app. */
  readonly acceptsTokens: boolean;
  readonly audience: string | null;
  /** The enabled app role of the product's backend application in the directory; null when none. */
  readonly roleValue: string | null;
  /** Rate limit and quota from the product's policy (none when it has no policy). */
  readonly limits: ProductLimits;
}

export interface ClientAppEntry {
  readonly id: string;
  readonly entraApplicationId: string;
  readonly state: ClientApplicationState;
  readonly ownerId: string;
  readonly productIds: ReadonlySet<string>;
}

export interface SigningKeys {
  /** `kid:n` of every usable key; tells the token cache which verifications are still good. */
  readonly fingerprints: ReadonlySet<string>;
  /** Stable id of the whole set, to notice a change cheaply. */
  readonly id: string;
  /** kid → the public key; each request re-checks isKeyPublished, as time passes between snapshots. */
  readonly byKid: ReadonlyMap<string, PublicKeyEntry>;
}

export interface PublicKeyEntry {
  readonly key: CryptoKey;
  readonly fingerprint: string;
  readonly retiresAt: string | null;
}

export interface BuildOptions {
  /** Rows per page of the big tables (default 10,000). */
  readonly pageSize?: number;
  /** How often a progress line is logged while loading (LoadProgress; default 2 s). */
  readonly progress?: LoadProgressOptions;
}

const PAGE_SIZE = 10_000;

/**
 * The full build, at start and after a version gap. The big tables are read page by page in key
 * order (store.scans), keeping only what the request path needs as each page arrives, so the peak
 * is what the snapshot keeps plus one page, not every row of every table as records; repeated
 * strings (states, scopes, owners, product sets) are shared. Progress is logged while it runs.
 */
export async function buildSnapshot(store: Store, version: number, logger?: Logger, now: number = Date.now(), options: BuildOptions = {}): Promise<Snapshot> {
  const pageSize = options.pageSize ?? PAGE_SIZE;
  const progress = new LoadProgress(logger, 'gateway snapshot', options.progress);
  const scans = store.scans;
  const [catalog, signingKeys, subscriptionCount, userCount, clientAppCount] = await Promise.all([
    readCatalog(store, logger),
    store.directory.listSigningKeys(),
    scans.count('subscriptions'),
    scans.count('users'),
    scans.count('client_applications'),
  ]);
  const shared = new Interner();

  const subscriptions = new SubscriptionTableBuilder(subscriptionCount);
  for await (const page of scanPages(scans.subscriptionKeys.bind(scans), (r) => r.id, pageSize)) {
    for (const row of page) subscriptions.add(row);
    progress.step('subscriptions', subscriptions.added, subscriptionCount);
  }

  const userEntries: [string, UserState][] = [];
  for await (const page of scanPages(scans.userStates.bind(scans), (r) => r.id, pageSize)) {
    for (const user of page) userEntries.push([lowerCased(user.id), shared.string(user.state) as UserState]);
    progress.step('users', userEntries.length, userCount);
  }

  // Links first (one small row each), grouped by application, then each application takes its set.
  const productsByApp = new Map<string, string[]>();
  let links = 0;
  for await (const page of scanPages(scans.productLinks.bind(scans), (r) => r, pageSize)) {
    for (const link of page) {
      const key = lowerCased(link.clientApplicationId);
      const list = productsByApp.get(key);
      if (list) list.push(shared.string(link.productId));
      else productsByApp.set(key, [shared.string(link.productId)]);
    }
    links += page.length;
    progress.step('product links', links);
  }
  const clientAppEntries: ClientAppEntry[] = [];
  for await (const page of scanPages(scans.clientApplications.bind(scans), (r) => r.id, pageSize)) {
    for (const app of page) {
      clientAppEntries.push({
        id: app.id,
        entraApplicationId: app.entraApplicationId,
        state: shared.string(app.state) as ClientApplicationState,
        ownerId: shared.string(app.ownerId),
        productIds: shared.set(productsByApp.get(lowerCased(app.id)) ?? []),
      });
    }
    progress.step('client applications', clientAppEntries.length, clientAppCount);
  }
  productsByApp.clear();

  const snapshot: Snapshot = {
    version,
    apis: catalog.apis,
    products: catalog.products,
    subscriptionsByKeyHash: subscriptions.finish(),
    userStates: PersistentMap.from(userEntries),
    clientAppsByEntraId: PersistentMap.from(clientAppEntries.map((e) => [e.entraApplicationId, e] as const)),
    signingKeys: await buildSigningKeys(signingKeys, now, logger),
    backendOrigins: catalog.backendOrigins,
    index: {
      clientAppsById: PersistentMap.from(clientAppEntries.map((e) => [lowerCased(e.id), e] as const)),
      backendAppIds: catalog.backendAppIds,
    },
  };
  progress.done();
  return snapshot;
}

/**
 * The small, rarely changing part: APIs with their operations and products, products with their
 * backend applications' roles. Read whole (its size does not grow with subscriptions, users or
 * client applications) at a full build and after any product, API or operation event.
 */
export interface Catalog {
  readonly apis: readonly ApiEntry[];
  readonly products: ReadonlyMap<string, ProductEntry>;
  readonly backendOrigins: ReadonlySet<string>;
  readonly backendAppIds: ReadonlySet<string>;
}

export async function readCatalog(store: Store, logger?: Logger): Promise<Catalog> {
  const m = store.management;
  const [apis, operations, products, productApis, policies] = await Promise.all([
    m.listApis(),
    m.listOperations(),
    m.listProducts(),
    m.listProductApis({}),
    m.listProductPolicies(),
  ]);
  const limitsByProduct = new Map(policies.map((policy) => [policy.productId.toLowerCase(), productLimits(policy.productId, policy.value, logger)] as const));
  const backendAppIds = new Set(products.flatMap((p) => (p.entraApplicationId !== null ? [p.entraApplicationId] : [])));
  // One lookup per product's backend app, not every directory application (one per client app).
  const applications = await Promise.all([...backendAppIds].map((appId) => store.directory.getApplicationByAppId(appId)));

  // The role a token must carry is the one on the product's backend app in the directory, so renaming
  // a product later does not silently lock its clients out. The gateway does not derive it itself:
  // no backend app or no enabled role means the product takes no tokens.
  const roleByAppId = new Map<string, string>();
  for (const app of applications) {
    if (!app) continue;
    const role = app.appRoles.find((r) => r.isEnabled);
    if (role) roleByAppId.set(app.appId, role.value);
  }

  const productEntries = new Map<string, ProductEntry>(products.map((p) => [p.id, toProductEntry(p, roleByAppId, limitsByProduct.get(p.id.toLowerCase()) ?? NO_LIMITS, logger)]));
  const productsByApi = new Map<string, ProductEntry[]>();
  for (const link of productApis) {
    const product = productEntries.get(link.productId);
    if (!product) continue;
    const list = productsByApi.get(link.apiId) ?? [];
    list.push(product);
    productsByApi.set(link.apiId, list);
  }

  const operationsByApi = new Map<string, Map<string, OperationEntry[]>>();
  for (const op of operations) {
    const byMethod = operationsByApi.get(op.apiId) ?? new Map<string, OperationEntry[]>();
    const method = op.method.toUpperCase();
    const list = byMethod.get(method) ?? [];
    list.push({ id: op.id, method, template: compileUrlTemplate(op.urlTemplate) });
    byMethod.set(method, list);
    operationsByApi.set(op.apiId, byMethod);
  }
  for (const byMethod of operationsByApi.values()) {
    for (const list of byMethod.values()) list.sort((a, b) => compareSpecificity(a.template, b.template));
  }

  const backendOrigins = new Set<string>();
  const apiEntries = apis
    .map((api): ApiEntry => {
      const backend = parseServiceUrl(api, logger);
      if (backend) backendOrigins.add(backend.origin);
      const products = productsByApi.get(api.id) ?? [];
      return {
        id: api.id,
        path: api.path,
        prefix: api.path === '' ? '' : `/${api.path.toLowerCase()}`,
        backend,
        subscriptionRequired: api.subscriptionRequired,
        keyHeaderName: api.subscriptionKeyHeaderName || 'Ocp-Apim-Subscription-Key',
        keyHeaderLower: (api.subscriptionKeyHeaderName || 'Ocp-Apim-Subscription-Key').toLowerCase(),
        keyQueryName: api.subscriptionKeyQueryName || 'subscription-key',
        operations: operationsByApi.get(api.id) ?? new Map(),
        products,
        access: accessOf(api, products),
      };
    })
    .sort((a, b) => b.prefix.length - a.prefix.length);

  return { apis: apiEntries, products: productEntries, backendOrigins, backendAppIds };
}

function accessOf(api: ApiRecord, products: readonly ProductEntry[]): ApiAccess {
  const openProduct = products.find((p) => !p.subscriptionRequired && !p.tokenAuthentication);
  return {
    openProduct,
    tokenProducts: products.filter((p) => p.acceptsTokens),
    keysAccepted: products.length === 0 || products.some((p) => p.acceptsKeys),
    credentialsRequired: openProduct === undefined && api.subscriptionRequired,
  };
}

/** A stored policy the gateway cannot read (written by another version) limits nothing; said loudly. */
function productLimits(productId: string, document: string, logger: Logger | undefined): ProductLimits {
  try {
    return parseProductPolicy(document);
  } catch (error) {
    logger?.error({ productId, err: (error as Error).message }, "product's policy cannot be read; its limits are not enforced");
    return NO_LIMITS;
  }
}

/** What the snapshot keeps of a subscription (store.scans reads the same columns). */
export function toSubscriptionKeyRow(s: SubscriptionRecord): SubscriptionKeyRow {
  return {
    id: s.id,
    scope: s.scope,
    state: s.state,
    ownerId: s.ownerId,
    expirationDate: s.expirationDate ?? null,
    primaryKeyHash: s.primaryKeyHash,
    secondaryKeyHash: s.secondaryKeyHash,
  };
}

export function toClientAppEntry(app: ClientApplicationRecord, links: readonly ProductLinkRecord[]): ClientAppEntry {
  return {
    id: app.id,
    entraApplicationId: app.entraApplicationId,
    state: app.state,
    ownerId: app.ownerId,
    // Pending and rejected links grant nothing: the gateway treats the app as not linked to that product.
    productIds: new Set(links.filter((l) => linkGrantsAccess(l.state)).map((l) => l.productId)),
  };
}

function toProductEntry(p: ProductRecord, roleByAppId: ReadonlyMap<string, string>, limits: ProductLimits, logger: Logger | undefined): ProductEntry {
  const types = p.authenticationType;
  const tokenAuthentication = types.includes('application-token');
  const roleValue = (p.entraApplicationId !== null ? roleByAppId.get(p.entraApplicationId) : undefined) ?? null;
  if (tokenAuthentication && roleValue === null) {
    logger?.warn({ productId: p.id }, "product's backend application or its enabled app role is missing in the directory; the product accepts no tokens");
  }
  return {
    id: p.id,
    displayName: p.displayName,
    subscriptionRequired: p.subscriptionRequired,
    state: p.state,
    acceptsKeys: types.length === 0 || types.includes('subscription-key'),
    tokenAuthentication,
    acceptsTokens: tokenAuthentication && !!p.entraAudience && roleValue !== null,
    audience: p.entraAudience,
    roleValue,
    limits,
  };
}

function parseServiceUrl(api: ApiRecord, logger: Logger | undefined): Backend | undefined {
  if (!api.serviceUrl) return undefined;
  try {
    const url = new URL(api.serviceUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return { origin: url.origin, host: url.host, basePath: url.pathname.replace(/\/+$/, ''), query: url.search.replace(/^\?/, '') };
  } catch {
    logger?.warn({ apiId: api.id }, 'API serviceUrl is not a valid http(s) URL; requests to it fail with 500');
    return undefined;
  }
}

/** The published public RSA keys (identity's isKeyPublished), imported once. Private members are never copied. */
export async function buildSigningKeys(records: readonly SigningKeyRecord[], now: number, logger: Logger | undefined): Promise<SigningKeys> {
  const byKid = new Map<string, PublicKeyEntry>();
  for (const record of records) {
    if (!isKeyPublished(record, now)) continue;
    let jwk: JWK;
    try {
      jwk = JSON.parse(record.publicJwk) as JWK;
    } catch {
      logger?.warn({ kid: record.kid }, 'signing key has an unreadable public JWK; skipped');
      continue;
    }
    if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
      logger?.warn({ kid: record.kid }, 'signing key is not an RSA public JWK; skipped');
      continue;
    }
    let key: CryptoKey;
    try {
      key = (await importJWK({ kty: 'RSA', n: jwk.n, e: jwk.e }, 'RS256')) as CryptoKey;
    } catch {
      logger?.warn({ kid: record.kid }, 'signing key is not a usable RSA public key; skipped');
      continue;
    }
    byKid.set(record.kid, { key, fingerprint: `${record.kid}:${jwk.n}`, retiresAt: record.retiresAt });
  }
  const fingerprints = new Set([...byKid.values()].map((k) => k.fingerprint));
  return { fingerprints, id: [...fingerprints].sort().join('|'), byKid };
}
