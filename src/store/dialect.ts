/**
 * Everything that differs between SQLite and PostgreSQL lives here: opening the database, how a
 * transaction begins, and turning driver errors into StoreError codes. Repositories above this file
 * never ask which database they talk to.
 */
import { closeSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { CompiledQuery, PostgresAdapter, PostgresDialect, SqliteAdapter, SqliteDialect, sql, type Dialect, type Kysely, type RawBuilder } from 'kysely';
import { StoreError } from '../errors/index.js';
import { MappedDialect } from './mapped-dialect.js';
import { acquireProcessLock, releaseProcessLock } from './process-lock.js';

export type DialectName = 'sqlite' | 'postgres';

export interface StoreDialect {
  readonly name: DialectName;
  readonly dialect: Dialect;
}

/**
 * The SQL that differs between the dialects, for repositories and migrations alike. Repositories
 * receive it from the store and never ask which database they talk to.
 */
export interface SqlRules {
  /**
   * A text column as an ORDER BY / index term that orders by code unit (what `<` on strings does),
   * whatever the database's locale: PostgreSQL would otherwise order by the database's collation.
   * An index that serves such an order must be built on this same term.
   */
  byteOrder(column: string): RawBuilder<unknown>;
  /**
   * Whether a list ordered by byteOrder('id') needs an index of its own: SQLite's primary key
   * index already orders by code unit; PostgreSQL's follows the database's locale.
   */
  readonly primaryKeyOrdersByCodeUnit: boolean;
}

const SQL_RULES: Record<DialectName, SqlRules> = {
  sqlite: { byteOrder: (column) => sql`${sql.ref(column)}`, primaryKeyOrdersByCodeUnit: true }, // BINARY, the default collation
  postgres: { byteOrder: (column) => sql`${sql.ref(column)} collate "C"`, primaryKeyOrdersByCodeUnit: false },
};

export function sqlRules(name: DialectName): SqlRules {
  return SQL_RULES[name];
}

/** The dialect a Kysely instance talks to, for migrations (which receive only the instance). */
export function dialectNameOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

export interface DialectOptions {
  readonly dataDir: string;
  readonly databaseUrl?: string | undefined;
}

export const SQLITE_FILE_NAME = 'portico.db';

export function createDialect(options: DialectOptions): StoreDialect {
  if (options.databaseUrl !== undefined) {
    // The URL itself stays out of the message: it may carry a password.
    if (!/^postgres(ql)?:\/\//.test(options.databaseUrl)) {
      throw new StoreError('STORE_UNAVAILABLE', 'database URL must start with postgres:// or postgresql://');
    }
    return createPostgres(options.databaseUrl);
  }
  return createSqlite(options.dataDir);
}

// --- SQLite ------------------------------------------------------------------------------------

function createSqlite(dataDir: string): StoreDialect {
  const file = resolve(dataDir, SQLITE_FILE_NAME);
  const map = (error: unknown): unknown => mapSqliteError(error, file);
  let database: SqliteDatabase.Database | undefined;
  try {
    // Create the file owner-only before SQLite does; its -wal and -shm files copy these permissions.
    closeSync(openSync(file, 'a', 0o600));
    database = new SqliteDatabase(file);
    // busy_timeout first, so switching to WAL waits for another process instead of failing.
    database.pragma('busy_timeout = 5000');
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
  } catch (error) {
    database?.close();
    throw unavailable(`SQLite database ${file} cannot be opened: ${describeCause(error)}`, error);
  }
  return {
    name: 'sqlite',
    dialect: new MappedDialect(new SqliteDialect({ database }), {
      map,
      // Migrations run inside a transaction too, so a crash never leaves half a schema.
      adapter: new TransactionalSqliteAdapter(),
      // IMMEDIATE takes the write lock up front: a deferred transaction that reads and then writes
      // fails with SQLITE_BUSY (no waiting) when another process wrote in between.
      begin: (connection) => connection.executeQuery(CompiledQuery.raw('begin immediate')).then(() => undefined),
      lock: { acquire: () => acquireProcessLock(file), release: () => releaseProcessLock(file) },
    }),
  };
}

class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY|CORRUPT|NOTADB)/;

function mapSqliteError(error: unknown, file: string): unknown {
  if (error instanceof StoreError) return error;
  const code = errorCode(error);
  if (code === undefined) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new StoreError('STORE_CONFLICT', message, { cause: error });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return new StoreError('STORE_REFERENCE', message, { cause: error });
  if (SQLITE_UNAVAILABLE.test(code)) {
    return unavailable(`SQLite database ${file} is unavailable: ${code}: ${message}`, error);
  }
  return error;
}

// --- PostgreSQL --------------------------------------------------------------------------------

function createPostgres(databaseUrl: string): StoreDialect {
  const target = describeTarget(databaseUrl);
  const pool = new pg.Pool({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  // An idle client whose server went away emits 'error'; unhandled, that would crash the process.
  // The next query reports the outage as STORE_UNAVAILABLE instead.
  pool.on('error', () => undefined);
  const map = (error: unknown, connecting = false): unknown =>
    mapPostgresError(error, target, connecting);
  return { name: 'postgres', dialect: new MappedDialect(new PostgresDialect({ pool }), { map }) };
}

interface PostgresTarget {
  readonly where: string; // host:port, never credentials
  readonly password: string;
}

function describeTarget(databaseUrl: string): PostgresTarget {
  try {
    const url = new URL(databaseUrl);
    const host = url.hostname === '' ? 'localhost' : url.hostname;
    return { where: `${host}:${url.port === '' ? '5432' : url.port}`, password: decodeURIComponent(url.password) };
  } catch {
    throw new StoreError('STORE_UNAVAILABLE', 'PostgreSQL database URL is not a valid URL');
  }
}

// Connection-level failures: SQLSTATE classes 08 (connection), 28 (authorization), 53 (resources),
// 57P (operator intervention), 3D000 (no such database), plus Node's socket errors.
const PG_UNAVAILABLE = /^(08|28|53|57P|3D000$)/;
const SOCKET_ERRORS = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOENT',
]);

function mapPostgresError(error: unknown, target: PostgresTarget, connecting: boolean): unknown {
  if (error instanceof StoreError) return error;
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === '23505') return new StoreError('STORE_CONFLICT', message, { cause: error });
  if (code === '23503') return new StoreError('STORE_REFERENCE', message, { cause: error });
  const lostConnection = /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(message);
  if (connecting || lostConnection || (code !== undefined && (PG_UNAVAILABLE.test(code) || SOCKET_ERRORS.has(code)))) {
    const cause = redact(describeCause(error), target.password);
    return unavailable(`PostgreSQL at ${target.where} is unavailable: ${cause}`, error);
  }
  return error;
}

/** Never let a password reach a message, whatever the driver put in its text. */
function redact(text: string, password: string): string {
  return password === '' ? text : text.split(password).join('***');
}

// --- shared ------------------------------------------------------------------------------------

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5432"; AggregateError (IPv4 + IPv6) has no message of its own. */
function describeCause(error: unknown): string {
  const code = errorCode(error);
  let message = error instanceof Error ? error.message : String(error);
  if (message === '' && error instanceof AggregateError) {
    message = error.errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ');
  }
  if (code === undefined) return message;
  return message.includes(code) ? message : `${code}: ${message}`.replace(/: $/, '');
}

function unavailable(message: string, cause: unknown): StoreError {
  return new StoreError('STORE_UNAVAILABLE', message, { cause });
}
