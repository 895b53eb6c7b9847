import { Migrator, type Kysely } from 'kysely';
import { StoreError } from '../errors/index.js';
import { migrationProvider } from './migrations/index.js';

/**
 * Brings the schema up to date. Safe when several processes start at once: PostgreSQL serialises
 * them with Kysely's advisory lock, SQLite with the write lock of the migration transaction.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error === undefined) return;
  if (error instanceof StoreError) throw error;
  const failed = results?.find((r) => r.status === 'Error')?.migrationName;
  const message = error instanceof Error ? error.message : String(error);
  throw new Error(`database migration ${failed ?? ''} failed: ${message}`.replace('  ', ' '), { cause: error });
}
