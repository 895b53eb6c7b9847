import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './2026_11_26_0001_initial.js';

/**
 * Every migration, by name. Static imports (not FileMigrationProvider) because the code runs from
 * dist/, where file names and extensions differ from src/. Add new migrations at the end; names
 * sort in the order they must run.
 */
const MIGRATIONS: Record<string, Migration> = {
  '2026_11_26_0001_initial': m0001,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
