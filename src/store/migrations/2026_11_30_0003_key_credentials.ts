import type { Kysely } from 'kysely';

/**
 * Certificate credentials of applications (Graph's keyCredentials), for private_key_jwt client
 * authentication. Frozen: later changes go in new migrations, never here.
 *
 * The certificate is kept whole (base64 DER) so its public key can be rebuilt; both thumbprints
 * are stored because clients name the certificate by either (`x5t` = SHA-1, `x5t#S256` = SHA-256).
 * One certificate at most once per application; the credentials go with their application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('key_credentials')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('display_name', 'text')
    .addColumn('certificate', 'text', (c) => c.notNull())
    .addColumn('thumbprint_sha1', 'text', (c) => c.notNull())
    .addColumn('thumbprint_sha256', 'text', (c) => c.notNull())
    .addColumn('start_date_time', 'text', (c) => c.notNull())
    .addColumn('end_date_time', 'text', (c) => c.notNull())
    .addColumn('created_date_time', 'text', (c) => c.notNull())
    .addUniqueConstraint('key_credentials_one_per_application', ['application_id', 'thumbprint_sha256'])
    .execute();
}
