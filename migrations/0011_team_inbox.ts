import { sql, type Kysely } from 'kysely';

/**
 * A front desk for a team: who has a conversation and what was said inside the
 * office about it, quick replies, closing, delivery ticks, and one search.
 *
 * - conversations.closed_at / closed_by: staff marked it resolved; the client's
 *   next message reopens it (to the bot or to staff, as Bot settings say).
 * - conversation_notes: internal notes in the thread, never sent; `mentions` is a
 *   JSON array of the user ids named with @.
 * - conversation_assignments: who gave the conversation to whom, with the note.
 * - quick_replies: office-wide templates, one text per bot language (JSON).
 * - whatsapp_outbox.ack: WhatsApp's acknowledgement of a sent message (1 server,
 *   2 delivered, 3 read).
 * - search: FTS5 indexes with diacritics folded ("zoe" finds "Zoë"):
 *   messages_fts over conversation_messages (external content, rowid = message id,
 *   so "newest first" is the index's own order), notes_fts over the notes, and
 *   directory_fts over client names and numbers and matter references and parties.
 *   Rows written from now on are indexed by triggers; the messages already there
 *   are indexed in steps after start-up (search_backfill records how far), so a
 *   large database does not hold up the start, and the search says "still
 *   indexing" meanwhile.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE conversations ADD COLUMN closed_at TEXT`.execute(db);
  await sql`ALTER TABLE conversations ADD COLUMN closed_by TEXT`.execute(db);
  await sql`CREATE INDEX conversations_by_waiting ON conversations (waiting_since, id) WHERE mode = 'waiting'`.execute(db);
  await sql`CREATE INDEX conversations_by_assignee ON conversations (assigned_to_id, last_activity_at DESC) WHERE assigned_to_id IS NOT NULL`.execute(db);
  await sql`ALTER TABLE whatsapp_outbox ADD COLUMN ack INTEGER NOT NULL DEFAULT 0`.execute(db);
  // a thread lists the intakes of its conversation
  await sql`CREATE INDEX matters_by_conversation ON matters (conversation_id) WHERE conversation_id IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE conversation_notes (
      id INTEGER PRIMARY KEY,
      conversation_id INTEGER NOT NULL REFERENCES conversations (id),
      author_id TEXT NOT NULL,
      author_name TEXT NOT NULL,
      text TEXT NOT NULL,
      mentions TEXT NOT NULL DEFAULT '[]',
      at TEXT NOT NULL
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX conversation_notes_by_conversation ON conversation_notes (conversation_id, id)`.execute(db);

  await sql`
    CREATE TABLE conversation_assignments (
      id INTEGER PRIMARY KEY,
      conversation_id INTEGER NOT NULL REFERENCES conversations (id),
      from_id TEXT,
      from_name TEXT,
      to_id TEXT,
      to_name TEXT,
      note TEXT,
      by_id TEXT NOT NULL,
      by_name TEXT NOT NULL,
      at TEXT NOT NULL
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX conversation_assignments_by_conversation ON conversation_assignments (conversation_id, id)`.execute(db);

  await sql`
    CREATE TABLE quick_replies (
      id INTEGER PRIMARY KEY,
      title TEXT NOT NULL,
      title_key TEXT NOT NULL UNIQUE,
      texts TEXT NOT NULL,
      created_at TEXT NOT NULL,
      created_by TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      updated_by TEXT NOT NULL
    ) STRICT
  `.execute(db);

  // how far the messages stored before this migration are indexed (main/core/bot/search.ts indexes them in steps after start-up)
  await sql`
    CREATE TABLE search_backfill (
      source TEXT PRIMARY KEY NOT NULL,
      upto INTEGER NOT NULL,
      indexed_to INTEGER NOT NULL
    ) STRICT
  `.execute(db);
  await sql`INSERT INTO search_backfill (source, upto, indexed_to) SELECT 'messages', COALESCE(MAX(id), 0), 0 FROM conversation_messages`.execute(db);

  const tokenize = sql.raw(`tokenize = "unicode61 remove_diacritics 2"`);
  await sql`CREATE VIRTUAL TABLE messages_fts USING fts5(text, content = 'conversation_messages', content_rowid = 'id', ${tokenize})`.execute(db);
  await sql`
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON conversation_messages BEGIN
      INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
    END
  `.execute(db);
  // a message already in the index (new since the migration, or reached by the backfill) leaves it with its old text
  const indexed = (row: string) =>
    sql.raw(`${row}.id > (SELECT upto FROM search_backfill WHERE source = 'messages') OR ${row}.id <= (SELECT indexed_to FROM search_backfill WHERE source = 'messages')`);
  await sql`
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON conversation_messages WHEN ${indexed('old')} BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END
  `.execute(db);
  await sql`
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON conversation_messages WHEN ${indexed('old')} BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
      INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
    END
  `.execute(db);
  await sql`CREATE VIRTUAL TABLE notes_fts USING fts5(text, content = 'conversation_notes', content_rowid = 'id', ${tokenize})`.execute(db);
  await sql`
    CREATE TRIGGER notes_fts_insert AFTER INSERT ON conversation_notes BEGIN
      INSERT INTO notes_fts (rowid, text) VALUES (new.id, new.text);
    END
  `.execute(db);
  await sql`
    CREATE TRIGGER notes_fts_delete AFTER DELETE ON conversation_notes BEGIN
      INSERT INTO notes_fts (notes_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END
  `.execute(db);

  // clients: rowid = id * 2; matters: rowid = id * 2 + 1
  await sql`CREATE VIRTUAL TABLE directory_fts USING fts5(body, ${tokenize})`.execute(db);
  const clientBody = (r: string) => `${r}.name || ' ' || ${r}.whatsapp || ' +' || ${r}.whatsapp`;
  const matterBody = (r: string) => `${r}.reference || ' ' || COALESCE(${r}.opposing_party, '')`;
  await sql.raw(`CREATE TRIGGER directory_client_insert AFTER INSERT ON clients BEGIN
      INSERT INTO directory_fts (rowid, body) VALUES (new.id * 2, ${clientBody('new')});
    END`).execute(db);
  await sql.raw(`CREATE TRIGGER directory_client_update AFTER UPDATE OF name, whatsapp ON clients BEGIN
      DELETE FROM directory_fts WHERE rowid = old.id * 2;
      INSERT INTO directory_fts (rowid, body) VALUES (new.id * 2, ${clientBody('new')});
    END`).execute(db);
  await sql.raw(`CREATE TRIGGER directory_client_delete AFTER DELETE ON clients BEGIN
      DELETE FROM directory_fts WHERE rowid = old.id * 2;
    END`).execute(db);
  await sql.raw(`CREATE TRIGGER directory_matter_insert AFTER INSERT ON matters BEGIN
      INSERT INTO directory_fts (rowid, body) VALUES (new.id * 2 + 1, ${matterBody('new')});
    END`).execute(db);
  await sql.raw(`CREATE TRIGGER directory_matter_update AFTER UPDATE OF reference, opposing_party ON matters BEGIN
      DELETE FROM directory_fts WHERE rowid = old.id * 2 + 1;
      INSERT INTO directory_fts (rowid, body) VALUES (new.id * 2 + 1, ${matterBody('new')});
    END`).execute(db);
  await sql.raw(`CREATE TRIGGER directory_matter_delete AFTER DELETE ON matters BEGIN
      DELETE FROM directory_fts WHERE rowid = old.id * 2 + 1;
    END`).execute(db);
  // clients and matters are few (tens of thousands at most): indexed here at once
  await sql.raw(`INSERT INTO directory_fts (rowid, body) SELECT c.id * 2, ${clientBody('c')} FROM clients AS c`).execute(db);
  await sql.raw(`INSERT INTO directory_fts (rowid, body) SELECT m.id * 2 + 1, ${matterBody('m')} FROM matters AS m`).execute(db);

}
