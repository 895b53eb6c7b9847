/**
 * The audit log's storage and its two background jobs on a real store of each dialect: keyset
 * paging newest first with every filter, retention, and the gateway refusal queue (bounded,
 * coalescing per application per minute), with a controlled clock.
 */
import { expect, test } from 'vitest';
import pino from 'pino';
import { describeEachDialect } from '../helpers/databases.js';
import { useFreshStore } from '../store/harness.js';
import { commitChange } from '../../src/store/index.js';
import { InProcessChangeFeed } from '../../src/shared/index.js';
import {
  currentAuditScope, newAuditScope, purgeExpiredAuditEvents, RefusalRecorder, REFUSED_OPERATION, runInAuditScope, type AuditEventRecord,
} from '../../src/audit/index.js';

const quiet = pino({ level: 'silent' });
const SERVICE = '/subscriptions/s/resourceGroups/g/providers/Microsoft.ApiManagement/service/x';

function row(n: number, fields: Partial<AuditEventRecord> = {}): AuditEventRecord {
  return {
    id: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
    timestamp: new Date(Date.UTC(2026, 10, 1, 0, 0, n % 3)).toISOString(), // ties on purpose
    actorObjectId: n % 2 === 0 ? 'aaaaaaaa-0000-0000-0000-000000000000' : 'bbbbbbbb-0000-0000-0000-000000000000',
    actorAppId: n % 2 === 0 ? 'appa' : 'appb',
    operation: 'products.write',
    targetId: `${SERVICE}/products/p${n % 4}`,
    outcome: 'success',
    status: 200,
    correlationId: null,
    details: null,
    ...fields,
  };
}

describeEachDialect('audit store', (dialect) => {
  const context = useFreshStore(dialect);

  test('lists newest first, pages by (timestamp, id) without repeats or gaps, and filters by index terms', async () => {
    const { store } = context();
    const rows = Array.from({ length: 25 }, (_, n) => row(n));
    await store.audit.append(rows);
    const expected = [...rows].sort((a, b) => (a.timestamp === b.timestamp ? (a.id < b.id ? 1 : -1) : a.timestamp < b.timestamp ? 1 : -1)).map((r) => r.id);
    const seen: string[] = [];
    let after: [string, string] | undefined;
    for (;;) {
      const page = await store.audit.list({}, { top: 4, after });
      seen.push(...page.slice(0, 4).map((r) => r.id));
      if (page.length <= 4) break;
      const last = page[3]!;
      after = [last.timestamp, last.id];
    }
    expect(seen).toEqual(expected);

    const byActor = await store.audit.list({ actor: 'APPA' }, { top: 100 });
    expect(byActor.map((r) => r.id).sort()).toEqual(rows.filter((_, n) => n % 2 === 0).map((r) => r.id).sort());
    const byTarget = await store.audit.list({ target: `${SERVICE.toUpperCase()}/PRODUCTS/P1` }, { top: 100 });
    expect(byTarget).toHaveLength(rows.filter((_, n) => n % 4 === 1).length);
    const window = await store.audit.list({ from: '2026-11-01T00:00:01.000Z', to: '2026-11-01T00:00:01.000Z' }, { top: 100 });
    expect(window.every((r) => r.timestamp === '2026-11-01T00:00:01.000Z')).toBe(true);
    expect(window).toHaveLength(rows.filter((_, n) => n % 3 === 1).length);
    expect((await store.audit.list({}, { top: 1 }))[0]).toEqual(rows.find((r) => r.id === expected[0]));
  });

  test('retention deletes only the events older than the period', async () => {
    const { store } = context();
    const now = new Date('2026-11-30T00:00:00.000Z');
    await store.audit.append([
      row(1, { timestamp: '2026-08-01T00:00:00.000Z' }),
      row(2, { timestamp: '2026-09-01T00:00:00.001Z' }),
      row(3, { timestamp: '2026-11-29T00:00:00.000Z' }),
    ]);
    expect(await purgeExpiredAuditEvents(store.audit, 90, now)).toBe(1);
    expect((await store.audit.list({}, { top: 10 })).map((r) => r.id)).toEqual([row(3).id, row(2).id]);
  });

  test('a write in an audit scope commits its audit row in its own transaction, and a failed write leaves none', async () => {
    const { store } = context();
    const feed = new InProcessChangeFeed();
    const scope = newAuditScope({ actor: { objectId: 'cccccccc-0000-0000-0000-000000000000', appId: 'appc' }, correlationId: 'req-1', serviceResourceId: SERVICE });
    await runInAuditScope(scope, () =>
      commitChange({ store, feed }, async () => ({ result: undefined, event: { type: 'product.updated', productId: 'starter' } })));
    await expect(runInAuditScope(scope, () =>
      commitChange({ store, feed }, async () => {
        throw new Error('the write failed');
      }))).rejects.toThrow('the write failed');
    // A batch can record one entry per item instead of the event's.
    await runInAuditScope(scope, () =>
      commitChange({ store, feed }, async () => ({
        result: undefined,
        event: { type: 'product.updated', productId: 'gold' },
        audit: [{ operation: 'portico.import', target: '/clientApplications/a' }, { operation: 'portico.import', target: '/clientApplications/b' }],
      })));
    const rows = await store.audit.list({}, { top: 10 });
    expect(rows.map((r) => [r.operation, r.targetId, r.status, r.actorAppId, r.correlationId]).sort()).toEqual([
      ['portico.import', `${SERVICE}/clientApplications/a`, null, 'appc', 'req-1'],
      ['portico.import', `${SERVICE}/clientApplications/b`, null, 'appc', 'req-1'],
      ['products.write', `${SERVICE}/products/starter`, 200, 'appc', 'req-1'],
    ]);
    expect(scope.committed).toBe(3);
  });

  test('gateway refusals coalesce per application per minute and the queue is bounded', async () => {
    const { store } = context();
    let now = new Date('2026-11-30T10:00:05.000Z');
    const recorder = new RefusalRecorder({ audit: store.audit, logger: quiet, serviceResourceId: SERVICE, capacity: 2, now: () => now });
    const refusal = (appId: string) => ({ appId, objectId: undefined, clientApplicationId: appId === 'app-1' ? 'one' : undefined, reason: 'notLinked' });
    for (let i = 0; i < 1000; i++) recorder.record(refusal('app-1'));
    recorder.record(refusal('app-2'));
    recorder.record(refusal('app-3')); // beyond capacity: counted, not kept
    await recorder.flush();
    let rows = await store.audit.list({ operation: REFUSED_OPERATION }, { top: 100 });
    expect(rows.map((r) => [r.targetId, r.actorAppId, r.outcome, r.status, r.details]).sort()).toEqual([
      [`${SERVICE}/clientApplications/one`, 'app-1', 'failure', 401, { reason: 'notLinked', appId: 'app-1', count: 1 }],
      ['app-2', 'app-2', 'failure', 401, { reason: 'notLinked', appId: 'app-2', count: 1 }],
    ]);
    expect((await store.audit.list({ operation: 'gateway.auditDropped' }, { top: 10 }))[0]!.details).toEqual({ dropped: 1 });

    // Same minute: repeats only count. Next minute: one row says how many followed.
    for (let i = 0; i < 10; i++) recorder.record(refusal('app-1'));
    await recorder.flush();
    expect(await store.audit.list({ operation: REFUSED_OPERATION }, { top: 100 })).toHaveLength(2);
    now = new Date('2026-11-30T10:01:00.000Z');
    await recorder.flush();
    rows = await store.audit.list({ operation: REFUSED_OPERATION, actor: 'app-1' }, { top: 100 });
    expect(rows.map((r) => r.details)).toContainEqual({ reason: 'notLinked', appId: 'app-1', repeats: 1009, minute: '2026-11-30T10:00:00.000Z' });
    expect(rows).toHaveLength(2);
    // A new minute starts afresh.
    recorder.record(refusal('app-1'));
    await recorder.stop();
    expect(await store.audit.list({ operation: REFUSED_OPERATION, actor: 'app-1' }, { top: 100 })).toHaveLength(3);
  });
});

test('an audit scope holds while any is open and is gone once all have closed (its storage is then turned off)', async () => {
  const scope = (name: string) => newAuditScope({ actor: { objectId: null, appId: name }, correlationId: name, serviceResourceId: SERVICE });
  let releaseFirst!: () => void;
  const firstMayEnd = new Promise<void>((resolve) => (releaseFirst = resolve));
  const seen: (string | null | undefined)[] = [];
  const first = runInAuditScope(scope('first'), async () => {
    await firstMayEnd;
    await Promise.resolve();
    seen.push(currentAuditScope()?.correlationId);
  });
  await runInAuditScope(scope('second'), async () => {
    await Promise.resolve();
    seen.push(currentAuditScope()?.correlationId);
  });
  // The second scope closed while the first was open: the first still sees its own scope.
  releaseFirst();
  await first;
  expect(seen).toEqual(['second', 'first']);
  expect(currentAuditScope()).toBeUndefined();
  // Reopened after being turned off, a scope works again.
  expect(await runInAuditScope(scope('third'), async () => {
    await Promise.resolve();
    return currentAuditScope()?.correlationId;
  })).toBe('third');
});
