/** QuotaCounterStore over Kysely: the quota_counters table, one row per counter key. */
import type { QuotaCounterRecord, QuotaCounterStore } from '../store.js';
import { sql } from 'kysely';
import type { Db } from './support.js';

export class QuotaCounterRepository implements QuotaCounterStore {
  constructor(private readonly db: Db) {}

  async listQuotaCounters(notResetBefore: number): Promise<QuotaCounterRecord[]> {
    const rows = await this.db.selectFrom('quota_counters').selectAll().where('resets_at', '>', notResetBefore).execute();
    return rows.map((row) => ({ key: row.counter_key, count: Number(row.count), resetsAt: Number(row.resets_at) }));
  }

  async addQuotaCounts(deltas: readonly QuotaCounterRecord[], now: number): Promise<void> {
    for (const delta of deltas) {
      // One statement per key, atomic on both dialects: concurrent writers add, none overwrites.
      const running = sql<boolean>`quota_counters.resets_at > ${now}`;
      await this.db
        .insertInto('quota_counters')
        .values({ counter_key: delta.key, count: delta.count, resets_at: delta.resetsAt })
        .onConflict((oc) =>
          oc.column('counter_key').doUpdateSet({
            count: sql<number>`case when ${running} then quota_counters.count + excluded.count else excluded.count end`,
            resets_at: sql<number>`case when ${running} then quota_counters.resets_at else excluded.resets_at end`,
          }),
        )
        .execute();
    }
  }

  async deleteQuotaCountersResetBefore(time: number): Promise<void> {
    await this.db.deleteFrom('quota_counters').where('resets_at', '<=', time).execute();
  }
}
