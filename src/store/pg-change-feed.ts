/**
 * The change feed across processes, on PostgreSQL (docs/events.md, "Across processes").
 *
 * Writing: inside the write's transaction, after the version bump, the event is stored in
 * change_events and `pg_notify('portico_changes', '<version>')` is sent. PostgreSQL delivers a
 * notification only when its transaction commits, so none is announced before commit and none that
 * committed is lost; and since the version bump locks the one config_version row until commit,
 * writes commit in version order. The payload is the version only: NOTIFY stops at 8000 bytes and
 * a bulk import's event can be larger, so every node reads the events themselves from the table.
 *
 * Reading: a dedicated connection LISTENs. Whatever wakes the feed (a notification, this process's
 * own write, the periodic version check, a reconnect) only raises the version to reach; one loop
 * then delivers the stored events above the applied version, in order, to every listener, and
 * `publish` (this process's own write) resolves once its event has been applied here, as the
 * in-process feed does. When the connection drops, it reconnects with doubling delays; on every
 * (re)connect it reads the stored config version, so a node that missed notifications catches up
 * event by event while the events are still stored, and through its views' full rebuild (a version
 * gap) when they have been pruned.
 */
import pg from 'pg';
import type { ChangeEvent } from '../shared/change-events.js';
import type { ChangeFeedLog, ChangeListener, FeedHealth } from '../shared/change-feed.js';
import type { RecordingChangeFeed } from './change-unit.js';
import type { Store } from './store.js';

export const CHANGE_CHANNEL = 'portico_changes';

export interface PgChangeFeedLog extends ChangeFeedLog {
  warn(context: Record<string, unknown>, message: string): void;
  info(context: Record<string, unknown>, message: string): void;
}

export interface PgChangeFeedOptions {
  readonly databaseUrl: string;
  /** Reads the stored version and the stored events. */
  readonly store: Store;
  readonly log: PgChangeFeedLog;
  /** How often the stored version is compared with the applied one, in case a notification was lost (ms). */
  readonly checkIntervalMs?: number;
  /** First and longest delay between reconnection attempts (ms). */
  readonly reconnectDelayMs?: { readonly first: number; readonly max: number };
}

/** Events read per statement while catching up. */
const BATCH = 500;
const DEFAULT_CHECK_INTERVAL_MS = 1_000;
const DEFAULT_RECONNECT_DELAY_MS = { first: 100, max: 2_000 };
/** After a failed read of the stored events, wait this long before trying again (ms). */
const RETRY_READ_MS = 250;

export class PgChangeFeed implements RecordingChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  /** The version every listener has been given (and awaited). */
  private applied: number;
  /** The highest version known to be committed: what the delivery loop works towards. */
  private target: number;
  /** Events this process wrote itself, waiting to be delivered (spares reading them back). */
  private readonly own = new Map<number, ChangeEvent>();
  private readonly waiters: { version: number; resolve: () => void }[] = [];
  private pumping = false;
  private client: pg.Client | undefined;
  private connectedNow = false;
  private disconnectedAt: number | undefined;
  /** Since when target > applied (undefined when caught up). */
  private behindSince: number | undefined;
  private closed = false;
  private reconnectDelay: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: PgChangeFeedOptions,
    startVersion: number,
  ) {
    this.applied = startVersion;
    this.target = startVersion;
    this.reconnectDelay = (options.reconnectDelayMs ?? DEFAULT_RECONNECT_DELAY_MS).first;
  }

  /** Starts at the stored version, listening; fails when the first connection cannot be made. */
  static async start(options: PgChangeFeedOptions): Promise<PgChangeFeed> {
    const feed = new PgChangeFeed(options, 0);
    await feed.connect(); // LISTEN first, then read the version: nothing committed in between is missed
    const version = await options.store.configVersion.current();
    feed.applied = version;
    feed.target = Math.max(feed.target, version);
    feed.checkTimer = setInterval(() => void feed.checkVersion(), options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS);
    feed.checkTimer.unref();
    return feed;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get currentVersion(): number {
    return this.applied;
  }

  /** Inside the write's transaction: stored with it, announced when it commits. */
  async record(tx: Store, event: ChangeEvent): Promise<void> {
    await tx.changeLog.append(event);
    await tx.changeLog.notify(CHANGE_CHANNEL, String(event.version));
  }

  /** This process's own committed write: resolves once every listener here has applied it (and all before it). */
  publish(event: ChangeEvent): Promise<void> {
    if (event.version <= this.applied) return Promise.resolve();
    this.own.set(event.version, event);
    const done = this.waitFor(event.version);
    this.raise(event.version);
    return done;
  }

  reportError(error: unknown, message: string, context: Record<string, unknown> = {}): void {
    this.options.log.error({ ...context, err: error }, message);
  }

  health(): FeedHealth {
    return {
      connected: this.connectedNow,
      disconnectedForMs: this.connectedNow || this.disconnectedAt === undefined ? 0 : Date.now() - this.disconnectedAt,
      behindForMs: this.behindSince === undefined ? 0 : Date.now() - this.behindSince,
      appliedVersion: this.applied,
    };
  }

  /** Compares the stored version with the applied one and catches up (also run every second). */
  async checkVersion(): Promise<void> {
    if (this.closed) return;
    const client = this.client;
    try {
      // On the LISTEN connection itself: this also finds out soon when that connection is dead.
      if (client) this.raise(Number((await client.query<{ version: string }>('select version from config_version where id = 1')).rows[0]?.version ?? 0));
      else this.raise(await this.options.store.configVersion.current());
    } catch {
      // The store is down: the LISTEN connection is most likely down too, and health() says so.
    }
  }

  /** Resolves when every listener has applied version (at once when it already has). */
  waitFor(version: number): Promise<void> {
    if (version <= this.applied) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ version, resolve }));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.checkTimer);
    clearTimeout(this.reconnectTimer);
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
    const client = this.client;
    this.client = undefined;
    this.connectedNow = false;
    await client?.end().catch(() => undefined);
  }

  /** For tests: the backend pid of the LISTEN connection (to terminate it). */
  get listenerPid(): number | undefined {
    return (this.client as unknown as { processID?: number } | undefined)?.processID;
  }

  private raise(version: number): void {
    if (version > this.target) this.target = version;
    if (this.target > this.applied) this.behindSince ??= Date.now();
    void this.pump();
  }

  /** The one delivery loop: stored (or own) events above the applied version, in order, to every listener. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed && this.applied < this.target) {
        const batch = await this.nextBatch();
        if (batch === undefined) {
          await sleep(RETRY_READ_MS);
          continue;
        }
        if (batch.length === 0) {
          // Versions bumped without a stored event (first start writes before any feed listens):
          // nothing to deliver; the next event shows the listeners a gap, and they rebuild.
          this.options.log.info({ applied: this.applied, target: this.target }, 'config versions without stored change events (a first start writes before any feed listens); views rebuild at the next event');
          this.advance(this.target);
          continue;
        }
        for (const event of batch) {
          if (this.closed) break;
          if (event.version <= this.applied) continue;
          await this.deliver(event);
        }
      }
    } finally {
      this.pumping = false;
    }
    if (!this.closed && this.applied < this.target) void this.pump();
  }

  /** The next events to deliver; undefined when the store could not be read (retried). */
  private async nextBatch(): Promise<ChangeEvent[] | undefined> {
    const next = this.own.get(this.applied + 1);
    if (next) return [next];
    try {
      const stored = await this.options.store.changeLog.since(this.applied, BATCH);
      // Own events the table does not show (yet) still count: merged in version order.
      const merged = new Map<number, ChangeEvent>();
      for (const event of stored) merged.set(event.version, event);
      for (const [version, event] of this.own) if (version > this.applied && !merged.has(version)) merged.set(version, event);
      return [...merged.values()].sort((a, b) => a.version - b.version);
    } catch (error) {
      // This process's own write must not wait for the store to come back: deliver it with a gap
      // (its listeners rebuild, or refuse requests until they can).
      const own = [...this.own.keys()].filter((v) => v > this.applied).sort((a, b) => a - b);
      if (own.length > 0) return own.map((v) => this.own.get(v)!);
      this.options.log.warn({ err: error, applied: this.applied }, 'could not read the stored change events; retrying');
      return undefined;
    }
  }

  private async deliver(event: ChangeEvent): Promise<void> {
    for (const listener of [...this.listeners]) {
      try {
        await listener(event);
      } catch (error) {
        this.reportError(error, 'a change listener failed; the other listeners still got the event', { event: event.type, version: event.version });
      }
    }
    this.advance(event.version);
  }

  private advance(version: number): void {
    if (version <= this.applied) return;
    this.applied = version;
    if (this.applied >= this.target) this.behindSince = undefined;
    for (const v of this.own.keys()) if (v <= version) this.own.delete(v);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i]!;
      if (waiter.version <= version) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  /** Opens the LISTEN connection; on loss, marks the feed disconnected and reconnects. */
  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl, connectionTimeoutMillis: 5_000 });
    let lost = false;
    const onLost = (error?: Error): void => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.markDisconnected();
      this.options.log.warn({ err: error?.message }, 'lost the change feed connection (LISTEN); reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      const version = Number(message.payload);
      if (Number.isSafeInteger(version)) this.raise(version);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      lost = true;
      client.end().catch(() => undefined);
      throw error;
    }
    const lostAt = this.disconnectedAt;
    if (lostAt !== undefined) {
      // Back after a loss: read the stored version before counting as connected, and count as behind
      // since the loss until caught up. Otherwise health() would say "current" between now and the
      // catch-up, and a node could serve what another node deleted while it was deaf.
      try {
        const stored = Number((await client.query<{ version: string }>('select version from config_version where id = 1')).rows[0]?.version ?? 0);
        if (stored > this.target) this.target = stored;
      } catch (error) {
        lost = true;
        client.end().catch(() => undefined);
        throw error;
      }
      if (this.target > this.applied) this.behindSince = Math.min(this.behindSince ?? lostAt, lostAt);
    }
    this.client = client;
    this.connectedNow = true;
    this.disconnectedAt = undefined;
    this.reconnectDelay = (this.options.reconnectDelayMs ?? DEFAULT_RECONNECT_DELAY_MS).first;
    if (lostAt !== undefined) {
      this.options.log.info({ applied: this.applied, target: this.target }, 'change feed connection (LISTEN) restored; catching up by version');
      void this.pump();
    }
  }

  private markDisconnected(): void {
    this.connectedNow = false;
    this.disconnectedAt ??= Date.now();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.reconnectTimer);
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(delay * 2, (this.options.reconnectDelayMs ?? DEFAULT_RECONNECT_DELAY_MS).max);
    this.reconnectTimer = setTimeout(() => {
      if (this.closed) return;
      this.connect().then(
        // Missed notifications: compare with the stored version and catch up.
        () => this.checkVersion(),
        (error: unknown) => {
          this.options.log.warn({ err: error instanceof Error ? error.message : String(error), retryInMs: this.reconnectDelay }, 'change feed could not reconnect; retrying');
          this.scheduleReconnect();
        },
      );
    }, delay);
    this.reconnectTimer.unref();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
