import type { InboundMessage } from '../whatsapp/transport.js';

/**
 * What the bot needs from the WhatsApp link (main/core/whatsapp): the inbound
 * ledger to consume and the durable outbox to write to. The bot depends on this
 * small interface and on the transport's message shape only; `whatsapp-link.ts`
 * adapts the real link to it, and tests may hand in their own.
 */

/** One stored inbound message, as the ledger delivers it. */
export type BotInboundMessage = InboundMessage;

export interface InboundContext {
  /**
   * Runs `fn` in one SQLite transaction together with the ledger's progress mark:
   * the conversation step, its outbox rows and the mark land together, exactly once.
   */
  commit<T>(fn: () => T): T;
}

export type InboundHandler = (message: BotInboundMessage, ctx: InboundContext) => void | Promise<void>;

export interface BotConsumer {
  stop(): Promise<void>;
  /** resolves when everything stored so far has been handled */
  drained(): Promise<void>;
}

export interface BotInbound {
  consume(name: string, handler: InboundHandler): BotConsumer;
}

export type DeliveryState = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface Delivery {
  state: DeliveryState;
  error: string | null;
}

export interface OutgoingText {
  chatId: string;
  text: string;
  /** the same key twice is one message (a retried step never sends twice) */
  dedupeKey: string;
}

/** A document of the store (main/core/documents), sent by id: the outbox never holds its bytes. */
export interface OutgoingDocument {
  chatId: string;
  documentId: number;
  fileName: string;
  mimetype: string;
  caption?: string;
  dedupeKey: string;
}

export interface BotOutbox {
  /** Queues a text; synchronous, joins the caller's SQLite transaction. Returns the outbox row id. */
  enqueueText(message: OutgoingText): number;
  enqueueDocument(message: OutgoingDocument): number;
  /** The delivery state of outbox rows (rows not found are left out). */
  delivery(ids: readonly number[]): Map<number, Delivery>;
}

export interface BotLink {
  inbound: BotInbound;
  outbox: BotOutbox;
}
