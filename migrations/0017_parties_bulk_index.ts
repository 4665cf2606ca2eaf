import { sql, type Kysely } from 'kysely';

/**
 * Importing a list of parties in bulk.
 *
 * FTS5 writes its pending index data to disk at every statement savepoint, so the
 * trigger that indexes each new party on its own cost a write of index segments
 * per row: 100,000 rows took tens of seconds. A batch named in
 * `parties_fts_deferred` is left out by the trigger and indexed by the import
 * itself with one `INSERT … SELECT` at the end of the same transaction (a few
 * hundred milliseconds for 100,000 rows); the marker is removed in that
 * transaction too, so outside an import the table is always empty and every
 * other insert is indexed by the trigger as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE parties_fts_deferred (batch_id INTEGER PRIMARY KEY) STRICT`.execute(db);
  await sql`DROP TRIGGER parties_fts_insert`.execute(db);
  await sql`
    CREATE TRIGGER parties_fts_insert AFTER INSERT ON parties
    WHEN new.batch_id IS NULL OR NOT EXISTS (SELECT 1 FROM parties_fts_deferred WHERE batch_id = new.batch_id) BEGIN
      INSERT INTO parties_fts (rowid, name_key) VALUES (new.id, new.name_key);
    END
  `.execute(db);
}
