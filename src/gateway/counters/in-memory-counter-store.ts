import type { QuotaCounterRecord } from '../../store/store.js';
import type { RateCounterStore } from './rate-counter-store.js';

interface Window {
  count: number;
  resetsAt: number;
  /**
   * Calls counted in this window since the last drain: > 0 means changed since then (for
   * persistence), and it is the delta a gateway worker reports to the one persisting process.
   */
  unsent: number;
}

/**
 * Counters of one process. Each key's window is updated in place; windows that have ended are
 * dropped by sweep() (the gateway calls it every few seconds), so memory holds only the keys active
 * in their current window.
 */
export class InMemoryCounterStore implements RateCounterStore {
  private readonly windows = new Map<string, Window>();

  /**
   * `countingProcesses`: how many processes split each limit (SplitCounterStore). The stored quota
   * counts are the sum over all of them, so each restores its share of the sum (rounded up, never
   * below what it may have counted): restoring the whole sum against its share of the limit would
   * refuse early.
   */
  constructor(private readonly countingProcesses: () => number = () => 1) {}

  take(key: string, limit: number, periodMs: number, now: number): number {
    const window = this.windows.get(key);
    if (window === undefined || window.resetsAt <= now) {
      if (window === undefined) this.windows.set(key, { count: 1, resetsAt: now + periodMs, unsent: 1 });
      else {
        window.count = 1;
        window.resetsAt = now + periodMs;
        window.unsent = 1; // what was unsent belongs to the window that ended
      }
      return 0;
    }
    if (window.count >= limit) return window.resetsAt - now;
    window.count++;
    window.unsent++;
    return 0;
  }

  /** Drops windows that have ended. */
  sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetsAt <= now) this.windows.delete(key);
  }

  get size(): number {
    return this.windows.size;
  }

  /**
   * Calls counted since the last drain (still in their window): each record's `count` is the
   * number of new calls, not the total. A gateway worker sends these to the persisting process.
   */
  drainDeltas(now: number): QuotaCounterRecord[] {
    const deltas: QuotaCounterRecord[] = [];
    for (const [key, window] of this.windows) {
      if (window.unsent === 0 || window.resetsAt <= now) continue;
      deltas.push({ key, count: window.unsent, resetsAt: window.resetsAt });
      window.unsent = 0;
    }
    return deltas;
  }

  /**
   * Adds calls counted elsewhere (drainDeltas of gateway workers) to these totals. A delta joins
   * the key's window while it runs, whichever worker's window it came from; once that window has
   * ended, the first delta of a later window starts it here with that worker's end time.
   */
  addDeltas(deltas: readonly QuotaCounterRecord[], now: number): void {
    for (const delta of deltas) {
      if (delta.resetsAt <= now || !(delta.count > 0)) continue;
      const window = this.windows.get(delta.key);
      if (window !== undefined && window.resetsAt > now) {
        window.count += delta.count;
        window.unsent += delta.count;
      } else this.windows.set(delta.key, { count: delta.count, resetsAt: delta.resetsAt, unsent: delta.count });
    }
  }

  /** Takes back deltas that could not be handed on (a failed write), to go with the next ones. */
  unsend(deltas: readonly QuotaCounterRecord[]): void {
    for (const delta of deltas) {
      const window = this.windows.get(delta.key);
      if (window && window.resetsAt === delta.resetsAt) window.unsent += delta.count;
    }
  }

  /** Loads persisted counters at start; a count already here (calls since start) is kept if higher. */
  restore(records: readonly QuotaCounterRecord[], now: number): void {
    for (const record of records) {
      if (record.resetsAt <= now) continue;
      const count = Math.ceil(record.count / Math.max(1, this.countingProcesses()));
      const window = this.windows.get(record.key);
      if (window && window.resetsAt > now && window.count >= count) continue;
      this.windows.set(record.key, { count, resetsAt: record.resetsAt, unsent: 0 });
    }
  }
}
