import type { Core } from '../../main/core/app.js';
import type {
  BotConsumer,
  BotInboundMessage,
  BotLink,
  Delivery,
  InboundHandler,
  OutgoingDocument,
  OutgoingText,
} from '../../main/core/bot/link.js';

/**
 * A stand-in for the WhatsApp link with the same contract as the real one: the
 * outbox is a table in the core's own SQLite database (so an outbox row lands in
 * the same transaction as the step that wrote it, or not at all), and inbound
 * messages are handed to the bot's consumer one at a time with a `commit` that
 * wraps the step in a transaction.
 */
export class TestLink implements BotLink {
  private handler: InboundHandler | null = null;
  private seq = 0;

  constructor(private readonly core: Core) {
    core.services.store.sqlite.exec(`CREATE TABLE IF NOT EXISTS test_outbox (
      id INTEGER PRIMARY KEY, chat_id TEXT NOT NULL, kind TEXT NOT NULL, text TEXT, file_name TEXT, data BLOB, document_id INTEGER,
      dedupe_key TEXT UNIQUE, status TEXT NOT NULL DEFAULT 'pending')`);
  }

  readonly inbound = {
    consume: (_name: string, handler: InboundHandler): BotConsumer => {
      this.handler = handler;
      return {
        stop: async () => {
          this.handler = null;
        },
        drained: async () => {},
      };
    },
  };

  readonly outbox = {
    enqueueText: (m: OutgoingText): number => this.insert(m.chatId, 'text', m.text, null, null, m.dedupeKey),
    enqueueDocument: (m: OutgoingDocument): number =>
      this.insert(m.chatId, 'document', m.caption ?? null, m.fileName, null, m.dedupeKey, m.documentId),
    delivery: (ids: readonly number[]): Map<number, Delivery> => {
      const out = new Map<number, Delivery>();
      for (const id of ids) {
        const row = this.store.prepare('SELECT status FROM test_outbox WHERE id = ?').get(id) as { status: string } | undefined;
        if (row) out.set(id, { state: row.status === 'sent' ? 'sent' : 'queued', error: null });
      }
      return out;
    },
  };

  get consuming(): boolean {
    return this.handler !== null;
  }

  private get store() {
    return this.core.services.store;
  }

  private insert(chatId: string, kind: string, text: string | null, fileName: string | null, data: Buffer | null, key: string, documentId: number | null = null): number {
    const existing = this.store.prepare('SELECT id FROM test_outbox WHERE dedupe_key = ?').get(key) as { id: number } | undefined;
    if (existing) return existing.id;
    return Number(
      this.store
        .prepare('INSERT INTO test_outbox (chat_id, kind, text, file_name, data, dedupe_key, document_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(chatId, kind, text, fileName, data, key, documentId).lastInsertRowid,
    );
  }

  /** A client's message arrives; resolves when the bot has handled it. */
  async deliver(from: string, text: string, options: { pushName?: string; media?: BotInboundMessage['media'] } = {}): Promise<void> {
    if (!this.handler) throw new Error('the bot is not consuming');
    this.seq += 1;
    const message: BotInboundMessage = {
      id: `test-${Date.now()}-${this.seq}`,
      chatId: `${from}@c.us`,
      from,
      pushName: options.pushName ?? null,
      timestamp: Date.now(),
      text,
      media: options.media ?? null,
    };
    await this.handler(message, { commit: (fn) => this.store.tx(fn) });
  }

  /** Everything sent to a number, in order. */
  sentTo(number: string): { kind: string; text: string | null; fileName: string | null; documentId: number | null }[] {
    return this.store
      .prepare('SELECT kind, text, file_name AS fileName, document_id AS documentId FROM test_outbox WHERE chat_id = ? ORDER BY id')
      .all(`${number}@c.us`) as { kind: string; text: string | null; fileName: string | null; documentId: number | null }[];
  }

  /** The bytes of a document sent (read from the document store, as the sender does). */
  async bytesOf(documentId: number): Promise<Buffer> {
    return (await this.core.services.documents.store.readAll(documentId)).data;
  }
}

/** Attaches a TestLink to a started core's bot, in place of the WhatsApp link; resolves once the bot consumes it. */
export async function attachTestLink(core: Core): Promise<TestLink> {
  const link = new TestLink(core);
  core.services.bot.attach(link);
  for (let i = 0; i < 1000 && !link.consuming; i++) await new Promise((resolve) => setImmediate(resolve));
  if (!link.consuming) throw new Error('the bot did not start consuming the test link');
  return link;
}
