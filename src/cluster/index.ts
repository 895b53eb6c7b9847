export { startGatewayWorkers, type GatewayWorkers } from './gateway-workers.js';
export type { WorkerSettings } from './messages.js';
