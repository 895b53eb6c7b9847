/**
 * Many nodes on one store (issue 10): each node's heartbeat, the "has version N reached every
 * node?" answer, and the health and readiness endpoints. docs/operations.md.
 */
export { startHeartbeat, newNodeIdentity, HEARTBEAT_INTERVAL_MS, NODE_STALE_MS, NODE_FORGET_MS, type NodeIdentity, type HeartbeatWriter } from './heartbeat.js';
export { configurationStatus, MAX_STATUS_WAIT_MS, type ConfigurationStatus, type NodeStatus } from './configuration-status.js';
export { serveHealth, readinessOf, feedWithinBound, HEALTH_PATH, READY_PATH, type Readiness, type ReadinessSources } from './health.js';
