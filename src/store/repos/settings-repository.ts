/** SettingsStore over Kysely: a key/value table, put = upsert. */
import type { SettingsStore } from '../store.js';
import type { Db } from './support.js';

export class SettingsRepository implements SettingsStore {
  constructor(private readonly db: Db) {}

  async getSetting(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async putSetting(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
}
