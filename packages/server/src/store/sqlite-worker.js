// The SQLite writer thread (ARCHITECTURE.md §3): every statement, commit and fsync runs here, off
// the event loop, so a slow disk never stalls HTTP. Plain JavaScript on purpose: a worker is started
// from a file path, and this one must load the same way from src/ (tests) and dist/ (production).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.filename);
// WAL lets readers and the writer proceed together; FULL makes every commit durable before we
// answer (accepted means committed); the busy timeout covers a second process such as `vigil migrate`.
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma(`busy_timeout = ${Number(workerData.busyTimeoutMs) || 5000}`);
db.pragma('foreign_keys = ON');

const statements = new Map();
const MAX_CACHED_STATEMENTS = 500;

function prepare(sql) {
  let statement = statements.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    if (statements.size >= MAX_CACHED_STATEMENTS) statements.delete(statements.keys().next().value);
    statements.set(sql, statement);
  }
  return statement;
}

// better-sqlite3 binds numbers, strings, bigints, buffers and null; normalise the rest.
function bindable(value) {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  return value;
}

function execute({ sql, parameters }) {
  const statement = prepare(sql);
  const params = parameters.map(bindable);
  if (statement.reader) return { rows: statement.all(params) };
  const { changes, lastInsertRowid } = statement.run(params);
  return { rows: [], changes, lastInsertRowid: Number(lastInsertRowid) };
}

const failure = (error) => ({ message: String(error?.message ?? error), code: error?.code ?? null });

parentPort.on('message', (message) => {
  if (message.type === 'close') {
    db.close();
    parentPort.postMessage({ id: message.id, result: { rows: [] } });
    parentPort.close();
    return;
  }
  if (message.type === 'batch') {
    // Several statements in one message, in order, stopping at the first error: one round trip
    // instead of many (the caller awaits none of the results in between).
    const results = [];
    for (const statement of message.statements) {
      try {
        results.push(execute(statement));
      } catch (error) {
        parentPort.postMessage({ id: message.id, error: failure(error), results });
        return;
      }
    }
    parentPort.postMessage({ id: message.id, results });
    return;
  }
  try {
    parentPort.postMessage({ id: message.id, result: execute(message) });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: failure(error) });
  }
});
