import type { Logger } from 'pino';
import { NODE_STALE_MS } from '../../nodes/index.js';
import type { NodeHeartbeatStore } from '../../store/store.js';

/** A node whose last heartbeat is older than this is not counted: the same bound configurationStatus uses. */
export const LIVE_NODE_WITHIN_MS = NODE_STALE_MS;
/** How often the count is read again: nodes joining or leaving change each process's share this late. */
export const LIVE_NODES_REFRESH_MS = 5_000;

/**
 * How many gateway nodes are live, from the nodes' heartbeat rows in the store, read at start and
 * every LIVE_NODES_REFRESH_MS off the request path. Without Redis each gateway process counts only
 * its share of a limit, and the share follows this count. At least 1; a failed read keeps the last count.
 */
export class LiveGatewayNodes {
  private count = 1;
  private timer: NodeJS.Timeout | undefined;
  private readFailed = false;

  constructor(
    private readonly nodes: Pick<NodeHeartbeatStore, 'listSeenSince'>,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), LIVE_NODES_REFRESH_MS);
    this.timer.unref();
  }

  get(): number {
    return this.count;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    try {
      const live = await this.nodes.listSeenSince(new Date(this.now() - LIVE_NODE_WITHIN_MS).toISOString());
      const gateways = Math.max(1, live.filter((node) => node.roles.includes('gateway')).length);
      if (gateways !== this.count) this.logger.info({ gatewayNodes: gateways }, 'live gateway nodes changed; without Redis each limit is split among them');
      this.count = gateways;
      this.readFailed = false;
    } catch (err) {
      if (!this.readFailed) this.logger.warn({ err }, 'reading the live gateway nodes failed; keeping the last count');
      this.readFailed = true;
    }
  }
}
