export { newGuid, sha256, constantTimeEqual, newClientSecret, newSubscriptionKey, hashPassword, verifyPassword, SecretBox } from './crypto.js';
export { ChangeFeed } from './change-feed.js';
export type { ChangeEvent, ChangeListener } from './change-feed.js';
export { isGuid } from './ids.js';
export { bearerToken } from './bearer.js';
