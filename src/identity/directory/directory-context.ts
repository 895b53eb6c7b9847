import type { Store } from '../../store/store.js';
import type { ChangeFeed } from '../../shared/index.js';

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
 * Runs a multi-row write in one transaction, then announces it once (the id lists every changed
 * object): each event makes the gateway rebuild its snapshot, so one per object would repeat work.
 */
export async function commit<T>(ctx: DirectoryContext, write: (tx: Store) => Promise<{ result: T; changed: readonly string[] }>): Promise<T> {
  const { result, changed } = await ctx.store.transaction(write);
  if (changed.length > 0) await ctx.feed.publish('directory', [...new Set(changed)].join(','));
  return result;
}

export const isoNow = (ctx: DirectoryContext): string => ctx.now().toISOString();
