import { sql, type Kysely } from 'kysely';

/**
 * Indexes for the audit screen's filters, and the table of verification results.
 *
 * Every search walks one index in (at, id) order, newest first, so each index
 * ends with `at` (SQLite appends the rowid, which breaks ties). The search code
 * names the index it walks (INDEXED BY), so a plan never changes under it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX audit_log_by_actor_name ON audit_log (actor_name, at)`.execute(db);
  await sql`CREATE INDEX audit_log_by_actor_type ON audit_log (actor_type, at)`.execute(db);
  await sql`CREATE INDEX audit_log_by_outcome ON audit_log (outcome, at)`.execute(db);
  // the family of an action: `security.` for `security.lockout`; serves prefix filters like `security.`
  await sql`CREATE INDEX audit_log_by_family ON audit_log (substr(action, 1, instr(action, '.')), at)`.execute(db);
  // what a lawyer may see: rows about clients and matters
  await sql`CREATE INDEX audit_log_by_matters_at ON audit_log (at) WHERE target_type IN ('client', 'matter')`.execute(db);

  // Each run of `audit.verify`. An intact run is a checkpoint: the chain was whole up to
  // through_id, whose hash was through_hash. A later run can start there, and any run
  // notices when rows a checkpoint covered have disappeared from the end of the trail.
  await sql`
    CREATE TABLE audit_verification (
      id INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      by_type TEXT NOT NULL CHECK (by_type IN ('user', 'cli', 'system')),
      by_id TEXT,
      by_name TEXT,
      mode TEXT NOT NULL CHECK (mode IN ('start', 'checkpoint')),
      intact INTEGER NOT NULL CHECK (intact IN (0, 1)),
      rows INTEGER NOT NULL,
      checked INTEGER NOT NULL,
      through_id INTEGER,
      through_hash TEXT,
      broken_at INTEGER,
      reason TEXT,
      message TEXT NOT NULL,
      ms INTEGER NOT NULL
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX audit_verification_by_intact ON audit_verification (intact, through_id)`.execute(db);
  await sql`
    CREATE TRIGGER audit_verification_no_update BEFORE UPDATE ON audit_verification
    BEGIN SELECT RAISE(ABORT, 'audit verifications are append-only'); END
  `.execute(db);
  await sql`
    CREATE TRIGGER audit_verification_no_delete BEFORE DELETE ON audit_verification
    BEGIN SELECT RAISE(ABORT, 'audit verifications are append-only'); END
  `.execute(db);
}
