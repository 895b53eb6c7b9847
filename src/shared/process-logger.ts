import pino, { type Logger } from 'pino';

/** Lines wait at most this long to be written (a quiet gateway still logs promptly). */
const FLUSH_AFTER_MS = 50;
/** More than this many bytes waiting are written at once, whatever the time. */
const MAX_PENDING_CHARS = 256 * 1024;

/**
 * The process's logger: JSON lines on stdout that never block the event loop and cost little per
 * line, because at `info` the gateway writes one per request.
 *
 * Lines are gathered for up to 50 ms (or 256 KiB) and handed over as one string to pino's
 * asynchronous destination (sonic-boom, `sync: false`: writes from libuv's thread pool, one at a
 * time, retrying when the pipe is full). Each write to it costs a hand-over to the thread pool and
 * a wake-up when it completes — tens of µs on a busy machine, whatever its size — so under load
 * the fewer, the better: a CPU profile of the gateway with one write per event-loop turn still
 * showed ~9% of its time in those writes; `node bench/access-log.mjs` measures the destinations.
 * What is still buffered is written when the process exits (also after a crash); only SIGKILL can
 * lose the last 50 ms of lines.
 */
export function createProcessLogger(level: string): { logger: Logger; flush: () => void } {
  const destination = new BatchedDestination(pino.destination({ dest: 1, sync: false, maxWrite: MAX_PENDING_CHARS * 4 }));
  const logger = pino({ level, base: { service: 'portico' } }, destination);
  process.once('exit', () => destination.flushSync());
  return { logger, flush: () => destination.flushSync() };
}

interface Sink {
  write(data: string): boolean;
  flushSync(): void;
}

/** pino's stream interface (`write(line)`), gathering lines into one write every FLUSH_AFTER_MS. */
export class BatchedDestination {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly flushNow = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = '';
    if (batch === '') return;
    try {
      this.sink.write(batch);
    } catch {
      // destroyed (the process is stopping): the exit flush has written what it could
    }
  };

  constructor(
    private readonly sink: Sink,
    private readonly flushAfterMs = FLUSH_AFTER_MS,
  ) {}

  write(line: string): void {
    this.pending += line;
    if (this.pending.length >= MAX_PENDING_CHARS) this.flushNow();
    else if (this.timer === undefined) {
      this.timer = setTimeout(this.flushNow, this.flushAfterMs);
      this.timer.unref(); // the exit flush writes what is left
    }
  }

  /** Everything gathered so far, written before returning (exit, a clean stop). */
  flushSync(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = '';
    try {
      if (batch !== '') this.sink.write(batch);
      this.sink.flushSync();
    } catch {
      // stdout is gone (a closed pipe) or not open yet: nothing more can be done
    }
  }
}
