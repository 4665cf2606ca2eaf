import { sql } from 'kysely';
import type { Store } from '../db/store.js';
import type { BotConsumer, BotInboundMessage, BotLink, Delivery, DeliveryState, InboundContext } from './link.js';

/**
 * What the bot uses of the WhatsApp link (main/core/whatsapp/service.ts): its
 * inbound ledger and its durable outbox. Written as a shape rather than an import
 * so the bot depends on nothing else of the link.
 */
export interface WhatsAppLinkLike {
  ledger: {
    consume(name: string, handler: (message: BotInboundMessage, ctx: InboundContext) => void | Promise<void>): BotConsumer;
  };
  outbox: {
    enqueue(
      message:
        | { chatId: string; text: string; dedupeKey?: string }
        | { chatId: string; document: { documentId: number; fileName: string; mimetype?: string; caption?: string }; dedupeKey?: string },
    ): { id: number };
  };
}

const STATE: Record<string, DeliveryState> = { pending: 'queued', sending: 'sending', sent: 'sent', failed: 'failed' };

/**
 * The bot's view of the WhatsApp link: it consumes the inbound ledger and answers
 * through the outbox, whose rows join the bot's transaction (so a step and its
 * reply land together, exactly once).
 */
export function whatsappBotLink(whatsapp: WhatsAppLinkLike, store: () => Store): BotLink {
  return {
    inbound: {
      consume: (name, handler) => whatsapp.ledger.consume(name, (message, ctx) => handler(message, ctx)),
    },
    outbox: {
      enqueueText: (m) => whatsapp.outbox.enqueue({ chatId: m.chatId, text: m.text, dedupeKey: m.dedupeKey }).id,
      enqueueDocument: (m) =>
        whatsapp.outbox.enqueue({
          chatId: m.chatId,
          document: { documentId: m.documentId, fileName: m.fileName, mimetype: m.mimetype, caption: m.caption },
          dedupeKey: m.dedupeKey,
        }).id,
      delivery: (ids) => {
        const out = new Map<number, Delivery>();
        if (ids.length === 0) return out;
        const current = store();
        // the ids travel as one JSON parameter, so any number of them is the same statement
        const given = sql<{ value: number }>`json_each(${JSON.stringify(ids)})`.as('given');
        const rows = current.all(
          current.db
            .selectFrom('whatsapp_outbox')
            .select(['id', 'status', 'last_error', 'ack'])
            .where('id', 'in', (eb) => eb.selectFrom(given).select('given.value')),
        );
        for (const row of rows) {
          // a sent message WhatsApp acknowledged: delivered to the phone (2), read (3)
          const state = row.status === 'sent' && row.ack >= 3 ? 'read' : row.status === 'sent' && row.ack === 2 ? 'delivered' : (STATE[row.status] ?? 'queued');
          out.set(row.id, { state, error: row.status === 'failed' ? row.last_error : null });
        }
        return out;
      },
    },
  };
}
