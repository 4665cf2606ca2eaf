import type { Insertable, Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import type { OutboxStatus } from '../../../shared/contract/whatsapp.js';
import type { Store } from '../db/store.js';
import type { WhatsAppOutboxTable } from '../db/tables.js';
import { RESTORE_HORIZON_KEY } from '../backup/after-restore.js';
import { AppError } from '../errors.js';

/**
 * A message for the outbox: text, or a document. A document is either one of the
 * document store (`documentId`: the row names it, the sender reads it when it
 * sends) or, for callers without a store, its bytes (`data`).
 */
export type OutgoingMessage =
  | { chatId: string; text: string; dedupeKey?: string }
  | {
      chatId: string;
      document:
        | { documentId: number; fileName: string; mimetype?: string; caption?: string }
        | { data: Buffer; fileName: string; mimetype?: string; caption?: string };
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

/** Rows still to go out: waiting, or being sent now. */
const OPEN = ['pending', 'sending'] as const;

const CHAT_ID = /^\d{5,20}@(c\.us|lid)$/;
const MAX_TEXT = 60_000;
const MAX_DOCUMENT = 64 * 1024 * 1024;

/** An outbox row without the document's bytes (and the dedupe key, which only enqueue reads). */
export type RawOutboxRow = Omit<Selectable<WhatsAppOutboxTable>, 'document' | 'dedupe_key' | 'document_id' | 'ack'>;

const ROW_COLUMNS = [
  'id',
  'chat_id',
  'kind',
  'text',
  'file_name',
  'status',
  'attempts',
  'last_error',
  'wa_id',
  'created_at',
  'next_attempt_at',
  'sent_at',
  'failed_at',
  'uncertain_since',
  'mimetype',
] as const satisfies readonly (keyof RawOutboxRow)[];

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

  /** after a restore: messages queued before `until` are first looked for among those sent since `since` */
  private horizon: { since: number; until: number } | null = null;

  constructor(private readonly deps: { store: () => Store; clock: Clock }) {}

  /** The time of the backup last restored into this database, or null. */
  restoredFrom(): number | null {
    return this.horizon?.since ?? null;
  }

  private loadHorizon(): void {
    const store = this.deps.store();
    const row = store.get(store.db.selectFrom('app_meta').select('value').where('key', '=', RESTORE_HORIZON_KEY));
    this.horizon = null;
    if (!row) return;
    try {
      const { since, until } = JSON.parse(row.value) as { since: unknown; until: unknown };
      if (typeof since === 'number' && typeof until === 'number' && Number.isFinite(since) && Number.isFinite(until)) this.horizon = { since, until };
    } catch {
      // an unreadable horizon is no horizon
    }
  }

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
        const existing = store.get(store.db.selectFrom('whatsapp_outbox').select('id').where('dedupe_key', '=', key));
        if (existing) return { id: existing.id, created: false };
      }
      const horizon = this.horizon !== null && now < this.horizon.until ? this.horizon.since : null;
      // after a restore, a reply may be one the office already sent before it: the sender looks for it first
      const queued = { chat_id: message.chatId, dedupe_key: key, status: 'pending', next_attempt_at: now, created_at: now, uncertain_since: horizon } as const;
      let row: Insertable<WhatsAppOutboxTable>;
      if ('text' in message) {
        if (message.text.length === 0 || message.text.length > MAX_TEXT) {
          throw new AppError('invalid_input', `A WhatsApp text must have 1 to ${MAX_TEXT} characters.`);
        }
        row = { ...queued, kind: 'text', text: message.text };
      } else {
        const doc = message.document;
        if ('data' in doc && (doc.data.length === 0 || doc.data.length > MAX_DOCUMENT)) {
          throw new AppError('invalid_input', 'A WhatsApp document must be between 1 byte and 64 MB.');
        }
        const fileName = doc.fileName.replace(/[\\/\0]/g, '_').slice(0, 200);
        if (!fileName) throw new AppError('invalid_input', 'A WhatsApp document needs a file name.');
        row = {
          ...queued,
          kind: 'document',
          text: doc.caption ?? null,
          document: 'data' in doc ? doc.data : null,
          document_id: 'documentId' in doc ? doc.documentId : null,
          file_name: fileName,
          mimetype: doc.mimetype ?? 'application/pdf',
        };
      }
      const result = store.run(store.db.insertInto('whatsapp_outbox').values(row));
      this.changed();
      return { id: Number(result.lastInsertRowid), created: true };
    });
  }

  /** Rows for the screens, newest first, without document bytes. */
  list(filter: { status?: OutboxStatus | 'open'; limit?: number } = {}): OutboxRow[] {
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 500);
    let query = this.rows();
    if (filter.status === 'open') query = query.where('status', 'in', OPEN);
    else if (filter.status) query = query.where('status', '=', filter.status);
    return this.deps.store().all(query.orderBy('id', 'desc').limit(limit)).map(toOutboxRow);
  }

  get(id: number): OutboxRow | null {
    const row = this.deps.store().get(this.rows().where('id', '=', id));
    return row ? toOutboxRow(row) : null;
  }

  private rows() {
    return this.deps.store().db.selectFrom('whatsapp_outbox').select(ROW_COLUMNS);
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
      store.run(
        store.db
          .updateTable('whatsapp_outbox')
          .set({ status: 'pending', attempts: 0, next_attempt_at: now, failed_at: null })
          .where('id', '=', id),
      );
      return this.get(id)!;
    });
    this.changed();
    return row;
  }

  /** Messages waiting to go out (pending or in flight). */
  depth(): number {
    return this.deps.store().get(this.counted().where('status', 'in', OPEN))!.n;
  }

  /**
   * Replies staff wrote (text, document, hand-back) still waiting or being sent,
   * queued at or after `sinceMs`. The update gate waits for them.
   */
  staffRepliesInFlight(sinceMs: number): number {
    return this.deps.store().get(
      this.counted()
        .where('status', 'in', OPEN)
        .where('created_at', '>=', sinceMs)
        .where((eb) =>
          eb.or([eb('dedupe_key', 'like', 'staff:%'), eb('dedupe_key', 'like', 'staff-doc:%'), eb('dedupe_key', 'like', 'handback:%')]),
        ),
    )!.n;
  }

  failedCount(): number {
    return this.deps.store().get(this.counted().where('status', '=', 'failed'))!.n;
  }

  private counted() {
    return this.deps.store().db.selectFrom('whatsapp_outbox').select((eb) => eb.fn.countAll<number>().as('n'));
  }

  /**
   * After a crash, rows left `sending` may or may not have reached WhatsApp. They
   * go back to `pending` still marked uncertain; the sender asks WhatsApp whether
   * they arrived before it sends them again. Returns how many there were.
   */
  recoverInFlight(): number {
    const store = this.deps.store();
    this.loadHorizon();
    const result = store.run(
      store.db
        .updateTable('whatsapp_outbox')
        .set((eb) => ({ status: 'pending', uncertain_since: eb.fn.coalesce('uncertain_since', 'next_attempt_at') }))
        .where('status', '=', 'sending'),
    );
    if (result.changes > 0) this.changed();
    return result.changes;
  }
}
