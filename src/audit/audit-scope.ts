/**
 * Who is acting, for the writes made while serving one request (or one start-up task). The HTTP
 * edges (management and Graph) open a scope once the caller is known; every change committed inside
 * it (store/change-unit.ts) writes its audit rows in its own transaction, stamped with the scope's
 * actor and correlation id. Writes outside any scope (first start's internals, unit tests) are not
 * audited.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditActor } from './audit-store.js';

export interface AuditScope {
  readonly actor: AuditActor;
  readonly correlationId: string | null;
  /**
   * The service's ARM id: management targets are ids under it. Set later by first start, which opens
   * its scope before the service (and so its id) exists.
   */
  serviceResourceId: string | null;
  readonly now: () => Date;
  /** Rows committed so far in this scope: the request edge adds its own row only when none was. */
  committed: number;
  /** `operation target` (lower case) of each row committed in this scope. */
  readonly committedKeys: Set<string>;
}

const scopes = new AsyncLocalStorage<AuditScope>();

export function currentAuditScope(): AuditScope | undefined {
  return scopes.getStore();
}

export function newAuditScope(fields: Omit<AuditScope, 'committed' | 'committedKeys' | 'now'> & { now?: () => Date }): AuditScope {
  return { now: () => new Date(), ...fields, committed: 0, committedKeys: new Set() };
}

/** The key a committed row is remembered by in its scope. */
export function auditKey(operation: string, targetId: string): string {
  return `${operation} ${targetId}`.toLowerCase();
}

/**
 * Scopes open now. While an AsyncLocalStorage is enabled, Node 20 runs a hook for every promise of
 * the process (a quarter of the gateway's CPU when it shares the process, docs/benchmarks.md), so,
 * as store/change-unit.ts does for its units, the storage is turned off when the last scope closes;
 * the next run() turns it on again.
 */
let open = 0;

/**
 * Runs fn (which starts the scope's work, e.g. a request handler's callback) inside scope and
 * returns the function that closes it; call it once the scope's work has ended.
 */
export function openAuditScope(scope: AuditScope, fn: () => void): () => void {
  open++;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    if (--open === 0) scopes.disable();
  };
  try {
    scopes.run(scope, fn);
  } catch (error) {
    close();
    throw error;
  }
  return close;
}

/** Runs fn inside scope; the scope closes when fn's promise settles. */
export async function runInAuditScope<T>(scope: AuditScope, fn: () => Promise<T>): Promise<T> {
  let result!: Promise<T>;
  const close = openAuditScope(scope, () => {
    result = fn();
  });
  try {
    return await result;
  } finally {
    close();
  }
}

/** The actor of Portico's own work (start-up, retention): no caller. */
export const SYSTEM_ACTOR: AuditActor = Object.freeze({ objectId: null, appId: null });
