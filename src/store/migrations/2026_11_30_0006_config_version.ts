import type { Kysely } from 'kysely';

/**
 * The configuration version: one row, bumped in the same transaction as every announced write, so
 * the number an event carries survives a restart and is shared by every process on the store.
 * Frozen: later changes go in new migrations, never here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('config_version')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('config_version').values({ id: 1, version: 0 }).execute();
}
