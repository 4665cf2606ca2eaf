import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE audit_log (
      id INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      actor_type TEXT NOT NULL CHECK (actor_type IN ('user', 'bot', 'system', 'cli', 'anonymous')),
      actor_id TEXT,
      actor_name TEXT,
      role TEXT,
      face TEXT NOT NULL CHECK (face IN ('desktop', 'headless', 'cli', 'bot', 'scheduler')),
      action TEXT NOT NULL,
      target_type TEXT,
      target_id TEXT,
      outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'invalid', 'error')),
      error_code TEXT,
      details TEXT NOT NULL,
      session_id TEXT,
      address TEXT,
      request_id TEXT,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX audit_log_by_at ON audit_log (at)`.execute(db);
  await sql`CREATE INDEX audit_log_by_actor_id ON audit_log (actor_id, at)`.execute(db);
  await sql`CREATE INDEX audit_log_by_action ON audit_log (action, at)`.execute(db);
  await sql`CREATE INDEX audit_log_by_target ON audit_log (target_type, target_id, at)`.execute(db);
  // Append-only in the database itself: no operation of LexDesk edits or deletes audit rows,
  // and these triggers refuse anyone else who tries through SQLite.
  await sql`
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
  `.execute(db);
  await sql`
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
  `.execute(db);
}
