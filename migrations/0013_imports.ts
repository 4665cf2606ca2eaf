import { sql, type Kysely } from 'kysely';

/**
 * Bringing the office's history in, and its known parties.
 *
 * - import_batches: one row per import (legacy folder, party list), with its
 *   source files' SHA-256, its counts and where the original files were kept.
 * - import_records: every record an import created, by the kind and the id it had
 *   in the source (so a second run imports nothing twice), with the fields LexDesk
 *   has no column for, kept as JSON in `extra`.
 * - parties: people and companies the office knew before (clients, former clients,
 *   adverse and related parties, witnesses), for the conflict check, with a trigram
 *   index over their folded names and aliases (`name_key` holds the name's key and
 *   each alias's key, one per line).
 * - conflict_hits learns which imported party a hit matched, its role and matter.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE import_batches (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('legacy', 'parties', 'chat')),
      source TEXT NOT NULL,
      kept_in TEXT,
      files TEXT NOT NULL DEFAULT '[]',
      counts TEXT NOT NULL DEFAULT '{}',
      backup_id TEXT,
      actor TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT
  `.execute(db);

  await sql`
    CREATE TABLE import_records (
      kind TEXT NOT NULL,
      legacy_id TEXT NOT NULL,
      local_id TEXT NOT NULL,
      batch_id INTEGER NOT NULL REFERENCES import_batches (id),
      extra TEXT,
      PRIMARY KEY (kind, legacy_id)
    ) STRICT, WITHOUT ROWID
  `.execute(db);
  await sql`CREATE INDEX import_records_by_local_id ON import_records (kind, local_id)`.execute(db);

  await sql`
    CREATE TABLE parties (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      name_key TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('client', 'former_client', 'adverse_party', 'related_party', 'witness')),
      matter_reference TEXT,
      aliases TEXT NOT NULL DEFAULT '[]',
      tax_id TEXT,
      email TEXT,
      phone TEXT,
      batch_id INTEGER REFERENCES import_batches (id),
      created_at TEXT NOT NULL
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX parties_by_name_key ON parties (name_key)`.execute(db);
  await sql`CREATE INDEX parties_by_tax_id ON parties (tax_id) WHERE tax_id IS NOT NULL`.execute(db);

  await sql`CREATE VIRTUAL TABLE parties_fts USING fts5(name_key, content='parties', content_rowid='id', tokenize='trigram')`.execute(db);
  await sql`
    CREATE TRIGGER parties_fts_insert AFTER INSERT ON parties BEGIN
      INSERT INTO parties_fts (rowid, name_key) VALUES (new.id, new.name_key);
    END
  `.execute(db);
  await sql`
    CREATE TRIGGER parties_fts_update AFTER UPDATE OF name_key ON parties BEGIN
      INSERT INTO parties_fts (parties_fts, rowid, name_key) VALUES ('delete', old.id, old.name_key);
      INSERT INTO parties_fts (rowid, name_key) VALUES (new.id, new.name_key);
    END
  `.execute(db);
  await sql`
    CREATE TRIGGER parties_fts_delete AFTER DELETE ON parties BEGIN
      INSERT INTO parties_fts (parties_fts, rowid, name_key) VALUES ('delete', old.id, old.name_key);
    END
  `.execute(db);

  await sql`ALTER TABLE conflict_hits ADD COLUMN matched_party_id INTEGER REFERENCES parties (id)`.execute(db);
  await sql`ALTER TABLE conflict_hits ADD COLUMN matched_role TEXT`.execute(db);
  await sql`ALTER TABLE conflict_hits ADD COLUMN matched_reference TEXT`.execute(db);
}
