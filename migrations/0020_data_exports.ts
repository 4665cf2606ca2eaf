import { sql, type Kysely } from 'kysely';

/**
 * What the office handed out of its records: a client's copy of their data
 * (`client`), or an evidence export of a conversation or matter (`evidence`).
 * The files themselves are documents of the store; this table says which
 * documents are exports (so one export never packs an earlier one), to whom
 * and how it went, and the audit head it was sealed against. No foreign keys:
 * erasing a client's data removes the files and leaves this bare record.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE data_exports (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('client', 'evidence')),
      client_id INTEGER,
      conversation_id INTEGER,
      matter_id INTEGER,
      request_id INTEGER,
      delivered TEXT NOT NULL CHECK (delivered IN ('save', 'whatsapp')),
      document_id INTEGER NOT NULL,
      pdf_document_id INTEGER,
      sha256 TEXT NOT NULL,
      audit_head_id INTEGER,
      audit_head_hash TEXT,
      by_id TEXT,
      by_name TEXT NOT NULL,
      at TEXT NOT NULL
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX data_exports_by_client ON data_exports (client_id, id)`.execute(db);
  await sql`CREATE INDEX data_exports_by_document ON data_exports (document_id)`.execute(db);
  await sql`CREATE INDEX data_exports_by_pdf ON data_exports (pdf_document_id)`.execute(db);
}
