import { sql, type Kysely } from 'kysely';

/**
 * The legal bot: clients (keyed by WhatsApp number), matters with reference
 * numbers, notes, history and documents, consent records, conflict hits,
 * conversations with their state machine state and thread, data requests, the
 * office's bot settings and privacy notices, and the queue of intake PDFs to make.
 * Times are ISO 8601 strings in UTC.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE bot_settings (
      key TEXT PRIMARY KEY NOT NULL,
      value TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      updated_by TEXT
    ) STRICT
  `.execute(db);

  // Every published version of the privacy notice, kept for as long as a consent refers to it.
  await sql`
    CREATE TABLE privacy_notices (
      version TEXT PRIMARY KEY NOT NULL,
      text TEXT NOT NULL,
      published_at TEXT NOT NULL,
      published_by TEXT
    ) STRICT
  `.execute(db);

  await sql`
    CREATE TABLE clients (
      id INTEGER PRIMARY KEY,
      whatsapp TEXT NOT NULL,
      name TEXT NOT NULL,
      name_key TEXT NOT NULL,
      push_name TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT
  `.execute(db);
  await sql`CREATE UNIQUE INDEX clients_by_whatsapp ON clients (whatsapp)`.execute(db);
  await sql`CREATE INDEX clients_by_name_key ON clients (name_key)`.execute(db);

  await sql`
    CREATE TABLE matter_counters (
      year INTEGER PRIMARY KEY NOT NULL,
      last INTEGER NOT NULL
    ) STRICT
  `.execute(db);

  await sql`
    CREATE TABLE matters (
      id INTEGER PRIMARY KEY,
      reference TEXT NOT NULL,
      client_id INTEGER NOT NULL REFERENCES clients (id),
      conversation_id INTEGER REFERENCES conversations (id),
      practice_area TEXT NOT NULL,
      description TEXT NOT NULL,
      opposing_party TEXT,
      opposing_key TEXT,
      deadline TEXT,
      status TEXT NOT NULL CHECK (status IN ('intake', 'review', 'active', 'waiting_client', 'closed', 'declined')),
      next_step TEXT,
      conflict_state TEXT NOT NULL DEFAULT 'none' CHECK (conflict_state IN ('none', 'possible', 'cleared')),
      consent_id INTEGER REFERENCES consents (id),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT
  `.execute(db);
  await sql`CREATE UNIQUE INDEX matters_by_reference ON matters (reference)`.execute(db);
  await sql`CREATE INDEX matters_by_client_id ON matters (client_id, id)`.execute(db);
  await sql`CREATE INDEX matters_by_opposing_key ON matters (opposing_key) WHERE opposing_key IS NOT NULL`.execute(db);
  await sql`CREATE INDEX matters_by_updated_at ON matters (updated_at)`.execute(db);

  await sql`
    CREATE TABLE matter_notes (
      id INTEGER PRIMARY KEY,
      matter_id INTEGER NOT NULL REFERENCES matters (id),
      author_id TEXT,
      author_name TEXT NOT NULL,
      text TEXT NOT NULL,
      at TEXT NOT NULL
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX matter_notes_by_matter_id ON matter_notes (matter_id, id)`.execute(db);

  await sql`
    CREATE TABLE matter_history (
      id INTEGER PRIMARY KEY,
      matter_id INTEGER NOT NULL REFERENCES matters (id),
      at TEXT NOT NULL,
      actor_type TEXT NOT NULL CHECK (actor_type IN ('bot', 'user', 'system')),
      actor_id TEXT,
      actor_name TEXT,
      action TEXT NOT NULL,
      field TEXT,
      old_value TEXT,
      new_value TEXT
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX matter_history_by_matter_id ON matter_history (matter_id, id)`.execute(db);

  await sql`
    CREATE TABLE matter_documents (
      id INTEGER PRIMARY KEY,
      matter_id INTEGER REFERENCES matters (id),
      conversation_id INTEGER REFERENCES conversations (id),
      kind TEXT NOT NULL CHECK (kind IN ('intake_pdf', 'upload')),
      file_name TEXT NOT NULL,
      mimetype TEXT NOT NULL,
      size INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      data BLOB NOT NULL,
      created_at TEXT NOT NULL,
      created_by TEXT
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX matter_documents_by_matter_id ON matter_documents (matter_id, id)`.execute(db);

  await sql`
    CREATE TABLE consents (
      id INTEGER PRIMARY KEY,
      conversation_id INTEGER NOT NULL REFERENCES conversations (id),
      whatsapp TEXT NOT NULL,
      client_id INTEGER REFERENCES clients (id),
      notice_version TEXT NOT NULL REFERENCES privacy_notices (version),
      at TEXT NOT NULL
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX consents_by_whatsapp ON consents (whatsapp, id)`.execute(db);

  await sql`
    CREATE TABLE conflict_hits (
      id INTEGER PRIMARY KEY,
      matter_id INTEGER NOT NULL REFERENCES matters (id),
      direction TEXT NOT NULL CHECK (direction IN ('opposing_is_client', 'client_is_opposing')),
      checked_name TEXT NOT NULL,
      matched_name TEXT NOT NULL,
      matched_client_id INTEGER REFERENCES clients (id),
      matched_matter_id INTEGER REFERENCES matters (id),
      score REAL NOT NULL,
      created_at TEXT NOT NULL,
      cleared_at TEXT,
      cleared_by_id TEXT,
      cleared_by_name TEXT,
      cleared_note TEXT
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX conflict_hits_by_matter_id ON conflict_hits (matter_id, id)`.execute(db);
  await sql`CREATE INDEX conflict_hits_by_open ON conflict_hits (matter_id) WHERE cleared_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE conversations (
      id INTEGER PRIMARY KEY,
      chat_id TEXT NOT NULL,
      whatsapp TEXT NOT NULL,
      push_name TEXT,
      client_id INTEGER REFERENCES clients (id),
      mode TEXT NOT NULL CHECK (mode IN ('bot', 'waiting', 'staff')),
      state TEXT NOT NULL,
      assigned_to_id TEXT,
      assigned_to_name TEXT,
      handoff_reason TEXT,
      waiting_since TEXT,
      unread INTEGER NOT NULL DEFAULT 0,
      last_preview TEXT,
      last_activity_at TEXT NOT NULL,
      last_inbound_at TEXT,
      last_intake_matter_id INTEGER REFERENCES matters (id),
      created_at TEXT NOT NULL
    ) STRICT
  `.execute(db);
  await sql`CREATE UNIQUE INDEX conversations_by_chat_id ON conversations (chat_id)`.execute(db);
  await sql`CREATE INDEX conversations_by_last_activity_at ON conversations (last_activity_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX conversations_by_mode ON conversations (mode, last_activity_at DESC)`.execute(db);
  await sql`CREATE INDEX conversations_by_whatsapp ON conversations (whatsapp)`.execute(db);

  await sql`
    CREATE TABLE conversation_messages (
      id INTEGER PRIMARY KEY,
      conversation_id INTEGER NOT NULL REFERENCES conversations (id),
      direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
      author TEXT NOT NULL CHECK (author IN ('client', 'bot', 'staff')),
      author_id TEXT,
      author_name TEXT,
      text TEXT NOT NULL,
      file_name TEXT,
      document_id INTEGER REFERENCES matter_documents (id),
      wa_id TEXT,
      outbox_id INTEGER,
      at TEXT NOT NULL
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX conversation_messages_by_conversation_id ON conversation_messages (conversation_id, id)`.execute(db);
  await sql`CREATE UNIQUE INDEX conversation_messages_by_wa_id ON conversation_messages (wa_id) WHERE wa_id IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE data_requests (
      id INTEGER PRIMARY KEY,
      conversation_id INTEGER NOT NULL REFERENCES conversations (id),
      whatsapp TEXT NOT NULL,
      client_id INTEGER REFERENCES clients (id),
      kind TEXT NOT NULL CHECK (kind IN ('stop', 'erase')),
      text TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('open', 'done')),
      created_at TEXT NOT NULL,
      resolved_at TEXT,
      resolved_by TEXT,
      resolution TEXT
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX data_requests_by_status ON data_requests (status, id)`.execute(db);

  // Intake PDFs to make: a durable queue, so a crash between the intake and its PDF loses nothing.
  await sql`
    CREATE TABLE pdf_jobs (
      id INTEGER PRIMARY KEY,
      matter_id INTEGER NOT NULL REFERENCES matters (id),
      send_to_chat TEXT,
      status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      error TEXT,
      document_id INTEGER REFERENCES matter_documents (id),
      created_at TEXT NOT NULL,
      done_at TEXT
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX pdf_jobs_by_status ON pdf_jobs (status, id)`.execute(db);

  // Near-match search for the conflict check: trigram indexes over the folded name keys.
  await sql`CREATE VIRTUAL TABLE clients_fts USING fts5(name_key, content='clients', content_rowid='id', tokenize='trigram')`.execute(db);
  await sql`
    CREATE TRIGGER clients_fts_insert AFTER INSERT ON clients BEGIN
      INSERT INTO clients_fts (rowid, name_key) VALUES (new.id, new.name_key);
    END
  `.execute(db);
  await sql`
    CREATE TRIGGER clients_fts_update AFTER UPDATE OF name_key ON clients BEGIN
      INSERT INTO clients_fts (clients_fts, rowid, name_key) VALUES ('delete', old.id, old.name_key);
      INSERT INTO clients_fts (rowid, name_key) VALUES (new.id, new.name_key);
    END
  `.execute(db);
  await sql`
    CREATE TRIGGER clients_fts_delete AFTER DELETE ON clients BEGIN
      INSERT INTO clients_fts (clients_fts, rowid, name_key) VALUES ('delete', old.id, old.name_key);
    END
  `.execute(db);

  await sql`CREATE VIRTUAL TABLE opposing_fts USING fts5(opposing_key, content='matters', content_rowid='id', tokenize='trigram')`.execute(db);
  await sql`
    CREATE TRIGGER opposing_fts_insert AFTER INSERT ON matters WHEN new.opposing_key IS NOT NULL BEGIN
      INSERT INTO opposing_fts (rowid, opposing_key) VALUES (new.id, new.opposing_key);
    END
  `.execute(db);
  await sql`
    CREATE TRIGGER opposing_fts_update AFTER UPDATE OF opposing_key ON matters BEGIN
      INSERT INTO opposing_fts (opposing_fts, rowid, opposing_key)
        SELECT 'delete', old.id, old.opposing_key WHERE old.opposing_key IS NOT NULL;
      INSERT INTO opposing_fts (rowid, opposing_key) SELECT new.id, new.opposing_key WHERE new.opposing_key IS NOT NULL;
    END
  `.execute(db);
  await sql`
    CREATE TRIGGER opposing_fts_delete AFTER DELETE ON matters WHEN old.opposing_key IS NOT NULL BEGIN
      INSERT INTO opposing_fts (opposing_fts, rowid, opposing_key) VALUES ('delete', old.id, old.opposing_key);
    END
  `.execute(db);
}
