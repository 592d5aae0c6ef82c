import { Worker } from 'node:worker_threads';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';

/** An error raised inside the SQLite worker, carrying SQLite's code (e.g. SQLITE_CONSTRAINT_UNIQUE). */
export class SqliteWorkerError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'SqliteWorkerError';
  }
}

interface RawResult {
  rows: unknown[];
  changes?: number;
  lastInsertRowid?: number;
}

interface Reply {
  id: number;
  result?: RawResult;
  results?: RawResult[];
  error?: { message: string; code: string | null };
}

/** Statements a connection can run in one go (see runBatch in batch.ts). */
export interface BatchingConnection {
  executeBatch(queries: readonly CompiledQuery[]): Promise<QueryResult<unknown>[]>;
}

const toQueryResult = <R>(result: RawResult): QueryResult<R> => ({
  rows: result.rows as R[],
  ...(result.changes !== undefined ? { numAffectedRows: BigInt(result.changes) } : {}),
  ...(result.lastInsertRowid !== undefined ? { insertId: BigInt(result.lastInsertRowid) } : {}),
});

/**
 * Kysely dialect that runs better-sqlite3 on a worker thread. Kysely's own SQLite driver calls
 * better-sqlite3 synchronously on the main thread, where each commit's fsync blocks the event loop
 * (a prototype saw 1–1.9 s stalls, ../shared/research/performance.md §3.3). Here the main thread only posts
 * statements and awaits replies. One connection, held by one transaction at a time, as in Kysely's
 * own driver; WAL still lets other processes read.
 */
export class SqliteWorkerDialect implements Dialect {
  constructor(private readonly options: { filename: string; busyTimeoutMs?: number }) {}
  createDriver(): Driver {
    return new SqliteWorkerDriver(this.options);
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  createAdapter() {
    return new TransactionalDdlSqliteAdapter();
  }
  createIntrospector(db: Kysely<any>) {
    return new SqliteIntrospector(db);
  }
}

/**
 * SQLite does run DDL inside transactions; Kysely's adapter says it does not, so its migrator would
 * run each migration bare, and two processes starting on one data directory could interleave. With
 * this, all pending migrations run in one BEGIN IMMEDIATE transaction: the second process waits
 * for the write lock (busy_timeout) and then finds them applied.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class SqliteWorkerDriver implements Driver {
  #worker: Worker | undefined;
  #connection: WorkerConnection | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: { filename: string; busyTimeoutMs?: number }) {}

  async init(): Promise<void> {
    const worker = new Worker(new URL('./sqlite-worker.js', import.meta.url), {
      workerData: { filename: this.options.filename, busyTimeoutMs: this.options.busyTimeoutMs ?? 5000 },
    });
    this.#worker = worker;
    this.#connection = new WorkerConnection(worker);
    // A statement proves the database opened (and surfaces a bad path as an error here).
    await this.#connection.executeQuery(CompiledQuery.raw('select 1'));
  }

  /** One connection: callers take turns in arrival order (a FIFO chain of promises). */
  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = this.#connection;
    if (!connection) throw new Error('The SQLite driver is not initialised');
    let release!: () => void;
    const previous = this.#queue;
    this.#queue = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    connection.release = release;
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    // IMMEDIATE takes the write lock at BEGIN, so another process cannot make us fail at COMMIT.
    // The BEGIN travels with the transaction's first statement: one round trip fewer.
    (connection as WorkerConnection).pendingBegin = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const worker = connection as WorkerConnection;
    if (worker.pendingBegin) {
      worker.pendingBegin = false; // an empty transaction
      return;
    }
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const worker = connection as WorkerConnection;
    if (worker.pendingBegin) {
      worker.pendingBegin = false; // nothing was sent, so there is nothing to roll back
      return;
    }
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as WorkerConnection).release?.();
  }

  async destroy(): Promise<void> {
    const connection = this.#connection;
    const worker = this.#worker;
    this.#connection = undefined;
    this.#worker = undefined;
    if (!connection || !worker) return;
    await connection.close();
    await worker.terminate();
  }
}

const BEGIN = CompiledQuery.raw('begin immediate');

class WorkerConnection implements DatabaseConnection, BatchingConnection {
  release: (() => void) | undefined;
  /** A BEGIN waiting to go out with the next statement. */
  pendingBegin = false;
  #nextId = 1;
  #pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => {
      const waiter = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      waiter?.resolve(reply);
    });
    const failAll = (error: Error) => {
      for (const waiter of this.#pending.values()) waiter.reject(error);
      this.#pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`The SQLite worker exited with code ${code}`)));
  }

  #send(message: Record<string, unknown>): Promise<Reply> {
    const id = this.#nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    if (this.pendingBegin) return (await this.executeBatch([compiledQuery]))[0] as QueryResult<R>;
    const reply = await this.#send({
      type: 'query',
      sql: compiledQuery.sql,
      parameters: compiledQuery.parameters,
    });
    if (reply.error) throw new SqliteWorkerError(reply.error.message, reply.error.code);
    return toQueryResult<R>(reply.result ?? { rows: [] });
  }

  async executeBatch(queries: readonly CompiledQuery[]): Promise<QueryResult<unknown>[]> {
    const begin = this.pendingBegin;
    this.pendingBegin = false;
    const statements = (begin ? [BEGIN, ...queries] : queries).map((query) => ({
      sql: query.sql,
      parameters: query.parameters,
    }));
    const reply = await this.#send({ type: 'batch', statements });
    if (reply.error) {
      // If the BEGIN itself failed, no transaction is open and Kysely's rollback must not be sent.
      if (begin && (reply.results?.length ?? 0) === 0) this.pendingBegin = true;
      throw new SqliteWorkerError(reply.error.message, reply.error.code);
    }
    const results = (reply.results ?? []).map((result) => toQueryResult(result));
    return begin ? results.slice(1) : results;
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered; every list is paginated.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not supported by the SQLite worker driver; paginate instead');
  }

  async close(): Promise<void> {
    await this.#send({ type: 'close' });
  }
}
