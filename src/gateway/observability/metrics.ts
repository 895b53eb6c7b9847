import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

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

/** A latency distribution kept as plain numbers: observing is an index search and two additions. */
class Distribution {
  readonly buckets = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= LATENCY_BUCKETS[i]!) {
        this.buckets[i]!++;
        return;
      }
    }
  }
}

interface RequestSeries {
  readonly labels: Readonly<Record<'api' | 'operation' | 'product', string>>;
  /** Answers by status class: 1xx … 5xx. */
  readonly answers: number[];
  readonly total: Distribution;
  readonly backend: Distribution;
}

type MetricValue = { value: number; labels: Record<string, string | number>; metricName?: string };

/**
 * A prom-client metric (anything the registry can `get()`) read from the series at scrape time.
 * prom-client's own Counter and Histogram validate and hash their labels on every call, which is
 * per-request work the gateway need not do: the gateway counts into plain numbers and this turns
 * them into Prometheus' shape when scraped (same names, types and aggregation as prom-client's).
 */
function seriesMetric(name: string, help: string, type: 'counter' | 'histogram', values: () => MetricValue[]) {
  return {
    name,
    help,
    type,
    aggregator: 'sum' as const,
    get: async () => ({ name, help, type, aggregator: 'sum' as const, values: values() }),
  };
}

function histogramValues(name: string, series: Iterable<RequestSeries>, pick: (s: RequestSeries) => Distribution): MetricValue[] {
  const values: MetricValue[] = [];
  for (const s of series) {
    const d = pick(s);
    if (d.count === 0) continue;
    let cumulative = 0;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      cumulative += d.buckets[i]!;
      values.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le: LATENCY_BUCKETS[i]! }, value: cumulative });
    }
    values.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: d.count });
    values.push({ metricName: `${name}_sum`, labels: { ...s.labels }, value: d.sum });
    values.push({ metricName: `${name}_count`, labels: { ...s.labels }, value: d.count });
  }
  return values;
}

/**
 * One Prometheus registry per process (prom-client): the gateway's request counts and latencies,
 * the token endpoint's outcomes, the snapshot's version and age, and Node's own process metrics.
 * Labels are ids from the configuration (API, operation, product) and status classes, never paths
 * or caller input, so the number of series stays bounded by the configuration.
 */
export class PorticoMetrics {
  readonly registry = new Registry();
  private readonly tokens: Counter<'outcome'>;
  /** Per (api, operation, product): counted into plain numbers, read by the registry at scrape time. */
  private readonly series = new Map<string, RequestSeries>();
  /**
   * The same series by api → operation → product: the ids come from the snapshot (long-lived strings
   * whose hash V8 keeps), so three lookups are cheaper than hashing a joined key per request.
   */
  private readonly byIds = new Map<string, Map<string, Map<string, RequestSeries>>>();
  private snapshotProbe: (() => SnapshotProbe | undefined) | undefined;

  constructor(options: { readonly defaultMetrics?: boolean; /** false in a process without a gateway (the primary of --workers). */ readonly snapshotGauges?: boolean } = {}) {
    const registers = [this.registry];
    const series = this.series;
    this.registry.registerMetric(
      seriesMetric('portico_gateway_requests_total', 'Gateway requests answered, by API, operation, product (ids; empty when not matched) and status class.', 'counter', () => {
        const values: MetricValue[] = [];
        for (const s of series.values()) {
          s.answers.forEach((count, i) => {
            if (count > 0) values.push({ labels: { ...s.labels, status_class: STATUS_CLASSES[i]! }, value: count });
          });
        }
        return values;
      }) as never,
    );
    this.registry.registerMetric(
      seriesMetric('portico_gateway_request_duration_seconds', 'Time from the request reaching the gateway to the end of its answer, in seconds.', 'histogram', () =>
        histogramValues('portico_gateway_request_duration_seconds', series.values(), (s) => s.total),
      ) as never,
    );
    this.registry.registerMetric(
      seriesMetric('portico_gateway_backend_duration_seconds', 'Time from forwarding a request to the backend to the end of its response, in seconds.', 'histogram', () =>
        histogramValues('portico_gateway_backend_duration_seconds', series.values(), (s) => s.backend),
      ) as never,
    );
    this.tokens = new Counter({
      name: 'portico_token_requests_total',
      help: 'Token endpoint requests by outcome: issued, or the OAuth error code of the refusal.',
      labelNames: ['outcome'],
      registers,
    });
    const probe = (): SnapshotProbe | undefined => this.snapshotProbe?.();
    if (options.snapshotGauges !== false) this.snapshotGauges(registers, probe);
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'portico_' });
  }

  private snapshotGauges(registers: Registry[], probe: () => SnapshotProbe | undefined): void {
    new Gauge({
      name: 'portico_gateway_snapshot_version',
      help: 'Configuration version the gateway snapshot reflects (with --workers: the lowest of the workers).',
      registers,
      aggregator: 'min',
      collect() {
        const current = probe();
        if (current) this.set(current.version);
      },
    });
    new Gauge({
      name: 'portico_gateway_snapshot_age_seconds',
      help: 'Seconds since the gateway installed its current snapshot (full build or applied change; with --workers: the oldest).',
      registers,
      aggregator: 'max',
      collect() {
        const current = probe();
        if (current) this.set((Date.now() - current.installedAtMs) / 1000);
      },
    });
  }

  /** Where the snapshot gauges read from (the gateway, once it exists in this process). */
  watchSnapshot(probe: () => SnapshotProbe | undefined): void {
    this.snapshotProbe = probe;
  }

  /** One answered gateway request. `backendSeconds` is undefined when nothing was forwarded. */
  gatewayRequest(api: string, operation: string, product: string, status: number, totalSeconds: number, backendSeconds: number | undefined): void {
    let operations = this.byIds.get(api);
    if (operations === undefined) this.byIds.set(api, (operations = new Map()));
    let products = operations.get(operation);
    if (products === undefined) operations.set(operation, (products = new Map()));
    let series = products.get(product);
    if (series === undefined) {
      const key = JSON.stringify([api, operation, product]);
      series = this.series.get(key);
      if (series === undefined) {
        series = { labels: { api, operation, product }, answers: [0, 0, 0, 0, 0], total: new Distribution(), backend: new Distribution() };
        this.series.set(key, series);
      }
      products.set(product, series);
    }
    series.answers[Math.min(4, Math.max(0, Math.floor(status / 100) - 1))]!++;
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
