import { touchesDirectory, type ChangeEvent } from '../../shared/index.js';
import type { Store } from '../../store/store.js';
import { normaliseUri } from '../directory/applications.js';
import type {
  AppRoleAssignmentRecord,
  ApplicationRecord,
  KeyCredentialRecord,
  PasswordCredentialRecord,
  ServicePrincipalRecord,
} from '../directory/directory-store.js';

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
 * once `changed` has returned for a write's change event (the feed awaits its listeners before the
 * write answers), `current()` reflects that write. A later implementation may apply events
 * incrementally; callers see only this interface.
 */
export interface TokenView {
  current(): TokenDirectory | Promise<TokenDirectory>;
  changed(event: ChangeEvent): void;
}

const NONE: readonly never[] = Object.freeze([]);

/** Reads everything the token endpoint needs in one pass. */
export async function loadTokenDirectory(store: Store): Promise<TokenDirectory> {
  const directory = store.directory;
  const [applications, servicePrincipals, credentials, certificates, assignments] = await Promise.all([
    directory.listApplications(),
    directory.listServicePrincipals(),
    directory.listAllPasswordCredentials(),
    directory.listAllKeyCredentials(),
    directory.listAppRoleAssignments({}),
  ]);
  const apps = new Map<string, ApplicationRecord>();
  const uris = new Map<string, string>();
  for (const app of applications) {
    apps.set(app.appId.toLowerCase(), app);
    for (const uri of app.identifierUris) uris.set(normaliseUri(uri), app.appId);
  }
  const sps = new Map(servicePrincipals.map((sp) => [sp.appId.toLowerCase(), sp]));
  const credentialsByApp = groupBy(credentials, (c) => c.applicationId);
  const certificatesByApp = groupBy(certificates, (c) => c.applicationId);
  const assignmentsByPrincipal = groupBy(assignments, (a) => a.principalId);
  return {
    application: (appId) => apps.get(appId.toLowerCase()),
    servicePrincipal: (appId) => sps.get(appId.toLowerCase()),
    passwordCredentials: (applicationId) => credentialsByApp.get(applicationId) ?? NONE,
    keyCredentials: (applicationId) => certificatesByApp.get(applicationId) ?? NONE,
    appRoleAssignments: (principalId) => assignmentsByPrincipal.get(principalId) ?? NONE,
    appIdForIdentifierUri: (uri) => uris.get(normaliseUri(uri)),
  };
}

/**
 * The simplest TokenView: a directory event drops the whole view and the next token request
 * rebuilds it (concurrent requests share one rebuild). Dropping is synchronous inside the feed's
 * publish, so it happens before the write answers. A rebuild already running when the event came
 * is not installed (it may have read the store before the write committed), and a request that
 * arrives after the event starts a fresh one. Dropping rather than rebuilding at once means a
 * burst of writes costs one rebuild, paid by the next token request.
 */
export class RebuildingTokenView implements TokenView {
  private directory: TokenDirectory | undefined;
  private generation = 0;
  private building: { readonly generation: number; readonly promise: Promise<TokenDirectory> } | undefined;

  constructor(private readonly load: () => Promise<TokenDirectory>) {}

  current(): TokenDirectory | Promise<TokenDirectory> {
    if (this.directory) return this.directory;
    if (this.building?.generation === this.generation) return this.building.promise;
    const generation = this.generation;
    const promise = this.load()
      .then((directory) => {
        if (this.generation === generation) this.directory = directory;
        return directory;
      })
      .finally(() => {
        if (this.building?.generation === generation) this.building = undefined;
      });
    this.building = { generation, promise };
    return promise;
  }

  changed(event: ChangeEvent): void {
    if (!touchesDirectory(event)) return;
    this.generation++;
    this.directory = undefined;
  }
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
