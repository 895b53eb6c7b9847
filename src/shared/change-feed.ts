import type { ChangeEvent } from './change-events.js';

export type { ChangeEvent, ChangeEventBody, ChangeEventType } from './change-events.js';

export type ChangeListener = (event: ChangeEvent) => Promise<void> | void;

/** Where a feed reports what went wrong delivering an event (a pino logger fits). */
export interface ChangeFeedLog {
  error(context: Record<string, unknown>, message: string): void;
}

/** Whether this process's views can be trusted to be current (readiness, the gateway's fail-closed check). */
export interface FeedHealth {
  /** The feed hears every committed write (always true in-process; PostgreSQL: the LISTEN connection is up). */
  readonly connected: boolean;
  /** How long it has been disconnected (0 when connected), in ms. */
  readonly disconnectedForMs: number;
  /** How long a committed version has been known here but not yet applied (0 when caught up), in ms. */
  readonly behindForMs: number;
  /** The config version every listener of this process has applied. */
  readonly appliedVersion: number;
}

/**
 * Announces committed writes, one event per write (store/change-unit.ts). Publishing awaits every
 * listener of this process, so when a management call returns, this process's gateway snapshot and
 * token view already reflect it (revocation takes effect on the next request). The in-process
 * implementation is below; the one that spans processes is store/pg-change-feed.ts (LISTEN/NOTIFY).
 */
export interface ChangeFeed {
  subscribe(listener: ChangeListener): () => void;
  /** The highest config version this process has seen published (or started at). */
  readonly currentVersion: number;
  /**
   * Called after the write's transaction committed; event.version is the version it bumped to.
   * Never rejects: the write is committed whatever a listener does, so every listener gets the
   * event and a listener's failure is logged (each listener owns its fallback: the gateway
   * rebuilds or refuses requests, the token view drops itself and reloads).
   */
  publish(event: ChangeEvent): Promise<void>;
  /** Logs a failure to announce a committed write (never dropped silently). */
  reportError(error: unknown, message: string, context?: Record<string, unknown>): void;
  health(): FeedHealth;
}

/**
 * Listeners in this process only. Start it at the store's version (store.configVersion.current()).
 * Events arrive in version order only when writes are serialized (SQLite's one writer): concurrent
 * PostgreSQL transactions publish as they commit, which is why PostgreSQL gets PgChangeFeed.
 */
export class InProcessChangeFeed implements ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private version: number;

  constructor(
    startVersion = 0,
    private readonly log: ChangeFeedLog = STDERR_LOG,
  ) {
    this.version = startVersion;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get currentVersion(): number {
    return this.version;
  }

  /** Listeners run one after another, in subscription order; one that throws does not stop the rest. */
  async publish(event: ChangeEvent): Promise<void> {
    if (event.version > this.version) this.version = event.version;
    for (const listener of [...this.listeners]) {
      try {
        await listener(event);
      } catch (error) {
        this.reportError(error, 'a change listener failed; the other listeners still got the event', { event: event.type, version: event.version });
      }
    }
  }

  reportError(error: unknown, message: string, context: Record<string, unknown> = {}): void {
    this.log.error({ ...context, err: error }, message);
  }

  /** Nothing to lose in one process. */
  health(): FeedHealth {
    return { connected: true, disconnectedForMs: 0, behindForMs: 0, appliedVersion: this.version };
  }
}

/** Until main.ts hands the feed its logger: one JSON line on stderr, as pino would write it. */
const STDERR_LOG: ChangeFeedLog = {
  error(context, message) {
    const err = context['err'];
    const detail = err instanceof Error ? { type: err.name, message: err.message } : err;
    process.stderr.write(`${JSON.stringify({ level: 50, time: Date.now(), ...context, err: detail, msg: message })}\n`);
  },
};
