export { newGuid, sha256, constantTimeEqual, newClientSecret, newSubscriptionKey, hashPassword, verifyPassword, SecretBox } from './crypto.js';
export { InProcessChangeFeed } from './change-feed.js';
export type { ChangeFeed, ChangeEvent, ChangeEventBody, ChangeEventType, ChangeListener } from './change-feed.js';
export { isDirectoryChange } from './change-events.js';
export { isGuid } from './ids.js';
export { bearerToken } from './bearer.js';
export { createProcessLogger } from './process-logger.js';
