import { sql, type Kysely } from 'kysely';
import { dialectNameOf, sqlRules } from '../dialect.js';

/**
 * Identifier URIs become unique by index: one row per URI of an application, keyed by its
 * normalised form (lower case, no trailing slash, as the token endpoint resolves them), so a new
 * application's check is one lookup instead of a scan of every application. Filled from the
 * applications already stored; should two of them share a URI (possible only through a race before
 * this), the older keeps it in the index.
 *
 * Indexes for the management lists, which page in SQL ordered by name in code unit order
 * (SqlRules.byteOrder): one on that order per listed table where the primary key does not serve it
 * (PostgreSQL), and one per owner filter, whose rows then come out already in order. Memberships by
 * user (group_users_user_id) and product links by application (the primary key) are served by
 * indexes of migration 0001. Frozen: later changes go in new migrations, never here.
 */
const LISTED = ['users', 'groups', 'products', 'apis', 'subscriptions', 'client_applications'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('application_identifier_uris')
    .addColumn('uri_key', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .execute();
  await db.schema.createIndex('application_identifier_uris_application_id').on('application_identifier_uris').column('application_id').execute();
  const apps = await db.selectFrom('applications').select(['id', 'identifier_uris', 'created_date_time']).execute();
  apps.sort((a, b) => (a.created_date_time === b.created_date_time ? (a.id < b.id ? -1 : 1) : a.created_date_time < b.created_date_time ? -1 : 1));
  for (const app of apps) {
    // The rule as it stands today, copied so this migration stays frozen.
    const keys = [...new Set((JSON.parse(app.identifier_uris) as string[]).map((uri) => uri.toLowerCase().replace(/\/+$/, '')))];
    if (keys.length === 0) continue;
    await db
      .insertInto('application_identifier_uris')
      .values(keys.map((key) => ({ uri_key: key, application_id: app.id })))
      .onConflict((oc) => oc.column('uri_key').doNothing())
      .execute();
  }

  const rules = sqlRules(dialectNameOf(db));
  const id = rules.byteOrder('id');
  if (!rules.primaryKeyOrdersByCodeUnit) {
    for (const table of LISTED) await db.schema.createIndex(`${table}_list_order`).on(table).expression(id).execute();
  }
  // users/{id}/clientApplications filters on lower(owner_id) (sameName); users/{id}/subscriptions on owner_id.
  await db.schema.createIndex('client_applications_owner_list').on('client_applications').expression(sql`lower(owner_id), ${id}`).execute();
  await db.schema.createIndex('subscriptions_owner_list').on('subscriptions').expression(sql`owner_id, ${id}`).execute();
}
