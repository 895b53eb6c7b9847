import { sql, type Kysely } from 'kysely';
import { dialectNameOf, sqlRules } from '../dialect.js';

/**
 * The audit log (issue 8): one append-only table, listed newest first and paged by keyset on
 * (timestamp, id) in code unit order. Three indexes serve the list's filters together with that
 * order: time alone, the actor (object id or appId) then time, the target (lower case, as ARM ids
 * compare) then time. Timestamps are ISO 8601 text of one fixed width, so text order is time order.
 *
 * applications.created_by: the service principal that created a directory application (null for
 * Portico's own first-start objects), as Entra records an application's owner. Start-up
 * reconciliation removes applications its managed identity created that nothing references (a
 * registration killed midway). Existing rows the management plane made — those a client
 * application or a product references — are backfilled with the managed identity (the `instance`
 * setting first start wrote); any other existing row stays null and is never taken for an orphan.
 *
 * Frozen: later changes go in new migrations, never here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const rules = sqlRules(dialectNameOf(db));
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('timestamp', 'text', (c) => c.notNull())
    .addColumn('actor_object_id', 'text')
    .addColumn('actor_app_id', 'text')
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('correlation_id', 'text')
    .addColumn('details', 'text')
    .execute();
  const order = sql`${rules.byteOrder('timestamp')}, ${rules.byteOrder('id')}`;
  await db.schema.createIndex('audit_events_time').on('audit_events').expression(order).execute();
  await db.schema.createIndex('audit_events_actor').on('audit_events').expression(sql`actor_object_id, ${order}`).execute();
  await db.schema.createIndex('audit_events_actor_app').on('audit_events').expression(sql`actor_app_id, ${order}`).execute();
  await db.schema.createIndex('audit_events_target').on('audit_events').expression(sql`target_key, ${order}`).execute();

  await db.schema.alterTable('applications').addColumn('created_by', 'text').execute();
  await db.schema.createIndex('applications_created_by').on('applications').column('created_by').execute();

  const instance = await db.selectFrom('settings').select('value').where('key', '=', 'instance').executeTakeFirst();
  const managedIdentity = instance ? (JSON.parse(instance.value as string) as { managedIdentityPrincipalId?: unknown }).managedIdentityPrincipalId : undefined;
  if (typeof managedIdentity !== 'string') return; // a store first start never finished: nothing to backfill
  await db
    .updateTable('applications')
    .set({ created_by: managedIdentity.toLowerCase() })
    .where((eb) => eb.or([
      eb('id', 'in', eb.selectFrom('client_applications').select('entra_object_id')),
      eb('app_id', 'in', eb.selectFrom('products').select('entra_application_id').where('entra_application_id', 'is not', null)),
    ]))
    .execute();
}
