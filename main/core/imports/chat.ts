import type { Database } from 'better-sqlite3';
import type { DocumentStore, StoredBlob } from '../documents/store.js';
import { AppError, invalidInput } from '../errors.js';
import { ChatArchiveError, openChatArchive, type ChatArchive } from './chat-archive.js';
import { ChatExportError, clientAuthorOf, newChatMessages, parseChatExport, type ChatExport, type ChatMessage } from './whatsapp-chat.js';

/**
 * Bringing a phone's exported chat into a client's conversation: the same steps
 * for `lexdesk import chat` and the Import screen. The export is read and
 * checked, its files are streamed into the document store (outside any
 * transaction: a file is written before the row that names it), then the
 * messages and their documents are written in the caller's transaction.
 */

export const CHAT_LANGUAGES = ['en', 'pt-BR', 'es'] as const;
export type ChatLanguage = (typeof CHAT_LANGUAGES)[number];

/** The phone's language when none is given: the office's own (which decides 03/04 when no date does). */
export function chatLanguageOf(officeLanguage: string): ChatLanguage {
  return CHAT_LANGUAGES.find((l) => l === officeLanguage) ?? 'en';
}

export interface ChatClient {
  id: number;
  name: string | null;
  whatsapp: string;
}

export interface ReadChat {
  archive: ChatArchive;
  chat: ChatExport;
}

/** The export read and parsed, or invalid_input with `details.reason`. The caller closes `archive`. */
export async function readChat(path: string, fileName: string, language?: ChatLanguage): Promise<ReadChat> {
  let archive: ChatArchive;
  try {
    archive = await openChatArchive(path, fileName);
  } catch (err) {
    if (err instanceof ChatArchiveError) throw invalidInput(err.message, { reason: err.reason });
    throw invalidInput(`${fileName} cannot be read.`, { reason: 'unreadable' });
  }
  try {
    return { archive, chat: parseChatExport(archive.text, { language }) };
  } catch (err) {
    archive.close();
    if (err instanceof ChatExportError) throw invalidInput(`${fileName}: ${err.message}`, { reason: err.problem.code });
    throw err;
  }
}

export function clientOf(db: Database, clientId: number): ChatClient {
  const client = db.prepare('SELECT id, name, whatsapp, erased_at AS erasedAt FROM clients WHERE id = ?').get(clientId) as (ChatClient & { erasedAt: string | null }) | undefined;
  if (!client) throw new AppError('not_found', 'That client does not exist (any more).');
  if (client.erasedAt) throw new AppError('conflict', "This client's data was erased: nothing can be imported into it.", { reason: 'erased' });
  return { id: client.id, name: client.name, whatsapp: client.whatsapp };
}

/** What importing would do: the messages and files new to this client's conversation. */
export interface ChatPlan {
  clientAuthor: string | null;
  /** messages per author */
  authors: { name: string; messages: number }[];
  toImport: number;
  already: number;
  notices: number;
  /** new messages' files: in the zip, named by the chat but not in the zip, or left out by the phone ("without media") */
  files: { inExport: number; missing: number; leftOut: number };
  first: string | null;
  last: string | null;
}

export function planChat(db: Database, read: ReadChat, client: ChatClient, given?: string): ChatPlan {
  const { chat, archive } = read;
  const fresh = newChatMessages(db, chat, client.id);
  const counts = new Map<string, number>();
  let notices = 0;
  for (const m of chat.messages) {
    if (m.author === null) notices++;
    else counts.set(m.author, (counts.get(m.author) ?? 0) + 1);
  }
  const files = { inExport: 0, missing: 0, leftOut: 0 };
  for (const m of fresh) {
    if (m.attachment === '') files.leftOut++;
    else if (m.attachment !== null) {
      if (archive.files.has(m.attachment)) files.inExport++;
      else files.missing++;
    }
  }
  const withAuthor = chat.messages.filter((m) => m.author !== null);
  return {
    clientAuthor: clientAuthorOf(chat, client, given),
    authors: chat.authors.map((name) => ({ name, messages: counts.get(name) ?? 0 })),
    toImport: fresh.length,
    already: withAuthor.length - fresh.length,
    notices,
    files,
    first: withAuthor[0]?.local ?? null,
    last: withAuthor[withAuthor.length - 1]?.local ?? null,
  };
}

export interface StoredChatFiles {
  stored: Map<string, StoredBlob>;
  /** files the store would not keep (a program, larger than the limit, empty), with the reason */
  refused: { fileName: string; message: string }[];
}

/**
 * The zip's files that new messages name, streamed into the document store one
 * at a time. A file the store refuses is reported and its message imported
 * without it; a full disk stops the import (nothing is written to the database).
 */
export async function storeChatFiles(documents: DocumentStore, read: ReadChat, messages: ChatMessage[], progress?: (done: number, total: number) => void): Promise<StoredChatFiles> {
  const names = [...new Set(messages.map((m) => m.attachment).filter((a): a is string => !!a && read.archive.files.has(a)))];
  const out: StoredChatFiles = { stored: new Map(), refused: [] };
  let done = 0;
  for (const name of names) {
    const file = read.archive.files.get(name)!;
    try {
      out.stored.set(name, await documents.write(await file.open(), { fileName: name, declaredType: 'application/octet-stream', expectedSize: file.size }));
    } catch (err) {
      if (err instanceof AppError && err.code === 'invalid_input') out.refused.push({ fileName: name, message: err.message });
      else if (err instanceof AppError) throw err;
      else out.refused.push({ fileName: name, message: 'The file in the zip is damaged and could not be read.' });
    }
    progress?.(++done, names.length);
  }
  return out;
}

