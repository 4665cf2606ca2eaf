import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Clock } from '../clock.js';
import type { Store } from '../db/store.js';
import type { Logger } from '../log.js';
import type { InboundMessage, MediaInfo } from './transport.js';

/** One stored inbound message, as consumers receive it. `seq` orders the ledger. */
export interface LedgerMessage {
  seq: number;
  /** WhatsApp's message id (unique in the ledger) */
  id: string;
  chatId: string;
  /** the sender's number in international digits */
  from: string;
  pushName: string | null;
  /** when WhatsApp says it was sent, ms since the epoch */
  timestamp: number;
  text: string;
  media: MediaInfo | null;
}

export interface ConsumeContext {
  /**
   * Runs `fn` in one transaction together with this consumer's progress mark: its
   * writes (including `outbox.enqueue`) land exactly once, even across a crash. Call
   * it at most once per message, as the handler's last step.
   */
  commit<T>(fn: () => T): T;
  /** 1 on the first delivery of this message to this consumer in this process, then 2, 3… */
  attempt: number;
}

export type LedgerHandler = (message: LedgerMessage, ctx: ConsumeContext) => void | Promise<void>;

export interface ConsumeOptions {
  /** where a consumer seen for the first time begins: every stored message (default) or only new ones */
  from?: 'start' | 'now';
  /** deliveries of one message before it is set aside in whatsapp_consumer_failures (default 3) */
  maxAttempts?: number;
  /** wait between attempts, times the attempt number (default 1000 ms) */
  retryDelayMs?: number;
}

export interface Consumer {
  readonly name: string;
  /** resolves when the consumer has handled everything stored so far */
  drained(): Promise<void>;
  /** stops delivering (the message in hand finishes first) */
  stop(): Promise<void>;
}

interface ConsumerState {
  name: string;
  handler: LedgerHandler;
  maxAttempts: number;
  retryDelayMs: number;
  from: 'start' | 'now';
  cursor: number | null;
  running: Promise<void> | null;
  again: boolean;
  stopped: boolean;
  waiters: (() => void)[];
}

interface InboundRow {
  seq: number;
  wa_id: string;
  chat_id: string;
  sender: string;
  push_name: string | null;
  sent_at: number;
  body: string;
  media_mimetype: string | null;
  media_file_name: string | null;
  media_size: number | null;
}

const INSERT = `INSERT INTO whatsapp_inbound
  (wa_id, chat_id, sender, push_name, sent_at, body, media_mimetype, media_file_name, media_size, received_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (wa_id) DO NOTHING`;
const AFTER = `SELECT seq, wa_id, chat_id, sender, push_name, sent_at, body, media_mimetype, media_file_name, media_size
  FROM whatsapp_inbound WHERE seq > ? ORDER BY seq LIMIT ?`;
const MARK = `INSERT INTO whatsapp_consumers (name, last_seq, updated_at) VALUES (?, ?, ?)
  ON CONFLICT (name) DO UPDATE SET last_seq = excluded.last_seq, updated_at = excluded.updated_at`;

/** How long a consumer may run handlers before it lets the event loop breathe. */
const SLICE_MS = 5;

/**
 * The inbound ledger: every message a client sent, stored once by its WhatsApp id
 * before anyone acts on it. Consumers (the bot) read it in order and mark their
 * progress, so after a crash each resumes where it stopped.
 *
 * @example
 * whatsapp.ledger.consume('bot', async (message, { commit }) => {
 *   const reply = await decide(message);           // no writes yet
 *   commit(() => {                                 // the writes and the progress mark, together
 *     saveConversationStep(message);
 *     whatsapp.outbox.enqueue({ chatId: message.chatId, text: reply, dedupeKey: `reply:${message.id}` });
 *   });
 * });
 */
export class InboundLedger {
  private readonly consumers = new Map<string, ConsumerState>();
  private active = false;
  private wakeScheduled = false;
  /** messages stored and duplicates ignored since this process started */
  readonly counts = { stored: 0, duplicates: 0, consumerFailures: 0 };
  lastStoredAt: number | null = null;

  constructor(
    private readonly deps: {
      store: () => Store;
      clock: Clock;
      log: Logger;
    },
  ) {}

  /**
   * Stores a message unless its WhatsApp id is already in the ledger; true when it
   * was new. One short transaction; consumers are woken afterwards, never inside.
   */
  record(message: InboundMessage): boolean {
    const now = this.deps.clock.now().getTime();
    const result = this.deps.store()
      .prepare(INSERT)
      .run(
        message.id,
        message.chatId,
        message.from,
        message.pushName,
        Math.trunc(message.timestamp),
        message.text,
        message.media?.mimetype ?? null,
        message.media?.fileName ?? null,
        message.media?.size ?? null,
        now,
      );
    if (result.changes === 0) {
      this.counts.duplicates += 1;
      return false;
    }
    this.counts.stored += 1;
    this.lastStoredAt = now;
    this.scheduleWake();
    return true;
  }

  /** The newest WhatsApp timestamp in the ledger (ms), or null when it is empty: where a catch-up starts. */
  lastTimestamp(): number | null {
    const row = this.deps.store().prepare('SELECT MAX(sent_at) AS t FROM whatsapp_inbound').get() as { t: number | null };
    return row.t;
  }

  get(waId: string): LedgerMessage | null {
    const row = this.deps.store()
      .prepare(
        'SELECT seq, wa_id, chat_id, sender, push_name, sent_at, body, media_mimetype, media_file_name, media_size FROM whatsapp_inbound WHERE wa_id = ?',
      )
      .get(waId) as InboundRow | undefined;
    return row ? toMessage(row) : null;
  }

  /**
   * Registers a consumer: `handler` receives every stored message after the
   * consumer's mark, one at a time, in ledger order. The mark advances when the
   * handler's `commit` runs or, if it never calls it, when the handler returns.
   * A handler that throws is retried; after `maxAttempts` the message is set aside
   * (whatsapp_consumer_failures) so one bad message cannot stall the office.
   */
  consume(name: string, handler: LedgerHandler, options: ConsumeOptions = {}): Consumer {
    if (this.consumers.has(name)) throw new Error(`a ledger consumer called "${name}" already exists`);
    const state: ConsumerState = {
      name,
      handler,
      maxAttempts: options.maxAttempts ?? 3,
      retryDelayMs: options.retryDelayMs ?? 1000,
      from: options.from ?? 'start',
      cursor: null,
      running: null,
      again: false,
      stopped: false,
      waiters: [],
    };
    this.consumers.set(name, state);
    if (this.active) this.pump(state);
    return {
      name,
      drained: () => this.drained(state),
      stop: async () => {
        state.stopped = true;
        this.consumers.delete(name);
        await state.running;
      },
    };
  }

  /** Progress of a consumer: the last ledger seq it finished, or null when it never ran. */
  progressOf(name: string): number | null {
    const row = this.deps.store().prepare('SELECT last_seq FROM whatsapp_consumers WHERE name = ?').get(name) as
      | { last_seq: number }
      | undefined;
    return row?.last_seq ?? null;
  }

  start(): void {
    this.active = true;
    for (const state of this.consumers.values()) this.pump(state);
  }

  async stop(): Promise<void> {
    this.active = false;
    await Promise.all([...this.consumers.values()].map((s) => s.running));
  }

  private scheduleWake(): void {
    if (this.wakeScheduled || !this.active) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      for (const state of this.consumers.values()) this.pump(state);
    });
  }

  private drained(state: ConsumerState): Promise<void> {
    if (!state.running && !this.hasBacklog(state)) return Promise.resolve();
    return new Promise((resolve) => {
      state.waiters.push(resolve);
      if (!state.running) this.pump(state);
    });
  }

  private hasBacklog(state: ConsumerState): boolean {
    if (!this.deps.store().isOpen) return false;
    const cursor = state.cursor ?? this.loadCursor(state);
    return this.deps.store().prepare('SELECT 1 FROM whatsapp_inbound WHERE seq > ? LIMIT 1').get(cursor) !== undefined;
  }

  private loadCursor(state: ConsumerState): number {
    const existing = this.progressOf(state.name);
    if (existing !== null) return existing;
    if (state.from === 'start') return 0;
    const row = this.deps.store().prepare('SELECT MAX(seq) AS seq FROM whatsapp_inbound').get() as { seq: number | null };
    const cursor = row.seq ?? 0;
    this.deps.store().prepare(MARK).run(state.name, cursor, this.deps.clock.now().getTime());
    return cursor;
  }

  private pump(state: ConsumerState): void {
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = this.run(state).finally(() => {
      state.running = null;
      if (state.again && this.active && !state.stopped) {
        this.pump(state);
        return;
      }
      for (const resolve of state.waiters.splice(0)) resolve();
    });
  }

  private async run(state: ConsumerState): Promise<void> {
    let sliceStart = performance.now();
    do {
      state.again = false;
      for (;;) {
        if (!this.active || state.stopped) return;
        if (state.cursor === null) state.cursor = this.loadCursor(state);
        const rows = this.deps.store().prepare(AFTER).all(state.cursor, 100) as InboundRow[];
        if (rows.length === 0) break;
        for (const row of rows) {
          if (!this.active || state.stopped) return;
          await this.deliver(state, row);
          if (performance.now() - sliceStart > SLICE_MS) {
            await yieldToLoop();
            sliceStart = performance.now();
          }
        }
      }
    } while (state.again);
  }

  private async deliver(state: ConsumerState, row: InboundRow): Promise<void> {
    const message = toMessage(row);
    const mark = () =>
      this.deps.store().prepare(MARK).run(state.name, row.seq, this.deps.clock.now().getTime());
    for (let attempt = 1; ; attempt++) {
      let committed = false;
      const ctx: ConsumeContext = {
        attempt,
        commit: <T>(fn: () => T): T => {
          if (committed) throw new Error('commit may run once per message');
          const value = this.deps.store().tx(() => {
            const result = fn();
            mark();
            return result;
          });
          committed = true;
          state.cursor = row.seq;
          return value;
        },
      };
      try {
        await state.handler(message, ctx);
        if (!committed) {
          mark();
          state.cursor = row.seq;
        }
        return;
      } catch (err) {
        if (committed) {
          this.deps.log.error({ err, consumer: state.name, waId: row.wa_id }, 'a ledger consumer failed after committing');
          return;
        }
        if (attempt < state.maxAttempts && this.active && !state.stopped) {
          this.deps.log.warn({ err, consumer: state.name, waId: row.wa_id, attempt }, 'a ledger consumer failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, state.retryDelayMs * attempt));
          if (!this.active || state.stopped) return;
          continue;
        }
        if (!this.active || state.stopped) return;
        this.counts.consumerFailures += 1;
        this.deps.log.error({ err, consumer: state.name, waId: row.wa_id, attempt }, 'a ledger consumer gave up on a message');
        this.deps.store().tx(() => {
          this.deps.store()
            .prepare('INSERT INTO whatsapp_consumer_failures (consumer, seq, wa_id, error, at) VALUES (?, ?, ?, ?, ?)')
            .run(state.name, row.seq, row.wa_id, String((err as Error)?.message ?? err).slice(0, 500), this.deps.clock.now().getTime());
          mark();
        });
        state.cursor = row.seq;
        return;
      }
    }
  }
}

function toMessage(row: InboundRow): LedgerMessage {
  return {
    seq: row.seq,
    id: row.wa_id,
    chatId: row.chat_id,
    from: row.sender,
    pushName: row.push_name,
    timestamp: row.sent_at,
    text: row.body,
    media: row.media_mimetype
      ? { mimetype: row.media_mimetype, fileName: row.media_file_name, size: row.media_size }
      : null,
  };
}
