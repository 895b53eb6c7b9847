import type { GatewayCall } from './types.js';

/**
 * What the log phase knows of a finished request: the fields metrics and the access log are made of
 * (API, operation, product, subscription or client app, status, durations). Log handlers read them
 * from the GatewayCall; this is the same as one plain object, for a log line.
 */
export interface RequestRecord {
  reqId: string;
  method: string;
  path: string;
  status: number;
  /** From arrival until the response was over, in ms (0.1 ms steps). */
  durationMs: number;
  /** From forwarding to the backend until its response was over (or, when it never was, until this response was), in ms; absent when not forwarded. */
  backendMs?: number;
  apiId?: string;
  operationId?: string;
  productId?: string;
  subscriptionId?: string;
  clientAppId?: string;
  /** The policy that answered the request (a refusal), if one did. */
  rejectedBy?: string;
  /** The connection closed before the response was complete. */
  aborted?: boolean;
}

export function requestRecord(call: GatewayCall, ended: number): RequestRecord {
  const record: RequestRecord = { reqId: call.requestId, method: call.method, path: call.pathname, status: call.res.statusCode, durationMs: round(ended - call.started) };
  if (call.backendMs !== undefined) record.backendMs = round(call.backendMs);
  else if (call.forwardStarted !== 0) record.backendMs = round(ended - call.forwardStarted);
  if (call.api !== undefined) record.apiId = call.api.id;
  if (call.operation !== undefined) record.operationId = call.operation.id;
  if (call.product !== undefined) record.productId = call.product.id;
  if (call.subscriptionId !== undefined) record.subscriptionId = call.subscriptionId;
  if (call.clientAppId !== undefined) record.clientAppId = call.clientAppId;
  if (call.rejectedBy !== undefined) record.rejectedBy = call.rejectedBy;
  if (!call.res.writableFinished) record.aborted = true;
  return record;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
