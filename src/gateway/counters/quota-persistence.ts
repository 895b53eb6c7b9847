import type { Logger } from 'pino';
import type { QuotaCounterStore } from '../../store/store.js';
import type { InMemoryCounterStore } from './in-memory-counter-store.js';

/** How far behind the stored quota counts may be: at most this, plus one write. */
export const QUOTA_FLUSH_INTERVAL_MS = 2_000;

/**
 * What keeps quota counts across restarts, as the gateway (or the primary of `--workers`) drives it:
 * load at start, write on a beat, write once more on stop. A small seam so that a wrapper can decide
 * which process persists (e.g. only the elected leader among several nodes).
 */
export interface QuotaPersister {
  start(): Promise<void>;
  /** Writes (or hands on) what changed since the last beat. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The beat both keepers share: load the stored counts at start, hand on what changed every
 * QUOTA_FLUSH_INTERVAL_MS (one hand-over at a time) and once more on stop. Ended rate-limit windows
 * are swept on every beat, even while a slow hand-over holds up the flush.
 */
export abstract class QuotaBeat implements QuotaPersister {
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<void> = Promise.resolve();

  protected constructor(
    protected readonly counters: InMemoryCounterStore,
    private readonly loadFrom: Pick<QuotaCounterStore, 'listQuotaCounters'>,
    protected readonly logger: Logger,
    /** Other in-memory counters swept on the same beat (the rate-limit windows). */
    private readonly alsoSweep: readonly InMemoryCounterStore[],
    protected readonly now: () => number,
  ) {}

  async start(): Promise<void> {
    this.counters.restore(await this.loadFrom.listQuotaCounters(this.now()), this.now());
    this.timer = setInterval(() => {
      for (const other of this.alsoSweep) other.sweep(this.now());
      void this.flush();
    }, QUOTA_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  flush(): Promise<void> {
    this.pending = this.pending.then(() => this.handOn());
    return this.pending;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Hands on what changed since the last beat; never rejects. */
  protected abstract handOn(): Promise<void>;
}

/**
 * Keeps the quota counts in the store so a restart does not give every caller a fresh quota: loads
 * them at start, adds the calls counted since the last beat every QUOTA_FLUSH_INTERVAL_MS (and drops
 * ended windows, in memory and in the store), and once more on a graceful stop. The store adds
 * (addQuotaCounts), so every process and node that counts apart may write: the stored count is the
 * sum of their calls. A crash loses at most the last interval's calls. Rate-limit windows (seconds
 * to minutes) are not persisted.
 */
export class QuotaPersistence extends QuotaBeat {
  constructor(
    counters: InMemoryCounterStore,
    private readonly store: QuotaCounterStore,
    logger: Logger,
    alsoSweep: readonly InMemoryCounterStore[] = [],
    now: () => number = Date.now,
  ) {
    super(counters, store, logger, alsoSweep, now);
  }

  /** Adds the new calls to the stored counts; after a failure they go with the next beat's. */
  protected async handOn(): Promise<void> {
    const now = this.now();
    const deltas = this.counters.drainDeltas(now);
    this.counters.sweep(now);
    try {
      if (deltas.length === 0) return; // an idle gateway does not write
      await this.store.addQuotaCounts(deltas, now);
      await this.store.deleteQuotaCountersResetBefore(now);
    } catch (err) {
      this.counters.unsend(deltas);
      this.logger.warn({ err }, 'writing quota counters failed; retrying on the next flush');
    }
  }
}
