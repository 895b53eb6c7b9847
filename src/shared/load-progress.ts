import type { Logger } from 'pino';

export interface LoadProgressOptions {
  /** A progress line at most this often while loading (and a summary at the end if it took longer). Default 2 s. */
  readonly everyMs?: number;
  /** Milliseconds from an arbitrary origin; replaceable in tests. */
  readonly clock?: () => number;
}

/**
 * Says what a long load is doing, so a start-up over a large store is not silent: an info line
 * such as "loading the gateway snapshot: 300,000 of 1,000,000 subscriptions" at most every two
 * seconds, and one summary line with the counts and the time taken. A load that finishes within
 * the interval logs its summary at debug only, so small instances start as quietly as before.
 */
export class LoadProgress {
  private readonly started: number;
  private lastLine: number;
  private readonly everyMs: number;
  private readonly clock: () => number;
  private readonly counts: Record<string, number> = {};

  constructor(
    private readonly logger: Logger | undefined,
    /** What is loading, as in "loading the gateway snapshot". */
    private readonly what: string,
    options: LoadProgressOptions = {},
  ) {
    this.clock = options.clock ?? (() => performance.now());
    this.everyMs = options.everyMs ?? 2_000;
    this.started = this.clock();
    this.lastLine = this.started;
  }

  /** `done` of `total` (undefined when unknown) rows of `noun` (plural) read so far. */
  step(noun: string, done: number, total?: number): void {
    this.counts[noun] = done;
    const now = this.clock();
    if (now - this.lastLine < this.everyMs) return;
    this.lastLine = now;
    const of = total === undefined ? '' : ` of ${formatCount(Math.max(total, done))}`;
    this.logger?.info({ loading: this.what, [noun]: done, ...(total === undefined ? {} : { total }) }, `loading the ${this.what}: ${formatCount(done)}${of} ${noun}`);
  }

  /** The summary line: counts of every noun stepped through, and the time taken. */
  done(): void {
    const ms = this.clock() - this.started;
    const counts = Object.entries(this.counts).map(([noun, n]) => `${formatCount(n)} ${noun}`).join(', ');
    const line = `loaded the ${this.what} in ${(ms / 1000).toFixed(1)} s${counts ? ` (${counts})` : ''}`;
    const fields = { loaded: this.what, ms: Math.round(ms), ...this.counts };
    if (ms >= this.everyMs) this.logger?.info(fields, line);
    else this.logger?.debug(fields, line);
  }
}

/** 1000000 → "1,000,000" (fixed, whatever the locale). */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
