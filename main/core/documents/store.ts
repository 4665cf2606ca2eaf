import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import type { Store } from '../db/store.js';
import type { DocumentsTable } from '../db/tables.js';
import { AppError } from '../errors.js';
import { syncDir } from '../fs.js';
import type { Logger } from '../log.js';
import { DOCUMENT_HEADER_BYTES, DocumentFileError, OpeningStream, SealingStream, TooLargeError, parseDocumentHeader } from './format.js';
import type { DocumentKeys } from './keys.js';
import { baseType, cleanFileName, defaultNameFor, detect, type Detection } from './types.js';

export type DocumentRow = Selectable<DocumentsTable>;
export type DocumentSource = DocumentsTable['source'];

/** A file written into the store (encrypted, flushed, renamed), not yet named by a row. */
export interface StoredBlob {
  sha256: string;
  size: number;
  fileName: string;
  declaredType: string;
  detection: Detection;
}

export interface WriteOptions {
  /** the name the sender gave (cleaned here) */
  fileName: string | null;
  declaredType: string | null;
  /** the largest size taken (default: the store's limit) */
  maxBytes?: number;
  /** the size the sender announced: fewer bytes means the transfer was cut short */
  expectedSize?: number | null;
  /** refuse programs and scripts (always for what staff send; clients' are refused too) */
  signal?: AbortSignal;
}

export interface DocumentMeta {
  source: DocumentSource;
  createdById?: string | null;
  createdBy?: string | null;
  conversationId?: number | null;
  matterId?: number | null;
  clientId?: number | null;
  waId?: string | null;
  at?: string;
}

/** Test hooks: the instants a crash can fall between. */
export interface DocumentStoreHooks {
  /** after the partial file is flushed, before it is renamed into place */
  beforeRename?: (partial: string) => void | Promise<void>;
  /** after a legacy BLOB's file is in place, before its row is moved */
  beforeLegacyCommit?: (documentId: number) => void | Promise<void>;
}

export interface DocumentStoreDeps {
  dir: string;
  maxBytes: number;
  keys: DocumentKeys;
  store: () => Store;
  clock: Clock;
  log: Logger;
  hooks?: DocumentStoreHooks;
}

const PARTIAL_DIR = '.incoming';

/** Why a file was not taken, as the error the caller shows (details.reason is stable). */
export function documentRefusal(reason: string, message: string): AppError {
  return new AppError('invalid_input', message, { reason });
}

function diskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/**
 * The document store: every file LexDesk keeps (what clients send, what staff
 * upload, the intake PDFs) is one encrypted file in `<data>/documents/`, named by
 * the SHA-256 of its content (`ab/abcdef…`), written under a temporary name,
 * flushed and renamed, so a crash leaves the file whole or absent, never half of
 * it under its name. The database keeps only the metadata (table `documents`). The
 * same content stored twice is one file.
 *
 * @example
 *   const doc = await documents.ingest(request.raw, { fileName: 'contract.pdf', declaredType: 'application/pdf' },
 *     { source: 'staff', createdBy: 'Maria', conversationId: 7 });
 *   const { stream } = await documents.open(doc.id);   // the plaintext, checked segment by segment
 */
/**
 * How much sealed data may wait for the disk: the sealed segments (64 KiB) are
 * written in batches rather than each after a round trip to the file system's
 * thread (which left the CPU idle half of the time).
 */
const WRITE_BUFFER = 1024 * 1024;

export class DocumentStore {
  readonly dir: string;
  private readonly partialDir: string;
  private started = false;

  constructor(private readonly deps: DocumentStoreDeps) {
    this.dir = deps.dir;
    this.partialDir = join(deps.dir, PARTIAL_DIR);
  }

  get maxBytes(): number {
    return this.deps.maxBytes;
  }

  get keys(): DocumentKeys {
    return this.deps.keys;
  }

  /** Where the file of a content hash lives. */
  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a SHA-256');
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  /**
   * At start: the key, the folders, partial files of an interrupted write removed,
   * and documents still kept as BLOBs (from before the store) moved into it.
   */
  async start(): Promise<void> {
    await this.deps.keys.current();
    await mkdir(this.partialDir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.partialDir)) await rm(join(this.partialDir, name), { force: true });
    this.started = true;
    await this.moveLegacyBlobs();
  }

  /**
   * Moves the BLOBs of `document_blob_moves` into the store, one document at a
   * time: its file first (content-addressed, so writing it again after a crash is
   * harmless), then its row and the BLOB's removal in one transaction.
   */
  async moveLegacyBlobs(): Promise<number> {
    let moved = 0;
    for (;;) {
      const store = this.deps.store();
      const next = store.get(
        store.db
          .selectFrom('document_blob_moves as b')
          .innerJoin('documents as d', 'd.id', 'b.document_id')
          .select(['b.document_id', 'b.data', 'd.file_name', 'd.declared_type'])
          .orderBy('b.document_id')
          .limit(1),
      );
      if (!next) break;
      const blob = await this.write(slices(next.data), {
        fileName: next.file_name,
        declaredType: next.declared_type,
        maxBytes: Number.MAX_SAFE_INTEGER,
        allowRefused: true,
        allowEmpty: true,
      });
      await this.deps.hooks?.beforeLegacyCommit?.(next.document_id);
      const current = this.deps.store();
      current.tx(() => {
        current.run(
          current.db
            .updateTable('documents')
            .set({ sha256: blob.sha256, size: blob.size, detected_type: blob.detection.detected })
            .where('id', '=', next.document_id),
        );
        current.run(current.db.deleteFrom('document_blob_moves').where('document_id', '=', next.document_id));
      });
      moved++;
    }
    if (moved > 0) this.deps.log.info({ moved }, 'documents moved from the database into the document store');
    return moved;
  }

  /**
   * Streams `source` into the store: hashed, type-detected and encrypted on the
   * way, flushed, renamed into place. Refuses (AppError invalid_input, with
   * `details.reason`) an empty file, one over the limit, one shorter than
   * announced, a program or script; a full disk is a `conflict`. Whatever is
   * refused leaves no file behind.
   */
  async write(source: Readable, options: WriteOptions & { allowRefused?: boolean; allowEmpty?: boolean }): Promise<StoredBlob> {
    if (!this.started) await this.start();
    const { key } = await this.deps.keys.current();
    const limit = options.maxBytes ?? this.deps.maxBytes;
    const declaredType = baseType(options.declaredType);
    const partial = join(this.partialDir, `${randomBytes(8).toString('hex')}.partial`);
    const sealing = new SealingStream(key, limit);
    // the source is only read from, never destroyed: a refused upload's request stays a valid HTTP exchange
    const input = new PassThrough();
    const cut = () => {
      if (!source.readableEnded) input.destroy(Object.assign(new Error('the transfer was interrupted'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    source.on('error', (err) => input.destroy(err));
    source.on('close', cut);
    source.pipe(input);
    try {
      try {
        await pipeline(input, sealing, createWriteStream(partial, { mode: 0o600, flush: true, highWaterMark: WRITE_BUFFER }), { signal: options.signal });
      } catch (err) {
        source.unpipe(input);
        source.off('close', cut);
        if (!source.destroyed) source.resume();
        if (err instanceof TooLargeError || (err as { cause?: unknown })?.cause instanceof TooLargeError) {
          throw documentRefusal('too_large', `The file is too large: LexDesk takes files up to ${Math.round(limit / 1024 / 1024)} MB.`);
        }
        if (diskFull(err)) {
          throw new AppError('conflict', 'The file could not be kept: the disk of the data folder is full. Free some space and try again.', {
            reason: 'disk_full',
          });
        }
        if ((err as Error)?.name === 'AbortError' || (err as NodeJS.ErrnoException)?.code === 'ERR_STREAM_PREMATURE_CLOSE' || (err as NodeJS.ErrnoException)?.code === 'ECONNRESET') {
          throw documentRefusal('incomplete', 'The file arrived incomplete (the transfer was interrupted). Send it again.');
        }
        throw err;
      }
      const size = sealing.bytes;
      if (size === 0 && !options.allowEmpty) throw documentRefusal('empty', 'The file is empty (0 bytes).');
      if (options.expectedSize != null && options.expectedSize > 0 && size < options.expectedSize) {
        throw documentRefusal('incomplete', `The file arrived incomplete (${size} of ${options.expectedSize} bytes). Send it again.`);
      }
      const cleaned = cleanFileName(options.fileName, defaultNameFor(declaredType));
      const detection = await detect(sealing.head, declaredType, cleaned);
      if (detection.refused && !options.allowRefused) throw documentRefusal('program', detection.refused);
      const sha256 = sealing.sha256();
      const target = this.pathOf(sha256);
      await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true, mode: 0o700 });
      if (await exists(target)) {
        await rm(partial, { force: true });
      } else {
        await this.deps.hooks?.beforeRename?.(partial);
        await rename(partial, target);
        await syncDir(join(this.dir, sha256.slice(0, 2)));
      }
      return { sha256, size, fileName: cleaned, declaredType, detection };
    } catch (err) {
      await rm(partial, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  /** Names a stored file with a row (synchronous: joins the caller's transaction). */
  insert(blob: StoredBlob, meta: DocumentMeta): DocumentRow {
    const store = this.deps.store();
    return store.get(
      store.db
        .insertInto('documents')
        .values({
          sha256: blob.sha256,
          size: blob.size,
          declared_type: blob.declaredType,
          detected_type: blob.detection.detected,
          file_name: blob.fileName,
          source: meta.source,
          created_at: meta.at ?? this.deps.clock.now().toISOString(),
          created_by_id: meta.createdById ?? null,
          created_by: meta.createdBy ?? null,
          conversation_id: meta.conversationId ?? null,
          matter_id: meta.matterId ?? null,
          client_id: meta.clientId ?? null,
          wa_id: meta.waId ?? null,
        })
        .returningAll(),
    )!;
  }

  /** `write` then `insert`: the file and the row that lists it. */
  async ingest(source: Readable | Buffer, options: WriteOptions, meta: DocumentMeta): Promise<DocumentRow> {
    const blob = await this.write(Buffer.isBuffer(source) ? slices(source) : source, options);
    return this.insert(blob, meta);
  }

  /**
   * Removes the file of `sha256` when no document row names it any more (the
   * row goes first, in its transaction: a crash between leaves a file nothing
   * lists, never a row without its file).
   */
  async removeIfUnused(sha256: string): Promise<boolean> {
    const store = this.deps.store();
    if (store.get(store.db.selectFrom('documents').select('id').where('sha256', '=', sha256).limit(1))) return false;
    const file = this.pathOf(sha256);
    if (!(await exists(file))) return false;
    await rm(file, { force: true });
    await syncDir(join(this.dir, sha256.slice(0, 2)));
    return true;
  }

  get(id: number): DocumentRow | null {
    const store = this.deps.store();
    return store.get(store.db.selectFrom('documents').selectAll().where('id', '=', id)) ?? null;
  }

  mustGet(id: number): DocumentRow {
    const row = this.get(id);
    if (!row) throw new AppError('not_found', 'That document does not exist.');
    return row;
  }

  /**
   * The plaintext of a document as a stream: each segment authenticated before it
   * is passed on, the whole checked against the document's SHA-256 at the end.
   */
  async open(id: number): Promise<{ row: DocumentRow; stream: Readable }> {
    const row = this.mustGet(id);
    return { row, stream: await this.openFile(this.pathOf(row.sha256), row.sha256, id) };
  }

  /** An encrypted file (in the store, or a backup's copy) as its plaintext. */
  async openFile(file: string, sha256: string, legacyId?: number): Promise<Readable> {
    let header: Buffer;
    try {
      header = await readHead(file, DOCUMENT_HEADER_BYTES);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && legacyId !== undefined) {
        const store = this.deps.store();
        const blob = store.get(store.db.selectFrom('document_blob_moves').select('data').where('document_id', '=', legacyId));
        if (blob) return Readable.from([blob.data]);
      }
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new AppError('not_found', 'The file of this document is missing from the document store. Restore it from a backup.', { reason: 'file_missing' });
      }
      throw err;
    }
    const { keyId } = parseDocumentHeader(header);
    const key = await this.deps.keys.byId(keyId);
    if (!key) throw new DocumentFileError('unknown_key', 'This document was encrypted with a key this computer does not have.');
    const opening = new OpeningStream(() => key, sha256);
    const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
    raw.on('error', (err) => opening.destroy(err));
    return raw.pipe(opening);
  }

  /** The whole document in memory (for WhatsApp, whose library takes base64), checked against its hash. */
  async readAll(id: number): Promise<{ row: DocumentRow; data: Buffer }> {
    const { row, stream } = await this.open(id);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return { row, data: Buffer.concat(chunks) };
  }

  /** Decrypts a file and checks its hash; throws DocumentFileError when it is not the document it should be. */
  async verifyFile(file: string, sha256: string): Promise<number> {
    const stream = await this.openFile(file, sha256);
    let bytes = 0;
    for await (const chunk of stream) bytes += (chunk as Buffer).length;
    return bytes;
  }
}

/**
 * A buffer as a stream of 256 KiB pieces: hashing and sealing a 50 MB download in
 * one piece would hold the event loop for a quarter of a second.
 */
export function slices(data: Buffer, size = 256 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
    })(),
  );
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
