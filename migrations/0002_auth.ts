import { sql, type Kysely } from 'kysely';

/**
 * Staff accounts and their sessions. A session is one sign-in on one device and
 * the family of its refresh tokens; tokens are stored only as SHA-256 hashes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE users (
      id TEXT PRIMARY KEY NOT NULL,
      username TEXT NOT NULL,
      username_key TEXT NOT NULL,
      display_name TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('admin', 'lawyer', 'assistant')),
      password_hash TEXT NOT NULL,
      disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
      must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
      failed_attempts INTEGER NOT NULL DEFAULT 0,
      locked_until TEXT,
      password_changed_at TEXT NOT NULL,
      last_sign_in_at TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT
  `.execute(db);
  await sql`CREATE UNIQUE INDEX users_by_username_key ON users (username_key)`.execute(db);

  await sql`
    CREATE TABLE auth_sessions (
      id TEXT PRIMARY KEY NOT NULL,
      user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      device_name TEXT NOT NULL,
      face TEXT NOT NULL,
      address TEXT,
      user_agent TEXT,
      created_at TEXT NOT NULL,
      last_seen_at TEXT NOT NULL,
      idle_expires_at TEXT NOT NULL,
      absolute_expires_at TEXT NOT NULL,
      ended_at TEXT,
      end_reason TEXT
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX auth_sessions_by_user_id ON auth_sessions (user_id, ended_at)`.execute(db);

  await sql`
    CREATE TABLE refresh_tokens (
      token_hash TEXT PRIMARY KEY NOT NULL,
      session_id TEXT NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
      issued_at TEXT NOT NULL,
      used_at TEXT
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX refresh_tokens_by_session_id ON refresh_tokens (session_id)`.execute(db);
}
