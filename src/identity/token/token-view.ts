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

/**
 * What the token endpoint reads of the directory, in memory and immutable: one request sees one
 * consistent state and never touches the store.
 */
export interface TokenDirectory {
  /** By appId, in any case. */
  application(appId: string): ApplicationRecord | undefined;
  /** By appId, in any case. */
  servicePrincipal(appId: string): ServicePrincipalRecord | undefined;
  /** The application's client secrets (digests), by application object id. */
  passwordCredentials(applicationId: string): readonly PasswordCredentialRecord[];
  /** The application's certificates (private_key_jwt), by application object id. */
  keyCredentials(applicationId: string): readonly KeyCredentialRecord[];
  /** Roles granted to a principal (service principal object id). */
  appRoleAssignments(principalId: string): readonly AppRoleAssignmentRecord[];
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
  readonly apps: PersistentMap<ApplicationRecord>;
  /** By object id (to find what to remove when an event names the object). */
  readonly appsById: PersistentMap<ApplicationRecord>;
  /** normaliseUri(identifier URI) → appId. */
  readonly uris: PersistentMap<string>;
  /** By lower-cased appId. */
  readonly sps: PersistentMap<ServicePrincipalRecord>;
  readonly spsById: PersistentMap<ServicePrincipalRecord>;
  /** By application object id. */
  readonly passwords: PersistentMap<readonly PasswordCredentialRecord[]>;
  readonly certificates: PersistentMap<readonly KeyCredentialRecord[]>;
  /** By principal (service principal object id). */
  readonly assignments: PersistentMap<readonly AppRoleAssignmentRecord[]>;
}

/** One immutable directory state over persistent maps. */
export class IndexedTokenDirectory implements TokenDirectory {
  constructor(readonly indexes: Indexes) {}

  application(appId: string): ApplicationRecord | undefined {
    return this.indexes.apps.get(appId.toLowerCase());
  }
  servicePrincipal(appId: string): ServicePrincipalRecord | undefined {
    return this.indexes.sps.get(appId.toLowerCase());
  }
  passwordCredentials(applicationId: string): readonly PasswordCredentialRecord[] {
    return this.indexes.passwords.get(applicationId) ?? NONE;
  }
  keyCredentials(applicationId: string): readonly KeyCredentialRecord[] {
    return this.indexes.certificates.get(applicationId) ?? NONE;
  }
  appRoleAssignments(principalId: string): readonly AppRoleAssignmentRecord[] {
    return this.indexes.assignments.get(principalId) ?? NONE;
  }
  appIdForIdentifierUri(uri: string): string | undefined {
    return this.indexes.uris.get(normaliseUri(uri));
  }
}

/** Reads everything the token endpoint needs in one pass (at start, and after a version gap). */
export async function loadTokenDirectory(store: Store): Promise<IndexedTokenDirectory> {
  const directory = store.directory;
  const [applications, servicePrincipals, credentials, certificates, assignments] = await Promise.all([
    directory.listApplications(),
    directory.listServicePrincipals(),
    directory.listAllPasswordCredentials(),
    directory.listAllKeyCredentials(),
    directory.listAppRoleAssignments({}),
  ]);
  return new IndexedTokenDirectory({
    apps: PersistentMap.from(applications.map((app) => [app.appId.toLowerCase(), app])),
    appsById: PersistentMap.from(applications.map((app) => [app.id, app])),
    uris: PersistentMap.from(applications.flatMap((app) => app.identifierUris.map((uri) => [normaliseUri(uri), app.appId] as const))),
    sps: PersistentMap.from(servicePrincipals.map((sp) => [sp.appId.toLowerCase(), sp])),
    spsById: PersistentMap.from(servicePrincipals.map((sp) => [sp.id, sp])),
    passwords: PersistentMap.from(groupBy(credentials, (c) => c.applicationId)),
    certificates: PersistentMap.from(groupBy(certificates, (c) => c.applicationId)),
    assignments: PersistentMap.from(groupBy(assignments, (a) => a.principalId)),
  });
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

  putApplication(app: ApplicationRecord, passwords: readonly PasswordCredentialRecord[], certificates: readonly KeyCredentialRecord[]): void {
    const x = this.indexes;
    x.apps = x.apps.set(app.appId.toLowerCase(), app);
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

  putServicePrincipal(sp: ServicePrincipalRecord): void {
    const x = this.indexes;
    x.sps = x.sps.set(sp.appId.toLowerCase(), sp);
    x.spsById = x.spsById.set(sp.id, sp);
  }

  setAssignments(principalId: string, assignments: readonly AppRoleAssignmentRecord[]): void {
    const x = this.indexes;
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
    this.load = options.load ?? loadTokenDirectory;
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

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
