import type { Clock } from '../clock.js';
import type { OutboxStatus } from '../../../shared/contract/whatsapp.js';
import type { Store } from '../db/store.js';
import { AppError } from '../errors.js';

/** A message for the outbox: text, or a document (a PDF buffer with its file name). */
export type OutgoingMessage =
  | { chatId: string; text: string; dedupeKey?: string }
  | {
      chatId: string;
      document: { data: Buffer; fileName: string; mimetype?: string; caption?: string };
      dedupeKey?: string;
    };

export interface OutboxRow {
  id: number;
  chatId: string;
  kind: 'text' | 'document';
  /** the text, or the document's caption */
  text: string | null;
  fileName: string | null;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  waId: string | null;
  createdAt: number;
  nextAttemptAt: number;
  sentAt: number | null;
  failedAt: number | null;
}

const CHAT_ID = /^\d{5,20}@(c\.us|lid)$/;
const MAX_TEXT = 60_000;
const MAX_DOCUMENT = 64 * 1024 * 1024;

const ROW_COLUMNS = `id, chat_id, kind, text, file_name, status, attempts, last_error, wa_id, created_at, next_attempt_at,
  sent_at, failed_at, uncertain_since, mimetype`;

export interface RawOutboxRow {
  id: number;
  chat_id: string;
  kind: 'text' | 'document';
  text: string | null;
  file_name: string | null;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  wa_id: string | null;
  created_at: number;
  next_attempt_at: number;
  sent_at: number | null;
  failed_at: number | null;
  uncertain_since: number | null;
  mimetype: string | null;
}

export function toOutboxRow(row: RawOutboxRow): OutboxRow {
  return {
    id: row.id,
    chatId: row.chat_id,
    kind: row.kind,
    text: row.text,
    fileName: row.file_name,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    waId: row.wa_id,
    createdAt: row.created_at,
    nextAttemptAt: row.next_attempt_at,
    sentAt: row.sent_at,
    failedAt: row.failed_at,
  };
}

/**
 * The durable outbox: every message LexDesk sends is a row here first. The sender
 * (sender.ts) drains it in order per chat, within the send-rate limits, retrying
 * transient failures, and records WhatsApp's message id in the same step that
 * marks a row sent, so nothing is lost in a crash and nothing is sent twice.
 *
 * @example
 * // inside a ledger consumer's commit, so the reply is queued exactly once
 * outbox.enqueue({ chatId: message.chatId, text: 'Thank you, we will answer shortly.', dedupeKey: `ack:${message.id}` });
 * outbox.enqueue({ chatId, document: { data: pdfBuffer, fileName: 'intake-LX-0042.pdf' } });
 */
export class Outbox {
  /** called after every enqueue, retry and recovery (the sender wakes up) */
  onChange: () => void = () => {};

  constructor(private readonly deps: { store: () => Store; clock: Clock }) {}

  /** Wakes the sender once the caller's transaction is over (never from inside it). */
  private changed(): void {
    queueMicrotask(() => this.onChange());
  }

  /**
   * Queues a message; returns its row id. With a `dedupeKey`, a second enqueue of
   * the same key returns the first row's id and queues nothing (`created: false`).
   * Joins the caller's transaction when there is one.
   */
  enqueue(message: OutgoingMessage): { id: number; created: boolean } {
    if (!CHAT_ID.test(message.chatId)) {
      throw new AppError('invalid_input', 'The WhatsApp chat is not valid.', { chatId: message.chatId });
    }
    const store = this.deps.store();
    const now = this.deps.clock.now().getTime();
    const key = message.dedupeKey ?? null;
    return store.tx(() => {
      if (key !== null) {
        const existing = store.prepare('SELECT id FROM whatsapp_outbox WHERE dedupe_key = ?').get(key) as
          | { id: number }
          | undefined;
        if (existing) return { id: existing.id, created: false };
      }
      let result;
      if ('text' in message) {
        if (message.text.length === 0 || message.text.length > MAX_TEXT) {
          throw new AppError('invalid_input', `A WhatsApp text must have 1 to ${MAX_TEXT} characters.`);
        }
        result = store
          .prepare(
            `INSERT INTO whatsapp_outbox (chat_id, kind, text, dedupe_key, status, next_attempt_at, created_at)
             VALUES (?, 'text', ?, ?, 'pending', ?, ?)`,
          )
          .run(message.chatId, message.text, key, now, now);
      } else {
        const doc = message.document;
        if (doc.data.length === 0 || doc.data.length > MAX_DOCUMENT) {
          throw new AppError('invalid_input', 'A WhatsApp document must be between 1 byte and 64 MB.');
        }
        const fileName = doc.fileName.replace(/[\\/\0]/g, '_').slice(0, 200);
        if (!fileName) throw new AppError('invalid_input', 'A WhatsApp document needs a file name.');
        result = store
          .prepare(
            `INSERT INTO whatsapp_outbox (chat_id, kind, text, document, file_name, mimetype, dedupe_key, status, next_attempt_at, created_at)
             VALUES (?, 'document', ?, ?, ?, ?, ?, 'pending', ?, ?)`,
          )
          .run(message.chatId, doc.caption ?? null, doc.data, fileName, doc.mimetype ?? 'application/pdf', key, now, now);
      }
      this.changed();
      return { id: Number(result.lastInsertRowid), created: true };
    });
  }

  /** Rows for the screens, newest first, without document bytes. */
  list(filter: { status?: OutboxStatus | 'open'; limit?: number } = {}): OutboxRow[] {
    const store = this.deps.store();
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 500);
    const rows =
      filter.status === 'open'
        ? store
            .prepare(`SELECT ${ROW_COLUMNS} FROM whatsapp_outbox WHERE status IN ('pending', 'sending') ORDER BY id DESC LIMIT ?`)
            .all(limit)
        : filter.status
          ? store.prepare(`SELECT ${ROW_COLUMNS} FROM whatsapp_outbox WHERE status = ? ORDER BY id DESC LIMIT ?`).all(filter.status, limit)
          : store.prepare(`SELECT ${ROW_COLUMNS} FROM whatsapp_outbox ORDER BY id DESC LIMIT ?`).all(limit);
    return (rows as RawOutboxRow[]).map(toOutboxRow);
  }

  get(id: number): OutboxRow | null {
    const row = this.deps.store().prepare(`SELECT ${ROW_COLUMNS} FROM whatsapp_outbox WHERE id = ?`).get(id) as
      | RawOutboxRow
      | undefined;
    return row ? toOutboxRow(row) : null;
  }

  /** Puts a failed row back in the queue with a fresh set of attempts. */
  retry(id: number): OutboxRow {
    const store = this.deps.store();
    const now = this.deps.clock.now().getTime();
    const row = store.tx(() => {
      const current = this.get(id);
      if (!current) throw new AppError('not_found', 'There is no such message in the outbox.');
      if (current.status !== 'failed') {
        throw new AppError('conflict', `Only a failed message can be retried; this one is ${current.status}.`);
      }
      store
        .prepare(
          `UPDATE whatsapp_outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, failed_at = NULL WHERE id = ?`,
        )
        .run(now, id);
      return this.get(id)!;
    });
    this.changed();
    return row;
  }

  /** Messages waiting to go out (pending or in flight). */
  depth(): number {
    return (
      this.deps.store().prepare(`SELECT COUNT(*) AS n FROM whatsapp_outbox WHERE status IN ('pending', 'sending')`).get() as {
        n: number;
      }
    ).n;
  }

  failedCount(): number {
    return (
      this.deps.store().prepare(`SELECT COUNT(*) AS n FROM whatsapp_outbox WHERE status = 'failed'`).get() as { n: number }
    ).n;
  }

  /**
   * After a crash, rows left `sending` may or may not have reached WhatsApp. They
   * go back to `pending` still marked uncertain; the sender asks WhatsApp whether
   * they arrived before it sends them again. Returns how many there were.
   */
  recoverInFlight(): number {
    const result = this.deps.store()
      .prepare(
        `UPDATE whatsapp_outbox SET status = 'pending', uncertain_since = COALESCE(uncertain_since, next_attempt_at)
         WHERE status = 'sending'`,
      )
      .run();
    if (result.changes > 0) this.changed();
    return result.changes;
  }
}
