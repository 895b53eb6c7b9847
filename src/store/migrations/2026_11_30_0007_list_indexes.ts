import { sql, type Kysely } from 'kysely';
import { dialectNameOf, sqlRules } from '../dialect.js';

/**
 * Indexes for the lists that now page and filter in SQL (issue 6), each on the very terms its
 * query uses, so the planner can serve the filter and the order from one index:
 *
 * - Graph's applications and service principals list in creation order, then id, both in code unit
 *   order (SqlRules.byteOrder): one index on that order, and one on lower(display_name) followed by
 *   it for `$filter=displayName eq '…'` (case-insensitive, as Graph compares). `appId eq` uses the
 *   unique index on app_id of migration 0001. A service principal's app role assignments (as
 *   principal, and as resource: every client application linked to a product) page in the same
 *   order: principal_id or resource_id followed by it.
 * - ARM `$filter=displayName eq '…'` on products, APIs, groups, subscriptions and client
 *   applications (case-insensitive, as ARM names): lower(display_name), then the list's order
 *   (byteOrder(id)). `name eq` uses the lower(id) unique indexes of migration 0002, users' `email eq`
 *   the unique email_lower index of migration 0001.
 * - A product's APIs list through product_apis, ordered by api_id: on PostgreSQL its primary key
 *   follows the locale, so (product_id, byteOrder(api_id)) gets an index (SQLite's key serves).
 * - client_applications_owner_id (migration 0001) goes: every query by owner compares
 *   lower(owner_id), which client_applications_owner_list (migration 0005) serves; nothing used it.
 *
 * Frozen: later changes go in new migrations, never here.
 */
const DIRECTORY_LISTS = ['applications', 'service_principals'] as const;
const ARM_DISPLAY_NAME_LISTS = ['products', 'apis', 'groups', 'subscriptions', 'client_applications'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  const rules = sqlRules(dialectNameOf(db));
  const order = sql`${rules.byteOrder('created_date_time')}, ${rules.byteOrder('id')}`;
  for (const table of DIRECTORY_LISTS) {
    await db.schema.createIndex(`${table}_list_order`).on(table).expression(order).execute();
    await db.schema.createIndex(`${table}_display_name_list`).on(table).expression(sql`lower(display_name), ${order}`).execute();
  }
  for (const side of ['principal_id', 'resource_id']) {
    await db.schema.createIndex(`app_role_assignments_${side}_list`).on('app_role_assignments').expression(sql`${sql.ref(side)}, ${order}`).execute();
  }
  for (const table of ARM_DISPLAY_NAME_LISTS) {
    await db.schema.createIndex(`${table}_display_name_list`).on(table).expression(sql`lower(display_name), ${rules.byteOrder('id')}`).execute();
  }
  if (!rules.primaryKeyOrdersByCodeUnit) {
    await db.schema.createIndex('product_apis_list').on('product_apis').expression(sql`product_id, ${rules.byteOrder('api_id')}`).execute();
  }
  await db.schema.dropIndex('client_applications_owner_id').execute();
}
