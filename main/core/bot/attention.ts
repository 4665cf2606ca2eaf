import type { Store } from '../db/store.js';

/**
 * What waits for staff, for the desktop's badge: conversations the bot handed
 * over and nobody took yet, and conversations staff took over with messages not
 * read. Conversations the bot is handling need nobody and are not counted.
 */
export function attentionCount(store: Store): { waiting: number; unread: number; total: number } {
  const row = store.get(
    store.db
      .selectFrom('conversations')
      .select((eb) => [
        eb.fn.countAll<number>().filterWhere('mode', '=', 'waiting').as('waiting'),
        eb.fn.countAll<number>().filterWhere((w) => w.and([w('mode', '=', 'staff'), w('unread', '>', 0)])).as('unread'),
      ]),
  )!;
  return { waiting: row.waiting, unread: row.unread, total: row.waiting + row.unread };
}

/** The mode a conversation is in now (bot, waiting for staff, with staff), or null when there is no such conversation. */
export function conversationMode(store: Store, conversationId: number): 'bot' | 'waiting' | 'staff' | null {
  const row = store.get(store.db.selectFrom('conversations').select('mode').where('id', '=', conversationId));
  return row?.mode ?? null;
}
