/**
 * The audit log's records and the storage contract the store implements. Rows are append-only:
 * nothing updates them, and only the retention job deletes (the oldest, past the retention period).
 */

/** Who did it: the caller's service principal object id and client id (appId); null for Portico itself. */
export interface AuditActor {
  readonly objectId: string | null;
  readonly appId: string | null;
}

export type AuditOutcome = 'success' | 'failure';

/** One audit event as stored. Never holds a secret: ids, names of operations, status codes. */
export interface AuditEventRecord {
  /** GUID. */
  readonly id: string;
  /** ISO 8601 (UTC, milliseconds): when it was recorded. */
  readonly timestamp: string;
  readonly actorObjectId: string | null;
  readonly actorAppId: string | null;
  /** `<resource type path>.<verb>`, e.g. `clientApplications.write`, `applications.addPassword`. */
  readonly operation: string;
  /** The resource id: an ARM id for management resources, the object id for directory objects. */
  readonly targetId: string;
  readonly outcome: AuditOutcome;
  /** The HTTP status the request answered (or will answer), null for steps with no request of their own. */
  readonly status: number | null;
  /** The request id: every row written for one request shares it. */
  readonly correlationId: string | null;
  /** Small, secret-free facts (key ids, the principal of a grant, counts, reasons). */
  readonly details: Readonly<Record<string, unknown>> | null;
}

/** What the list filters on; each comparison is served by an index. */
export interface AuditQuery {
  /** Inclusive bounds, ISO 8601. */
  readonly from?: string;
  readonly to?: string;
  /** Matches the actor's object id or its appId. */
  readonly actor?: string;
  /** Compared case-insensitively (ARM ids are). */
  readonly target?: string;
  readonly operation?: string;
}

/** Newest first; `after` is the (timestamp, id) of the previous page's last row. */
export interface AuditWindow {
  readonly top: number;
  readonly after?: readonly [string, string] | undefined;
}

export interface AuditStore {
  append(rows: readonly AuditEventRecord[]): Promise<void>;
  get(id: string): Promise<AuditEventRecord | undefined>;
  /** Up to top + 1 rows, newest first, after the window's key. */
  list(query: AuditQuery, window: AuditWindow): Promise<AuditEventRecord[]>;
  /** Deletes the rows recorded before `cutoff` (ISO 8601); returns how many went. */
  deleteBefore(cutoff: string): Promise<number>;
}
