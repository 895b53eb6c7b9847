/** The Store: one set of repositories over a Kysely instance, or over one open transaction. */
import type { DirectoryStore } from '../identity/directory/directory-store.js';
import type { ManagementStore } from '../management/management-store.js';
import { sqlRules, type DialectName } from './dialect.js';
import { DirectoryRepository } from './repos/directory-repository.js';
import { ManagementRepository } from './repos/management-repository.js';
import { SettingsRepository } from './repos/settings-repository.js';
import { ConfigVersionRepository } from './repos/config-version-repository.js';
import { AuditRepository } from './repos/audit-repository.js';
import type { AuditStore } from '../audit/audit-store.js';
import { QuotaCounterRepository } from './repos/quota-counter-repository.js';
import { ScanRepository } from './repos/scan-repository.js';
import { ChangeLogRepository } from './repos/change-log-repository.js';
import { NodeHeartbeatRepository } from './repos/node-heartbeat-repository.js';
import type { ScanStore } from './scan-store.js';
import type { Db } from './repos/support.js';
import type { ChangeLogStore, ConfigVersionStore, NodeHeartbeatStore, QuotaCounterStore, SettingsStore, Store } from './store.js';

export class KyselyStore implements Store {
  readonly directory: DirectoryStore;
  readonly management: ManagementStore;
  readonly settings: SettingsStore;
  readonly configVersion: ConfigVersionStore;
  readonly audit: AuditStore;
  readonly quotaCounters: QuotaCounterStore;
  readonly scans: ScanStore;
  readonly changeLog: ChangeLogStore;
  readonly nodes: NodeHeartbeatStore;

  constructor(
    readonly dialect: DialectName,
    private readonly db: Db,
    /** Released on close: the exclusive-use lock of a store opened with `exclusive`. */
    private readonly onClose: () => Promise<void> = async () => undefined,
    /** Tasks to run after the outermost transaction commits; set on transaction-bound stores only. */
    private readonly committed: (() => Promise<void>)[] | undefined = undefined,
  ) {
    this.directory = new DirectoryRepository(db, sqlRules(dialect));
    this.management = new ManagementRepository(db, sqlRules(dialect));
    this.settings = new SettingsRepository(db);
    this.configVersion = new ConfigVersionRepository(db);
    this.audit = new AuditRepository(db, sqlRules(dialect));
    this.quotaCounters = new QuotaCounterRepository(db);
    this.scans = new ScanRepository(db);
    this.changeLog = new ChangeLogRepository(db);
    this.nodes = new NodeHeartbeatRepository(db);
  }

  /** Inside a transaction, a nested call joins it: fn's writes commit with the outer ones. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return this.outermost(fn);
  }

  private async outermost<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    const committed: (() => Promise<void>)[] = [];
    const result = await this.db.transaction().execute((trx) => fn(new KyselyStore(this.dialect, trx, undefined, committed)));
    for (const task of committed) await task();
    return result;
  }

  async afterCommit(task: () => Promise<void>): Promise<void> {
    if (this.committed) this.committed.push(task);
    else await task();
  }

  /** Closing the transaction-bound store is a no-op; only the root store owns the connections. */
  async close(): Promise<void> {
    if (this.db.isTransaction) return;
    await this.db.destroy();
    await this.onClose();
  }
}
