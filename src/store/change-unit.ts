/**
 * One write = one event. A write runs in a transaction that also bumps the store's config version;
 * after commit the event, stamped with that version, is published once.
 *
 * A management write that first takes directory steps (register an app, its service principal, role
 * grants, then the management record) runs inside `oneChange`: the directory steps commit as they go
 * but neither bump the version nor publish; the management record's event, bumped in the record's
 * transaction, is published alone once everything has committed. If the unit ends with directory
 * steps committed but no event of its own (it failed, or undid itself), it publishes one
 * `directory.changed` naming the objects touched, with a version bumped then (so no view misses
 * committed rows; when that bump fails, it is retried in the background until it succeeds). Gap, documented in docs/events.md: the directory steps themselves are separate
 * transactions (the management plane reaches the directory through its client, which may be remote).
 *
 * Audit: inside an audit scope (audit/audit-scope.ts: the request's caller), every transaction here
 * also writes the write's audit rows — one per event (audit/audit-entry.ts), or the change's own
 * `audit` entries — so a write and its audit record commit together or not at all.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { isDirectoryChange, type ChangeEvent, type ChangeEventBody } from '../shared/change-events.js';
import type { ChangeFeed } from '../shared/change-feed.js';
import type { Store } from './store.js';
import { auditKey, currentAuditScope } from '../audit/audit-scope.js';
import { auditEntriesOf, auditRecordsOf, type AuditEntry } from '../audit/audit-entry.js';

/**
 * A feed that crosses processes records each event inside the write's transaction (after the
 * version bump), so the event commits — and is announced to other processes — with the write or
 * not at all (store/pg-change-feed.ts).
 */
export interface RecordingChangeFeed extends ChangeFeed {
  record(tx: Store, event: ChangeEvent): Promise<void>;
}

function isRecording(feed: ChangeFeed): feed is RecordingChangeFeed {
  return typeof (feed as Partial<RecordingChangeFeed>).record === 'function';
}

export interface ChangeTarget {
  readonly store: Store;
  readonly feed: ChangeFeed;
}

/** What a write returns: its result and the event it announces (none when nothing changed). */
export interface Change<T> {
  readonly result: T;
  readonly event: ChangeEventBody | undefined;
  /**
   * The audit rows to write instead of the event's own (one per event by default): a batch can
   * give one entry for the batch or one per item. Written only inside an audit scope.
   */
  readonly audit?: readonly AuditEntry[];
}

interface Unit {
  readonly feed: ChangeFeed;
  readonly events: ChangeEvent[];
  readonly absorbed: string[];
  /** Set once its steps have run: a callback that outlives the unit must not join it. */
  closed: boolean;
}

const units = new AsyncLocalStorage<Unit>();
/** Units whose steps are running. */
let running = 0;

/** The unit the caller runs in, if it is still open. */
function currentUnit(): Unit | undefined {
  const unit = units.getStore();
  return unit === undefined || unit.closed ? undefined : unit;
}

/**
 * Runs write in one transaction; if it returns an event, bumps the config version in that same
 * transaction and, after commit, publishes the event (or hands it to the enclosing `oneChange`).
 * Inside an outer transaction (first start writes everything in one) the event waits for the
 * outermost commit: a listener must never re-read rows another reader cannot see yet, or that a
 * rollback would take back.
 */
export async function commitChange<T>(target: ChangeTarget, write: (tx: Store) => Promise<Change<T>>): Promise<T> {
  const unit = currentUnit();
  const inUnit = unit !== undefined && unit.feed === target.feed;
  const scope = currentAuditScope();
  let audited: string[] = [];
  const result = await target.store.transaction(async (tx) => {
    const change = await write(tx);
    if (scope) {
      // A directory step of a management write answers no request of its own (no status).
      const step = inUnit && change.event !== undefined && isDirectoryChange(change.event);
      const entries = change.audit ?? (change.event ? auditEntriesOf(change.event, scope.correlationId !== null && !step) : []);
      const records = auditRecordsOf(entries, scope);
      await tx.audit.append(records);
      audited = records.map((record) => auditKey(record.operation, record.targetId));
    }
    if (!change.event) return change.result;
    if (inUnit && isDirectoryChange(change.event)) {
      unit.absorbed.push(...objectIdsOf(change.event));
      return change.result;
    }
    const event = { ...change.event, version: await tx.configVersion.bump() } as ChangeEvent;
    if (isRecording(target.feed)) await target.feed.record(tx, event);
    await tx.afterCommit(async () => {
      if (inUnit) unit.events.push(event);
      else await target.feed.publish(event);
    });
    return change.result;
  });
  // Counted once committed: a rolled-back transaction's rows are gone with it.
  if (scope) {
    scope.committed += audited.length;
    for (const key of audited) scope.committedKeys.add(key);
  }
  return result;
}

/** Runs a multi-step write so that it announces once, after its last step committed. Nested calls join. */
export async function oneChange<T>(target: ChangeTarget, steps: () => Promise<T>): Promise<T> {
  const outer = currentUnit();
  if (outer && outer.feed === target.feed) return steps();
  const unit: Unit = { feed: target.feed, events: [], absorbed: [], closed: false };
  let result: T;
  running++;
  try {
    result = await units.run(unit, steps);
  } finally {
    try {
      // Whether the steps succeeded or failed, what committed must be announced. The step's error (if
      // any) is what the caller sees; settling never throws (see settle).
      await settle(target, unit);
    } finally {
      unit.closed = true;
      // While an AsyncLocalStorage is enabled, Node 20 runs a hook for every promise and async resource
      // of the process — measured at about a quarter of the gateway's CPU per request when it shares
      // the process (docs/benchmarks.md). No unit running: turn it off; the next run() turns it on.
      if (--running === 0) units.disable();
    }
  }
  return result;
}

/** How long to wait before announcing again a unit whose announcement could not be written. */
export const SETTLE_RETRY_MS = { first: 250, max: 30_000 };

/**
 * Publishes the unit's events. When only directory steps committed (the unit failed or undid
 * itself), it first bumps the version for a `directory.changed` naming them. That bump is a write of
 * its own and may fail (the store just failed the unit, likely): the directory rows are committed
 * all the same, so the announcement is not dropped: it is logged and retried in the background
 * (doubling delays) until the bump succeeds, and then published with its real version; meanwhile
 * the views go on with what they have. The write's caller is not failed for it: its own outcome
 * stands. Never throws.
 */
async function settle(target: ChangeTarget, unit: Unit): Promise<void> {
  if (unit.events.length === 0 && unit.absorbed.length > 0) {
    const changedObjectIds = [...new Set(unit.absorbed)];
    try {
      unit.events.push(await directoryChanged(target, changedObjectIds));
    } catch (error) {
      announceLater(target, changedObjectIds, error, SETTLE_RETRY_MS.first);
    }
  }
  for (const event of unit.events) await target.feed.publish(event);
}

async function directoryChanged(target: ChangeTarget, changedObjectIds: string[]): Promise<ChangeEvent> {
  return target.store.transaction(async (tx) => {
    const event: ChangeEvent = { type: 'directory.changed', changedObjectIds, version: await tx.configVersion.bump() };
    if (isRecording(target.feed)) await target.feed.record(tx, event);
    return event;
  });
}

function announceLater(target: ChangeTarget, changedObjectIds: string[], error: unknown, delayMs: number): void {
  target.feed.reportError(error, `committed directory steps could not be announced (the version bump failed); retrying in ${delayMs} ms`, {
    changedObjectIds,
  });
  const timer = setTimeout(() => {
    directoryChanged(target, changedObjectIds).then(
      (event) => target.feed.publish(event),
      (again: unknown) => announceLater(target, changedObjectIds, again, Math.min(delayMs * 2, SETTLE_RETRY_MS.max)),
    );
  }, delayMs);
  timer.unref();
}

function objectIdsOf(event: ChangeEventBody): string[] {
  switch (event.type) {
    case 'application.created':
    case 'application.deleted':
    case 'appRoleAssignment.created':
    case 'appRoleAssignment.deleted':
    case 'directory.changed':
      return [...event.changedObjectIds];
    case 'application.credentialAdded':
    case 'application.credentialRemoved':
    case 'application.keyCredentialsChanged':
      return [event.applicationObjectId];
    case 'servicePrincipal.created':
      return [event.servicePrincipalId];
    case 'directoryRoleAssignment.created':
    case 'directoryRoleAssignment.deleted':
      return [event.assignmentId, event.principalId];
    default:
      return [];
  }
}
