/** Every row of every table as text, to prove what is (not) stored. Tests only; the product never does this. */
import Database from 'better-sqlite3';
import pg from 'pg';
import { join } from 'node:path';

/** What running nodes write about themselves every second (migration 0015): not the store's content. */
const RUNTIME_TABLES = new Set(['node_heartbeats']);

export async function dumpDatabase(dataDir: string, databaseUrl: string | undefined): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  if (databaseUrl === undefined) {
    const db = new Database(join(dataDir, 'portico.db'), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
      for (const { name } of tables.filter((t) => !RUNTIME_TABLES.has(t.name))) out[name] = db.prepare(`SELECT * FROM "${name}" ORDER BY 1`).all();
    } finally {
      db.close();
    }
    return out;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name");
    for (const { table_name } of tables.rows.filter((t) => !RUNTIME_TABLES.has(t.table_name))) out[table_name] = (await client.query(`SELECT * FROM "${table_name}" ORDER BY 1`)).rows;
  } finally {
    await client.end();
  }
  return out;
}
