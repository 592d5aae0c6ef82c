import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { BatchingConnection } from './sqlite-worker-driver.js';

/**
 * Runs several statements whose results none of the others need, in order, on the connection of
 * `db` (inside its transaction, when `db` is one). On SQLite they travel to the writer thread as one
 * message; on PostgreSQL they run one after another on the same connection.
 */
export async function runBatch(
  db: Kysely<any>,
  queries: (Compilable | CompiledQuery)[],
): Promise<QueryResult<unknown>[]> {
  const compiled = queries.map((query) => ('compile' in query ? query.compile() : query));
  if (compiled.length === 0) return [];
  return db.getExecutor().provideConnection(async (connection) => {
    if ('executeBatch' in connection)
      return (connection as unknown as BatchingConnection).executeBatch(compiled);
    const results: QueryResult<unknown>[] = [];
    for (const query of compiled) results.push(await connection.executeQuery(query));
    return results;
  });
}
