import type { DirectoryStore } from '../identity/directory/directory-store.js';
import type { ManagementStore } from '../management/management-store.js';
import type { AuditStore } from '../audit/audit-store.js';

/** Small string settings: bootstrap markers, instance identifiers. */
export interface SettingsStore {
  getSetting(key: string): Promise<string | undefined>;
  putSetting(key: string, value: string): Promise<void>;
}

/**
 * The configuration version: increases by one with every announced write, in that write's
 * transaction (store/change-unit.ts), so change events carry a number that survives a restart.
 */
export interface ConfigVersionStore {
  current(): Promise<number>;
  /** Adds one and returns the new version. Call it inside the write's transaction. */
  bump(): Promise<number>;
}

/**
 * Everything durable. `transaction` runs fn with a Store whose writes commit together or not at all.
 * Inside fn, a failed statement (e.g. STORE_CONFLICT) aborts the transaction on every dialect, as
 * PostgreSQL does: later statements and the commit fail. Let the error end fn; do not catch and go on.
 * A nested `transaction` call on the tx store joins the outer transaction.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly directory: DirectoryStore;
  readonly management: ManagementStore;
  readonly settings: SettingsStore;
  readonly configVersion: ConfigVersionStore;
  /** The append-only audit log (migration 0011). */
  readonly audit: AuditStore;
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
