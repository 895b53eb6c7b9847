import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds; from sub-millisecond proxying to the 30 s backend timeout. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** What the snapshot gauges read at scrape time. */
export interface SnapshotProbe {
  /** Config version the gateway's snapshot reflects. */
  readonly version: number;
  /** When that snapshot was installed (epoch ms). */
  readonly installedAtMs: number;
}

/** Token endpoint outcomes: `issued`, or the OAuth `error` code of a refusal (a fixed, small set). */
export type TokenOutcome = string;

interface RequestSeries {
  readonly requests: Counter.Internal[];
  readonly total: Histogram.Internal<string>;
  readonly backend: Histogram.Internal<string>;
}

/**
 * One Prometheus registry per process (prom-client): the gateway's request counts and latencies,
 * the token endpoint's outcomes, the snapshot's version and age, and Node's own process metrics.
 * Labels are ids from the configuration (API, operation, product) and status classes, never paths
 * or caller input, so the number of series stays bounded by the configuration.
 */
export class PorticoMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'api' | 'operation' | 'product' | 'status_class'>;
  private readonly duration: Histogram<'api' | 'operation' | 'product'>;
  private readonly backendDuration: Histogram<'api' | 'operation' | 'product'>;
  private readonly tokens: Counter<'outcome'>;
  /** Label children per (api, operation, product): prom-client hashes its label objects on every call otherwise. */
  private readonly series = new Map<string, RequestSeries>();
  private snapshotProbe: (() => SnapshotProbe | undefined) | undefined;

  constructor(options: { readonly defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'portico_gateway_requests_total',
      help: 'Gateway requests answered, by API, operation, product (ids; empty when not matched) and status class.',
      labelNames: ['api', 'operation', 'product', 'status_class'],
      registers,
    });
    this.duration = new Histogram({
      name: 'portico_gateway_request_duration_seconds',
      help: 'Time from the request reaching the gateway to the last byte of its answer, in seconds.',
      labelNames: ['api', 'operation', 'product'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.backendDuration = new Histogram({
      name: 'portico_gateway_backend_duration_seconds',
      help: 'Time from forwarding a request to the backend to the end of its response, in seconds.',
      labelNames: ['api', 'operation', 'product'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.tokens = new Counter({
      name: 'portico_token_requests_total',
      help: 'Token endpoint requests by outcome: issued, or the OAuth error code of the refusal.',
      labelNames: ['outcome'],
      registers,
    });
    const probe = (): SnapshotProbe | undefined => this.snapshotProbe?.();
    new Gauge({
      name: 'portico_gateway_snapshot_version',
      help: 'Configuration version the gateway snapshot of this process reflects.',
      registers,
      collect() {
        const current = probe();
        if (current) this.set(current.version);
      },
    });
    new Gauge({
      name: 'portico_gateway_snapshot_age_seconds',
      help: 'Seconds since this process installed its current gateway snapshot (full build or applied change).',
      registers,
      collect() {
        const current = probe();
        if (current) this.set((Date.now() - current.installedAtMs) / 1000);
      },
    });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'portico_' });
  }

  /** Where the snapshot gauges read from (the gateway, once it exists in this process). */
  watchSnapshot(probe: () => SnapshotProbe | undefined): void {
    this.snapshotProbe = probe;
  }

  /** One answered gateway request. `backendSeconds` is undefined when nothing was forwarded. */
  gatewayRequest(api: string, operation: string, product: string, status: number, totalSeconds: number, backendSeconds: number | undefined): void {
    const key = `${api}\n${operation}\n${product}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = {
        requests: STATUS_CLASSES.map((statusClass) => this.requests.labels(api, operation, product, statusClass)),
        total: this.duration.labels(api, operation, product),
        backend: this.backendDuration.labels(api, operation, product),
      };
      this.series.set(key, series);
    }
    const classIndex = Math.min(4, Math.max(0, Math.floor(status / 100) - 1));
    series.requests[classIndex]!.inc();
    series.total.observe(totalSeconds);
    if (backendSeconds !== undefined) series.backend.observe(backendSeconds);
  }

  tokenRequest(outcome: TokenOutcome): void {
    this.tokens.inc({ outcome });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
