/**
 * Keeps the audit log bounded: deletes events older than the retention period at start and then
 * every hour (PORTICO_AUDIT_RETENTION_DAYS, default 90). The one place rows are ever deleted.
 */
import type { Logger } from 'pino';
import type { AuditStore } from './audit-store.js';

export interface AuditRetentionOptions {
  readonly audit: AuditStore;
  readonly retentionDays: number;
  readonly logger: Logger;
  readonly intervalMs?: number;
  readonly now?: () => Date;
}

const DAY_MS = 86_400_000;

/** Deletes what is past retention now; returns how many rows went. */
export async function purgeExpiredAuditEvents(audit: AuditStore, retentionDays: number, now: Date): Promise<number> {
  return audit.deleteBefore(new Date(now.getTime() - retentionDays * DAY_MS).toISOString());
}

/** Runs the clean-up once (awaited) and then hourly; returns a function that stops it. */
export async function startAuditRetention(options: AuditRetentionOptions): Promise<() => void> {
  const now = options.now ?? (() => new Date());
  const run = async (): Promise<void> => {
    try {
      const deleted = await purgeExpiredAuditEvents(options.audit, options.retentionDays, now());
      if (deleted > 0) options.logger.info({ deleted, retentionDays: options.retentionDays }, 'deleted audit events past their retention');
    } catch (err) {
      options.logger.error({ err }, 'deleting expired audit events failed; retrying at the next run');
    }
  };
  await run();
  const timer = setInterval(() => void run(), options.intervalMs ?? 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
