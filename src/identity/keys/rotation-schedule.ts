import type { Logger } from 'pino';
import type { SigningKeys } from './signing-keys.js';

/** Looked at again at least this often: bounds the effect of a clock change, and setTimeout cannot wait weeks. */
const MAX_WAIT_MS = 3_600_000; // one hour
/** Never sooner than this, so a due time in the past cannot make a busy loop. */
const MIN_WAIT_MS = 1_000; // one second
/** After a failed check (store unavailable), try again this soon. */
const RETRY_AFTER_FAILURE_MS = 60_000; // one minute

/**
 * The automatic rotation: checks now, then again when the next key is due (SigningKeys.rotateIfDue
 * decides), at most an hour apart. Its timer never keeps the process alive, and stop() waits for
 * a check in progress so nothing writes to a closed store.
 */
export class RotationSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly keys: SigningKeys,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    if (this.stopped || this.running || this.timer) return;
    this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.pause();
  }

  /** Stops checking until start() is called again (this node no longer leads the job). */
  async pause(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    clearTimeout(this.timer); // a check that was running may have set the next one
    this.timer = undefined;
  }

  /** The pending timer, for tests: it must not hold the process open. */
  get pendingTimer(): { hasRef(): boolean } | undefined {
    return this.timer;
  }

  private run(): void {
    this.timer = undefined;
    this.running = this.check().then((waitMs) => {
      this.running = undefined;
      if (this.stopped) return;
      this.timer = setTimeout(() => this.run(), waitMs);
      this.timer.unref();
    });
  }

  private async check(): Promise<number> {
    try {
      const { created, nextDueAt } = await this.keys.rotateIfDue();
      if (created) {
        this.logger.info({ kid: created.kid, activatesAt: created.activatesAt }, 'signing key rotation: next key published; it signs from its activation time');
      }
      return Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, nextDueAt.getTime() - this.now().getTime()));
    } catch (err) {
      this.logger.error({ err }, 'automatic signing key rotation failed; trying again in a minute');
      return RETRY_AFTER_FAILURE_MS;
    }
  }
}
