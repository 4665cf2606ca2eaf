import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../main/core/db/store.js';
import { migrateToLatest } from '../../main/core/db/migrate.js';
import { systemClock } from '../../main/core/clock.js';
import { silentLogger } from '../../main/core/log.js';
import { FileSecretStore } from '../../main/core/secrets.js';
import { DocumentKeys } from '../../main/core/documents/keys.js';
import { DocumentStore } from '../../main/core/documents/store.js';
import { DocumentFileError, sealedSize } from '../../main/core/documents/format.js';
import { tempDir } from '../support/server.js';
import { startTestCore, type TestCore } from '../support/core.js';

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1'), randomBytes(200_000)]);

export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function makeStore(hooks = {}) {
  const dir = tempDir();
  const store = new Store({ file: join(dir, 'lexdesk.sqlite') });
  await migrateToLatest(store, silentLogger);
  const keys = new DocumentKeys(new FileSecretStore(join(dir, 'secrets')));
  const documents = new DocumentStore({ dir: join(dir, 'documents'), maxBytes: 5 * 1024 * 1024, keys, store: () => store, clock: systemClock, log: silentLogger, hooks });
  await documents.start();
  cleanups.push(() => store.close());
  return { dir, store, documents, keys };
}

const listFiles = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)) : [];

describe('the document store', () => {
  it('keeps a file encrypted at rest and gives back exactly its bytes', async () => {
    const { documents, dir } = await makeStore();
    const row = await documents.ingest(PDF, { fileName: 'contract.pdf', declaredType: 'application/pdf' }, { source: 'staff', createdBy: 'Maria' });
    expect(row).toMatchObject({ sha256: sha(PDF), size: PDF.length, detected_type: 'application/pdf', declared_type: 'application/pdf', file_name: 'contract.pdf' });
    const file = documents.pathOf(row.sha256);
    const onDisk = readFileSync(file);
    expect(onDisk.length).toBe(sealedSize(PDF.length));
    // not a byte of the PDF's text is readable on the disk
    expect(onDisk.includes(Buffer.from('/Type /Catalog'))).toBe(false);
    expect(onDisk.subarray(0, 8).toString('latin1')).toBe('LXDOC-1\0');
    const { data } = await documents.readAll(row.id);
    expect(data.equals(PDF)).toBe(true);
    // the key is in the secret store, not in the database or beside the files
    expect(existsSync(join(dir, 'secrets', 'documents-key'))).toBe(true);
  });

  it('stores the same content once', async () => {
    const { documents } = await makeStore();
    const a = await documents.ingest(PDF, { fileName: 'a.pdf', declaredType: 'application/pdf' }, { source: 'staff' });
    const b = await documents.ingest(PDF, { fileName: 'b.pdf', declaredType: 'application/pdf' }, { source: 'client' });
    expect(a.id).not.toBe(b.id);
    expect(listFiles(documents.dir).filter((f) => !f.includes('.incoming'))).toHaveLength(1);
  });

  it('a crash between the write and the rename leaves no file under a name and nothing listed', async () => {
    const { documents, store, keys, dir } = await makeStore({
      beforeRename: () => {
        throw new Error('power cut');
      },
    });
    await expect(documents.ingest(PDF, { fileName: 'x.pdf', declaredType: 'application/pdf' }, { source: 'staff' })).rejects.toThrow('power cut');
    expect(store.sqlite.prepare('SELECT count(*) AS n FROM documents').get()).toEqual({ n: 0 });
    expect(existsSync(documents.pathOf(sha(PDF)))).toBe(false);
    // a partial file the crash left behind goes at the next start
    writeFileSync(join(dir, 'documents', '.incoming', 'dead.partial'), 'half');
    const again = new DocumentStore({ dir: join(dir, 'documents'), maxBytes: 1e7, keys, store: () => store, clock: systemClock, log: silentLogger });
    await again.start();
    expect(listFiles(join(dir, 'documents'))).toEqual([]);
  });

  it('refuses an empty file, one over the limit, one cut short and a program, leaving nothing behind', async () => {
    const { documents, store } = await makeStore();
    const reason = async (data: Buffer, fileName: string, type: string, expectedSize?: number) => {
      try {
        await documents.ingest(data, { fileName, declaredType: type, expectedSize }, { source: 'staff' });
        return 'kept';
      } catch (err) {
        return (err as { details?: { reason?: string } }).details?.reason;
      }
    };
    expect(await reason(Buffer.alloc(0), 'empty.pdf', 'application/pdf')).toBe('empty');
    expect(await reason(randomBytes(6 * 1024 * 1024), 'big.bin', 'application/octet-stream')).toBe('too_large');
    expect(await reason(PDF.subarray(0, 1000), 'cut.pdf', 'application/pdf', PDF.length)).toBe('incomplete');
    expect(await reason(Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62), Buffer.from('PE\0\0'), randomBytes(500)]), 'invoice.pdf', 'application/pdf')).toBe('program');
    expect(await reason(Buffer.from('#!/bin/sh\nrm -rf ~\n'), 'notes.txt', 'text/plain')).toBe('program');
    expect(await reason(Buffer.from('hello'), 'run.bat', 'text/plain')).toBe('program');
    expect(store.sqlite.prepare('SELECT count(*) AS n FROM documents').get()).toEqual({ n: 0 });
    expect(listFiles(documents.dir)).toEqual([]);
  });

  it('refuses a stored file that was altered, or that does not hash to its name', async () => {
    const { documents } = await makeStore();
    const row = await documents.ingest(PDF, { fileName: 'c.pdf', declaredType: 'application/pdf' }, { source: 'staff' });
    const other = Buffer.from('%PDF-1.4 another document');
    const second = await documents.ingest(other, { fileName: 'd.pdf', declaredType: 'application/pdf' }, { source: 'staff' });
    const file = documents.pathOf(row.sha256);
    const original = readFileSync(file);
    // one flipped bit in the middle
    const flipped = Buffer.from(original);
    flipped[100_000]! ^= 1;
    writeFileSync(file, flipped);
    await expect(documents.readAll(row.id)).rejects.toMatchObject({ problem: 'damaged' });
    // a whole, valid file put under another document's name
    writeFileSync(file, readFileSync(documents.pathOf(second.sha256)));
    const err = await documents.readAll(row.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocumentFileError);
    expect((err as DocumentFileError).problem).toBe('hash_mismatch');
    // cut short
    writeFileSync(file, original.subarray(0, original.length - 100));
    await expect(documents.readAll(row.id)).rejects.toBeInstanceOf(DocumentFileError);
  });

  it('cleans file names: separators, control characters, bidi overrides, length', async () => {
    const { documents } = await makeStore();
    const name = async (fileName: string) => (await documents.ingest(randomBytes(50), { fileName, declaredType: 'application/octet-stream' }, { source: 'client' })).file_name;
    expect(await name('../../etc/passwd')).toBe('etc_passwd');
    expect(await name('..')).toBe('document.bin');
    expect(await name('invoice\u202Efdp.zip')).toBe('invoice[U+202E]fdp.zip');
    expect(await name('a\u0000b\u0007c.zip')).toBe('abc.zip');
    const long = await name(`${'x'.repeat(300)}.zip`);
    expect([...long].length).toBe(150);
    expect(long.endsWith('.zip')).toBe(true);
  });
});

describe('the move of documents kept as BLOBs', () => {
  it('is restartable: interrupted half-way it loses nothing, and the next start finishes it', async () => {
    const dir = tempDir();
    const file = join(dir, 'lexdesk.sqlite');
    // a database of the version before the store, with three documents as BLOBs
    const { migrations } = await import('../../migrations/index.js');
    const old = new Store({ file });
    const { Migrator } = await import('kysely');
    const names = Object.keys(migrations).filter((n) => n !== '0009_documents').sort();
    const partial = Object.fromEntries(names.map((n) => [n, migrations[n]!]));
    await new Migrator({ db: old.db, provider: { getMigrations: async () => partial }, allowUnorderedMigrations: true }).migrateToLatest();
    const blobs = [PDF, PNG, Buffer.from('Bring your ID.')];
    const now = new Date().toISOString();
    old.sqlite.exec(`INSERT INTO clients (id, whatsapp, name, name_key, created_at, updated_at) VALUES (1, '5511999', 'Ana', 'ana', '${now}', '${now}')`);
    old.sqlite.exec(`INSERT INTO conversations (id, chat_id, whatsapp, client_id, mode, state, last_activity_at, created_at) VALUES (1, '5511999@c.us', '5511999', 1, 'bot', '{}', '${now}', '${now}')`);
    blobs.forEach((data, i) =>
      old.sqlite
        .prepare(`INSERT INTO matter_documents (conversation_id, kind, file_name, mimetype, size, sha256, data, created_at) VALUES (1, 'upload', ?, ?, ?, ?, ?, ?)`)
        .run(`doc${i}`, i === 0 ? 'application/pdf' : i === 1 ? 'image/png' : 'text/plain', data.length, sha(data), data, now),
    );
    old.sqlite.exec(`INSERT INTO conversation_messages (conversation_id, direction, author, text, file_name, document_id, at) VALUES (1, 'out', 'staff', '', 'doc0', 1, '${now}')`);
    old.close();

    const store = new Store({ file });
    cleanups.push(() => store.close());
    await migrateToLatest(store, silentLogger);
    const keys = new DocumentKeys(new FileSecretStore(join(dir, 'secrets')));
    let crashes = 0;
    const crashing = new DocumentStore({
      dir: join(dir, 'documents'), maxBytes: 1e7, keys, store: () => store, clock: systemClock, log: silentLogger,
      hooks: { beforeLegacyCommit: (id: number) => { if (id === 2) { crashes++; throw new Error('killed'); } } },
    });
    await expect(crashing.start()).rejects.toThrow('killed');
    expect(crashes).toBe(1);
    // one moved, two still waiting; every document is still readable meanwhile
    expect(store.sqlite.prepare('SELECT document_id FROM document_blob_moves ORDER BY 1').all()).toEqual([{ document_id: 2 }, { document_id: 3 }]);
    for (const [i, data] of blobs.entries()) expect((await crashing.readAll(i + 1)).data.equals(data)).toBe(true);

    const next = new DocumentStore({ dir: join(dir, 'documents'), maxBytes: 1e7, keys, store: () => store, clock: systemClock, log: silentLogger });
    await next.start();
    expect(store.sqlite.prepare('SELECT count(*) AS n FROM document_blob_moves').get()).toEqual({ n: 0 });
    for (const [i, data] of blobs.entries()) {
      expect((await next.readAll(i + 1)).data.equals(data)).toBe(true);
      expect(existsSync(next.pathOf(sha(data)))).toBe(true);
    }
    const rows = store.sqlite.prepare('SELECT id, source, detected_type, conversation_id, client_id FROM documents ORDER BY id').all();
    expect(rows).toEqual([
      { id: 1, source: 'staff', detected_type: 'application/pdf', conversation_id: 1, client_id: null },
      { id: 2, source: 'staff', detected_type: 'image/png', conversation_id: 1, client_id: null },
      { id: 3, source: 'staff', detected_type: 'text/plain', conversation_id: 1, client_id: null },
    ]);
    // the thread still names its document; the sqlite3 shell agrees the file is sound
    expect(store.sqlite.prepare('SELECT document_id FROM conversation_messages').get()).toEqual({ document_id: 1 });
    expect(store.sqlite.pragma('foreign_key_check')).toEqual([]);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
  });
});

describe('documents in a running core', () => {
  let core: TestCore;
  afterEach(async () => core?.dispose());

  it('starts with its store and key, and the documents key stays out of the database', async () => {
    core = await startTestCore();
    const row = await core.services.documents.store.ingest(PDF, { fileName: 'p.pdf', declaredType: 'application/pdf' }, { source: 'staff' });
    const key = readFileSync(join(core.config.secretsDir, 'documents-key'), 'utf8');
    const db = readFileSync(core.config.databaseFile);
    expect(db.includes(Buffer.from(key))).toBe(false);
    expect((await core.services.documents.store.readAll(row.id)).data.equals(PDF)).toBe(true);
    void Readable;
  });
});
