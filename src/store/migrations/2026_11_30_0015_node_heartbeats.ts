import type { Kysely } from 'kysely';

/**
 * Many nodes on one store (issue 10).
 *
 * `node_heartbeats`: each running Portico process (node) writes its row about every second — its
 * roles, the config version it has applied, where it runs — so the management API can answer
 * "has version N reached every live node?". Rows not seen for a while are ignored, then removed.
 *
 * `change_events`: every announced write's event, by version, written in the write's transaction.
 * On PostgreSQL the change feed notifies the version only (NOTIFY payloads stop at 8000 bytes and a
 * bulk import's event can be larger); each node reads the events it has not applied from here, in
 * order, which is also how a node that lost its connection catches up. Old rows are pruned.
 * Frozen: later changes go in new migrations, never here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('node_heartbeats')
    .addColumn('node_id', 'text', (c) => c.primaryKey())
    .addColumn('roles', 'text', (c) => c.notNull()) // comma list: gateway,management,identity
    .addColumn('applied_version', 'bigint', (c) => c.notNull())
    .addColumn('feed_connected', 'integer', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('change_events')
    .addColumn('version', 'bigint', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull()) // the event as JSON
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
