import type { QuotaCounterRecord } from '../../store/store.js';
import type { RateCounterStore } from './rate-counter-store.js';

interface Window {
  count: number;
  resetsAt: number;
  /** Changed since the last drainChanged (for persistence). */
  changed: boolean;
}

/**
 * Counters of one process. Each key's window is updated in place; windows that have ended are
 * dropped by sweep() (the gateway calls it every few seconds), so memory holds only the keys active
 * in their current window.
 */
export class InMemoryCounterStore implements RateCounterStore {
  private readonly windows = new Map<string, Window>();

  take(key: string, limit: number, periodMs: number, now: number): number {
    const window = this.windows.get(key);
    if (window === undefined || window.resetsAt <= now) {
      if (window === undefined) this.windows.set(key, { count: 1, resetsAt: now + periodMs, changed: true });
      else {
        window.count = 1;
        window.resetsAt = now + periodMs;
        window.changed = true;
      }
      return 0;
    }
    if (window.count >= limit) return window.resetsAt - now;
    window.count++;
    window.changed = true;
    return 0;
  }

  /** Drops windows that have ended. */
  sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetsAt <= now) this.windows.delete(key);
  }

  get size(): number {
    return this.windows.size;
  }

  /** Counters changed since the last call (still in their window), marked unchanged. */
  drainChanged(now: number): QuotaCounterRecord[] {
    const changed: QuotaCounterRecord[] = [];
    for (const [key, window] of this.windows) {
      if (!window.changed || window.resetsAt <= now) continue;
      window.changed = false;
      changed.push({ key, count: window.count, resetsAt: window.resetsAt });
    }
    return changed;
  }

  /** Marks counters as changed again (a write of them failed). */
  markChanged(records: readonly QuotaCounterRecord[]): void {
    for (const record of records) {
      const window = this.windows.get(record.key);
      if (window) window.changed = true;
    }
  }

  /** Loads persisted counters at start; a count already here (calls since start) is kept if higher. */
  restore(records: readonly QuotaCounterRecord[], now: number): void {
    for (const record of records) {
      if (record.resetsAt <= now) continue;
      const window = this.windows.get(record.key);
      if (window && window.resetsAt > now && window.count >= record.count) continue;
      this.windows.set(record.key, { count: record.count, resetsAt: record.resetsAt, changed: false });
    }
  }
}
