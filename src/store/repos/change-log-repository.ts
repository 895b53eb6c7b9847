/** ChangeLogStore over Kysely: the change_events table (migration 0015). */
import { sql } from 'kysely';
import type { ChangeEvent } from '../../shared/change-events.js';
import type { ChangeLogStore } from '../store.js';
import type { Db } from './support.js';

export class ChangeLogRepository implements ChangeLogStore {
  constructor(private readonly db: Db) {}

  async append(event: ChangeEvent): Promise<void> {
    await this.db
      .insertInto('change_events')
      .values({ version: event.version, type: event.type, body: JSON.stringify(event), created_at: new Date().toISOString() })
      .execute();
  }

  async since(afterVersion: number, limit: number): Promise<ChangeEvent[]> {
    const rows = await this.db.selectFrom('change_events').select(['version', 'body']).where('version', '>', afterVersion).orderBy('version').limit(limit).execute();
    return rows.map((row) => ({ ...(JSON.parse(row.body) as ChangeEvent), version: Number(row.version) }));
  }

  async notify(channel: string, payload: string): Promise<void> {
    await sql`select pg_notify(${channel}, ${payload})`.execute(this.db);
  }

  /** Keeps the newest row whatever its age, so a node far behind always finds where the log ends. */
  async pruneCreatedBefore(time: string): Promise<number> {
    const newest = await this.db.selectFrom('change_events').select((eb) => eb.fn.max('version').as('v')).executeTakeFirst();
    if (newest?.v === null || newest?.v === undefined) return 0;
    const result = await this.db.deleteFrom('change_events').where('created_at', '<', time).where('version', '<', Number(newest.v)).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
