/** Small helpers shared by the repositories: column conversions, ordering, transactions. */
import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { PageWindow } from '../../management/management-store.js';
import { StoreError } from '../../errors/index.js';
import type { Database } from '../schema.js';
import type { SqlRules } from '../dialect.js';

export type Db = Kysely<Database>;

export const toInt = (value: boolean): number => (value ? 1 : 0);
export const toBool = (value: number): boolean => value !== 0;
export const toJson = (value: unknown): string => JSON.stringify(value);
export const fromJson = <T>(text: string): T => JSON.parse(text) as T;

/**
 * Sorts rows by the given string columns, comparing code units, for small lists read whole: a plain
 * ORDER BY would follow PostgreSQL's locale, and both dialects must list alike. Lists that page use
 * `ordered` below, which orders in SQL by code unit (SqlRules.byteOrder) instead.
 */
export function sortBy<T>(rows: T[], ...keys: (keyof T)[]): T[] {
  return rows.sort((a, b) => {
    for (const key of keys) {
      const x = String(a[key]);
      const y = String(b[key]);
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
}

/**
 * Orders a list by its key columns in code unit order (SqlRules.byteOrder, which an index of
 * migration 0005 serves) and, with a window, returns skip..skip+top inclusive: one row more than
 * the page, so the caller learns whether a next page exists without counting.
 */
export function ordered<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  rules: SqlRules,
  keys: readonly string[],
  window?: PageWindow,
): SelectQueryBuilder<DB, TB, O> {
  let result = query;
  for (const key of keys) result = result.orderBy(rules.byteOrder(key));
  if (window !== undefined) result = result.limit(window.top + 1).offset(window.skip);
  return result;
}

/** Groups rows by a key, keeping their order; every requested key gets an entry, empty if need be. */
export function groupByKey<T, V>(keys: readonly string[], rows: readonly T[], keyOf: (row: T) => string, valueOf: (row: T) => V): Map<string, V[]> {
  const result = new Map<string, V[]>(keys.map((key) => [key, []]));
  for (const row of rows) {
    const key = keyOf(row);
    const list = result.get(key);
    if (list) list.push(valueOf(row));
    else result.set(key, [valueOf(row)]);
  }
  return result;
}

/** Runs fn in the caller's transaction if there is one, else in a new one. */
export function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** update* of a row that does not exist is an error, unlike delete*. */
export function expectUpdated(result: { numUpdatedRows: bigint }, what: string, id: string): void {
  if (result.numUpdatedRows === 0n) throw new StoreError('STORE_NOT_FOUND', `${what} ${id} does not exist`);
}

/**
 * `lower(column) = lower(name)`. Management resource names compare case-insensitively, as in Azure
 * Resource Manager. Both sides go through the database's own lower(), the function of the unique
 * indexes (migration 0002), so a lookup agrees with them and the exact name always matches.
 */
export function sameName(column: string, name: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) = lower(${name})`;
}

/** Any of these names, in any case (one statement for a batch; callers keep lists to a few hundred). */
export function anyName(column: string, names: readonly string[]): RawBuilder<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) in (${sql.join(names.map((name) => sql`lower(${name})`))})`;
}

/** Splits a long key list so no statement carries more than `size` parameters. */
export function chunks<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Upsert conflict targets: the unique indexes on lower(name) of migration 0002, written alike. */
export const NAME_KEY = sql`lower(id)`;
export const childNameKey = (parent: 'api_id' | 'client_application_id'): RawBuilder<unknown> => sql`lower(${sql.ref(parent)}), lower(id)`;
