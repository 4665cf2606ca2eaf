import { sql, type Kysely } from 'kysely';

/**
 * The document store (main/core/documents). Files live encrypted in
 * `<data>/documents/`, named by their SHA-256; the database keeps only what they
 * are: `documents` replaces `matter_documents` (same ids, so every reference
 * stays valid) and says where a file came from (a client, staff, the intake PDF),
 * who, when, and which conversation, client or matter it belongs to.
 *
 * The bytes of the old BLOB rows wait in `document_blob_moves` until the store,
 * at start, has written each one as a file (fsynced, renamed) and removed its
 * row in one transaction: a crash half-way loses nothing, and the next start
 * finishes the move. SQLite cannot repoint a foreign key in place, so the two
 * tables that name documents (conversation_messages, pdf_jobs) are rebuilt with
 * foreign keys deferred to the end of the migration's transaction.
 *
 * The outbox sends a stored document by id (`document_id`) instead of holding
 * its bytes; the inbound ledger records the state of a message's media
 * (pending → stored | failed) and the document it became.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`PRAGMA defer_foreign_keys = ON`.execute(db);

  await sql`
    CREATE TABLE documents (
      id INTEGER PRIMARY KEY,
      sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
      size INTEGER NOT NULL CHECK (size >= 0),
      declared_type TEXT NOT NULL,
      detected_type TEXT,
      file_name TEXT NOT NULL,
      source TEXT NOT NULL CHECK (source IN ('client', 'staff', 'intake')),
      created_at TEXT NOT NULL,
      created_by_id TEXT,
      created_by TEXT,
      conversation_id INTEGER REFERENCES conversations (id),
      matter_id INTEGER REFERENCES matters (id),
      client_id INTEGER REFERENCES clients (id),
      wa_id TEXT
    ) STRICT
  `.execute(db);
  await sql`
    INSERT INTO documents (id, sha256, size, declared_type, detected_type, file_name, source, created_at, created_by,
                           conversation_id, matter_id, client_id)
    SELECT d.id, d.sha256, d.size, d.mimetype, NULL, d.file_name,
           CASE d.kind WHEN 'intake_pdf' THEN 'intake' ELSE 'staff' END,
           d.created_at, d.created_by, d.conversation_id, d.matter_id, m.client_id
      FROM matter_documents d LEFT JOIN matters m ON m.id = d.matter_id
  `.execute(db);
  await sql`CREATE INDEX documents_by_conversation_id ON documents (conversation_id, id) WHERE conversation_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX documents_by_matter_id ON documents (matter_id, id) WHERE matter_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX documents_by_client_id ON documents (client_id, id) WHERE client_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX documents_by_sha256 ON documents (sha256)`.execute(db);
  await sql`CREATE UNIQUE INDEX documents_by_wa_id ON documents (wa_id) WHERE wa_id IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE document_blob_moves (
      document_id INTEGER PRIMARY KEY REFERENCES documents (id),
      data BLOB NOT NULL
    ) STRICT
  `.execute(db);
  await sql`INSERT INTO document_blob_moves (document_id, data) SELECT id, data FROM matter_documents`.execute(db);

  // who opened or downloaded which document is in the audit trail; attaching keeps a history row on the matter

  await sql`
    CREATE TABLE conversation_messages_new (
      id INTEGER PRIMARY KEY,
      conversation_id INTEGER NOT NULL REFERENCES conversations (id),
      direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
      author TEXT NOT NULL CHECK (author IN ('client', 'bot', 'staff')),
      author_id TEXT,
      author_name TEXT,
      text TEXT NOT NULL,
      file_name TEXT,
      document_id INTEGER REFERENCES documents (id),
      media_error TEXT,
      wa_id TEXT,
      outbox_id INTEGER,
      at TEXT NOT NULL
    ) STRICT
  `.execute(db);
  await sql`
    INSERT INTO conversation_messages_new (id, conversation_id, direction, author, author_id, author_name, text, file_name, document_id, wa_id, outbox_id, at)
    SELECT id, conversation_id, direction, author, author_id, author_name, text, file_name, document_id, wa_id, outbox_id, at FROM conversation_messages
  `.execute(db);
  await sql`DROP TABLE conversation_messages`.execute(db);
  await sql`ALTER TABLE conversation_messages_new RENAME TO conversation_messages`.execute(db);
  await sql`CREATE INDEX conversation_messages_by_conversation_id ON conversation_messages (conversation_id, id)`.execute(db);
  await sql`CREATE UNIQUE INDEX conversation_messages_by_wa_id ON conversation_messages (wa_id) WHERE wa_id IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE pdf_jobs_new (
      id INTEGER PRIMARY KEY,
      matter_id INTEGER NOT NULL REFERENCES matters (id),
      send_to_chat TEXT,
      status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      error TEXT,
      document_id INTEGER REFERENCES documents (id),
      created_at TEXT NOT NULL,
      done_at TEXT
    ) STRICT
  `.execute(db);
  await sql`INSERT INTO pdf_jobs_new SELECT id, matter_id, send_to_chat, status, attempts, error, document_id, created_at, done_at FROM pdf_jobs`.execute(db);
  await sql`DROP TABLE pdf_jobs`.execute(db);
  await sql`ALTER TABLE pdf_jobs_new RENAME TO pdf_jobs`.execute(db);
  await sql`CREATE INDEX pdf_jobs_by_status ON pdf_jobs (status, id)`.execute(db);

  await sql`DROP TABLE matter_documents`.execute(db);

  await sql`
    CREATE TABLE whatsapp_outbox_new (
      id INTEGER PRIMARY KEY,
      chat_id TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('text', 'document')),
      text TEXT,
      document BLOB,
      document_id INTEGER,
      file_name TEXT,
      mimetype TEXT,
      dedupe_key TEXT,
      status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      uncertain_since INTEGER,
      wa_id TEXT,
      last_error TEXT,
      created_at INTEGER NOT NULL,
      sent_at INTEGER,
      failed_at INTEGER,
      CHECK ((kind = 'text' AND text IS NOT NULL) OR (kind = 'document' AND file_name IS NOT NULL AND (document IS NOT NULL OR document_id IS NOT NULL)))
    ) STRICT
  `.execute(db);
  await sql`
    INSERT INTO whatsapp_outbox_new (id, chat_id, kind, text, document, file_name, mimetype, dedupe_key, status, attempts, next_attempt_at,
                                     uncertain_since, wa_id, last_error, created_at, sent_at, failed_at)
    SELECT id, chat_id, kind, text, document, file_name, mimetype, dedupe_key, status, attempts, next_attempt_at,
           uncertain_since, wa_id, last_error, created_at, sent_at, failed_at FROM whatsapp_outbox
  `.execute(db);
  await sql`DROP TABLE whatsapp_outbox`.execute(db);
  await sql`ALTER TABLE whatsapp_outbox_new RENAME TO whatsapp_outbox`.execute(db);
  await sql`CREATE UNIQUE INDEX whatsapp_outbox_by_dedupe_key ON whatsapp_outbox (dedupe_key) WHERE dedupe_key IS NOT NULL`.execute(db);
  await sql`CREATE INDEX whatsapp_outbox_by_chat_id ON whatsapp_outbox (chat_id, id) WHERE status IN ('pending', 'sending')`.execute(db);
  await sql`CREATE INDEX whatsapp_outbox_by_status ON whatsapp_outbox (status, id)`.execute(db);
  await sql`CREATE INDEX whatsapp_outbox_by_wa_id ON whatsapp_outbox (chat_id, wa_id) WHERE wa_id IS NOT NULL`.execute(db);

  // a client's file: 'pending' until it is fetched and stored, then 'stored' (with its document) or 'failed' (with why)
  await sql`ALTER TABLE whatsapp_inbound ADD COLUMN media_state TEXT CHECK (media_state IN ('pending', 'stored', 'failed'))`.execute(db);
  await sql`ALTER TABLE whatsapp_inbound ADD COLUMN media_document_id INTEGER`.execute(db);
  await sql`ALTER TABLE whatsapp_inbound ADD COLUMN media_error TEXT`.execute(db);
  await sql`ALTER TABLE whatsapp_inbound ADD COLUMN media_attempts INTEGER NOT NULL DEFAULT 0`.execute(db);
  await sql`UPDATE whatsapp_inbound SET media_state = 'failed', media_error = 'received before LexDesk kept files' WHERE media_mimetype IS NOT NULL`.execute(db);
  await sql`CREATE INDEX whatsapp_inbound_by_media_pending ON whatsapp_inbound (seq) WHERE media_state = 'pending'`.execute(db);
}
