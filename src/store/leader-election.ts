/**
 * Jobs that must run once per store, whatever the number of nodes (key rotation, audit clean-up,
 * the start-up reconciliation, pruning heartbeats and stored change events). docs/operations.md.
 *
 * SQLite: one process holds the store (instance-lock.ts), so it leads every job.
 * PostgreSQL: each job is a session advisory lock (`pg_try_advisory_lock(hashtext('portico-leader:<job>'))`)
 * taken on one dedicated connection per node. The node holding it runs the job; the others try
 * again every few seconds, so when the leader dies (its session ends and PostgreSQL drops the
 * lock) another node takes over. A node that loses its connection stops its jobs at once: it can
 * no longer be sure it leads. A connection can also die silently (a network partition, a NAT that
 * forgets it: no FIN, no error), so the lock connection uses TCP keep-alive and, while it leads,
 * checks itself with `select 1` every couple of seconds; a check that fails or hangs past its
 * timeout counts as a lost connection: the jobs stop, and the node campaigns again on a fresh one.
 */
import pg from 'pg';

/** Starts a job; returns how to stop it. */
export type LeaderJob = () => Promise<() => Promise<void>> | (() => Promise<void>);

export interface LeaderLog {
  info(context: Record<string, unknown>, message: string): void;
  warn(context: Record<string, unknown>, message: string): void;
  error(context: Record<string, unknown>, message: string): void;
}

export interface LeaderElection {
  /** Runs job while this node leads `name`; several nodes may campaign for it, one leads. */
  campaign(name: string, job: LeaderJob): void;
  /** The jobs this node leads now. */
  leading(): string[];
  stop(): Promise<void>;
}

const DEFAULT_RETRY_MS = 2_000;
/** How often a leading node checks its lock connection; a check also times out after this long. */
const DEFAULT_HEALTH_CHECK_MS = 2_000;

export function startLeaderElection(options: { readonly databaseUrl?: string | undefined; readonly log: LeaderLog; readonly retryMs?: number; readonly healthCheckMs?: number }): LeaderElection {
  return options.databaseUrl === undefined
    ? new SoleLeader(options.log)
    : new AdvisoryLockElection(options.databaseUrl, options.log, options.retryMs ?? DEFAULT_RETRY_MS, options.healthCheckMs ?? DEFAULT_HEALTH_CHECK_MS);
}

interface Campaign {
  readonly name: string;
  readonly job: LeaderJob;
  stopJob: (() => Promise<void>) | undefined;
  leading: boolean;
}

async function startJob(campaign: Campaign, log: LeaderLog): Promise<void> {
  try {
    campaign.stopJob = await campaign.job();
  } catch (error) {
    log.error({ err: error, job: campaign.name }, 'a leader job failed to start');
  }
}

async function stopJob(campaign: Campaign, log: LeaderLog): Promise<void> {
  const stop = campaign.stopJob;
  campaign.stopJob = undefined;
  await stop?.().catch((error: unknown) => log.error({ err: error, job: campaign.name }, 'a leader job failed to stop'));
}

/** SQLite: the only process on the store leads everything, from the start. */
class SoleLeader implements LeaderElection {
  private readonly campaigns: Campaign[] = [];
  private stopped = false;
  constructor(private readonly log: LeaderLog) {}

  campaign(name: string, job: LeaderJob): void {
    const campaign: Campaign = { name, job, stopJob: undefined, leading: true };
    this.campaigns.push(campaign);
    if (!this.stopped) void startJob(campaign, this.log);
  }

  leading(): string[] {
    return this.campaigns.map((c) => c.name);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const campaign of this.campaigns.reverse()) await stopJob(campaign, this.log);
  }
}

class AdvisoryLockElection implements LeaderElection {
  private readonly campaigns: Campaign[] = [];
  private client: pg.Client | undefined;
  /** Gives up the current client: ends it, stops the jobs led on it. */
  private loseClient: (() => void) | undefined;
  private connecting: Promise<pg.Client | undefined> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private checking = false;
  private stopped = false;
  private trying: Promise<void> | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly log: LeaderLog,
    retryMs: number,
    private readonly healthCheckMs: number,
  ) {
    this.timer = setInterval(() => void this.tryAll(), retryMs);
    this.timer.unref();
    this.healthTimer = setInterval(() => void this.checkConnection(), healthCheckMs);
    this.healthTimer.unref();
  }

  /**
   * While leading: `select 1` on the lock connection. A silent dead connection raises no error,
   * so without this the node would keep running its jobs while another node, once PostgreSQL drops
   * the old session, runs them too.
   */
  private async checkConnection(): Promise<void> {
    const client = this.client;
    if (this.stopped || this.checking || client === undefined || !this.campaigns.some((c) => c.leading)) return;
    this.checking = true;
    try {
      await client.query({ text: 'select 1', query_timeout: this.healthCheckMs } as pg.QueryConfig);
    } catch (error) {
      if (this.client === client && !this.stopped) {
        this.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'the leader lock connection failed its check; giving up the jobs and campaigning again on a new connection');
        this.loseClient?.();
      }
    } finally {
      this.checking = false;
    }
  }

  campaign(name: string, job: LeaderJob): void {
    this.campaigns.push({ name, job, stopJob: undefined, leading: false });
    void this.tryAll();
  }

  leading(): string[] {
    return this.campaigns.filter((c) => c.leading).map((c) => c.name);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.healthTimer);
    await this.trying;
    for (const campaign of [...this.campaigns].reverse()) {
      if (campaign.leading) await stopJob(campaign, this.log);
      campaign.leading = false;
    }
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined); // ending the session releases the locks
  }

  /** One attempt for every job not led here; serialised so two attempts never share the connection. */
  private tryAll(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.trying ??= this.attempt().finally(() => {
      this.trying = undefined;
    });
    return this.trying;
  }

  private async attempt(): Promise<void> {
    const waiting = this.campaigns.filter((c) => !c.leading);
    if (waiting.length === 0) return;
    const client = await this.connection();
    if (client === undefined) return;
    for (const campaign of waiting) {
      if (this.stopped || this.client !== client) return;
      try {
        const result = await client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtext($1)) as locked', [`portico-leader:${campaign.name}`]);
        if (!result.rows[0]?.locked) continue;
      } catch {
        return; // the connection is going; 'error'/'end' handle it
      }
      campaign.leading = true;
      this.log.info({ job: campaign.name }, 'this node now leads a job that runs once per store');
      await startJob(campaign, this.log);
    }
  }

  private async connection(): Promise<pg.Client | undefined> {
    if (this.client) return this.client;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<pg.Client | undefined> {
    // keepAlive: the operating system also probes an idle connection, so a dead peer surfaces as an error.
    const client = new pg.Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 5_000, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    let lost = false;
    const onLost = (): void => {
      if (lost) return;
      lost = true;
      client.end().catch(() => undefined);
      // end() waits for the server, which a dead connection never answers: close the socket too.
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      if (this.client !== client) return;
      this.client = undefined;
      this.loseClient = undefined;
      void this.depose();
    };
    client.on('error', onLost);
    client.on('end', onLost);
    try {
      await client.connect();
    } catch (error) {
      lost = true;
      client.end().catch(() => undefined);
      this.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'leader election cannot reach PostgreSQL; retrying');
      return undefined;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return undefined;
    }
    this.client = client;
    this.loseClient = onLost;
    return client;
  }

  /** The session holding the locks is gone: stop every job led here; the next attempt campaigns again. */
  private async depose(): Promise<void> {
    for (const campaign of this.campaigns) {
      if (!campaign.leading) continue;
      campaign.leading = false;
      this.log.warn({ job: campaign.name }, 'lost the connection holding a leader lock; stopped the job (another node takes over)');
      await stopJob(campaign, this.log);
    }
  }
}
