export { createGateway } from './gateway.js';
export type { Gateway, GatewayDeps } from './gateway.js';
export { createEchoServer } from './echo-server.js';
export { STATUS_PATH } from './gateway-server.js';
export { parseProductPolicy, productPolicyDocument, PolicyConfigError, type ProductLimits, type OnRevoked, type RevokedApplication } from './policies/index.js';
