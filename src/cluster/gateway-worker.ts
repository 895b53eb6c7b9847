/**
 * A gateway worker process (`portico start --workers N`, node:cluster). It serves only the gateway:
 * it opens the store to read (never to write: the primary holds the instance lock and is the only
 * writer), builds its own snapshot, and keeps it current with the change events the primary relays
 * over IPC, acknowledging each once applied. The primary hands out connections to the shared port.
 */
import type { Server } from 'node:http';
import { createGateway, type Gateway } from '../gateway/index.js';
import { PorticoMetrics } from '../gateway/observability/index.js';
import { listen, replaceCertificate, type Listening } from '../listeners.js';
import { createProcessLogger, InProcessChangeFeed, resolveLogFormat, type ChangeEvent } from '../shared/index.js';
import { openStore, type Store } from '../store/index.js';
import { readinessOf, serveHealth } from '../nodes/index.js';
import { isPorticoMessage, type FromWorker, type ToWorker, type WorkerSettings } from './messages.js';

const send = (message: FromWorker): void => {
  if (process.connected) process.send!(message);
};
/** Sends and resolves once the message is handed to the channel (so a stop does not exit before it is out). */
const sendNow = (message: FromWorker): Promise<void> =>
  new Promise((resolve, reject) => {
    if (!process.connected) return reject(new Error('the primary is gone'));
    process.send!(message, undefined, undefined, (err: Error | null) => (err ? reject(err) : resolve()));
  });

let started: { gateway: Gateway; server: Server; listening: Listening; store: Store; flush: () => void } | undefined;
const feed = new InProcessChangeFeed(0);
/**
 * Events that arrive before the gateway follows the feed, replayed to it once it does: one that
 * committed while its first snapshot was being read would otherwise be lost (the gateway skips
 * those its snapshot already reflects).
 */
let early: ChangeEvent[] | undefined = [];
let stopping = false;
/** What the primary last said of its change feed (it relays every event; losing it means missing some). */
let feedCurrent = true;

const apply = (event: ChangeEvent): void => {
  // Published in arrival order; the gateway applies it (or rebuilds) before the promise settles.
  const acknowledge = (): void => send({ type: 'portico:applied', version: event.version });
  feed.publish(event).then(acknowledge, acknowledge); // on failure the gateway fails closed by itself
};

process.on('message', (message: unknown) => {
  if (!isPorticoMessage(message)) return;
  const m = message as ToWorker;
  switch (m.type) {
    case 'portico:init':
      start(m.settings).catch((err: unknown) => {
        send({ type: 'portico:failed', message: err instanceof Error ? err.message : String(err) });
        process.exitCode = 1;
        process.disconnect?.();
      });
      return;
    case 'portico:change':
      if (early) early.push(m.event);
      else apply(m.event);
      return;
    case 'portico:metrics':
      metrics.registry.getMetricsAsJSON().then((json) => send({ type: 'portico:metrics', requestId: m.requestId, metrics: json }));
      return;
    case 'portico:certificate':
      if (started) replaceCertificate(started.server, { cert: m.cert, key: m.key });
      return;
    case 'portico:feed':
      feedCurrent = m.current;
      return;
    case 'portico:stop':
      void stop();
      return;
  }
});

// Ctrl-C reaches every process of the terminal's group: the primary decides when workers stop.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
// The primary is gone (even killed): nobody relays changes any more, so serving would go stale.
process.on('disconnect', () => void stop());

const metrics = new PorticoMetrics();
send({ type: 'portico:hello' });

async function start(settings: WorkerSettings): Promise<void> {
  const { config } = settings;
  const { logger: processLogger, flush } = createProcessLogger(config.logLevel, resolveLogFormat(config.logFormat, process.stdout.isTTY === true));
  const logger = processLogger.child({ listener: 'gateway', worker: process.pid });
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, migrate: false });
  const gateway = await createGateway({
    config,
    store,
    feed,
    logger,
    issuer: settings.issuer,
    publicUrl: () => settings.publicUrl,
    ...(settings.tls ? { tls: settings.tls } : {}),
    metrics,
    // The refusal recorder lives in the primary (the only writer); a lost message loses one audit row, never a request.
    onRevoked: (revoked) => send({ type: 'portico:refused', revoked }),
    // Only the primary writes quota counts: this worker reports the calls it counted.
    quotaDeltas: (deltas) => sendNow({ type: 'portico:quota', deltas }),
    feedCurrent: () => feedCurrent,
  });
  serveHealth(gateway.server, () => {
    const state = readinessOf({ nodeId: `gateway worker ${process.pid}`, roles: ['gateway'], feed, maxFeedLagMs: config.maxFeedLagMs, started: () => true, gatewayServing: () => gateway.serving });
    if (feedCurrent) return state;
    return { ...state, ready: false, reasons: [...state.reasons, `the primary process's change feed has been lost for longer than ${config.maxFeedLagMs} ms: revocations may not have reached this node`] };
  });
  for (const event of early ?? []) apply(event);
  early = undefined;
  // Every worker asks for the configured port (0 included): the primary binds it once and shares it.
  const listening = await listen(gateway.server, 'gateway', config.host, config.ports.gateway);
  started = { gateway, server: gateway.server, listening, store, flush };
  if (stopping) return void stop();
  logger.debug({ version: gateway.snapshotVersion }, 'gateway worker ready');
  send({ type: 'portico:ready', port: listening.port, version: gateway.snapshotVersion });
}

async function stop(): Promise<void> {
  if (stopping && started === undefined) return;
  stopping = true;
  const current = started;
  started = undefined;
  if (current) {
    await current.listening.close().catch(() => undefined);
    await current.gateway.close().catch(() => undefined);
    await current.store.close().catch(() => undefined);
    current.flush();
  }
  process.exit(process.exitCode ?? 0);
}
