/**
 * A Kysely dialect wrapper: translates driver errors to StoreError where they arise (queries,
 * connecting, transaction control), and lets dialect.ts adjust the adapter, how a transaction
 * begins, and a lock taken around each use of a connection. Dialect-neutral by itself.
 */
import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  TransactionSettings,
} from 'kysely';

export type ErrorMapper = (error: unknown, connecting?: boolean) => unknown;

export interface MappedDialectOptions {
  readonly map: ErrorMapper;
  readonly adapter?: DialectAdapter;
  readonly begin?: (connection: DatabaseConnection, settings: TransactionSettings) => Promise<void>;
  /** Held from acquiring a connection until releasing it (a whole transaction, or one query). */
  readonly lock?: { acquire(): Promise<void>; release(): void };
}

/** Wraps a Kysely dialect so every query error leaves the driver already translated to StoreError. */
export class MappedDialect implements Dialect {
  constructor(
    private readonly inner: Dialect,
    private readonly options: MappedDialectOptions,
  ) {}
  createDriver(): Driver {
    return new MappedDriver(this.inner.createDriver(), this.options);
  }
  createQueryCompiler(): QueryCompiler {
    return this.inner.createQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return this.options.adapter ?? this.inner.createAdapter();
  }
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return this.inner.createIntrospector(db);
  }
}

/**
 * After a statement fails inside a transaction, PostgreSQL refuses every further statement until
 * the transaction ends, and a commit rolls back. SQLite would carry on and commit the rest. The
 * driver enforces PostgreSQL's rule on both dialects, so code tested on SQLite behaves the same on
 * PostgreSQL: inside a transaction, a failed write must end it, not be caught and ignored.
 */
const ABORTED_MESSAGE =
  'the transaction was aborted by a failed statement: no statement can run until it ends, and it cannot commit';

interface ConnectionState {
  inTransaction: boolean;
  aborted: boolean;
}

class MappedDriver implements Driver {
  readonly #wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  readonly #states = new WeakMap<DatabaseConnection, ConnectionState>();
  constructor(
    private readonly inner: Driver,
    private readonly options: MappedDialectOptions,
  ) {}

  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.options.map(error);
    }
  }

  #state(connection: DatabaseConnection): ConnectionState {
    let state = this.#states.get(connection);
    if (state === undefined) {
      state = { inTransaction: false, aborted: false };
      this.#states.set(connection, state);
    }
    return state;
  }

  init(): Promise<void> {
    return this.#guard(() => this.inner.init());
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    await this.options.lock?.acquire();
    let connection: DatabaseConnection;
    try {
      connection = await this.inner.acquireConnection();
    } catch (error) {
      this.options.lock?.release();
      throw this.options.map(error, true);
    }
    return this.#wrap(connection);
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const begin = this.options.begin;
    await (begin ? begin(connection, settings) : this.#guard(() => this.inner.beginTransaction(connection, settings)));
    Object.assign(this.#state(connection), { inTransaction: true, aborted: false });
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const state = this.#state(connection);
    // Kysely answers a failed commit by rolling back.
    if (state.aborted) throw new Error(ABORTED_MESSAGE);
    state.inTransaction = false;
    await this.#guard(() => this.inner.commitTransaction(connection));
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    Object.assign(this.#state(connection), { inTransaction: false, aborted: false });
    return this.#guard(() => this.inner.rollbackTransaction(connection));
  }
  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.#guard(() => this.inner.savepoint!(connection, name, compile));
  }
  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    this.#state(connection).aborted = false;
    return this.#guard(() => this.inner.rollbackToSavepoint!(connection, name, compile));
  }
  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.#guard(() => this.inner.releaseSavepoint!(connection, name, compile));
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    try {
      await this.inner.releaseConnection(connection);
    } finally {
      this.options.lock?.release();
    }
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }

  /**
   * A proxy, not a wrapper object: drivers call private (symbol-keyed) methods on the connections
   * they hand out, so every other property is forwarded to, and bound to, the real connection.
   */
  #wrap(connection: DatabaseConnection): DatabaseConnection {
    const existing = this.#wrapped.get(connection);
    if (existing) return existing;
    const map = this.options.map;
    const state = (): ConnectionState => this.#state(proxy);
    const execute = connection.executeQuery.bind(connection);
    const mapped = async (query: CompiledQuery) => {
      if (state().aborted) throw new Error(ABORTED_MESSAGE);
      try {
        return await execute(query);
      } catch (error) {
        if (state().inTransaction) state().aborted = true;
        throw map(error);
      }
    };
    // Kysely's query log replaces executeQuery with a wrapper that calls the one it read: keep that
    // wrapper on the proxy (not on the connection, whose method `mapped` calls) so the two never loop.
    let replaced: DatabaseConnection['executeQuery'] | undefined;
    const proxy: DatabaseConnection = new Proxy(connection, {
      get(target, property) {
        if (property === 'executeQuery') return replaced ?? mapped;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
      set(target, property, value) {
        if (property !== 'executeQuery') return Reflect.set(target, property, value, target);
        replaced = value as DatabaseConnection['executeQuery'];
        return true;
      },
    });
    this.#wrapped.set(connection, proxy);
    return proxy;
  }
}
