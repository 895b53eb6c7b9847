/** NodeHeartbeatStore over Kysely: the node_heartbeats table (migration 0015). */
import type { NodeHeartbeat, NodeHeartbeatStore } from '../store.js';
import type { Db } from './support.js';

export class NodeHeartbeatRepository implements NodeHeartbeatStore {
  constructor(private readonly db: Db) {}

  async beat(node: NodeHeartbeat): Promise<void> {
    const row = {
      node_id: node.nodeId,
      roles: node.roles.join(','),
      applied_version: node.appliedVersion,
      feed_connected: node.feedConnected ? 1 : 0,
      host: node.host,
      pid: node.pid,
      started_at: node.startedAt,
      last_seen_at: node.lastSeenAt,
    };
    await this.db
      .insertInto('node_heartbeats')
      .values(row)
      .onConflict((oc) =>
        oc.column('node_id').doUpdateSet({ roles: row.roles, applied_version: row.applied_version, feed_connected: row.feed_connected, last_seen_at: row.last_seen_at }),
      )
      .execute();
  }

  async listSeenSince(time: string): Promise<NodeHeartbeat[]> {
    const rows = await this.db.selectFrom('node_heartbeats').selectAll().where('last_seen_at', '>=', time).orderBy('node_id').execute();
    return rows.map((row) => ({
      nodeId: row.node_id,
      roles: row.roles === '' ? [] : row.roles.split(','),
      appliedVersion: Number(row.applied_version),
      feedConnected: row.feed_connected !== 0,
      host: row.host,
      pid: row.pid,
      startedAt: row.started_at,
      lastSeenAt: row.last_seen_at,
    }));
  }

  async remove(nodeId: string): Promise<void> {
    await this.db.deleteFrom('node_heartbeats').where('node_id', '=', nodeId).execute();
  }

  async removeNotSeenSince(time: string): Promise<number> {
    const result = await this.db.deleteFrom('node_heartbeats').where('last_seen_at', '<', time).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
