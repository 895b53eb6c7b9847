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
 * committed rows). Gap, documented in docs/events.md: the directory steps themselves are separate
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
}

const units = new AsyncLocalStorage<Unit>();

/**
 * Runs write in one transaction; if it returns an event, bumps the config version in that same
 * transaction and, after commit, publishes the event (or hands it to the enclosing `oneChange`).
 */
export async function commitChange<T>(target: ChangeTarget, write: (tx: Store) => Promise<Change<T>>): Promise<T> {
  const unit = units.getStore();
  const inUnit = unit !== undefined && unit.feed === target.feed;
  const scope = currentAuditScope();
  let audited: string[] = [];
  const { result, event } = await target.store.transaction(async (tx) => {
    const change = await write(tx);
    if (scope) {
      // A directory step of a management write answers no request of its own (no status).
      const step = inUnit && change.event !== undefined && isDirectoryChange(change.event);
      const entries = change.audit ?? (change.event ? auditEntriesOf(change.event, scope.correlationId !== null && !step) : []);
      const records = auditRecordsOf(entries, scope);
      await tx.audit.append(records);
      audited = records.map((record) => auditKey(record.operation, record.targetId));
    }
    if (!change.event) return { result: change.result, event: undefined };
    if (inUnit && isDirectoryChange(change.event)) {
      unit.absorbed.push(...objectIdsOf(change.event));
      return { result: change.result, event: undefined };
    }
    return { result: change.result, event: { ...change.event, version: await tx.configVersion.bump() } as ChangeEvent };
  });
  if (scope) {
    scope.committed += audited.length;
    for (const key of audited) scope.committedKeys.add(key);
  }
  if (event) {
    if (inUnit) unit.events.push(event);
    else await target.feed.publish(event);
  }
  return result;
}

/** Runs a multi-step write so that it announces once, after its last step committed. Nested calls join. */
export async function oneChange<T>(target: ChangeTarget, steps: () => Promise<T>): Promise<T> {
  const outer = units.getStore();
  if (outer && outer.feed === target.feed) return steps();
  const unit: Unit = { feed: target.feed, events: [], absorbed: [] };
  let result: T;
  try {
    result = await units.run(unit, steps);
  } catch (error) {
    // The step's error is what the caller must see; announcing what did commit is best effort here.
    await settle(target, unit).catch(() => undefined);
    throw error;
  }
  await settle(target, unit);
  return result;
}

async function settle(target: ChangeTarget, unit: Unit): Promise<void> {
  if (unit.events.length === 0 && unit.absorbed.length > 0) {
    const version = await target.store.transaction((tx) => tx.configVersion.bump());
    unit.events.push({ type: 'directory.changed', changedObjectIds: [...new Set(unit.absorbed)], version });
  }
  for (const event of unit.events) await target.feed.publish(event);
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
