import type { Clock } from '../clock.js';
import type { Store } from '../db/store.js';
import { AppError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { DocumentStore } from '../documents/store.js';
import { PdfWorkers } from '../pdf/pdf-workers.js';
import { BotEngine } from './engine.js';
import type { BotConsumer, BotLink, BotOutbox } from './link.js';
import { PdfJobs } from './pdf-jobs.js';
import { Presence } from './presence.js';
import { backfillStep } from './search.js';
import { BotSettingsStore } from './settings.js';
import type { SendLimits, SettingsSection } from '../../../shared/bot.js';
import type { Answering } from '../../../shared/contract/answering.js';

/** Where the paused state is kept (app_meta), so that a pause survives a restart. */
const ANSWERING_KEY = 'bot.answering';

export interface BotServiceDeps {
  store: () => Store;
  clock: Clock;
  log: Logger;
  /** the core's event bus (a getter: the bus is built alongside the bot) */
  events: () => EventBus;
  /** the link's send limits: what IT configured, and how to apply the admin's */
  sendLimits?: { defaults: SendLimits; apply(limits: SendLimits): void };
  /** the document store, where intake PDFs are kept */
  documents: DocumentStore;
}

/**
 * The legal bot as a part of the core: its settings, the engine that consumes the
 * inbound ledger, the intake PDF queue and its worker. It reaches WhatsApp only
 * through a `BotLink` (the ledger and the outbox), attached by the core when the
 * link exists.
 */
export class BotService {
  readonly name = 'bot';
  readonly settings: BotSettingsStore;
  readonly engine: BotEngine;
  readonly pdfs: PdfJobs;
  readonly workers: PdfWorkers;
  /** who is writing in which conversation (in memory) */
  readonly presence: Presence;
  private link: BotLink | null = null;
  private consumer: BotConsumer | null = null;
  private started = false;
  private answeringState: Answering = { paused: false, since: null, by: null };

  constructor(private readonly deps: BotServiceDeps) {
    this.settings = new BotSettingsStore(deps.store, deps.clock, deps.sendLimits ? { sendLimits: deps.sendLimits.defaults } : {});
    this.workers = new PdfWorkers();
    this.presence = new Presence(deps.clock);
    const parts = {
      store: deps.store,
      clock: deps.clock,
      events: { emit: (type, data) => deps.events().emit(type, data) } as EventBus,
      settings: this.settings,
    };
    this.pdfs = new PdfJobs({
      ...parts,
      log: deps.log.child({ component: 'bot.pdf' }),
      workers: this.workers,
      outbox: () => this.link?.outbox ?? null,
      documents: deps.documents,
    });
    this.engine = new BotEngine({
      ...parts,
      log: deps.log.child({ component: 'bot' }),
      outbox: () => this.outbox(),
      onPdfQueued: () => this.pdfs.wake(),
    });
  }

  /**
   * Connects the bot to WhatsApp's ledger and outbox; it starts consuming when the
   * core starts. Attaching another link (tests) stops consuming the first.
   */
  attach(link: BotLink): void {
    const previous = this.consumer;
    this.consumer = null;
    this.link = link;
    if (!previous) {
      if (this.started) this.consume();
      return;
    }
    void previous.stop().then(() => {
      if (this.started && this.link === link) this.consume();
    });
  }

  get attached(): boolean {
    return this.link !== null;
  }

  /** The outbox, or a clear error when WhatsApp is not part of this installation. */
  outbox(): BotOutbox {
    if (!this.link) throw new AppError('conflict', 'WhatsApp is not set up, so nothing can be sent yet.');
    return this.link.outbox;
  }

  /** Resolves when every stored inbound message and every pending PDF has been handled. */
  async drained(): Promise<void> {
    await this.consumer?.drained();
    await this.pdfs.idle();
  }

  start(): void {
    this.answeringState = this.readAnswering();
    this.settings.invalidate();
    this.settings.ensureDefaults();
    this.settingsChanged('sendLimits');
    this.started = true;
    // only a face with the WhatsApp link attached (desktop, headless) runs the bot;
    // the command line opens the same database without answering anyone
    this.consume();
    void this.indexOldMessages();
  }

  /**
   * Indexes, for the search, the messages stored before it existed: a batch at
   * a time with the event loop free in between, so a large database neither
   * holds up the start nor the bot.
   */
  private async indexOldMessages(): Promise<void> {
    for (;;) {
      if (!this.started) return;
      let more = false;
      try {
        const store = this.deps.store();
        if (!store.isOpen) return;
        more = backfillStep(store);
      } catch (err) {
        this.deps.log.warn({ err }, 'search indexing paused; it resumes at the next start');
        return;
      }
      if (!more) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async stop(): Promise<void> {
    this.started = false;
    const consumer = this.consumer;
    this.consumer = null;
    await consumer?.stop();
    await this.pdfs.stop();
    await this.workers.close();
  }

  /** A restore is about to swap the database: no PDF is written meanwhile. */
  async pause(): Promise<void> {
    await this.pdfs.pause();
  }

  /** After a restore: settings are read again from the database now in place, and pending PDFs resume. */
  resume(): void {
    this.applyAnswering(this.readAnswering());
    this.settings.invalidate();
    this.settingsChanged('sendLimits');
    this.pdfs.resume();
  }

  /** After the admin saved a section: the send limits reach the link at once. */
  settingsChanged(section: SettingsSection): void {
    if (section === 'sendLimits' && this.deps.sendLimits && this.settings.isSaved('sendLimits')) {
      const limits = this.settings.get().sendLimits;
      this.deps.sendLimits.apply(limits);
    }
  }

  /** An outbox row was sent or failed: the conversation's screen shows the new mark. */
  deliveryChanged(row: { id: number; chatId: string }): void {
    const store = this.deps.store();
    if (!store.isOpen) return;
    const conversation = store.get(store.db.selectFrom('conversations').select('id').where('chat_id', '=', row.chatId));
    if (conversation) this.deps.events().emit('inbox.changed', { conversationId: conversation.id, reason: 'delivery' });
  }

  /** Whether the bot answers clients now (paused: messages are kept, and answered on resume). */
  get answering(): Answering {
    return { ...this.answeringState };
  }

  /**
   * Pauses or resumes the bot, for good (kept in the database across restarts).
   * Paused, the bot reads nothing from the ledger: every message stays stored and
   * is answered in order once it resumes. Call inside the operation's write.
   */
  setPaused(paused: boolean, by: string): Answering {
    const next: Answering = { paused, since: this.deps.clock.now().toISOString(), by };
    const store = this.deps.store();
    store
      .prepare('INSERT INTO app_meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(ANSWERING_KEY, JSON.stringify(next), next.since);
    return next;
  }

  /** After the write has committed: the consumer stops or starts, and the screens hear of it. */
  applyAnswering(next: Answering): void {
    const changed = next.paused !== this.answeringState.paused;
    this.answeringState = next;
    if (changed && this.started) {
      if (next.paused) {
        const consumer = this.consumer;
        this.consumer = null;
        void consumer?.stop();
        this.deps.log.info({ by: next.by }, 'the bot is paused: messages are kept and answered when it resumes');
      } else {
        this.consume();
        this.deps.log.info({ by: next.by }, 'the bot answers again');
      }
    }
    this.deps.events().emit('bot.answering', this.answering);
  }

  private readAnswering(): Answering {
    try {
      const row = this.deps.store().prepare('SELECT value FROM app_meta WHERE key = ?').get(ANSWERING_KEY) as { value: string } | undefined;
      if (!row) return { paused: false, since: null, by: null };
      const parsed = JSON.parse(row.value) as Partial<Answering>;
      return { paused: parsed.paused === true, since: parsed.since ?? null, by: parsed.by ?? null };
    } catch {
      return { paused: false, since: null, by: null };
    }
  }

  private consume(): void {
    if (!this.link || this.consumer || this.answeringState.paused) return;
    this.consumer = this.link.inbound.consume('bot', (message, ctx) => {
      this.engine.handle(message, ctx);
    });
    this.pdfs.wake();
  }
}
