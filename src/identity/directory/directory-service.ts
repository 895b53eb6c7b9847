import type { ChangeFeed } from '../../shared/index.js';
import type { Store } from '../../store/store.js';
import { permissionCheckedClient } from './checked-client.js';
import type { DirectoryClient } from './directory-client.js';
import type { DirectoryContext } from './directory-context.js';
import { effectiveRoles } from './directory-role-assignments.js';
import { UncheckedDirectoryClient } from './unchecked-client.js';

export interface DirectoryServiceDeps {
  readonly store: Store;
  /** Receives publish('directory', objectId) after each committed write. */
  readonly feed: ChangeFeed;
  /** Client-secret validity in days (config.secretValidityDays). */
  readonly secretValidityDays: number;
  /** Clock, replaceable in tests. */
  readonly now?: () => Date;
}

/** The embedded directory. Callers act as a principal; only first-start bootstrap uses `system`. */
export class DirectoryService {
  /** Skips permission checks and may choose appIds and create managed identities. */
  readonly system: DirectoryClient;
  private readonly ctx: DirectoryContext;

  constructor(deps: DirectoryServiceDeps) {
    if (!Number.isFinite(deps.secretValidityDays) || deps.secretValidityDays <= 0) {
      throw new Error('secretValidityDays must be a positive number');
    }
    const base = { store: deps.store, feed: deps.feed, secretValidityDays: deps.secretValidityDays, now: deps.now ?? (() => new Date()) };
    this.ctx = { ...base, privileged: false };
    this.system = new UncheckedDirectoryClient({ ...base, privileged: true });
  }

  /** A client acting as this service principal, with its directory roles checked on every call. */
  forPrincipal(servicePrincipalId: string): DirectoryClient {
    return permissionCheckedClient(this.ctx, servicePrincipalId, new UncheckedDirectoryClient(this.ctx));
  }

  /**
   * The directory role ids a service principal holds now (none when it is unknown or disabled),
   * for checks outside the directory client such as who may rotate signing keys.
   */
  rolesOf(servicePrincipalId: string): Promise<ReadonlySet<string>> {
    return effectiveRoles(this.ctx, servicePrincipalId);
  }
}
