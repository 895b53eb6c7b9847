export { PorticoMetrics, type SnapshotProbe, type TokenOutcome } from './metrics.js';
export { recordRequest, requestIdOfResponse, GatewayRequestRecord, type GatewayObservability } from './request-record.js';
export { requestIdOf, MAX_REQUEST_ID_LENGTH } from './request-id.js';
