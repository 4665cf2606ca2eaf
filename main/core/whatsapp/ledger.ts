import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { isDiskFull, type Store } from '../db/store.js';
import type { WhatsAppInboundTable } from '../db/tables.js';
import type { Logger } from '../log.js';
import type { InboundMessage } from './transport.js';

/** One stored inbound message, as consumers receive it: the transport's message and its place in the ledger. */
export interface LedgerMessage extends InboundMessage {
  /** orders the ledger */
  seq: number;
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
  /** its last write failed for lack of space: it waits for `resumeAfterDiskFull` */
  waitingForSpace: boolean;
  waiters: (() => void)[];
}

type InboundRow = Omit<Selectable<WhatsAppInboundTable>, 'received_at' | 'media_attempts'>;

const MESSAGE_COLUMNS = [
  'seq',
  'wa_id',
  'chat_id',
  'sender',
  'push_name',
  'sent_at',
  'body',
  'media_mimetype',
  'media_file_name',
  'media_size',
  'media_state',
  'media_document_id',
  'media_error',
] as const satisfies readonly (keyof InboundRow)[];

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
      /**
       * Resolves once a message's media is stored or failed (the media fetcher). A
       * consumer is not handed a message whose file is still being fetched, so the
       * bot's "we received your file" waits for the file to be kept.
       */
      mediaSettled?: (message: InboundMessage) => Promise<void>;
    },
  ) {}

  private stopping: { promise: Promise<void>; resolve: () => void } | null = null;

  /**
   * Stores a message unless its WhatsApp id is already in the ledger; true when it
   * was new. One short transaction; consumers are woken afterwards, never inside.
   */
  record(message: InboundMessage): boolean {
    const now = this.deps.clock.now().getTime();
    const store = this.deps.store();
    const result = store.run(
      store.db
        .insertInto('whatsapp_inbound')
        .values({
          wa_id: message.id,
          chat_id: message.chatId,
          sender: message.from,
          push_name: message.pushName,
          sent_at: Math.trunc(message.timestamp),
          body: message.text,
          media_mimetype: message.media?.mimetype ?? null,
          media_file_name: message.media?.fileName ?? null,
          media_size: message.media?.size ?? null,
          media_state: message.media ? 'pending' : null,
          received_at: now,
        })
        .onConflict((oc) => oc.column('wa_id').doNothing()),
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
    const store = this.deps.store();
    return store.get(store.db.selectFrom('whatsapp_inbound').select((eb) => eb.fn.max<number | null>('sent_at').as('t')))!.t;
  }

  get(waId: string): LedgerMessage | null {
    const store = this.deps.store();
    const row = store.get(store.db.selectFrom('whatsapp_inbound').select(MESSAGE_COLUMNS).where('wa_id', '=', waId));
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
      waitingForSpace: false,
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
    const store = this.deps.store();
    return store.get(store.db.selectFrom('whatsapp_consumers').select('last_seq').where('name', '=', name))?.last_seq ?? null;
  }

  start(): void {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.stopping = { promise, resolve };
    this.active = true;
    for (const state of this.consumers.values()) {
      // the position is read again from the database: after a restore it is the restored one's
      state.cursor = null;
      this.pump(state);
    }
  }

  async stop(): Promise<void> {
    this.active = false;
    this.stopping?.resolve();
    await Promise.all([...this.consumers.values()].map((s) => s.running));
  }

  /**
   * There is room on the disk again: consumers whose write failed for lack of
   * space take up the message they were on (it was never marked as handled).
   */
  resumeAfterDiskFull(): void {
    for (const state of this.consumers.values()) {
      if (!state.waitingForSpace) continue;
      state.waitingForSpace = false;
      if (this.active) this.pump(state);
    }
  }

  /** Consumers waiting for room on the disk (health, tests). */
  get waitingForSpace(): string[] {
    return [...this.consumers.values()].filter((s) => s.waitingForSpace).map((s) => s.name);
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
    const store = this.deps.store();
    return store.get(store.db.selectFrom('whatsapp_inbound').select('seq').where('seq', '>', cursor).limit(1)) !== undefined;
  }

  private loadCursor(state: ConsumerState): number {
    const existing = this.progressOf(state.name);
    if (existing !== null) return existing;
    if (state.from === 'start') return 0;
    const store = this.deps.store();
    const cursor = store.get(store.db.selectFrom('whatsapp_inbound').select((eb) => eb.fn.max<number | null>('seq').as('seq')))!.seq ?? 0;
    this.mark(state.name, cursor);
    return cursor;
  }

  /** Records that consumer `name` has finished every message up to `seq`. */
  private mark(name: string, seq: number): void {
    const store = this.deps.store();
    store.run(
      store.db
        .insertInto('whatsapp_consumers')
        .values({ name, last_seq: seq, updated_at: this.deps.clock.now().getTime() })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet((eb) => ({ last_seq: eb.ref('excluded.last_seq'), updated_at: eb.ref('excluded.updated_at') })),
        ),
    );
  }

  private pump(state: ConsumerState): void {
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = this.run(state)
      .catch((err: unknown) => {
        if (isDiskFull(err)) {
          // the message in hand stays unhandled: it is delivered again once there is room
          state.waitingForSpace = true;
          state.again = false;
          this.deps.log.warn({ consumer: state.name }, 'a ledger consumer waits for room on the disk');
          return;
        }
        this.deps.log.error({ err, consumer: state.name }, 'a ledger consumer stopped on an error; it starts again shortly');
        setTimeout(() => {
          if (this.active && !state.stopped) this.pump(state);
        }, state.retryDelayMs).unref?.();
      })
      .finally(() => {
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
        const store = this.deps.store();
        const rows = store.all(
          store.db.selectFrom('whatsapp_inbound').select(MESSAGE_COLUMNS).where('seq', '>', state.cursor).orderBy('seq').limit(100),
        );
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

  private async deliver(state: ConsumerState, pendingRow: InboundRow): Promise<void> {
    let row = pendingRow;
    if (row.media_state === 'pending' && this.deps.mediaSettled) {
      await Promise.race([this.deps.mediaSettled(toMessage(row)), this.stopping?.promise]);
      if (!this.active || state.stopped) return;
      const store = this.deps.store();
      row = store.get(store.db.selectFrom('whatsapp_inbound').select(MESSAGE_COLUMNS).where('seq', '=', row.seq)) ?? row;
    }
    const message = toMessage(row);
    const mark = () => this.mark(state.name, row.seq);
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
        // no room to write the outcome: not an attempt, and no reason to set the message aside
        if (isDiskFull(err)) throw err;
        if (attempt < state.maxAttempts && this.active && !state.stopped) {
          this.deps.log.warn({ err, consumer: state.name, waId: row.wa_id, attempt }, 'a ledger consumer failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, state.retryDelayMs * attempt));
          if (!this.active || state.stopped) return;
          continue;
        }
        if (!this.active || state.stopped) return;
        this.counts.consumerFailures += 1;
        this.deps.log.error({ err, consumer: state.name, waId: row.wa_id, attempt }, 'a ledger consumer gave up on a message');
        const store = this.deps.store();
        store.tx(() => {
          store.run(
            store.db.insertInto('whatsapp_consumer_failures').values({
              consumer: state.name,
              seq: row.seq,
              wa_id: row.wa_id,
              error: String((err as Error)?.message ?? err).slice(0, 500),
              at: this.deps.clock.now().getTime(),
            }),
          );
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
      ? {
          mimetype: row.media_mimetype,
          fileName: row.media_file_name,
          size: row.media_size,
          state: row.media_state ?? 'failed',
          documentId: row.media_document_id,
          error: row.media_error,
        }
      : null,
  };
}
