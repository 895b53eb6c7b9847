import type { Logger } from 'pino';
import type { QuotaCounterRecord, QuotaCounterStore } from '../../store/store.js';
import type { InMemoryCounterStore } from './in-memory-counter-store.js';
import { QuotaBeat } from './quota-persistence.js';

/** Hands a batch of quota deltas to the persisting process; resolves once it is on its way. */
export type QuotaDeltaSink = (deltas: QuotaCounterRecord[]) => Promise<void>;

/**
 * A gateway worker's side of quota persistence (`--workers N`): exactly one process writes the
 * counts, so a worker does not. It loads the stored totals at start (the store is readable), then
 * every beat (QUOTA_FLUSH_INTERVAL_MS) hands the calls it counted since the last beat — deltas, not totals —
 * to the sink (IPC to the primary, which sums every worker's deltas and writes), and once more on a
 * graceful stop. A worker that crashes loses at most one interval of its calls.
 */
export class QuotaDeltaReporter extends QuotaBeat {
  constructor(
    counters: InMemoryCounterStore,
    store: Pick<QuotaCounterStore, 'listQuotaCounters'>,
    private readonly sink: QuotaDeltaSink,
    logger: Logger,
    alsoSweep: readonly InMemoryCounterStore[] = [],
    now: () => number = Date.now,
  ) {
    super(counters, store, logger, alsoSweep, now);
  }

  protected async handOn(): Promise<void> {
    const now = this.now();
    const deltas = this.counters.drainDeltas(now);
    this.counters.sweep(now);
    if (deltas.length === 0) return;
    try {
      await this.sink(deltas);
    } catch (err) {
      // The persisting process is gone (this worker stops with it): these calls are not written.
      this.logger.warn({ err, counters: deltas.length }, 'handing quota counts to the persisting process failed');
    }
  }
}
