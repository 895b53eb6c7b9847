import pino, { type Logger } from 'pino';

/** Bytes of log lines gathered before one write to stdout (about 12 access-log lines). */
const BATCH_BYTES = 4096;
/** Lines never wait longer than this for a batch to fill (a quiet gateway still logs promptly). */
const FLUSH_INTERVAL_MS = 1000;

/**
 * The process's logger: JSON lines on stdout, written asynchronously (pino's sonic-boom destination
 * with `sync: false`) and in batches of 4 KiB or every second, whichever comes first — so a line per
 * gateway request at `info` costs a formatted string, not a blocking write each. Warnings and worse
 * are written at once. pino flushes what is left when the process exits (also on a crash); only
 * SIGKILL can lose the last second of lines. `flush()` writes the rest on a clean stop.
 */
export function createProcessLogger(level: string): { logger: Logger; flush: () => void } {
  const destination = pino.destination({ dest: 1, sync: false, minLength: BATCH_BYTES });
  const logger = pino({ level, base: { service: 'portico' }, hooks: { logMethod: flushUrgent } }, destination);
  const flushSoon = (): void => {
    try {
      destination.flush();
    } catch {
      // not open yet or already closed: the next flush or the exit handler writes the lines
    }
  };
  const timer = setInterval(flushSoon, FLUSH_INTERVAL_MS);
  timer.unref();

  function flushUrgent(this: Logger, args: Parameters<Logger['info']>, method: (...a: Parameters<Logger['info']>) => void, level: number): void {
    method.apply(this, args);
    if (level >= 40 /* warn */) flushSoon();
  }

  return {
    logger,
    flush: () => {
      clearInterval(timer);
      try {
        destination.flushSync();
      } catch {
        // nothing to flush, or stdout is gone (a closed pipe): nothing more to do
      }
    },
  };
}
