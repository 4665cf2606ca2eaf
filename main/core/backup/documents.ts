import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DOCUMENT_HEADER_BYTES, parseDocumentHeader, sealedSize } from '../documents/format.js';
import { syncDir, syncFile } from '../fs.js';
import { BackupFileError, type BackupHeader, type ManifestCore, type ScryptParams } from './format.js';
import { sealToFile, unsealFile, type SealedFile } from './stream.js';

/**
 * The documents of a backup (see "Documents" in format.ts). The backup folder holds
 * one pool of document files shared by every backup:
 *
 *   documents/ab/<sha256>      a document's encrypted file, byte for byte as in the store
 *   documents/.partial/…       copies being written; removed at start
 *   <id>.documents.lexbak      the backup's document index, sealed like a backup file
 *
 * A document's file is immutable and named by its content, so a backup copies only
 * the files the pool does not hold yet; a backup removed by retention takes with it
 * only the pool files no remaining backup's index names.
 */

export const POOL_DIR = 'documents';
const POOL_PARTIAL = '.partial';
export const INDEX_FORMAT = 'lexdesk-backup-documents';
/** the index of 1 000 000 documents is about 150 MB: anything larger is not an index */
const MAX_INDEX_BYTES = 512 * 1024 * 1024;

/** What the document store offers a backup: its files and its keys. */
export interface DocumentVault {
  readonly dir: string;
  pathOf(sha256: string): string;
  /** decrypts a file and checks it is the document `sha256`; returns its plain size */
  verifyFile(file: string, sha256: string): Promise<number>;
  readonly keys: {
    byId(keyId: string): Promise<Buffer | null>;
    adopt(key: Buffer): Promise<string>;
  };
}

/** A document the backed-up database names. */
export interface NamedDocument {
  sha256: string;
  size: number;
}

export interface IndexEntry extends NamedDocument {
  keyId: string;
}

export interface DocumentIndex {
  backupId: string;
  keys: { keyId: string; key: Buffer }[];
  entries: IndexEntry[];
}

export interface CopyOutcome {
  index: DocumentIndex;
  /** files copied into the pool by this backup */
  added: number;
  addedBytes: number;
  /** files the pool already held */
  reused: number;
  /** named by the database but absent from the document store */
  missing: string[];
}

/** The key id a document file names in its header. */
async function keyIdOfFile(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(DOCUMENT_HEADER_BYTES);
    const { bytesRead } = await handle.read(head, 0, DOCUMENT_HEADER_BYTES, 0);
    try {
      return parseDocumentHeader(head.subarray(0, bytesRead)).keyId;
    } catch {
      throw new BackupFileError('damaged', 'A document file is not a LexDesk document.');
    }
  } finally {
    await handle.close();
  }
}

async function sizeOf(file: string): Promise<number | null> {
  try {
    return (await stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export class BackupDocuments {
  constructor(
    private readonly vault: DocumentVault,
    private readonly backupDir: string,
  ) {}

  poolPath(sha256: string): string {
    return join(this.backupDir, POOL_DIR, sha256.slice(0, 2), sha256);
  }

  indexFile(id: string): string {
    return join(this.backupDir, `${id}.documents.lexbak`);
  }

  /**
   * Copies into the pool every document of `named` it does not hold yet: the store's
   * file is copied under a temporary name, flushed, decrypted and checked against its
   * hash, then renamed into place. A file the pool holds already is checked by size
   * (it was checked in full when it was copied, and is at every verification).
   */
  async copy(
    backupId: string,
    named: NamedDocument[],
    previous: Map<string, IndexEntry>,
    onProgress: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<CopyOutcome> {
    const partialDir = join(this.backupDir, POOL_DIR, POOL_PARTIAL);
    await mkdir(partialDir, { recursive: true, mode: 0o700 });
    const entries: IndexEntry[] = [];
    const missing: string[] = [];
    let added = 0;
    let addedBytes = 0;
    let reused = 0;
    const touchedDirs = new Set<string>();
    for (let i = 0; i < named.length; i++) {
      signal?.throwIfAborted();
      const doc = named[i]!;
      const target = this.poolPath(doc.sha256);
      const expected = sealedSize(doc.size);
      const inPool = await sizeOf(target);
      if (inPool === expected) {
        entries.push({ ...doc, keyId: previous.get(doc.sha256)?.keyId ?? (await keyIdOfFile(target)) });
        reused++;
      } else {
        const source = this.vault.pathOf(doc.sha256);
        if ((await sizeOf(source)) === null) {
          missing.push(doc.sha256);
          continue;
        }
        const partial = join(partialDir, `${randomBytes(8).toString('hex')}.partial`);
        try {
          await copyFile(source, partial, constants.COPYFILE_FICLONE);
          await syncFile(partial);
          await this.vault.verifyFile(partial, doc.sha256);
          const dir = join(this.backupDir, POOL_DIR, doc.sha256.slice(0, 2));
          await mkdir(dir, { recursive: true, mode: 0o700 });
          await rename(partial, target);
          touchedDirs.add(dir);
        } catch (err) {
          await rm(partial, { force: true });
          if (err instanceof BackupFileError || (err as NodeJS.ErrnoException).code === undefined) {
            throw new BackupFileError('damaged', `Document ${doc.sha256.slice(0, 12)} in the document store is damaged: ${(err as Error).message}`);
          }
          throw err;
        }
        entries.push({ ...doc, keyId: await keyIdOfFile(target) });
        added++;
        addedBytes += expected;
      }
      if (i % 64 === 0 || i === named.length - 1) onProgress(i + 1, named.length);
    }
    for (const dir of touchedDirs) await syncDir(dir);
    const keys: DocumentIndex['keys'] = [];
    for (const keyId of new Set(entries.map((e) => e.keyId))) {
      const key = await this.vault.keys.byId(keyId);
      if (!key) throw new BackupFileError('key_unavailable', `The documents' key ${keyId} is not on this computer, so their copies could not be checked.`);
      keys.push({ keyId, key });
    }
    return { index: { backupId, keys, entries }, added, addedBytes, reused, missing };
  }

  /** Seals the index with the backup key into `dest` (a temporary name the commit renames). */
  static async writeIndex(
    dest: string,
    index: DocumentIndex,
    key: Buffer,
    kdf: ScryptParams,
    manifest: ManifestCore,
  ): Promise<SealedFile> {
    const header: Omit<BackupHeader, 'fileSalt' | 'noncePrefix' | 'keyId'> = {
      format: 'lexdesk-backup',
      version: 1,
      content: 'documents',
      compression: 'gzip',
      cipher: 'aes-256-gcm',
      segmentBytes: 65536,
      kdf,
      manifest,
    };
    function* lines(): Generator<string> {
      yield `${JSON.stringify({
        format: INDEX_FORMAT,
        version: 1,
        backupId: index.backupId,
        keys: index.keys.map((k) => ({ keyId: k.keyId, key: k.key.toString('base64') })),
      })}\n`;
      let batch = '';
      for (const e of index.entries) {
        batch += `${JSON.stringify({ sha256: e.sha256, size: e.size, keyId: e.keyId })}\n`;
        if (batch.length > 64 * 1024) {
          yield batch;
          batch = '';
        }
      }
      if (batch) yield batch;
    }
    return sealToFile({ source: lines(), dest, header, key, level: 6 });
  }

  /** Opens a backup's index; BackupFileError when it is missing, damaged or not this backup's. */
  async readIndex(id: string, key: Buffer, expected?: { sha256: string; bytes: number }): Promise<DocumentIndex> {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
      },
    });
    let unsealed;
    try {
      unsealed = await unsealFile({ file: this.indexFile(id), key, sink, maxPlainBytes: MAX_INDEX_BYTES });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new BackupFileError(
          'incomplete',
          `The list of documents of backup ${id} is missing from the backup folder. Copy the whole backup folder (with its documents folder), not only the .db.lexbak file.`,
        );
      }
      throw err;
    }
    if (unsealed.header.content !== 'documents' || unsealed.header.manifest.id !== id) {
      throw new BackupFileError('mismatch', `The list of documents beside backup ${id} belongs to another backup.`);
    }
    if (expected && (expected.sha256 !== unsealed.sha256 || expected.bytes !== unsealed.bytes)) {
      throw new BackupFileError('checksum_mismatch', `The list of documents of backup ${id} was changed after it was written.`);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const lines = text.split('\n').filter((l) => l.length > 0);
    let first: { format?: string; backupId?: string; keys?: { keyId: string; key: string }[] };
    try {
      first = JSON.parse(lines[0] ?? '{}');
    } catch {
      first = {};
    }
    if (first.format !== INDEX_FORMAT || first.backupId !== id || !Array.isArray(first.keys)) {
      throw new BackupFileError('damaged', `The list of documents of backup ${id} is not valid.`);
    }
    const entries: IndexEntry[] = [];
    for (const line of lines.slice(1)) {
      const e = JSON.parse(line) as IndexEntry;
      if (!/^[0-9a-f]{64}$/.test(e.sha256) || !Number.isInteger(e.size) || !/^[0-9a-f]{16}$/.test(e.keyId)) {
        throw new BackupFileError('damaged', `The list of documents of backup ${id} is not valid.`);
      }
      entries.push(e);
    }
    return { backupId: id, keys: first.keys.map((k) => ({ keyId: k.keyId, key: Buffer.from(k.key, 'base64') })), entries };
  }

  /** Makes the index's keys known to the document store (a backup made on another computer). */
  async adoptKeys(index: DocumentIndex): Promise<void> {
    for (const { key } of index.keys) await this.vault.keys.adopt(key);
  }

  /**
   * Checks every document of an index in the pool: present, of its size, decrypting
   * to its SHA-256. Throws BackupFileError naming the first that is not.
   */
  async verifyAll(index: DocumentIndex, onProgress: (done: number, total: number) => void, signal?: AbortSignal): Promise<void> {
    await this.adoptKeys(index);
    for (let i = 0; i < index.entries.length; i++) {
      signal?.throwIfAborted();
      const e = index.entries[i]!;
      const file = this.poolPath(e.sha256);
      const size = await sizeOf(file);
      if (size === null) throw new BackupFileError('incomplete', `Document ${e.sha256.slice(0, 12)} of this backup is missing from the backup folder.`);
      let damage: string | null = size === sealedSize(e.size) ? null : 'it has the wrong size';
      if (!damage) {
        try {
          await this.vault.verifyFile(file, e.sha256);
        } catch (err) {
          damage = (err as Error).message;
        }
      }
      if (damage) {
        // a damaged copy must not be taken for a good one: the next backup copies the document again
        // from the store, which mends every backup that names it
        await rm(file, { force: true });
        throw new BackupFileError('checksum_mismatch', `Document ${e.sha256.slice(0, 12)} in the backup folder is damaged: ${damage}`);
      }
      if (i % 32 === 0 || i === index.entries.length - 1) onProgress(i + 1, index.entries.length);
    }
  }

  /**
   * Puts into the document store every document of `named` it lacks, from the pool
   * (checked on the way). Throws before changing anything the database sees when a
   * document of the index is in neither place; one the backup recorded as missing
   * already (named by the database but not in `listed`) is counted, not awaited.
   */
  async bringBack(
    named: NamedDocument[],
    listed: Set<string>,
    onProgress: (done: number, total: number) => void,
  ): Promise<{ copied: number; present: number; missingAtBackup: number }> {
    const lacking: NamedDocument[] = [];
    let present = 0;
    let missingAtBackup = 0;
    for (const doc of named) {
      if ((await sizeOf(this.vault.pathOf(doc.sha256))) === sealedSize(doc.size)) present++;
      else if (!listed.has(doc.sha256)) missingAtBackup++;
      else lacking.push(doc);
    }
    for (const doc of lacking) {
      if ((await sizeOf(this.poolPath(doc.sha256))) === null) {
        throw new BackupFileError('incomplete', `Document ${doc.sha256.slice(0, 12)} of this backup is missing from the backup folder.`);
      }
    }
    const partialDir = join(this.vault.dir, '.incoming');
    await mkdir(partialDir, { recursive: true, mode: 0o700 });
    let copied = 0;
    for (const doc of lacking) {
      const partial = join(partialDir, `restore-${randomBytes(8).toString('hex')}.partial`);
      try {
        await copyFile(this.poolPath(doc.sha256), partial);
        await syncFile(partial);
        await this.vault.verifyFile(partial, doc.sha256);
        const target = this.vault.pathOf(doc.sha256);
        const dir = join(this.vault.dir, doc.sha256.slice(0, 2));
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await rename(partial, target);
        await syncDir(dir);
      } catch (err) {
        await rm(partial, { force: true });
        if ((err as NodeJS.ErrnoException).code) throw err;
        throw new BackupFileError('damaged', `Document ${doc.sha256.slice(0, 12)} in the backup folder is damaged: ${(err as Error).message}`);
      }
      copied++;
      onProgress(copied, lacking.length);
    }
    return { copied, present, missingAtBackup };
  }

  /**
   * Removes from the document store the files no document of `named` is, written
   * before `before` (a file written since then may be a document being received now).
   */
  async removeOthers(named: NamedDocument[], before: number): Promise<number> {
    const keep = new Set(named.map((d) => d.sha256));
    let removed = 0;
    for (const prefix of await namesIn(this.vault.dir)) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      const dir = join(this.vault.dir, prefix);
      for (const name of await namesIn(dir)) {
        if (!/^[0-9a-f]{64}$/.test(name) || keep.has(name)) continue;
        const file = join(dir, name);
        const info = await stat(file).catch(() => null);
        if (!info || info.mtimeMs >= before) continue;
        await rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }

  /** Deletes pool files no index in `kept` names; returns how many went. */
  async prune(kept: Set<string>): Promise<number> {
    let removed = 0;
    const pool = join(this.backupDir, POOL_DIR);
    for (const prefix of await namesIn(pool)) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const name of await namesIn(join(pool, prefix))) {
        if (!/^[0-9a-f]{64}$/.test(name) || kept.has(name)) continue;
        await rm(join(pool, prefix, name), { force: true });
        removed++;
      }
    }
    return removed;
  }

  /** Removes copies a backup was writing when it was interrupted. */
  async removeLeftovers(): Promise<number> {
    const dir = join(this.backupDir, POOL_DIR, POOL_PARTIAL);
    const names = await namesIn(dir);
    for (const name of names) await rm(join(dir, name), { force: true });
    return names.length;
  }
}

async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}
