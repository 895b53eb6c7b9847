/** Small helpers shared by the repositories: column conversions, ordering, transactions. */
import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { ListFilter, PageWindow } from '../../management/management-store.js';
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

/** A page in SQL: `top + 1` rows after the sort key `after` (when given), then from `skip` on. */
export interface KeysetWindow {
  readonly top: number;
  readonly skip: number;
  /** The sort key (one value per key column) of the last row of the previous page. */
  readonly after?: readonly string[] | undefined;
}

/**
 * Orders a list by its key columns in code unit order (SqlRules.byteOrder, which the list's index
 * serves) and, with a window, returns the rows after `window.after` (a keyset continuation: a range
 * on that same index, so a deep page costs what the first does), skipping `skip`, top + 1 of them:
 * one row more than the page, so the caller learns whether a next page exists without counting.
 * The key columns must identify a row (end with the primary key), or a continuation could skip ties.
 * `atMostOneRow` (the query pins a unique key, e.g. a name filter) leaves out the ORDER BY, which
 * would only make the database sort that one row.
 */
export function ordered<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  rules: SqlRules,
  keys: readonly string[],
  window?: KeysetWindow,
  atMostOneRow = false,
): SelectQueryBuilder<DB, TB, O> {
  let result = query;
  if (window?.after !== undefined) result = result.where(sortsAfter(rules, keys, window.after));
  if (!atMostOneRow) for (const key of keys) result = result.orderBy(rules.byteOrder(key));
  if (window !== undefined) result = result.limit(window.top + 1).offset(window.skip);
  return result;
}

/** `(k1, k2, …) > (v1, v2, …)` in code unit order: a row value comparison, which an index on the same terms serves as a range. */
function sortsAfter(rules: SqlRules, keys: readonly string[], values: readonly string[]): RawBuilder<SqlBool> {
  if (values.length !== keys.length) throw new Error(`a continuation of ${keys.join(', ')} needs ${keys.length} values, got ${values.length}`);
  const terms = keys.map((key) => rules.byteOrder(key));
  if (keys.length === 1) return sql<SqlBool>`${terms[0]} > ${values[0]}`;
  return sql<SqlBool>`(${sql.join(terms)}) > (${sql.join([...values])})`;
}

/** A management PageWindow (continued after a name) as the keyset window of a list ordered by id. */
export function byId(window: PageWindow | undefined): KeysetWindow | undefined {
  return window && { top: window.top, skip: window.skip, after: window.after === undefined ? undefined : [window.after] };
}

/**
 * A list's $filter as WHERE clauses on a table with id (and display_name, or email_lower): each
 * compares through the function of its index (lower(id) of migration 0002, lower(display_name) of
 * migration 0007, email_lower of migration 0001), so the lookup is served by it.
 */
export function filtered<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, filter: ListFilter): SelectQueryBuilder<DB, TB, O> {
  let result = query;
  if (filter.name !== undefined) result = result.where(sameName('id', filter.name));
  if (filter.displayName !== undefined) result = result.where(sql<SqlBool>`lower(display_name) = lower(${filter.displayName})`);
  if (filter.email !== undefined) result = result.where(sql<SqlBool>`email_lower = ${filter.email.toLowerCase()}`);
  return result;
}

/** Whether the filter pins a unique key (a name, an email): then at most one row matches. */
export const pinsOneRow = (filter: ListFilter): boolean => filter.name !== undefined || filter.email !== undefined;

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
