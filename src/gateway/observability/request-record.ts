import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { PorticoMetrics } from './metrics.js';

/** What the gateway's log phase needs: where the access log goes and (optionally) the metrics. */
export interface GatewayObservability {
  readonly logger: Logger;
  readonly metrics?: PorticoMetrics | undefined;
}

const kRecord = Symbol('portico.requestRecord');

/**
 * One gateway request as the access log and the metrics see it. The phases fill in what they
 * learn (route, caller, backend time); when the response closes, one log line is written and the
 * metrics are updated.
 */
export class GatewayRequestRecord {
  apiId = '';
  operationId = '';
  productId: string | undefined = undefined;
  subscriptionId: string | undefined = undefined;
  clientAppId: string | undefined = undefined;
  /** ms from forwarding to the end of the backend's response; undefined when nothing was forwarded. */
  backendMs: number | undefined = undefined;

  constructor(
    readonly observability: GatewayObservability,
    readonly requestId: string,
    readonly method: string,
    /** The raw path without the query (the query may hold a subscription key). */
    readonly path: string,
    readonly startedAt: number,
  ) {}
}

/**
 * Starts the record of a request and arranges for its log line and metrics when the response
 * closes. One shared listener (no closure per request); the record rides on the response.
 */
export function recordRequest(observability: GatewayObservability, res: ServerResponse, requestId: string, method: string, path: string): GatewayRequestRecord {
  const record = new GatewayRequestRecord(observability, requestId, method, path, performance.now());
  (res as ServerResponse & { [kRecord]?: GatewayRequestRecord })[kRecord] = record;
  res.on('close', onResponseClose);
  return record;
}

/** The request id of a response the gateway is recording, for answers written outside the proxy. */
export function requestIdOfResponse(res: ServerResponse): string | undefined {
  return (res as ServerResponse & { [kRecord]?: GatewayRequestRecord })[kRecord]?.requestId;
}

function onResponseClose(this: ServerResponse & { [kRecord]?: GatewayRequestRecord }): void {
  const record = this[kRecord];
  if (record === undefined) return;
  const durationMs = performance.now() - record.startedAt;
  const status = this.statusCode;
  const aborted = !this.writableFinished;
  const { logger, metrics } = record.observability;
  metrics?.gatewayRequest(record.apiId, record.operationId, record.productId ?? '', status, durationMs / 1000, record.backendMs === undefined ? undefined : record.backendMs / 1000);
  if (!logger.isLevelEnabled('info')) return;
  logger.info(
    {
      reqId: record.requestId,
      method: record.method,
      path: record.path,
      status,
      durationMs: Math.round(durationMs * 10) / 10,
      backendMs: record.backendMs === undefined ? undefined : Math.round(record.backendMs * 10) / 10,
      apiId: record.apiId || undefined,
      operationId: record.operationId || undefined,
      productId: record.productId,
      subscriptionId: record.subscriptionId,
      clientAppId: record.clientAppId,
      aborted: aborted || undefined,
    },
    'gateway request',
  );
}
