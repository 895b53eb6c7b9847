import type { ChangeEvent } from '../../shared/index.js';
import type { ClientApplicationIds } from '../../shared/change-events.js';
import type { Store } from '../../store/store.js';
import { normaliseUri } from '../directory/applications.js';
import type {
  AppRoleAssignmentRecord,
  ApplicationRecord,
  KeyCredentialRecord,
  PasswordCredentialRecord,
  ServicePrincipalRecord,
} from '../directory/directory-store.js';
import { PersistentMap } from '../../shared/persistent-map.js';
import { Interner, lowerCased } from '../../shared/interning.js';
import { LoadProgress, type LoadProgressOptions } from '../../shared/load-progress.js';
import { scanPages, type AppRoleAssignmentScanRow } from '../../store/scan-store.js';
import type { Logger } from 'pino';

/**
 * What the token endpoint keeps of each directory object: the fields its steps read (and, for an
 * application, its identifier URIs and requiredResourceAccess, which tell what to remove when it
 * changes). Descriptions, display names of principals, creation times are left in the store: at
 * 100,000 client applications they were most of the view.
 */
export type TokenApplication = Pick<ApplicationRecord, 'id' | 'appId' | 'displayName' | 'identifierUris' | 'appRoles' | 'requiredResourceAccess'>;
export type TokenServicePrincipal = Pick<ServicePrincipalRecord, 'id' | 'appId' | 'accountEnabled' | 'appRoleAssignmentRequired'>;
export type TokenAppRoleAssignment = Pick<AppRoleAssignmentRecord, 'id' | 'principalId' | 'resourceId' | 'appRoleId'>;
export type TokenPasswordCredential = Pick<PasswordCredentialRecord, 'keyId' | 'secretHash' | 'startDateTime' | 'endDateTime'>;

/**
 * What the token endpoint reads of the directory, in memory and immutable: one request sees one
 * consistent state and never touches the store.
 */
export interface TokenDirectory {
  /** By appId, in any case. */
  application(appId: string): TokenApplication | undefined;
  /** By appId, in any case. */
  servicePrincipal(appId: string): TokenServicePrincipal | undefined;
  /** The application's client secrets (digests), by application object id. */
  passwordCredentials(applicationId: string): readonly TokenPasswordCredential[];
  /** The application's certificates (private_key_jwt), by application object id. */
  keyCredentials(applicationId: string): readonly KeyCredentialRecord[];
  /** Roles granted to a principal (service principal object id). */
  appRoleAssignments(principalId: string): readonly TokenAppRoleAssignment[];
  /** The appId an identifier URI names (matched as normaliseUri does: case, trailing slashes). */
  appIdForIdentifierUri(uri: string): string | undefined;
}

/**
 * Keeps a TokenDirectory current from the change feed. The contract the token endpoint relies on:
 * once the promise `changed` returns has resolved for a write's change event (the feed awaits its
 * listeners before the write answers), `current()` reflects that write. `changed` never rejects:
 * a failure drops the view and the next request loads it again.
 */
export interface TokenView {
  current(): TokenDirectory | Promise<TokenDirectory>;
  changed(event: ChangeEvent): Promise<void>;
}

const NONE: readonly never[] = Object.freeze([]);

/** Every index of one directory state; each map is persistent, so a new state shares the untouched parts. */
interface Indexes {
  /** By lower-cased appId. */
  readonly apps: PersistentMap<TokenApplication>;
  /** By object id (to find what to remove when an event names the object). */
  readonly appsById: PersistentMap<TokenApplication>;
  /** normaliseUri(identifier URI) → appId. */
  readonly uris: PersistentMap<string>;
  /** By lower-cased appId. */
  readonly sps: PersistentMap<TokenServicePrincipal>;
  readonly spsById: PersistentMap<TokenServicePrincipal>;
  /** By application object id. */
  readonly passwords: PersistentMap<readonly TokenPasswordCredential[]>;
  readonly certificates: PersistentMap<readonly KeyCredentialRecord[]>;
  /** By principal (service principal object id). */
  readonly assignments: PersistentMap<readonly TokenAppRoleAssignment[]>;
}

/** One immutable directory state over persistent maps. */
export class IndexedTokenDirectory implements TokenDirectory {
  constructor(readonly indexes: Indexes) {}

  application(appId: string): TokenApplication | undefined {
    return this.indexes.apps.get(appId.toLowerCase());
  }
  servicePrincipal(appId: string): TokenServicePrincipal | undefined {
    return this.indexes.sps.get(appId.toLowerCase());
  }
  passwordCredentials(applicationId: string): readonly TokenPasswordCredential[] {
    return this.indexes.passwords.get(applicationId) ?? NONE;
  }
  keyCredentials(applicationId: string): readonly KeyCredentialRecord[] {
    return this.indexes.certificates.get(applicationId) ?? NONE;
  }
  appRoleAssignments(principalId: string): readonly TokenAppRoleAssignment[] {
    return this.indexes.assignments.get(principalId) ?? NONE;
  }
  appIdForIdentifierUri(uri: string): string | undefined {
    return this.indexes.uris.get(normaliseUri(uri));
  }
}

export interface LoadOptions {
  /** Rows per page (default 10,000). */
  readonly pageSize?: number;
  /** Progress lines while loading (LoadProgress), when a logger is given. */
  readonly logger?: Logger;
  readonly progress?: LoadProgressOptions;
}

const PAGE_SIZE = 10_000;

/**
 * Reads everything the token endpoint needs (at start, and after a version gap), each table page
 * by page in key order (store.scans), keeping only the Token* fields of each row as it arrives and
 * one copy of repeated values (display names, role lists, the resource every client is granted).
 */
export async function loadTokenDirectory(store: Store, options: LoadOptions = {}): Promise<IndexedTokenDirectory> {
  const scans = store.scans;
  const pageSize = options.pageSize ?? PAGE_SIZE;
  const progress = new LoadProgress(options.logger, 'token endpoint directory', options.progress);
  const shared = new Interner();
  const [appCount, spCount, assignmentCount] = await Promise.all([scans.count('applications'), scans.count('service_principals'), scans.count('app_role_assignments')]);

  const applications: TokenApplication[] = [];
  for await (const page of scanPages(scans.applications.bind(scans), (a) => a.id, pageSize)) {
    for (const app of page) applications.push(tokenApplication(app, shared));
    progress.step('applications', applications.length, appCount);
  }
  const servicePrincipals: TokenServicePrincipal[] = [];
  for await (const page of scanPages(scans.servicePrincipals.bind(scans), (sp) => sp.id, pageSize)) {
    for (const sp of page) servicePrincipals.push(tokenServicePrincipal(sp, shared));
    progress.step('service principals', servicePrincipals.length, spCount);
  }
  // Each principal's grants, an application's secrets and certificates are kept in the order the
  // repositories list them (creation, then id), as an event's re-read puts them.
  const grantRows = new Map<string, AppRoleAssignmentScanRow[]>();
  let assignmentsRead = 0;
  for await (const page of scanPages(scans.appRoleAssignments.bind(scans), (a) => a.id, pageSize)) {
    for (const a of page) addTo(grantRows, a.principalId, a);
    assignmentsRead += page.length;
    progress.step('app role assignments', assignmentsRead, assignmentCount);
  }
  const assignments = new Map<string, TokenAppRoleAssignment[]>();
  for (const [principalId, rows] of grantRows) {
    sortBy(rows, (a) => a.createdDateTime, (a) => a.id);
    assignments.set(shared.string(principalId), rows.map((a) => tokenAppRoleAssignment(a, shared)));
  }
  grantRows.clear();
  const passwords = new Map<string, TokenPasswordCredential[]>();
  for await (const page of scanPages(scans.passwordCredentials.bind(scans), (c) => c.keyId, pageSize)) {
    for (const c of page) addTo(passwords, shared.string(c.applicationId), tokenPasswordCredential(c));
  }
  for (const list of passwords.values()) sortBy(list, (c) => c.startDateTime, (c) => c.keyId);
  const certificates = new Map<string, KeyCredentialRecord[]>();
  for await (const page of scanPages(scans.keyCredentials.bind(scans), (c) => c.keyId, pageSize)) {
    for (const c of page) addTo(certificates, shared.string(c.applicationId), c);
  }
  for (const list of certificates.values()) sortBy(list, (c) => c.createdDateTime, (c) => c.keyId);

  const directory = new IndexedTokenDirectory({
    apps: PersistentMap.from(applications.map((app) => [lowerCased(app.appId), app])),
    appsById: PersistentMap.from(applications.map((app) => [app.id, app])),
    uris: PersistentMap.from(applications.flatMap((app) => app.identifierUris.map((uri) => [sameIfEqual(normaliseUri(uri), uri), app.appId] as const))),
    sps: PersistentMap.from(servicePrincipals.map((sp) => [lowerCased(sp.appId), sp])),
    spsById: PersistentMap.from(servicePrincipals.map((sp) => [sp.id, sp])),
    passwords: PersistentMap.from(passwords),
    certificates: PersistentMap.from(certificates),
    assignments: PersistentMap.from(assignments),
  });
  progress.done();
  return directory;
}

/** The fields of an application the view keeps; with an Interner, repeated values are shared. */
export function tokenApplication(app: TokenApplication, shared?: Interner): TokenApplication {
  return {
    id: shared ? shared.string(app.id) : app.id,
    appId: shared ? shared.string(app.appId) : app.appId,
    displayName: shared ? shared.string(app.displayName) : app.displayName,
    identifierUris: app.identifierUris,
    appRoles: shared ? shared.value(app.appRoles) : app.appRoles,
    requiredResourceAccess: shared ? shared.value(app.requiredResourceAccess) : app.requiredResourceAccess,
  };
}

function tokenServicePrincipal(sp: TokenServicePrincipal, shared?: Interner): TokenServicePrincipal {
  return { id: shared ? shared.string(sp.id) : sp.id, appId: shared ? shared.string(sp.appId) : sp.appId, accountEnabled: sp.accountEnabled, appRoleAssignmentRequired: sp.appRoleAssignmentRequired };
}

function tokenAppRoleAssignment(a: TokenAppRoleAssignment, shared?: Interner): TokenAppRoleAssignment {
  return {
    id: a.id,
    principalId: shared ? shared.string(a.principalId) : a.principalId,
    resourceId: shared ? shared.string(a.resourceId) : a.resourceId,
    appRoleId: shared ? shared.string(a.appRoleId) : a.appRoleId,
  };
}

function tokenPasswordCredential(c: TokenPasswordCredential): TokenPasswordCredential {
  return { keyId: c.keyId, secretHash: c.secretHash, startDateTime: c.startDateTime, endDateTime: c.endDateTime };
}

/** Sorts in place by the keys in turn, comparing code units (as the repositories' sortBy does). */
function sortBy<T>(items: T[], ...keys: ((item: T) => string)[]): void {
  items.sort((x, y) => {
    for (const key of keys) {
      const a = key(x);
      const b = key(y);
      if (a !== b) return a < b ? -1 : 1;
    }
    return 0;
  });
}

/** `value`, or `original` when they are equal: one string instead of two. */
function sameIfEqual(value: string, original: string): string {
  return value === original ? original : value;
}

function addTo<T>(groups: Map<string, T[]>, key: string, item: T): void {
  const group = groups.get(key);
  if (group) group.push(item);
  else groups.set(key, [item]);
}

/** The next state being assembled from one event: replaces whole entries, never touches the previous state. */
class DirectoryEdit {
  private indexes: { -readonly [K in keyof Indexes]: Indexes[K] };

  constructor(from: IndexedTokenDirectory) {
    this.indexes = { ...from.indexes };
  }

  get state(): Indexes {
    return this.indexes;
  }

  done(): IndexedTokenDirectory {
    return new IndexedTokenDirectory({ ...this.indexes });
  }

  removeApplication(objectId: string): void {
    const x = this.indexes;
    const old = x.appsById.get(objectId);
    if (old) {
      const key = old.appId.toLowerCase();
      if (x.apps.get(key)?.id === objectId) x.apps = x.apps.delete(key);
      for (const uri of old.identifierUris) {
        const normalised = normaliseUri(uri);
        if (x.uris.get(normalised) === old.appId) x.uris = x.uris.delete(normalised);
      }
      x.appsById = x.appsById.delete(objectId);
    }
    x.passwords = x.passwords.delete(objectId);
    x.certificates = x.certificates.delete(objectId);
  }

  putApplication(record: ApplicationRecord, passwordRecords: readonly PasswordCredentialRecord[], certificates: readonly KeyCredentialRecord[]): void {
    const x = this.indexes;
    const app = tokenApplication(record);
    const passwords = passwordRecords.map(tokenPasswordCredential);
    x.apps = x.apps.set(lowerCased(app.appId), app);
    x.appsById = x.appsById.set(app.id, app);
    for (const uri of app.identifierUris) x.uris = x.uris.set(normaliseUri(uri), app.appId);
    if (passwords.length > 0) x.passwords = x.passwords.set(app.id, passwords);
    if (certificates.length > 0) x.certificates = x.certificates.set(app.id, certificates);
  }

  removeServicePrincipal(id: string): void {
    const x = this.indexes;
    const old = x.spsById.get(id);
    if (old) {
      const key = old.appId.toLowerCase();
      if (x.sps.get(key)?.id === id) x.sps = x.sps.delete(key);
      x.spsById = x.spsById.delete(id);
    }
  }

  putServicePrincipal(record: ServicePrincipalRecord): void {
    const x = this.indexes;
    const sp = tokenServicePrincipal(record);
    x.sps = x.sps.set(lowerCased(sp.appId), sp);
    x.spsById = x.spsById.set(sp.id, sp);
  }

  setAssignments(principalId: string, records: readonly AppRoleAssignmentRecord[]): void {
    const x = this.indexes;
    const assignments = records.map((a) => tokenAppRoleAssignment(a));
    x.assignments = assignments.length > 0 ? x.assignments.set(principalId, assignments) : x.assignments.delete(principalId);
  }
}

/**
 * Re-reads the rows one directory object owns, by key, and puts them in the edit. A handful of
 * statements per object, whatever the size of the directory.
 */
class Refresher {
  constructor(
    private readonly store: Store,
    readonly edit: DirectoryEdit,
  ) {}

  /** An application, its client secrets and certificates (by its object id). */
  async application(objectId: string): Promise<void> {
    const directory = this.store.directory;
    const [app, passwords, certificates] = await Promise.all([
      directory.getApplication(objectId),
      directory.listPasswordCredentials(objectId),
      directory.listKeyCredentials(objectId),
    ]);
    this.edit.removeApplication(objectId);
    if (app) this.edit.putApplication(app, passwords, certificates);
  }

  async applicationByAppId(appId: string): Promise<void> {
    const app = await this.store.directory.getApplicationByAppId(appId);
    const old = this.edit.state.apps.get(appId.toLowerCase());
    if (old && old.id !== app?.id) this.edit.removeApplication(old.id);
    if (app) await this.application(app.id);
  }

  /** A service principal and the roles granted to it. */
  async servicePrincipal(id: string): Promise<void> {
    const directory = this.store.directory;
    const [sp, assignments] = await Promise.all([directory.getServicePrincipal(id), directory.listAppRoleAssignments({ principalId: id })]);
    this.edit.removeServicePrincipal(id);
    if (sp) this.edit.putServicePrincipal(sp);
    this.edit.setAssignments(id, assignments);
  }

  async servicePrincipalByAppId(appId: string): Promise<void> {
    const sp = await this.store.directory.getServicePrincipalByAppId(appId);
    const old = this.edit.state.sps.get(appId.toLowerCase());
    if (old && old.id !== sp?.id) {
      this.edit.removeServicePrincipal(old.id);
      this.edit.setAssignments(old.id, NONE);
    }
    if (sp) await this.servicePrincipal(sp.id);
  }

  async assignments(principalId: string): Promise<void> {
    this.edit.setAssignments(principalId, await this.store.directory.listAppRoleAssignments({ principalId }));
  }

  /** An object id of unknown kind (an event's changedObjectIds): an application or a service principal, if either. */
  async object(id: string): Promise<void> {
    const directory = this.store.directory;
    const [app, sp] = await Promise.all([directory.getApplication(id), directory.getServicePrincipal(id)]);
    const known = this.edit.state.appsById.get(id);
    if (app || known) {
      await this.application(id);
      // An application named because its requiredResourceAccess followed a grant or a deleted
      // resource: its principal's role grants changed with it.
      await this.servicePrincipalByAppId((app ?? known)!.appId);
    }
    if (sp || this.edit.state.spsById.has(id)) await this.servicePrincipal(id);
    // Anything else (an assignment id) is covered by the principal the same event names.
  }
}

/**
 * What the event names, re-read into the edit; 'rebuild' when the event does not say precisely
 * what changed. One edge stays approximate: a client's role grants on a resource deleted with its
 * service principal, when the event does not name the client, may stay in the client's list until
 * the client next changes. Harmless: a token request keeps only assignments on the resource's
 * current service principal, and object ids are never reused.
 */
async function applyEvent(refresh: Refresher, event: ChangeEvent, store: Store): Promise<'applied' | 'rebuild'> {
  switch (event.type) {
    case 'application.created':
    case 'application.deleted':
      await refresh.application(event.applicationObjectId);
      await refresh.servicePrincipalByAppId(event.appId);
      for (const id of unique(event.changedObjectIds, [event.applicationObjectId])) await refresh.object(id);
      return 'applied';
    case 'application.credentialAdded':
    case 'application.credentialRemoved':
    case 'application.keyCredentialsChanged':
      await refresh.application(event.applicationObjectId);
      return 'applied';
    case 'servicePrincipal.created':
      await refresh.servicePrincipal(event.servicePrincipalId);
      return 'applied';
    case 'appRoleAssignment.created':
    case 'appRoleAssignment.deleted':
      await refresh.assignments(event.principalId);
      for (const id of unique(event.changedObjectIds, [event.assignmentId, event.principalId])) await refresh.object(id);
      return 'applied';
    case 'clientApplication.created':
    case 'clientApplication.updated':
    case 'clientApplication.deleted':
    case 'productLink.created':
    case 'productLink.deleted':
    case 'productLink.approved':
    case 'productLink.rejected':
      await refreshClient(refresh, event);
      return 'applied';
    case 'batch.imported':
      for (const app of event.clientApplications) await refreshClient(refresh, app);
      return 'applied';
    case 'product.created':
    case 'product.updated': {
      // Turning application-token on creates the product's backend app and its principal.
      const product = await store.management.getProduct(event.productId);
      if (product?.entraApplicationId) {
        await refresh.applicationByAppId(product.entraApplicationId);
        await refresh.servicePrincipalByAppId(product.entraApplicationId);
      }
      return 'applied';
    }
    case 'product.deleted':
      // Its backend app and principal went with it (their grants too): they leave the view.
      if (event.entraApplicationId) {
        await refresh.applicationByAppId(event.entraApplicationId);
        await refresh.servicePrincipalByAppId(event.entraApplicationId);
      }
      return 'applied';
    case 'directory.changed': // a unit of work that failed part-way: the ids are a hint, not a promise
      return 'rebuild';
    default:
      // APIs, operations, subscriptions, users, signing keys, product–API links and directory roles:
      // nothing the token endpoint reads.
      return 'applied';
  }
}

/** A client application's app registration (requiredResourceAccess follows links), its principal and role grants. */
async function refreshClient(refresh: Refresher, ids: ClientApplicationIds): Promise<void> {
  if (ids.entraObjectId) await refresh.application(ids.entraObjectId);
  else if (ids.entraApplicationId) await refresh.applicationByAppId(ids.entraApplicationId);
  if (ids.entraServicePrincipalId) await refresh.servicePrincipal(ids.entraServicePrincipalId);
  else if (ids.entraApplicationId) await refresh.servicePrincipalByAppId(ids.entraApplicationId);
}

export interface IncrementalTokenViewOptions {
  /** The full load; replaceable so tests can count loads. */
  readonly load?: (store: Store) => Promise<IndexedTokenDirectory>;
  /** Where the default full load reports its progress. */
  readonly logger?: Logger;
}

/**
 * The token endpoint's view, kept current event by event. A full load at start (and whenever no
 * view is held); then each event re-reads only the rows it names, by key, and swaps in a new
 * immutable directory that shares every untouched entry (persistent maps), so a write costs the
 * same whatever the size of the directory. The view remembers the config version it reflects: an
 * event above last + 1 means this process missed one, and the view is rebuilt from the store (as
 * for an event that does not say precisely what changed); any other event is applied. Loads and
 * events run one at a time, in arrival order, so a load that read the store before a write is
 * never installed after that write's event.
 */
export class IncrementalTokenView implements TokenView {
  private state: { readonly directory: IndexedTokenDirectory; readonly version: number } | undefined;
  private loading: Promise<TokenDirectory> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly load: (store: Store) => Promise<IndexedTokenDirectory>;

  constructor(
    private readonly store: Store,
    options: IncrementalTokenViewOptions = {},
  ) {
    const logger = options.logger;
    this.load = options.load ?? ((store) => loadTokenDirectory(store, logger ? { logger } : {}));
  }

  /** The config version the view reflects (undefined before the first load). */
  get version(): number | undefined {
    return this.state?.version;
  }

  current(): TokenDirectory | Promise<TokenDirectory> {
    if (this.state) return this.state.directory;
    this.loading ??= this.serially(async () => {
      if (!this.state) await this.rebuild();
      return this.state!.directory;
    }).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  changed(event: ChangeEvent): Promise<void> {
    return this.serially(() => this.apply(event)).catch(() => {
      // apply dropped the view; the next token request loads it again (and reports a store failure).
    });
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(event: ChangeEvent): Promise<void> {
    const state = this.state;
    if (!state) return; // no view yet: the next request loads the store as it is now
    if (event.version > state.version + 1) return this.rebuild(event.version); // missed an event
    try {
      const refresh = new Refresher(this.store, new DirectoryEdit(state.directory));
      if ((await applyEvent(refresh, event, this.store)) === 'rebuild') return await this.rebuild(event.version);
      this.state = { directory: refresh.edit.done(), version: Math.max(state.version, event.version) };
    } catch (error) {
      this.state = undefined;
      throw error;
    }
  }

  /**
   * Reads the version first: whatever the tables show is at least that version. An event at or
   * below the view's version (delivered late, or already in a load) is applied again rather than
   * skipped: re-reading rows by key is idempotent and cheap, and skipping would trust the version
   * more than the rows.
   */
  private async rebuild(atLeast = 0): Promise<void> {
    try {
      const version = await this.store.configVersion.current();
      const directory = await this.load(this.store);
      this.state = { directory, version: Math.max(version, atLeast) };
    } catch (error) {
      this.state = undefined;
      throw error;
    }
  }
}

function unique(ids: readonly string[], except: readonly string[]): string[] {
  const skip = new Set(except);
  return [...new Set(ids)].filter((id) => !skip.has(id));
}
