import type { Store } from '../../store/store.js';
import type { ChangeFeed } from '../../shared/index.js';
import { commitChange, type Change } from '../../store/change-unit.js';

/** What every directory operation needs. `store` may be a transaction's Store. */
export interface DirectoryContext {
  readonly store: Store;
  readonly feed: ChangeFeed;
  readonly secretValidityDays: number;
  readonly now: () => Date;
  /** true only for the system client: may choose appIds and create managed identities. */
  readonly privileged: boolean;
}

/**
 * Runs a multi-row write in one transaction that also bumps the config version, then announces it
 * with one typed event (none when nothing changed). Inside a management write's unit of work the
 * event is absorbed into that write's own (store/change-unit.ts).
 */
export function commit<T>(ctx: DirectoryContext, write: (tx: Store) => Promise<Change<T>>): Promise<T> {
  return commitChange(ctx, write);
}

export const isoNow = (ctx: DirectoryContext): string => ctx.now().toISOString();
