import { sql, type Kysely } from 'kysely';

/**
 * The WhatsApp link: the inbound ledger (every message a client sent, once, by its
 * WhatsApp id), each consumer's progress through it, and the durable outbox.
 * Times are milliseconds since the epoch (they order and compare cheaply).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE whatsapp_inbound (
      seq INTEGER PRIMARY KEY,
      wa_id TEXT NOT NULL,
      chat_id TEXT NOT NULL,
      sender TEXT NOT NULL,
      push_name TEXT,
      sent_at INTEGER NOT NULL,
      body TEXT NOT NULL,
      media_mimetype TEXT,
      media_file_name TEXT,
      media_size INTEGER,
      received_at INTEGER NOT NULL
    ) STRICT
  `.execute(db);
  await sql`CREATE UNIQUE INDEX whatsapp_inbound_by_wa_id ON whatsapp_inbound (wa_id)`.execute(db);
  await sql`CREATE INDEX whatsapp_inbound_by_chat_id ON whatsapp_inbound (chat_id, seq)`.execute(db);
  await sql`CREATE INDEX whatsapp_inbound_by_sent_at ON whatsapp_inbound (sent_at)`.execute(db);

  await sql`
    CREATE TABLE whatsapp_consumers (
      name TEXT PRIMARY KEY NOT NULL,
      last_seq INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT
  `.execute(db);

  await sql`
    CREATE TABLE whatsapp_consumer_failures (
      id INTEGER PRIMARY KEY,
      consumer TEXT NOT NULL,
      seq INTEGER NOT NULL,
      wa_id TEXT NOT NULL,
      error TEXT NOT NULL,
      at INTEGER NOT NULL
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX whatsapp_consumer_failures_by_consumer ON whatsapp_consumer_failures (consumer, seq)`.execute(db);

  await sql`
    CREATE TABLE whatsapp_outbox (
      id INTEGER PRIMARY KEY,
      chat_id TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('text', 'document')),
      text TEXT,
      document BLOB,
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
      CHECK ((kind = 'text' AND text IS NOT NULL) OR (kind = 'document' AND document IS NOT NULL AND file_name IS NOT NULL))
    ) STRICT
  `.execute(db);
  await sql`CREATE UNIQUE INDEX whatsapp_outbox_by_dedupe_key ON whatsapp_outbox (dedupe_key) WHERE dedupe_key IS NOT NULL`.execute(db);
  await sql`CREATE INDEX whatsapp_outbox_by_chat_id ON whatsapp_outbox (chat_id, id) WHERE status IN ('pending', 'sending')`.execute(db);
  await sql`CREATE INDEX whatsapp_outbox_by_status ON whatsapp_outbox (status, id)`.execute(db);
  await sql`CREATE INDEX whatsapp_outbox_by_wa_id ON whatsapp_outbox (chat_id, wa_id) WHERE wa_id IS NOT NULL`.execute(db);
}
