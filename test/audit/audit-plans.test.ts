/**
 * The audit list's queries are served by the indexes of migration 0011 on both dialects: every
 * filter (none, time, actor as object id and as appId, target) and a deep continuation read one
 * index range in order — no full scan, no sort (EXPLAIN QUERY PLAN / EXPLAIN).
 */
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { openStore, type ExecutedQuery, type Store } from '../../src/store/index.js';
import { createTestDatabase, describeEachDialect, type TestDatabase, type TestDialect } from '../helpers/databases.js';
import type { AuditEventRecord } from '../../src/audit/index.js';

describeEachDialect('audit list plans', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  let executed: ExecutedQuery[] = [];

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    store = await openStore({ dataDir: database.dataDir, databaseUrl: database.databaseUrl, onQuery: (query) => void executed.push(query) });
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  test('each filter reads one index range in order', async () => {
    const rows: AuditEventRecord[] = Array.from({ length: 600 }, (_, n) => ({
      id: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
      timestamp: new Date(Date.UTC(2026, 10, 1) + n * 1000).toISOString(),
      actorObjectId: `actor-${n % 20}`,
      actorAppId: `app-${n % 20}`,
      operation: n % 2 === 0 ? 'products.write' : 'users.write',
      targetId: `/subscriptions/s/products/p${n % 50}`,
      outcome: 'success',
      status: 200,
      correlationId: null,
      details: null,
    }));
    await store.audit.append(rows);
    const after: [string, string] = [rows[300]!.timestamp, rows[300]!.id];
    const cases: [string, () => Promise<unknown>, number, string[]][] = [
      ['newest first', () => store.audit.list({}, { top: 100 }), 1, ['audit_events_time']],
      ['a deep page', () => store.audit.list({}, { top: 100, after }), 1, ['audit_events_time']],
      ['a time window', () => store.audit.list({ from: rows[100]!.timestamp, to: rows[400]!.timestamp }, { top: 100, after }), 1, ['audit_events_time']],
      ['by target', () => store.audit.list({ target: '/SUBSCRIPTIONS/s/products/P7' }, { top: 5, after }), 1, ['audit_events_target']],
      ['by actor (object id, then appId)', () => store.audit.list({ actor: 'actor-3' }, { top: 5, after }), 2, ['audit_events_actor ', 'audit_events_actor_app']],
    ];
    for (const [what, run, statements, indexes] of cases) {
      executed = [];
      await run();
      expect({ what, statements: executed.length }).toEqual({ what, statements });
      for (const [n, query] of executed.entries()) {
        const plan = `${await explain(dialect, database, query)} `;
        expect({ what, plan }).toEqual({ what, plan: expect.not.stringMatching(dialect === 'sqlite' ? /TEMP B-TREE|SCAN audit_events $/m : /Sort|Seq Scan/) });
        expect({ what, plan }).toEqual({ what, plan: expect.stringContaining(indexes[n]!) });
      }
    }
  });
});

async function explain(dialect: TestDialect, database: TestDatabase, query: ExecutedQuery): Promise<string> {
  if (dialect === 'sqlite') {
    const db = new SqliteDatabase(join(database.dataDir, 'portico.db'), { readonly: true });
    try {
      const rows = db.prepare(`explain query plan ${query.sql}`).all(...(query.parameters as unknown[])) as { detail: string }[];
      return rows.map((row) => row.detail).join('\n');
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: database.databaseUrl });
  await client.connect();
  try {
    await client.query('set enable_seqscan = off');
    await client.query('set enable_bitmapscan = off');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`explain ${query.sql}`, query.parameters as unknown[]);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}
