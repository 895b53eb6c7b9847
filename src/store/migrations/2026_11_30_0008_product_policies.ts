import type { Kysely } from 'kysely';

/**
 * Product policies (APIM's `products/{id}/policies/policy`): one policy document per product, stored
 * as sent; the gateway reads its limits (rate-limit, quota) from it. Stores created before this get
 * Starter's policy here (a new store gets it at first start), so Starter's "5 calls/minute, 100
 * calls/week" is enforced everywhere.
 *
 * Quota counters: the gateway's quota counts, flushed every few seconds, so a restart does not
 * hand every caller a fresh quota. One row per counter key (product and subscription or client app).
 *
 * Subscriptions gain `expiration_date` (APIM's expirationDate): past it, the gateway refuses the key.
 * Frozen: later changes go in new migrations, never here.
 */
export const STARTER_POLICY_0008 = [
  '<policies>',
  '  <inbound>',
  '    <rate-limit calls="5" renewal-period="60" />',
  '    <quota calls="100" renewal-period="604800" />',
  '    <base />',
  '  </inbound>',
  '  <backend>',
  '    <base />',
  '  </backend>',
  '  <outbound>',
  '    <base />',
  '  </outbound>',
  '  <on-error>',
  '    <base />',
  '  </on-error>',
  '</policies>',
].join('\n');

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('product_policies')
    .addColumn('product_id', 'text', (c) => c.primaryKey().references('products.id').onDelete('cascade'))
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('quota_counters')
    .addColumn('counter_key', 'text', (c) => c.primaryKey())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addColumn('resets_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('subscriptions').addColumn('expiration_date', 'text').execute();
  const starter = await db.selectFrom('products').select('id').where('id', '=', 'starter').executeTakeFirst();
  if (starter) await db.insertInto('product_policies').values({ product_id: starter.id, format: 'xml', value: STARTER_POLICY_0008 }).execute();
}
