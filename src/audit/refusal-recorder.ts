/**
 * Audits the gateway's refusals of revoked applications (a valid token whose application was
 * deleted, made inactive, unlinked, or whose owner is blocked) without touching the store on the
 * request path: `record` only updates a bounded in-memory map; a timer flushes it to the store.
 *
 * Repeats coalesce per application per minute, so a client hammering the gateway with a revoked
 * token writes at most two rows a minute: the first refusal (at the next flush) and, once the
 * minute is over, one more with how many followed. At most `capacity` applications are tracked at
 * once; beyond that refusals are counted, not kept, and one `gateway.auditDropped` row says how
 * many were lost (with a warning in the log). A crash loses at most the last flush interval.
 */
import type { Logger } from 'pino';
import { auditRecordsOf, type AuditEntry } from './audit-entry.js';
import { newAuditScope } from './audit-scope.js';
import type { AuditStore } from './audit-store.js';

export interface TokenRefusal {
  /** The token's client id (azp / appid) and, when it has one, its service principal (oid). */
  readonly appId: string;
  readonly objectId: string | undefined;
  readonly clientApplicationId: string | undefined;
  readonly reason: string;
}

export interface RefusalRecorderOptions {
  readonly audit: AuditStore;
  readonly logger: Logger;
  readonly serviceResourceId: string;
  /** Applications tracked at once (default 1000). */
  readonly capacity?: number;
  /** How often the queue is written to the store (default 1000 ms). */
  readonly flushIntervalMs?: number;
  readonly now?: () => Date;
}

interface Pending {
  readonly refusal: TokenRefusal;
  readonly minute: number;
  readonly firstAt: Date;
  count: number;
  /** How many of `count` a written row already reported. */
  written: number;
}

const MINUTE_MS = 60_000;
export const REFUSED_OPERATION = 'gateway.tokenRefused';

export class RefusalRecorder {
  private pending = new Map<string, Pending>();
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly capacity: number;
  private readonly now: () => Date;

  constructor(private readonly options: RefusalRecorderOptions) {
    this.capacity = options.capacity ?? 1000;
    this.now = options.now ?? (() => new Date());
  }

  /** O(1), synchronous, never throws: safe on the gateway's request path. */
  record(refusal: TokenRefusal): void {
    const at = this.now();
    const minute = Math.floor(at.getTime() / MINUTE_MS);
    const key = `${refusal.appId.toLowerCase()}|${minute}`;
    const entry = this.pending.get(key);
    if (entry) {
      entry.count++;
      return;
    }
    if (this.pending.size >= this.capacity) {
      this.dropped++;
      return;
    }
    this.pending.set(key, { refusal, minute, firstAt: at, count: 1, written: 0 });
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushIntervalMs ?? 1000);
    this.timer.unref();
  }

  /** Stops the timer and writes what is queued, closed minutes or not. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush(true);
  }

  /** Writes the first refusal of each application and minute, and the count of repeats of each closed minute. */
  flush(all = false): Promise<void> {
    this.flushing = this.flushing.then(() => this.write(all)).catch((err: unknown) => {
      this.options.logger.error({ err }, 'writing gateway refusals to the audit log failed');
    });
    return this.flushing;
  }

  private async write(all: boolean): Promise<void> {
    const currentMinute = Math.floor(this.now().getTime() / MINUTE_MS);
    const entries: { entry: AuditEntry; pending: Pending; at: Date }[] = [];
    for (const [key, pending] of this.pending) {
      const closed = all || pending.minute < currentMinute;
      if (pending.written === 0) {
        entries.push({ entry: this.entryFor(pending, { count: 1 }), pending, at: pending.firstAt });
        pending.written = 1;
      }
      if (closed) {
        if (pending.count > pending.written) {
          const repeats = pending.count - pending.written;
          entries.push({ entry: this.entryFor(pending, { repeats, minute: new Date(pending.minute * MINUTE_MS).toISOString() }), pending, at: this.now() });
        }
        this.pending.delete(key);
      }
    }
    const dropped = this.dropped;
    this.dropped = 0;
    const records = entries.flatMap(({ entry, pending, at }) =>
      auditRecordsOf([entry], newAuditScope({
        actor: { objectId: pending.refusal.objectId ?? null, appId: pending.refusal.appId },
        correlationId: null,
        serviceResourceId: this.options.serviceResourceId,
        now: () => at,
      })));
    if (dropped > 0) {
      this.options.logger.warn({ dropped }, 'the gateway refusal audit queue was full; refusals were counted but not recorded one by one');
      records.push(...auditRecordsOf([{ operation: 'gateway.auditDropped', target: 'gateway', outcome: 'failure', details: { dropped } }],
        newAuditScope({ actor: { objectId: null, appId: null }, correlationId: null, serviceResourceId: this.options.serviceResourceId, now: this.now })));
    }
    if (records.length > 0) await this.options.audit.append(records);
  }

  private entryFor(pending: Pending, extra: Record<string, unknown>): AuditEntry {
    const { refusal } = pending;
    return {
      operation: REFUSED_OPERATION,
      target: refusal.clientApplicationId !== undefined ? `/clientApplications/${refusal.clientApplicationId}` : refusal.appId,
      outcome: 'failure',
      status: 401,
      details: { reason: refusal.reason, appId: refusal.appId, ...extra },
    };
  }
}
