import { sql, type Kysely } from 'kysely';

/**
 * Sign-in state that eviction must not reveal (issue #16, finding 9).
 *
 * - signin_lockouts: the failure count and lock of usernames that have no account,
 *   kept in the database like real accounts' (before, an in-memory map of 10,000
 *   that an attacker could push names out of, to tell real accounts from unknown
 *   ones). Keyed by a keyed hash of the folded username: the typed text (often a
 *   password typed in the wrong field) is never stored.
 * - users.last_failed_at: when the account's last failure was, so that failures
 *   are forgotten after the same quiet time for real accounts and unknown names.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE signin_lockouts (
      name_hash TEXT PRIMARY KEY NOT NULL,
      failures INTEGER NOT NULL DEFAULT 0,
      locked_until TEXT,
      last_failed_at TEXT NOT NULL
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX signin_lockouts_by_last_failed_at ON signin_lockouts (last_failed_at)`.execute(db);
  await sql`ALTER TABLE users ADD COLUMN last_failed_at TEXT`.execute(db);
}

