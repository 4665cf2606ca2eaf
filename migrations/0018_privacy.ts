import { sql, type Kysely } from 'kysely';

/**
 * Clients' rights and what the law keeps (main/core/privacy).
 *
 * - legal_holds: a matter or a whole client that nothing may delete (erasure,
 *   retention) until the hold is released; who set it, when and why, and who
 *   released it. Exactly one of matter_id and client_id is set.
 * - clients.erased_at: the client's personal data was erased; the row stays as
 *   the minimal conflict record (name, matter references, dates), so the conflict
 *   check still finds a former client by name.
 * - matters.erased_at: the matter's content (description, notes, documents,
 *   history) was erased; reference, dates, area and other party stay.
 * - conversations.declined_at: the person declined the privacy notice; the
 *   conversation is kept only as an anonymous entry (no name, no text) until
 *   retention erases it.
 * - retention_settings: the office's retention schedule (JSON) and its last run, one row.
 * - erased_files: document files whose rows an erasure removed, until the files
 *   are removed from the document store too (after the commit; a crash between
 *   the two is finished at the next start).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE legal_holds (
      id INTEGER PRIMARY KEY,
      matter_id INTEGER REFERENCES matters (id),
      client_id INTEGER REFERENCES clients (id),
      reason TEXT NOT NULL,
      set_by_id TEXT,
      set_by TEXT NOT NULL,
      set_at TEXT NOT NULL,
      released_by_id TEXT,
      released_by TEXT,
      released_at TEXT,
      CHECK ((matter_id IS NULL) <> (client_id IS NULL))
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX legal_holds_active_by_matter ON legal_holds (matter_id) WHERE released_at IS NULL AND matter_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX legal_holds_active_by_client ON legal_holds (client_id) WHERE released_at IS NULL AND client_id IS NOT NULL`.execute(db);

  await sql`ALTER TABLE clients ADD COLUMN erased_at TEXT`.execute(db);
  await sql`ALTER TABLE matters ADD COLUMN erased_at TEXT`.execute(db);
  await sql`ALTER TABLE conversations ADD COLUMN declined_at TEXT`.execute(db);
  await sql`CREATE INDEX conversations_by_declined_at ON conversations (declined_at) WHERE declined_at IS NOT NULL`.execute(db);
  // retention looks for old conversations and old intakes
  await sql`CREATE INDEX matters_by_status ON matters (status, updated_at)`.execute(db);

  await sql`
    CREATE TABLE retention_settings (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      value TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      updated_by TEXT,
      last_run_at TEXT,
      last_run_counts TEXT
    ) STRICT
  `.execute(db);
  await sql`CREATE TABLE erased_files (sha256 TEXT PRIMARY KEY NOT NULL) STRICT, WITHOUT ROWID`.execute(db);
}
