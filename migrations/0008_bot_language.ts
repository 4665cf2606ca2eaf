import { sql, type Kysely } from 'kysely';

/**
 * The bot speaks each client's language, and deadlines are dates.
 *
 * - conversations.language, clients.language: the language the bot speaks with
 *   this number (null until it is known; then the office default is used).
 * - matters.language: the language of the intake, so its PDF is made again in it.
 * - matters.deadline_date: the deadline the client typed, read as a calendar date
 *   (YYYY-MM-DD in the office's time zone); `deadline` keeps the words as typed.
 * - privacy_notices.translations: the notice in the other languages the office
 *   offers, as JSON { "pt-BR": "…" }; one version covers all of them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE conversations ADD COLUMN language TEXT`.execute(db);
  await sql`ALTER TABLE clients ADD COLUMN language TEXT`.execute(db);
  await sql`ALTER TABLE matters ADD COLUMN language TEXT`.execute(db);
  await sql`ALTER TABLE matters ADD COLUMN deadline_date TEXT CHECK (deadline_date IS NULL OR deadline_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]')`.execute(db);
  await sql`ALTER TABLE privacy_notices ADD COLUMN translations TEXT NOT NULL DEFAULT '{}'`.execute(db);
  await sql`CREATE INDEX matters_by_deadline_date ON matters (deadline_date) WHERE deadline_date IS NOT NULL`.execute(db);
}
