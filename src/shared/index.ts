export { newGuid, sha256, constantTimeEqual, newClientSecret, newSubscriptionKey, hashPassword, verifyPassword, SecretBox } from './crypto.js';
export { InProcessChangeFeed } from './change-feed.js';
export type { ChangeFeed, FeedHealth, ChangeEvent, ChangeEventBody, ChangeEventType, ChangeListener } from './change-feed.js';
export { isDirectoryChange } from './change-events.js';
export { isGuid } from './ids.js';
export { bearerToken } from './bearer.js';
export { createProcessLogger, resolveLogFormat } from './process-logger.js';
export { requestIdOf, REQUEST_ID_HEADER, MAX_REQUEST_ID_LENGTH } from './request-id.js';
