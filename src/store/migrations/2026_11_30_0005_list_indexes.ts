import { sql, type Kysely } from 'kysely';
import { dialectNameOf, sqlRules } from '../dialect.js';

/**
 * Indexes for the management lists, which page in SQL ordered by name in code unit order
 * (SqlRules.byteOrder): one on that order per listed table where the primary key does not serve it
 * (PostgreSQL), and one per owner filter, whose rows then come out already in order. Memberships by
 * user (group_users_user_id) and product links by application (the primary key) are served by
 * indexes of migration 0001. Frozen: later changes go in new migrations, never here.
 */
const LISTED = ['users', 'groups', 'products', 'apis', 'subscriptions', 'client_applications'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  const rules = sqlRules(dialectNameOf(db));
  const id = rules.byteOrder('id');
  if (!rules.primaryKeyOrdersByCodeUnit) {
    for (const table of LISTED) await db.schema.createIndex(`${table}_list_order`).on(table).expression(id).execute();
  }
  // users/{id}/clientApplications filters on lower(owner_id) (sameName); users/{id}/subscriptions on owner_id.
  await db.schema.createIndex('client_applications_owner_list').on('client_applications').expression(sql`lower(owner_id), ${id}`).execute();
  await db.schema.createIndex('subscriptions_owner_list').on('subscriptions').expression(sql`owner_id, ${id}`).execute();
}
