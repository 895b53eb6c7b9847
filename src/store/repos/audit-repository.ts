/** AuditStore over Kysely: the append-only audit_events table (migration 0011), newest first. */
import { sql, type SqlBool } from 'kysely';
import type { AuditEventRecord, AuditQuery, AuditStore, AuditWindow } from '../../audit/audit-store.js';
import type { SqlRules } from '../dialect.js';
import type { AuditEventsTable } from '../schema.js';
import type { Db } from './support.js';

export class AuditRepository implements AuditStore {
  constructor(
    private readonly db: Db,
    private readonly rules: SqlRules,
  ) {}

  async append(rows: readonly AuditEventRecord[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.insertInto('audit_events').values(rows.map(auditRow)).execute();
  }

  async get(id: string): Promise<AuditEventRecord | undefined> {
    const row = await this.db.selectFrom('audit_events').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst();
    return row && auditRecord(row);
  }

  /**
   * Ordered by (timestamp, id) descending in code unit order, the terms of the indexes; each filter
   * pins the leading column of one of them (time alone, actor, target) so the range and the order
   * come from one index. The continuation is a row comparison: (timestamp, id) < last. An actor is
   * matched as object id and as appId by two such index ranges (an OR would make the database sort),
   * merged here: at most 2 × (top + 1) rows.
   */
  async list(query: AuditQuery, window: AuditWindow): Promise<AuditEventRecord[]> {
    if (query.actor === undefined) return this.listWhere(query, undefined, window);
    const actor = query.actor.toLowerCase();
    const [byObject, byApp] = [await this.listWhere(query, ['actor_object_id', actor], window), await this.listWhere(query, ['actor_app_id', actor], window)];
    const merged = new Map([...byObject, ...byApp].map((row) => [row.id, row]));
    const newestFirst = (a: AuditEventRecord, b: AuditEventRecord): number =>
      a.timestamp !== b.timestamp ? (a.timestamp < b.timestamp ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
    return [...merged.values()].sort(newestFirst).slice(0, window.top + 1);
  }

  private async listWhere(query: AuditQuery, actor: ['actor_object_id' | 'actor_app_id', string] | undefined, window: AuditWindow): Promise<AuditEventRecord[]> {
    const ts = this.rules.byteOrder('timestamp');
    const id = this.rules.byteOrder('id');
    let select = this.db.selectFrom('audit_events').selectAll();
    if (actor !== undefined) select = select.where(actor[0], '=', actor[1]);
    if (query.target !== undefined) select = select.where('target_key', '=', query.target.toLowerCase());
    if (query.operation !== undefined) select = select.where('operation', '=', query.operation);
    if (query.from !== undefined) select = select.where(sql<SqlBool>`${ts} >= ${query.from}`);
    if (query.to !== undefined) select = select.where(sql<SqlBool>`${ts} <= ${query.to}`);
    if (window.after !== undefined) select = select.where(sql<SqlBool>`(${ts}, ${id}) < (${window.after[0]}, ${window.after[1]})`);
    const rows = await select.orderBy(sql`${ts} desc`).orderBy(sql`${id} desc`).limit(window.top + 1).execute();
    return rows.map(auditRecord);
  }

  async deleteBefore(cutoff: string): Promise<number> {
    const result = await this.db.deleteFrom('audit_events').where(sql<SqlBool>`${this.rules.byteOrder('timestamp')} < ${cutoff}`).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function auditRow(record: AuditEventRecord): AuditEventsTable {
  return {
    id: record.id,
    timestamp: record.timestamp,
    actor_object_id: record.actorObjectId?.toLowerCase() ?? null,
    actor_app_id: record.actorAppId?.toLowerCase() ?? null,
    operation: record.operation,
    target_id: record.targetId,
    target_key: record.targetId.toLowerCase(),
    outcome: record.outcome,
    status: record.status,
    correlation_id: record.correlationId,
    details: record.details === null ? null : JSON.stringify(record.details),
  };
}

function auditRecord(row: AuditEventsTable): AuditEventRecord {
  return {
    id: row.id,
    timestamp: row.timestamp,
    actorObjectId: row.actor_object_id,
    actorAppId: row.actor_app_id,
    operation: row.operation,
    targetId: row.target_id,
    outcome: row.outcome === 'failure' ? 'failure' : 'success',
    status: row.status === null ? null : Number(row.status),
    correlationId: row.correlation_id,
    details: row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>),
  };
}
