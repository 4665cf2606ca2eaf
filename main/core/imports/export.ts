import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { Store } from '../db/store.js';
import type { DocumentStore } from '../documents/store.js';

/**
 * `lexdesk export all <folder>`: everything the office keeps about its clients,
 * in formats any program reads — one JSON Lines file per kind of record, CSV
 * summaries for a spreadsheet, every document as a file — and a manifest with the
 * size, record count and SHA-256 of each file. Read from one snapshot of the
 * database (a read transaction on a connection of its own), written to a
 * temporary folder renamed into place once complete.
 */

export interface ExportedFile {
  path: string;
  bytes: number;
  sha256: string;
  records?: number;
}

export interface ExportManifest {
  format: 'lexdesk-export-1';
  createdAt: string;
  appVersion: string;
  schemaVersion: number;
  counts: Record<string, number>;
  files: ExportedFile[];
}

/** Each JSON Lines file and the rows it holds: every column of the table, in id order. */
const TABLES: { file: string; sql: string }[] = [
  { file: 'clients.jsonl', sql: 'SELECT * FROM clients ORDER BY id' },
  { file: 'matters.jsonl', sql: 'SELECT * FROM matters ORDER BY id' },
  { file: 'matter_notes.jsonl', sql: 'SELECT * FROM matter_notes ORDER BY id' },
  { file: 'matter_history.jsonl', sql: 'SELECT * FROM matter_history ORDER BY id' },
  { file: 'conflict_hits.jsonl', sql: 'SELECT * FROM conflict_hits ORDER BY id' },
  { file: 'consents.jsonl', sql: 'SELECT * FROM consents ORDER BY id' },
  { file: 'conversations.jsonl', sql: 'SELECT * FROM conversations ORDER BY id' },
  { file: 'messages.jsonl', sql: 'SELECT * FROM conversation_messages ORDER BY id' },
  { file: 'conversation_notes.jsonl', sql: 'SELECT * FROM conversation_notes ORDER BY id' },
  { file: 'documents.jsonl', sql: 'SELECT * FROM documents ORDER BY id' },
  { file: 'parties.jsonl', sql: 'SELECT * FROM parties ORDER BY id' },
];

const SUMMARIES: { file: string; sql: string }[] = [
  {
    file: 'clients.csv',
    sql: `SELECT c.id, c.name, c.whatsapp, c.created_at, (SELECT count(*) FROM matters m WHERE m.client_id = c.id) AS matters
      FROM clients c ORDER BY c.id`,
  },
  {
    file: 'matters.csv',
    sql: `SELECT m.id, m.reference, c.name AS client, m.practice_area, m.status, m.opposing_party, m.deadline, m.conflict_state, m.created_at, m.updated_at
      FROM matters m JOIN clients c ON c.id = m.client_id ORDER BY m.id`,
  },
  {
    file: 'conversations.csv',
    sql: `SELECT v.id, v.whatsapp, c.name AS client, v.mode, v.last_activity_at, (SELECT count(*) FROM conversation_messages m WHERE m.conversation_id = v.id) AS messages
      FROM conversations v LEFT JOIN clients c ON c.id = v.client_id ORDER BY v.id`,
  },
];

/** A document's file name in the export: its id first (names repeat), nothing that leaves the folder. */
export function exportedDocumentName(id: number, fileName: string): string {
  const clean = fileName.replace(/[\\/:*?"<>|\p{Cc}]/gu, '_').replace(/^\.+/, '_').slice(0, 150) || 'file';
  return `${id}-${clean}`;
}

class HashingWriter {
  private readonly hash = createHash('sha256');
  bytes = 0;
  constructor(private readonly out: WriteStream) {}
  async write(text: string | Buffer): Promise<void> {
    const chunk = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }
  async close(): Promise<string> {
    this.out.end();
    await once(this.out, 'finish');
    return this.hash.digest('hex');
  }
}

function jsonValue(value: unknown): unknown {
  return Buffer.isBuffer(value) ? value.toString('base64') : value;
}

export async function exportAll(options: {
  folder: string;
  databaseFile: string;
  nativeBinding?: string;
  documents: DocumentStore;
  now: Date;
  appVersion: string;
  schemaVersion: number;
  progress?: (line: string) => void;
}): Promise<{ dir: string; manifest: ExportManifest }> {
  const stamp = options.now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
  await mkdir(options.folder, { recursive: true });
  // a second export in the same second gets its own folder
  const taken = new Set(await readdir(options.folder));
  let dir = join(options.folder, `lexdesk-export-${stamp}`);
  for (let n = 2; taken.has(basename(dir)) || taken.has(`${basename(dir)}.partial`); n++) dir = join(options.folder, `lexdesk-export-${stamp}-${n}`);
  const work = `${dir}.partial`;
  await rm(work, { recursive: true, force: true });
  await mkdir(join(work, 'documents'), { recursive: true, mode: 0o700 });
  const files: ExportedFile[] = [];
  const counts: Record<string, number> = {};
  const store = new Store({ file: options.databaseFile, nativeBinding: options.nativeBinding, readonly: true });
  const db = store.sqlite;
  try {
    // one snapshot: every file describes the same moment
    db.exec('BEGIN');
    for (const table of TABLES) {
      options.progress?.(`Writing ${table.file}…`);
      const writer = new HashingWriter(createWriteStream(join(work, table.file), { mode: 0o600 }));
      let n = 0;
      for (const row of db.prepare(table.sql).iterate() as Iterable<Record<string, unknown>>) {
        const line: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(row)) line[k] = jsonValue(v);
        await writer.write(`${JSON.stringify(line)}\n`);
        n++;
      }
      files.push({ path: table.file, bytes: writer.bytes, sha256: await writer.close(), records: n });
      counts[table.file.replace('.jsonl', '')] = n;
    }
    for (const summary of SUMMARIES) {
      const writer = new HashingWriter(createWriteStream(join(work, summary.file), { mode: 0o600 }));
      const statement = db.prepare(summary.sql);
      const columns = statement.columns().map((c) => c.name);
      // a BOM so that spreadsheet programs read the accents right; formulas escaped
      await writer.write(`\uFEFF${stringify([columns])}`);
      let n = 0;
      for (const row of statement.raw().iterate() as Iterable<unknown[]>) {
        await writer.write(stringify([row], { escape_formulas: true }));
        n++;
      }
      files.push({ path: summary.file, bytes: writer.bytes, sha256: await writer.close(), records: n });
    }
    options.progress?.('Writing the documents…');
    const documents = db.prepare('SELECT id, sha256, file_name FROM documents ORDER BY id').all() as { id: number; sha256: string; file_name: string }[];
    for (const doc of documents) {
      const name = `documents/${exportedDocumentName(doc.id, doc.file_name)}`;
      const source = await options.documents.openFile(options.documents.pathOf(doc.sha256), doc.sha256, doc.id);
      const hash = createHash('sha256');
      let bytes = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          bytes += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(source, tap, createWriteStream(join(work, ...name.split('/')), { mode: 0o600 }));
      files.push({ path: name, bytes, sha256: hash.digest('hex') });
    }
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    await rm(work, { recursive: true, force: true });
    throw err;
  } finally {
    db.close();
  }
  const manifest: ExportManifest = {
    format: 'lexdesk-export-1',
    createdAt: options.now.toISOString(),
    appVersion: options.appVersion,
    schemaVersion: options.schemaVersion,
    counts,
    files,
  };
  const writer = new HashingWriter(createWriteStream(join(work, 'manifest.json'), { mode: 0o600 }));
  await writer.write(`${JSON.stringify(manifest, null, 2)}\n`);
  await writer.close();
  await rename(work, dir);
  return { dir, manifest };
}

/** The files of an export folder (for a check that nothing is missing or extra). */
export async function listExport(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name).slice(dir.length + 1).split('\\').join('/'));
  }
  return out.sort();
}
