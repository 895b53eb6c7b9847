/**
 * The audit log: who (caller's object id and appId) did what (operation), when, to which resource
 * (target id), with what outcome — never a secret. Rows are written by the store in the write's own
 * transaction inside an audit scope (audit-scope.ts, store/change-unit.ts), by the HTTP edges for
 * refused or failed requests (request-audit.ts), and by the gateway's refusal recorder through a
 * bounded queue (refusal-recorder.ts). docs/audit.md describes it.
 */
export type { AuditActor, AuditEventRecord, AuditOutcome, AuditQuery, AuditStore, AuditWindow } from './audit-store.js';
export { currentAuditScope, newAuditScope, runInAuditScope, SYSTEM_ACTOR } from './audit-scope.js';
export type { AuditScope } from './audit-scope.js';
export { auditEntriesOf, auditRecordsOf, IMPORT_OPERATION } from './audit-entry.js';
export type { AuditEntry } from './audit-entry.js';
export { auditRequests, describeArmRequest, setRequestActor } from './request-audit.js';
export type { RequestAuditOptions } from './request-audit.js';
export { RefusalRecorder, REFUSED_OPERATION } from './refusal-recorder.js';
export type { RefusalRecorderOptions, TokenRefusal } from './refusal-recorder.js';
export { purgeExpiredAuditEvents, startAuditRetention } from './retention.js';
export type { AuditRetentionOptions } from './retention.js';
