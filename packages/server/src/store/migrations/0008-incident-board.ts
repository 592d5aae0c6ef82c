import { type Kysely, sql } from 'kysely';

/**
 * Frozen. The incident board (docs/incident-board.md) at a million incidents:
 *
 * - `incidents_updated`: the live feed reads which incidents changed since its watermark
 *   (`updated_at`) and their versions from the index alone.
 * - `incidents_status_priority`, `incidents_service_status`: counts per status, overall, by
 *   priority, by service or by a team's services, from the index alone (no table rows read).
 * - Text in the title without a full scan, with the meaning `q` always had (a case-insensitive
 *   substring): SQLite, an FTS5 table with the trigram tokenizer over the title, kept in step by
 *   triggers and keyed by the incident number; PostgreSQL, a pg_trgm GIN index, which serves the
 *   same `ilike` the list already sends. Where pg_trgm cannot be installed (no contrib package, no
 *   CREATE privilege on the database) the index is skipped: text search still works, by a scan.
 */
export async function up(db: Kysely<any>, engine: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema
    .createIndex('incidents_updated')
    .on('incidents')
    .columns(['updated_at', 'id', 'version'])
    .execute();
  await db.schema
    .createIndex('incidents_status_priority')
    .on('incidents')
    .columns(['status', 'priority'])
    .execute();
  await db.schema
    .createIndex('incidents_service_status')
    .on('incidents')
    .columns(['service_id', 'status', 'priority'])
    .execute();

  if (engine === 'sqlite') {
    await sql`create virtual table incidents_title_fts using fts5(
      title, content='incidents', content_rowid='number', tokenize='trigram'
    )`.execute(db);
    await sql`create trigger incidents_title_fts_insert after insert on incidents begin
      insert into incidents_title_fts(rowid, title) values (new.number, new.title);
    end`.execute(db);
    await sql`create trigger incidents_title_fts_delete after delete on incidents begin
      insert into incidents_title_fts(incidents_title_fts, rowid, title) values ('delete', old.number, old.title);
    end`.execute(db);
    // Every incident update writes the title column; only a changed title touches the index.
    await sql`create trigger incidents_title_fts_update after update of title, number on incidents
      when old.title is not new.title or old.number is not new.number begin
      insert into incidents_title_fts(incidents_title_fts, rowid, title) values ('delete', old.number, old.title);
      insert into incidents_title_fts(rowid, title) values (new.number, new.title);
    end`.execute(db);
    await sql`insert into incidents_title_fts(incidents_title_fts) values ('rebuild')`.execute(db);
    return;
  }

  // Migrations run in one transaction on PostgreSQL: a savepoint keeps a refused CREATE EXTENSION
  // from aborting it.
  await sql`savepoint vigil_pg_trgm`.execute(db);
  try {
    await sql`create extension if not exists pg_trgm`.execute(db);
    await sql`release savepoint vigil_pg_trgm`.execute(db);
  } catch {
    await sql`rollback to savepoint vigil_pg_trgm`.execute(db);
    return;
  }
  await sql`create index incidents_title_trgm on incidents using gin (title gin_trgm_ops)`.execute(db);
}
