export { PorticoMetrics, type SnapshotProbe, type TokenOutcome } from './metrics.js';
export { requestIdOf, requestIdOfResponse, tagRequestId, MAX_REQUEST_ID_LENGTH } from './request-id.js';
