/** QuotaCounterStore over Kysely: the quota_counters table, one row per counter key. */
import type { QuotaCounterRecord, QuotaCounterStore } from '../store.js';
import type { Db } from './support.js';

export class QuotaCounterRepository implements QuotaCounterStore {
  constructor(private readonly db: Db) {}

  async listQuotaCounters(notResetBefore: number): Promise<QuotaCounterRecord[]> {
    const rows = await this.db.selectFrom('quota_counters').selectAll().where('resets_at', '>', notResetBefore).execute();
    return rows.map((row) => ({ key: row.counter_key, count: Number(row.count), resetsAt: Number(row.resets_at) }));
  }

  async putQuotaCounters(counters: readonly QuotaCounterRecord[]): Promise<void> {
    for (const counter of counters) {
      await this.db
        .insertInto('quota_counters')
        .values({ counter_key: counter.key, count: counter.count, resets_at: counter.resetsAt })
        .onConflict((oc) => oc.column('counter_key').doUpdateSet({ count: counter.count, resets_at: counter.resetsAt }))
        .execute();
    }
  }

  async deleteQuotaCountersResetBefore(time: number): Promise<void> {
    await this.db.deleteFrom('quota_counters').where('resets_at', '<=', time).execute();
  }
}
