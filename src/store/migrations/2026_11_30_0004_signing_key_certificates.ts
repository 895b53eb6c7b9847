import type { Kysely } from 'kysely';

/**
 * Each signing key gets a self-signed certificate (base64 DER), published as `x5c` in the JWKS as
 * Entra does. Nullable: keys made before this migration have none; they keep their kid (tokens
 * carry it) and leave when a rotation retires them. Frozen: later changes go in new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('signing_keys').addColumn('certificate', 'text').execute();
}
