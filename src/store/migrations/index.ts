import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './2026_11_26_0001_initial.js';
import * as m0002 from './2026_11_26_0002_case_insensitive_names.js';
import * as m0003 from './2026_11_30_0003_key_credentials.js';
import * as m0004 from './2026_11_30_0004_signing_key_certificates.js';
import * as m0005 from './2026_11_30_0005_list_indexes.js';
import * as m0006 from './2026_11_30_0006_config_version.js';
import * as m0007 from './2026_11_30_0007_list_indexes.js';
import * as m0008 from './2026_11_30_0008_product_policies.js';
import * as m0011 from './2026_11_30_0011_audit_log.js';
import * as m0014 from './2026_11_30_0014_link_state.js';
import * as m0015 from './2026_11_30_0015_node_heartbeats.js';

/**
 * Every migration, by name. Static imports (not FileMigrationProvider) because the code runs from
 * dist/, where file names and extensions differ from src/. Add new migrations at the end; names
 * sort in the order they must run.
 */
const MIGRATIONS: Record<string, Migration> = {
  '2026_11_26_0001_initial': m0001,
  '2026_11_26_0002_case_insensitive_names': m0002,
  '2026_11_30_0003_key_credentials': m0003,
  '2026_11_30_0004_signing_key_certificates': m0004,
  '2026_11_30_0005_list_indexes': m0005,
  '2026_11_30_0006_config_version': m0006,
  '2026_11_30_0007_list_indexes': m0007,
  '2026_11_30_0008_product_policies': m0008,
  '2026_11_30_0011_audit_log': m0011,
  '2026_11_30_0014_link_state': m0014,
  '2026_11_30_0015_node_heartbeats': m0015,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
