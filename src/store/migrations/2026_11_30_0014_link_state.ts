import type { Kysely } from 'kysely';

/**
 * Product links gain `state` (pending | active | approved | rejected): a link to a product with
 * approvalRequired starts pending until an administrator approves it. Links made before this were
 * granted at once, so they are `active`.
 *
 * Subscriptions gain APIM's audit dates `start_date` (when it became active), `end_date` (when it
 * was cancelled or expired) and `notification_date`. Subscriptions already active get their
 * creation date as start date, the best record there is.
 * Frozen: later changes go in new migrations, never here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('product_links').addColumn('state', 'text', (c) => c.notNull().defaultTo('active')).execute();
  await db.schema.alterTable('subscriptions').addColumn('start_date', 'text').execute();
  await db.schema.alterTable('subscriptions').addColumn('end_date', 'text').execute();
  await db.schema.alterTable('subscriptions').addColumn('notification_date', 'text').execute();
  await db.updateTable('subscriptions').set((eb) => ({ start_date: eb.ref('created_date') })).where('state', '=', 'active').execute();
}
