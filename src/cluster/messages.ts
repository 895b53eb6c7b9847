import type { PorticoConfig } from '../config/index.js';
import type { ChangeEvent } from '../shared/index.js';
import type { RevokedApplication } from '../gateway/index.js';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { QuotaCounterRecord } from '../store/store.js';

/** What a gateway worker needs to start: everything else it reads from the store itself. */
export interface WorkerSettings {
  readonly config: PorticoConfig;
  /** Issuer every accepted access token must carry. */
  readonly issuer: string;
  /** The gateway's advertised base URL (WWW-Authenticate realms). */
  readonly publicUrl: string;
  /** PEM certificate and key when the gateway serves HTTPS. */
  readonly tls?: { readonly cert: string; readonly key: string } | undefined;
}

/** Primary → worker. */
export type ToWorker =
  | { readonly type: 'portico:init'; readonly settings: WorkerSettings }
  /** A committed write's event; the worker answers `portico:applied` once its snapshot reflects it. */
  | { readonly type: 'portico:change'; readonly event: ChangeEvent }
  | { readonly type: 'portico:metrics'; readonly requestId: number }
  | { readonly type: 'portico:certificate'; readonly cert: string; readonly key: string }
  /** The primary's change feed is (not) within PORTICO_MAX_FEED_LAG_MS: the worker refuses requests while it is not. */
  | { readonly type: 'portico:feed'; readonly current: boolean }
  | { readonly type: 'portico:stop' };

/** Worker → primary. */
export type FromWorker =
  /** Its message listener is attached (messages sent before would be lost): send `portico:init`. */
  | { readonly type: 'portico:hello' }
  | { readonly type: 'portico:ready'; readonly port: number; readonly version: number }
  | { readonly type: 'portico:applied'; readonly version: number }
  | { readonly type: 'portico:metrics'; readonly requestId: number; readonly metrics: MetricObjectWithValues<MetricValue<string>>[] }
  | { readonly type: 'portico:failed'; readonly message: string }
  /** A valid token was refused because its application lost access: the primary queues it for the audit log. */
  | { readonly type: 'portico:refused'; readonly revoked: RevokedApplication }
  /** Quota calls this worker counted since its last report (each record's count is a delta): the primary sums and persists them. */
  | { readonly type: 'portico:quota'; readonly deltas: QuotaCounterRecord[] };

export function isPorticoMessage(message: unknown): message is { type: string } {
  return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string' && (message as { type: string }).type.startsWith('portico:');
}
