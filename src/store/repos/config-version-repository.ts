/** ConfigVersionStore over Kysely: the one-row config_version table. */
import type { ConfigVersionStore } from '../store.js';
import type { Db } from './support.js';

export class ConfigVersionRepository implements ConfigVersionStore {
  constructor(private readonly db: Db) {}

  async current(): Promise<number> {
    const row = await this.db.selectFrom('config_version').select('version').where('id', '=', 1).executeTakeFirstOrThrow();
    return Number(row.version);
  }

  /** One statement, so concurrent writers (PostgreSQL row lock, SQLite's single writer) never share a number. */
  async bump(): Promise<number> {
    const row = await this.db
      .updateTable('config_version')
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('id', '=', 1)
      .returning('version')
      .executeTakeFirstOrThrow();
    return Number(row.version);
  }
}
