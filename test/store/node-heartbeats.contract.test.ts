/** node_heartbeats and change_events (migration 0015) behave alike on both dialects. */
import { expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { useFreshStore } from './harness.js';

describeEachDialect('node heartbeats and the stored change log', (dialect) => {
  const ctx = useFreshStore(dialect);
  const beat = (nodeId: string, lastSeenAt: string, appliedVersion = 1) => ({
    nodeId, roles: ['gateway'], appliedVersion, feedConnected: true, host: 'h', pid: 7, startedAt: '2026-11-30T00:00:00.000Z', lastSeenAt,
  });

  test('a beat upserts the row; lists and clean-up go by last seen', async () => {
    const { nodes } = ctx().store;
    await nodes.beat(beat('a', '2026-11-30T10:00:00.000Z'));
    await nodes.beat(beat('a', '2026-11-30T10:00:05.000Z', 9));
    await nodes.beat(beat('b', '2026-11-30T09:00:00.000Z'));
    expect(await nodes.listSeenSince('2026-11-30T10:00:00.000Z')).toEqual([beat('a', '2026-11-30T10:00:05.000Z', 9)]);
    expect(await nodes.removeNotSeenSince('2026-11-30T09:30:00.000Z')).toBe(1);
    expect((await nodes.listSeenSince('2000-01-01T00:00:00.000Z')).map((n) => n.nodeId)).toEqual(['a']);
    await nodes.remove('a');
    expect(await nodes.listSeenSince('2000-01-01T00:00:00.000Z')).toEqual([]);
  });

  test('stored events come back in version order; pruning keeps the newest', async () => {
    const { changeLog } = ctx().store;
    for (const version of [3, 1, 2]) await changeLog.append({ type: 'user.created', userId: `u${version}`, version });
    expect(await changeLog.since(1, 10)).toEqual([{ type: 'user.created', userId: 'u2', version: 2 }, { type: 'user.created', userId: 'u3', version: 3 }]);
    expect(await changeLog.since(0, 1)).toEqual([{ type: 'user.created', userId: 'u1', version: 1 }]);
    expect(await changeLog.pruneCreatedBefore(new Date(Date.now() + 60_000).toISOString())).toBe(2);
    expect(await changeLog.since(0, 10)).toEqual([{ type: 'user.created', userId: 'u3', version: 3 }]);
  });
});
