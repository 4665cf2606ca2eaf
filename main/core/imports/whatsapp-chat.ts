import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { StoredBlob } from '../documents/store.js';
import { fromLocalTime } from './values.js';

/**
 * A chat a phone exported with WhatsApp's "Export chat" (a .txt, alone or in a
 * .zip with its media), read into messages. Both phones' layouts, in the
 * office's languages:
 *
 *   Android  31/12/2023 21:41 - Ana Souza: Olá                 (pt-BR)
 *            12/31/23, 9:41 PM - Ana Souza: Hello              (en-US)
 *            31/12/23, 21:41 - Ana: Hola                       (es)
 *   iPhone   [31/12/2023, 21:41:05] Ana Souza: Olá
 *            [12/31/23, 9:41:05 PM] Ana Souza: Hello
 *
 * A message runs until the next line that starts with a date; lines without a
 * sender are WhatsApp's own notices ("Messages and calls are end-to-end
 * encrypted", "Ana added Rui"). Whether 03/04 is the 3rd of April or the 4th of
 * March is decided once for the whole file: by any date that can only be read one
 * way, else by the export's language (month first only for US English, whose
 * times carry AM/PM). Times are the phone's wall-clock time, without a zone.
 */

export type ChatLayout = 'android' | 'ios';
export type DateOrder = 'dmy' | 'mdy';

export interface ChatMessage {
  /** the line of the file the message starts on (1 is the first) */
  line: number;
  /** the phone's local time, YYYY-MM-DDTHH:MM:SS */
  local: string;
  /** the sender as the phone showed them (a contact name or a number); null for WhatsApp's notices */
  author: string | null;
  text: string;
  /** the file name of an attachment that came in the export, or '' for media the export left out */
  attachment: string | null;
}

export interface ChatExport {
  layout: ChatLayout | null;
  dateOrder: DateOrder;
  messages: ChatMessage[];
  /** everyone who wrote, in order of their first message */
  authors: string[];
  /** lines before the first message that do not start with a date */
  skippedLines: number;
}

export interface ChatExportProblem {
  code: 'not_a_chat_export' | 'bad_date';
  message: string;
  line?: number;
}

export class ChatExportError extends Error {
  constructor(readonly problem: ChatExportProblem) {
    super(problem.message);
    this.name = 'ChatExportError';
  }
}

// invisible marks phones put in exports: left-to-right marks, narrow no-break spaces before AM/PM, BOM
const INVISIBLE = /[\u200e\u200f\u202a-\u202e\ufeff]/g;
const SPACES = /[\u00a0\u202f\u2007]/g;

const DATE = String.raw`(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})`;
const TIME = String.raw`(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*([ap])\.?\s*m\.?)?`;
const IOS_LINE = new RegExp(String.raw`^\[${DATE},?\s+${TIME}\]\s?(.*)$`, 'i');
const ANDROID_LINE = new RegExp(String.raw`^${DATE},?\s+${TIME}\s+[-–]\s(.*)$`, 'i');

/** "Name: text" after the time; WhatsApp's notices have no sender. */
const SENDER = /^([^:]{1,120}?):\s(.*)$|^([^:]{1,120}?):$/s;

/** Media the export left out, in the phones' words. */
const OMITTED = [
  /^<media omitted>$/i,
  /^<m[ií]dia oculta>$/i,
  /^<multimedia omitido>$/i,
  /^(image|video|audio|sticker|gif|document) omitted$/i,
  /^(imagem|v[ií]deo|[áa]udio|figurinha|documento|gif) ocultad[oa]$/i,
  /^(imagen|video|audio|sticker|documento|gif) omitid[oa]$/i,
];
/** An attachment that came with the export, in the phones' words. */
const ATTACHED = [
  /^<(?:attached|anexado|adjunto):\s*(.+?)>$/i,
  /^(.+?\.[a-z0-9]{2,5})\s+\((?:file attached|arquivo anexado|archivo adjunto)\)(?:\n([\s\S]*))?$/i,
];

interface Head {
  line: number;
  d1: number;
  d2: number;
  year: number;
  hour: number;
  minute: number;
  second: number;
  meridiem: 'a' | 'p' | null;
  rest: string;
}

function headOf(text: string, line: number, layout: ChatLayout): Head | null {
  const m = (layout === 'ios' ? IOS_LINE : ANDROID_LINE).exec(text);
  if (!m) return null;
  const year = Number(m[3]);
  return {
    line,
    d1: Number(m[1]),
    d2: Number(m[2]),
    year: m[3]!.length === 2 ? 2000 + year : year,
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: m[6] ? Number(m[6]) : 0,
    meridiem: m[7] ? (m[7].toLowerCase() as 'a' | 'p') : null,
    rest: m[8] ?? '',
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

function localOf(head: Head, order: DateOrder): string {
  const day = order === 'dmy' ? head.d1 : head.d2;
  const month = order === 'dmy' ? head.d2 : head.d1;
  let hour = head.hour;
  if (head.meridiem === 'p' && hour < 12) hour += 12;
  if (head.meridiem === 'a' && hour === 12) hour = 0;
  const date = new Date(Date.UTC(head.year, month - 1, day));
  if (month < 1 || month > 12 || day < 1 || date.getUTCDate() !== day || hour > 23 || head.minute > 59 || head.second > 59) {
    throw new ChatExportError({ code: 'bad_date', message: `line ${head.line} has a date or time that does not exist`, line: head.line });
  }
  return `${head.year}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(head.minute)}:${pad(head.second)}`;
}

function bodyOf(text: string): { text: string; attachment: string | null } {
  const trimmed = text.trim();
  for (const re of OMITTED) if (re.test(trimmed)) return { text: '', attachment: '' };
  for (const re of ATTACHED) {
    const m = re.exec(trimmed);
    if (m) return { text: (m[2] ?? '').trim(), attachment: m[1]!.trim() };
  }
  return { text: trimmed, attachment: null };
}

/**
 * The messages of an exported chat. `language` is the export's (the phone's)
 * language, used only when no date in the file says whether the day or the month
 * comes first. Throws ChatExportError when no line looks like WhatsApp's.
 */
export function parseChatExport(content: string, options: { language?: 'en' | 'pt-BR' | 'es' } = {}): ChatExport {
  const lines = content.replace(INVISIBLE, '').replace(SPACES, ' ').split(/\r\n|\n|\r/);
  // the layout: whichever reads more of the first lines
  let ios = 0;
  let android = 0;
  for (const text of lines.slice(0, 50)) {
    if (IOS_LINE.test(text)) ios++;
    else if (ANDROID_LINE.test(text)) android++;
  }
  if (ios === 0 && android === 0) {
    throw new ChatExportError({ code: 'not_a_chat_export', message: 'this is not a chat exported from WhatsApp (no line starts with a date and a time)' });
  }
  const layout: ChatLayout = ios >= android ? 'ios' : 'android';

  const heads: { head: Head; body: string[] }[] = [];
  let skippedLines = 0;
  lines.forEach((text, i) => {
    const head = headOf(text, i + 1, layout);
    if (head) heads.push({ head, body: [head.rest] });
    else if (heads.length > 0) heads[heads.length - 1]!.body.push(text);
    else if (text.trim()) skippedLines++;
  });

  let order: DateOrder | null = null;
  for (const { head } of heads) {
    if (head.d1 > 12 && head.d2 <= 12) order = 'dmy';
    else if (head.d2 > 12 && head.d1 <= 12) order = 'mdy';
    if (order) break;
  }
  if (!order) {
    const meridiem = heads.some(({ head }) => head.meridiem !== null);
    order = (options.language ?? 'en') === 'en' && meridiem ? 'mdy' : 'dmy';
  }

  const messages: ChatMessage[] = [];
  const authors: string[] = [];
  for (const { head, body } of heads) {
    const joined = body.join('\n').replace(/\n+$/, '');
    const sender = SENDER.exec(joined);
    const author = sender ? (sender[1] ?? sender[3])!.trim() : null;
    const { text, attachment } = bodyOf(sender ? (sender[2] ?? '') : joined);
    if (author && !authors.includes(author)) authors.push(author);
    messages.push({ line: head.line, local: localOf(head, order), author, text, attachment });
  }
  return { layout, dateOrder: order, messages, authors, skippedLines };
}

export interface ChatImportResult {
  batchId: number;
  conversationId: number;
  imported: number;
  already: number;
  /** WhatsApp's notices (no sender), not kept */
  notices: number;
  /** files of the export's zip now in the document store with their messages */
  documents: number;
}

/**
 * Each message with the key it is remembered by (time, author, text and
 * attachment, numbered when the same message appears more than once); null for
 * WhatsApp's notices.
 */
export function* keyedMessages(chat: ChatExport, clientId: number): Generator<{ message: ChatMessage; legacyId: string | null }> {
  const occurrences = new Map<string, number>();
  for (const m of chat.messages) {
    if (m.author === null) {
      yield { message: m, legacyId: null };
      continue;
    }
    const base = `${clientId}|${m.local}|${m.author}|${m.text}|${m.attachment ?? ''}`;
    const n = (occurrences.get(base) ?? 0) + 1;
    occurrences.set(base, n);
    yield { message: m, legacyId: createHash('sha256').update(`${base}|${n}`).digest('hex').slice(0, 40) };
  }
}

/** The messages of the export not imported before (for this client). */
export function newChatMessages(db: Database, chat: ChatExport, clientId: number): ChatMessage[] {
  const seen = db.prepare("SELECT 1 FROM import_records WHERE kind = 'chat_message' AND legacy_id = ?").pluck();
  const out: ChatMessage[] = [];
  for (const { message, legacyId } of keyedMessages(chat, clientId)) if (legacyId !== null && seen.get(legacyId) === undefined) out.push(message);
  return out;
}

const fold = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/**
 * Which of the chat's authors is the client: the one given, else the one whose
 * name is the client's, else the one whose digits end like the client's number
 * (a phone without the client in its contacts shows the number). Null when it
 * cannot be told: the caller asks.
 */
export function clientAuthorOf(chat: ChatExport, client: { name: string | null; whatsapp: string }, given?: string): string | null {
  if (given) return chat.authors.includes(given) ? given : null;
  const byName = chat.authors.filter((a) => client.name && fold(a) === fold(client.name));
  if (byName.length === 1) return byName[0]!;
  const byNumber = chat.authors.filter((a) => a.replace(/\D/g, '').endsWith(client.whatsapp.replace(/\D/g, '').slice(-8)) && /\d{8}/.test(a.replace(/\D/g, '')));
  if (byNumber.length === 1) return byNumber[0]!;
  return null;
}

/**
 * The chat's messages into the client's conversation, inside the caller's
 * transaction: the client's as received, everyone else's as sent by staff (under
 * the name the phone showed), each remembered in import_records under a key of
 * its time, author and text — so importing the same export again, or a later
 * export of the same chat, adds only what is new. Times are read in the office's
 * time zone.
 */
export function writeChatExport(
  db: Database,
  chat: ChatExport,
  options: {
    clientId: number;
    clientAuthor: string;
    timeZone: string;
    source: string;
    files: unknown[];
    actor: string;
    now: Date;
    /** the files of the export's zip already in the document store, by the name the chat gives them */
    stored?: ReadonlyMap<string, StoredBlob>;
  },
): ChatImportResult {
  if (!db.inTransaction) throw new Error('writeChatExport runs inside a transaction');
  const client = db.prepare('SELECT id, whatsapp FROM clients WHERE id = ?').get(options.clientId) as { id: number; whatsapp: string } | undefined;
  if (!client) throw new ChatExportError({ code: 'not_a_chat_export', message: `there is no client ${options.clientId}` });
  const at = options.now.toISOString();
  const batchId = Number(
    db.prepare("INSERT INTO import_batches (kind, source, files, actor, created_at) VALUES ('chat', ?, ?, ?, ?)").run(options.source, JSON.stringify(options.files), options.actor, at).lastInsertRowid,
  );
  const chatId = `${client.whatsapp}@c.us`;
  let conversationId = db.prepare('SELECT id FROM conversations WHERE chat_id = ?').pluck().get(chatId) as number | undefined;
  if (conversationId === undefined) {
    const first = chat.messages[0] ? instantOf(chat.messages[0].local, options.timeZone) : at;
    conversationId = Number(
      db
        .prepare("INSERT INTO conversations (chat_id, whatsapp, push_name, client_id, mode, state, last_activity_at, created_at) VALUES (?, ?, NULL, ?, 'bot', '{}', ?, ?)")
        .run(chatId, client.whatsapp, client.id, first, first).lastInsertRowid,
    );
  }
  const seen = db.prepare("SELECT 1 FROM import_records WHERE kind = 'chat_message' AND legacy_id = ?").pluck();
  const remember = db.prepare("INSERT INTO import_records (kind, legacy_id, local_id, batch_id, extra) VALUES ('chat_message', ?, ?, ?, ?)");
  const insert = db.prepare(
    'INSERT INTO conversation_messages (conversation_id, direction, author, author_id, author_name, text, file_name, document_id, at) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?)',
  );
  const insertDocument = db.prepare(`INSERT INTO documents (sha256, size, declared_type, detected_type, file_name, source, created_at,
      created_by_id, created_by, conversation_id, matter_id, client_id, wa_id) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, NULL, ?, NULL)`);
  const result: ChatImportResult = { batchId, conversationId, imported: 0, already: 0, notices: 0, documents: 0 };
  let latest: string | null = null;
  for (const { message: m, legacyId } of keyedMessages(chat, client.id)) {
    if (legacyId === null) {
      result.notices++;
      continue;
    }
    if (seen.get(legacyId) !== undefined) {
      result.already++;
      continue;
    }
    const inbound = m.author === options.clientAuthor;
    const when = instantOf(m.local, options.timeZone);
    const blob = m.attachment ? options.stored?.get(m.attachment) : undefined;
    let documentId: number | null = null;
    if (blob) {
      documentId = Number(
        insertDocument.run(blob.sha256, blob.size, blob.declaredType, blob.detection.detected, blob.fileName, inbound ? 'client' : 'staff', when, m.author, conversationId, client.id)
          .lastInsertRowid,
      );
      result.documents++;
    }
    const text = m.attachment === '' && !m.text ? '(media not included in the exported chat)' : m.text;
    const row = insert.run(conversationId, inbound ? 'in' : 'out', inbound ? 'client' : 'staff', inbound ? null : m.author, text, blob?.fileName ?? (m.attachment || null), documentId, when);
    remember.run(legacyId, String(row.lastInsertRowid), batchId, JSON.stringify({ line: m.line, local: m.local, author: m.author }));
    result.imported++;
    if (!latest || when > latest) latest = when;
  }
  if (latest) db.prepare('UPDATE conversations SET last_activity_at = max(last_activity_at, ?) WHERE id = ?').run(latest, conversationId);
  db.prepare('UPDATE import_batches SET counts = ? WHERE id = ?').run(JSON.stringify({ messages: result.imported, already: result.already, notices: result.notices, documents: result.documents }), batchId);
  return result;
}

function instantOf(local: string, timeZone: string): string {
  const [y, mo, d, h, mi, s] = local.split(/[-T:]/).map(Number) as [number, number, number, number, number, number];
  return new Date(fromLocalTime(y, mo, d, h, mi, timeZone).getTime() + s * 1000).toISOString();
}
