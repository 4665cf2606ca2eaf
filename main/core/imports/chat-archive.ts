import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { TextEncoding } from './source.js';

/**
 * What a phone's "Export chat" gives: the chat as a `.txt` alone ("Without
 * media"), or a `.zip` holding that `.txt` (`_chat.txt` on an iPhone,
 * "WhatsApp Chat with Ana.txt" on Android) beside the files the chat names
 * ("IMG-20231231-WA0001.jpg", "00000012-PHOTO-2023-12-31-21-41-05.jpg").
 *
 * The zip is read in place, one entry at a time: its files are streamed into
 * the document store when they are imported, never unpacked to the disk, and
 * never placed by the paths the zip gives them (only their last component is a
 * name, so "../../x" is the file "x").
 */

/** An exported chat's text is a few megabytes even after years. */
export const MAX_CHAT_TEXT_BYTES = 64 * 1024 * 1024;
/** A zip of more entries than this is no chat export. */
const MAX_ENTRIES = 50_000;

export class ChatArchiveError extends Error {
  constructor(
    readonly reason: 'not_a_chat_export' | 'too_large' | 'damaged' | 'several_chats',
    message: string,
  ) {
    super(message);
    this.name = 'ChatArchiveError';
  }
}

/** A file that came in the zip with the chat. */
export interface ArchivedFile {
  name: string;
  size: number;
  open(): Promise<Readable>;
}

export interface ChatArchive {
  /** the text file's name ("_chat.txt") */
  textName: string;
  text: string;
  encoding: TextEncoding;
  /** SHA-256 and size of the file as given (the .txt or the .zip) */
  sha256: string;
  bytes: number;
  zipped: boolean;
  /** the zip's other files by name */
  files: Map<string, ArchivedFile>;
  close(): void;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A text's encoding: a BOM; else UTF-8 when it decodes as UTF-8; else Windows-1252 (older Windows exports). */
export function textEncodingOf(data: Buffer): TextEncoding {
  if (data.subarray(0, 3).equals(BOM)) return 'utf-8-bom';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

function decode(data: Buffer): { text: string; encoding: TextEncoding } {
  const encoding = textEncodingOf(data);
  return { text: new TextDecoder(encoding === 'windows-1252' ? 'windows-1252' : 'utf-8').decode(data), encoding };
}

async function hashOf(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

async function isZip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head.readUInt32LE(0) === 0x04034b50;
  } finally {
    await handle.close();
  }
}

/** Which of the zip's text files is the chat: the phones' own names first, else the only one. */
function chatEntry(texts: Entry[]): Entry | null {
  if (texts.length === 0) return null;
  if (texts.length === 1) return texts[0]!;
  const named = texts.filter((e) => /^(_chat\.txt|whatsapp chat.*\.txt|conversa do whatsapp.*\.txt|chat de whatsapp.*\.txt)$/i.test(basename(e.fileName)));
  return named.length === 1 ? named[0]! : null;
}

async function readEntry(zip: ZipFile, entry: Entry, limit: number): Promise<Buffer> {
  const stream = await zip.openReadStreamPromise(entry);
  const parts: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limit) {
      stream.destroy();
      throw new ChatArchiveError('too_large', `${basename(entry.fileName)} in the zip is larger than ${Math.round(limit / 1024 / 1024)} MB: is it really an exported chat?`);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/**
 * Opens an exported chat (`.txt` or `.zip`). Throws ChatArchiveError for a zip
 * that is damaged, holds no chat or several, or a text too large to be one.
 */
export async function openChatArchive(path: string, fileName: string): Promise<ChatArchive> {
  const { sha256, bytes } = await hashOf(path);
  if (!(await isZip(path))) {
    if (bytes > MAX_CHAT_TEXT_BYTES) throw new ChatArchiveError('too_large', `${fileName} is larger than 64 MB: is it really an exported chat?`);
    const { text, encoding } = decode(await readFile(path));
    return { textName: fileName, text, encoding, sha256, bytes, zipped: false, files: new Map(), close: () => undefined };
  }
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true });
  } catch {
    throw new ChatArchiveError('damaged', `${fileName} is not a zip that can be read (damaged or cut short). Export the chat again.`);
  }
  try {
    const entries = await new Promise<Entry[]>((resolve, reject) => {
      const all: Entry[] = [];
      zip.on('entry', (entry: Entry) => {
        if (all.length >= MAX_ENTRIES) {
          reject(new ChatArchiveError('not_a_chat_export', `${fileName} holds more than ${MAX_ENTRIES} files: it is not a chat exported from WhatsApp.`));
          return;
        }
        if (!entry.fileName.endsWith('/')) all.push(entry);
        zip.readEntry();
      });
      zip.on('end', () => resolve(all));
      zip.on('error', () => reject(new ChatArchiveError('damaged', `${fileName} is damaged: export the chat again.`)));
      zip.readEntry();
    });
    const texts = entries.filter((e) => /\.txt$/i.test(e.fileName) && !basename(e.fileName).startsWith('.'));
    const chat = chatEntry(texts);
    if (!chat) {
      throw texts.length === 0
        ? new ChatArchiveError('not_a_chat_export', `${fileName} holds no chat (.txt): in WhatsApp, open the chat, choose "Export chat" and send the file it makes.`)
        : new ChatArchiveError('several_chats', `${fileName} holds several text files (${texts.map((e) => basename(e.fileName)).slice(0, 3).join(', ')}…): export one chat at a time.`);
    }
    const { text, encoding } = decode(await readEntry(zip, chat, MAX_CHAT_TEXT_BYTES).catch((err: unknown) => {
      if (err instanceof ChatArchiveError) throw err;
      throw new ChatArchiveError('damaged', `${fileName} is damaged: the chat in it cannot be read. Export the chat again.`);
    }));
    const files = new Map<string, ArchivedFile>();
    for (const entry of entries) {
      if (entry === chat) continue;
      const name = basename(entry.fileName.replace(/\\/g, '/'));
      if (!name || files.has(name)) continue;
      files.set(name, { name, size: entry.uncompressedSize, open: () => zip.openReadStreamPromise(entry) });
    }
    return { textName: basename(chat.fileName), text, encoding, sha256, bytes, zipped: true, files, close: () => zip.close() };
  } catch (err) {
    zip.close();
    throw err;
  }
}
