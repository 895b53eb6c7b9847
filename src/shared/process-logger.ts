import pino, { type Logger } from 'pino';

/**
 * The process's logger: JSON lines on stdout, written asynchronously (pino's sonic-boom destination
 * with `sync: false`), so a log line per gateway request at `info` does not block the event loop on
 * the write. Lines written while a write is in flight are sent together in the next one; pino
 * flushes what is left when the process exits, and `flush()` does it on a clean stop.
 */
export function createProcessLogger(level: string): { logger: Logger; flush: () => void } {
  const destination = pino.destination({ dest: 1, sync: false });
  const logger = pino({ level, base: { service: 'portico' } }, destination);
  return {
    logger,
    flush: () => {
      try {
        destination.flushSync();
      } catch {
        // nothing to flush, or stdout is gone (a closed pipe): nothing more to do
      }
    },
  };
}
