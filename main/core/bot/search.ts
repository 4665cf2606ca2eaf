import type { OutputOf, ParsedInputOf, SearchHit } from '../../../shared/contract/index.js';
import { roleAllows, type Role } from '../../../shared/permissions.js';
import type { Store } from '../db/store.js';
import { invalidInput } from '../errors.js';

/**
 * One search over what the office said and wrote: messages both ways, internal
 * notes, client names and numbers, matter references and other parties. SQLite
 * FTS5 with diacritics folded (`zoe` finds `Zoë`, `jose` finds `José`), each word
 * a prefix, all words required; results newest first with the matched words
 * marked. The query is never FTS syntax: it is cut into words and each word is
 * quoted, so `"`, `*`, `NEAR`, `-` or `OR` are just characters to look for.
 */

export const MARK_START = '\u0002';
export const MARK_END = '\u0003';

/** The words of a query, as FTS5 tokenizes them (letters and digits), at most 12. */
export function queryWords(query: string): string[] {
  return (query.normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 12);
}

/** An FTS5 MATCH expression that means exactly "every word, as a prefix". */
export function matchExpression(words: string[]): string {
  return words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' ');
}

interface Cursor {
  /** messages older than this id */
  m: number;
  /** notes older than this id */
  n: number;
  /** directory rows already shown */
  d: number;
}

function parseCursor(cursor: string | undefined): Cursor {
  if (!cursor) return { m: Number.MAX_SAFE_INTEGER, n: Number.MAX_SAFE_INTEGER, d: 0 };
  const [m, n, d] = cursor.split('.').map((x) => Number.parseInt(x, 36));
  if (![m, n, d].every((x) => Number.isSafeInteger(x) && x! >= 0)) {
    throw invalidInput('That page of results is no longer valid; search again.', { issues: [{ path: 'cursor', message: 'not a cursor' }] });
  }
  return { m: m!, n: n!, d: d! };
}

const cursorOf = (c: Cursor) => [c.m, c.n, c.d].map((x) => x.toString(36)).join('.');

export function search(store: Store, input: ParsedInputOf<'inbox.search'>, role: Role): OutputOf<'inbox.search'> {
  const words = queryWords(input.query);
  if (input.query.trim() === '') throw invalidInput('The search is empty.', { issues: [{ path: 'query', message: 'empty' }] });
  if (words.length === 0) {
    throw invalidInput('Type a word or a number to search for: the search ignores punctuation on its own.', {
      issues: [{ path: 'query', message: 'no words' }],
    });
  }
  const match = matchExpression(words);
  const cursor = parseCursor(input.cursor);
  const limit = input.limit;
  const seesMatters = roleAllows(role, 'matters');

  // matching clients and matters come first (few, and what a person usually means), on the first page only
  const directory: SearchHit[] = [];
  if (cursor.d === 0 && seesMatters) {
    const rows = store
      .prepare(
        `SELECT rowid, highlight(directory_fts, 0, ?, ?) AS snippet FROM directory_fts WHERE directory_fts MATCH ? ORDER BY rank LIMIT 10`,
      )
      .all(MARK_START, MARK_END, match) as { rowid: number; snippet: string }[];
    for (const row of rows) {
      const id = Math.floor(row.rowid / 2);
      if (row.rowid % 2 === 0) {
        const client = store.get(
          store.db
            .selectFrom('clients as c')
            .leftJoin('conversations as cv', 'cv.client_id', 'c.id')
            .select(['c.id', 'c.name', 'c.updated_at', 'cv.id as conversationId'])
            .where('c.id', '=', id)
            .limit(1),
        );
        if (client) {
          directory.push({
            kind: 'client', conversationId: client.conversationId ?? null, messageId: null, noteId: null, clientId: client.id, matterId: null,
            title: client.name, snippet: row.snippet, at: client.updated_at, direction: null,
          });
        }
      } else {
        const matter = store.get(
          store.db
            .selectFrom('matters as m')
            .innerJoin('clients as c', 'c.id', 'm.client_id')
            .select(['m.id', 'm.reference', 'm.updated_at', 'm.conversation_id', 'c.id as clientId', 'c.name'])
            .where('m.id', '=', id),
        );
        if (matter) {
          directory.push({
            kind: 'matter', conversationId: matter.conversation_id, messageId: null, noteId: null, clientId: matter.clientId, matterId: matter.id,
            title: `${matter.reference} · ${matter.name}`, snippet: row.snippet, at: matter.updated_at, direction: null,
          });
        }
      }
    }
  }

  const messages = store
    .prepare(
      `SELECT cm.id, cm.conversation_id, cm.direction, cm.at, cv.whatsapp, cv.push_name, cl.name AS client_name,
              snippet(messages_fts, 0, ?, ?, '…', 16) AS snippet
         FROM messages_fts
         JOIN conversation_messages AS cm ON cm.id = messages_fts.rowid
         JOIN conversations AS cv ON cv.id = cm.conversation_id
         LEFT JOIN clients AS cl ON cl.id = cv.client_id
        WHERE messages_fts MATCH ? AND messages_fts.rowid < ?
        ORDER BY messages_fts.rowid DESC
        LIMIT ?`,
    )
    .all(MARK_START, MARK_END, match, cursor.m, limit + 1) as {
    id: number; conversation_id: number; direction: 'in' | 'out'; at: string; whatsapp: string; push_name: string | null; client_name: string | null; snippet: string;
  }[];
  const notes = store
    .prepare(
      `SELECT n.id, n.conversation_id, n.at, n.author_name, cv.whatsapp, cv.push_name, cl.name AS client_name,
              snippet(notes_fts, 0, ?, ?, '…', 16) AS snippet
         FROM notes_fts
         JOIN conversation_notes AS n ON n.id = notes_fts.rowid
         JOIN conversations AS cv ON cv.id = n.conversation_id
         LEFT JOIN clients AS cl ON cl.id = cv.client_id
        WHERE notes_fts MATCH ? AND notes_fts.rowid < ?
        ORDER BY notes_fts.rowid DESC
        LIMIT ?`,
    )
    .all(MARK_START, MARK_END, match, cursor.n, limit + 1) as {
    id: number; conversation_id: number; at: string; author_name: string; whatsapp: string; push_name: string | null; client_name: string | null; snippet: string;
  }[];

  // the two streams, newest first, merged to one page
  const threadHits: SearchHit[] = [
    ...messages.map((m) => ({
      kind: 'message' as const, conversationId: m.conversation_id, messageId: m.id, noteId: null, clientId: null, matterId: null,
      title: m.client_name ?? m.push_name ?? `+${m.whatsapp}`, snippet: m.snippet, at: m.at, direction: m.direction,
    })),
    ...notes.map((n) => ({
      kind: 'note' as const, conversationId: n.conversation_id, messageId: null, noteId: n.id, clientId: null, matterId: null,
      title: `${n.client_name ?? n.push_name ?? `+${n.whatsapp}`} · note by ${n.author_name}`, snippet: n.snippet, at: n.at, direction: null,
    })),
  ].sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''));
  const page = threadHits.slice(0, limit);
  const more = threadHits.length > limit || messages.length > limit || notes.length > limit;
  const next: Cursor = {
    m: Math.min(cursor.m, ...page.filter((h) => h.messageId !== null).map((h) => h.messageId!)),
    n: Math.min(cursor.n, ...page.filter((h) => h.noteId !== null).map((h) => h.noteId!)),
    d: 1,
  };
  return { items: [...directory, ...page], nextCursor: more ? cursorOf(next) : null, indexing: indexingState(store) };
}

/** How far the messages stored before the search existed are indexed. */
export function indexingState(store: Store): { done: boolean; fraction: number } {
  const row = store.get(store.db.selectFrom('search_backfill').select(['upto', 'indexed_to']).where('source', '=', 'messages'));
  if (!row || row.indexed_to >= row.upto) return { done: true, fraction: 1 };
  return { done: false, fraction: row.upto === 0 ? 1 : row.indexed_to / row.upto };
}

/**
 * Indexes one batch of the messages stored before the search existed; false
 * when there is nothing left. Each batch is one short transaction, so the bot and
 * the screens go on between batches.
 */
export function backfillStep(store: Store, batch = 1_000): boolean {
  return store.tx(() => {
    const row = store.get(store.db.selectFrom('search_backfill').select(['upto', 'indexed_to']).where('source', '=', 'messages'));
    if (!row || row.indexed_to >= row.upto) return false;
    const to = Math.min(row.upto, row.indexed_to + batch);
    store.sqlite
      .prepare('INSERT INTO messages_fts (rowid, text) SELECT id, text FROM conversation_messages WHERE id > ? AND id <= ?')
      .run(row.indexed_to, to);
    store.run(store.db.updateTable('search_backfill').set({ indexed_to: to }).where('source', '=', 'messages'));
    return to < row.upto;
  });
}
