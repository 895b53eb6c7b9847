import type { DirectoryStore } from '../identity/directory/directory-store.js';
import type { ManagementStore } from '../management/management-store.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { ScanStore } from './scan-store.js';
import type { ChangeEvent } from '../shared/change-events.js';

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

/** One quota counter as the gateway persists it: its count in the window that ends at resetsAt (ms since epoch). */
export interface QuotaCounterRecord {
  readonly key: string;
  readonly count: number;
  readonly resetsAt: number;
}

/** The gateway's quota counts, written a few seconds behind so they survive a restart. */
export interface QuotaCounterStore {
  /** Counters whose window ends after `notResetBefore`. */
  listQuotaCounters(notResetBefore: number): Promise<QuotaCounterRecord[]>;
  /**
   * Adds calls counted by one process (each record's `count` is the number of new calls) to the
   * stored counts: to the stored window while it runs (its end kept), or as a new window once the
   * stored one ended at or before `now`. Additive, so any number of processes and nodes may write.
   */
  addQuotaCounts(deltas: readonly QuotaCounterRecord[], now: number): Promise<void>;
  deleteQuotaCountersResetBefore(time: number): Promise<void>;
}

/**
 * Every announced write's event by version (migration 0015), written in the write's transaction by
 * a change feed that crosses processes (store/pg-change-feed.ts) and read back by every node.
 */
export interface ChangeLogStore {
  append(event: ChangeEvent): Promise<void>;
  /** Stored events above afterVersion, oldest first, at most limit. */
  since(afterVersion: number, limit: number): Promise<ChangeEvent[]>;
  /** PostgreSQL only: NOTIFY channel with payload, delivered when the current transaction commits. */
  notify(channel: string, payload: string): Promise<void>;
  /** Removes events stored before time (ISO-8601), except the newest one. Returns how many went. */
  pruneCreatedBefore(time: string): Promise<number>;
}

/** What a node reports about itself about every second (docs/operations.md, Nodes). */
export interface NodeHeartbeat {
  readonly nodeId: string;
  readonly roles: readonly string[];
  /** The config version every view of this node reflects. */
  readonly appliedVersion: number;
  readonly feedConnected: boolean;
  readonly host: string;
  readonly pid: number;
  /** ISO-8601. */
  readonly startedAt: string;
  readonly lastSeenAt: string;
}

export interface NodeHeartbeatStore {
  /** Upserts the node's row (started_at and host/pid are kept from the first beat). */
  beat(node: NodeHeartbeat): Promise<void>;
  /** Nodes whose last beat is at or after time (ISO-8601), by node id. */
  listSeenSince(time: string): Promise<NodeHeartbeat[]>;
  remove(nodeId: string): Promise<void>;
  removeNotSeenSince(time: string): Promise<number>;
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
  readonly quotaCounters: QuotaCounterStore;
  readonly changeLog: ChangeLogStore;
  readonly nodes: NodeHeartbeatStore;
  /** Whole tables page by page, for the full builds of the in-memory views. */
  readonly scans: ScanStore;
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * Runs task once the outermost transaction this store belongs to has committed (never when it
   * rolls back); that transaction's `transaction` call resolves only after its tasks ran, in order.
   * On a store outside any transaction the task runs at once. Change events are published this
   * way (store/change-unit.ts), so no listener sees a write before it is visible to other readers.
   */
  afterCommit(task: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}
