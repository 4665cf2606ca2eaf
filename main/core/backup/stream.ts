import { createHash, randomBytes } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { availableParallelism } from 'node:os';
import { createGunzip, createGzip, gzip, type ZlibOptions } from 'node:zlib';
import {
  BackupFileError,
  decodeHeader,
  encodeHeader,
  fileKeyOf,
  headerDigest,
  keyIdOf,
  MAGIC,
  openSegment,
  SEGMENT_BYTES,
  SegmentSealer,
  TAG_BYTES,
  type BackupHeader,
} from './format.js';

const WRITE_BATCH_BYTES = 1024 * 1024;
const READ_BATCH_SEGMENTS = 16;

export interface SealedFile {
  bytes: number;
  sha256: string;
}

export interface SealOptions {
  /** the plain content: a file to read, or text/bytes pieces */
  source: string | Iterable<string | Buffer> | AsyncIterable<string | Buffer>;
  dest: string;
  header: Omit<BackupHeader, 'fileSalt' | 'noncePrefix' | 'keyId'>;
  key: Buffer;
  /** gzip level, 1 (fast) to 9 */
  level?: number;
  onProgress?: (plainBytesRead: number) => void;
}

/**
 * gzip then encrypt `source` into a new file `dest` (created exclusively), flushed
 * to the disk before it resolves. Returns the size and SHA-256 of the whole file.
 */
export async function sealToFile(options: SealOptions): Promise<SealedFile> {
  const header: BackupHeader = {
    ...options.header,
    keyId: keyIdOf(options.key),
    fileSalt: randomBytes(16).toString('base64'),
    noncePrefix: randomBytes(7).toString('base64'),
  };
  const encodedHeader = encodeHeader(header);
  const fileKey = fileKeyOf(options.key, Buffer.from(header.fileSalt, 'base64'));
  const hash = createHash('sha256');
  const handle = await open(options.dest, 'wx', 0o600);
  let bytes = 0;
  try {
    let batch: Buffer[] = [encodedHeader];
    let batchBytes = encodedHeader.length;
    const sealer = new SegmentSealer(fileKey, Buffer.from(header.noncePrefix, 'base64'), headerDigest(encodedHeader), (sealed) => {
      batch.push(sealed);
      batchBytes += sealed.length;
    });
    const drain = async (): Promise<void> => {
      if (batchBytes === 0) return;
      const data = batch.length === 1 ? batch[0]! : Buffer.concat(batch, batchBytes);
      batch = [];
      batchBytes = 0;
      hash.update(data);
      await writeAll(handle, data);
      bytes += data.length;
    };

    const zlibOptions: ZlibOptions = { level: options.level ?? 1, memLevel: 9, chunkSize: 256 * 1024 };
    if (typeof options.source === 'string') {
      for await (const compressed of compressFileInBlocks(options.source, zlibOptions, options.onProgress)) {
        sealer.write(compressed);
        if (batchBytes >= WRITE_BATCH_BYTES) await drain();
      }
    } else {
      let read = 0;
      const source = Readable.from(options.source, { objectMode: false });
      if (options.onProgress) {
        source.on('data', (chunk: Buffer | string) => {
          read += chunk.length;
          options.onProgress!(read);
        });
      }
      await pipeline(source, createGzip(zlibOptions), async (compressed: AsyncIterable<Buffer>) => {
        for await (const chunk of compressed) {
          sealer.write(chunk);
          if (batchBytes >= WRITE_BATCH_BYTES) await drain();
        }
      });
    }
    sealer.end();
    await drain();
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Bytes of plain content per gzip member when a file is compressed in parallel. */
export const BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * A file as a gzip stream made of independent members, one per 4 MiB block,
 * compressed up to `concurrency` at a time on libuv's thread pool (the way pigz
 * does it), yielded in order. Any gunzip reads the members as one stream; the
 * dictionary restarting every 4 MiB costs well under 1% in size. The blocks are
 * reused buffers, so memory stays at a few blocks whatever the file's size.
 */
export async function* compressFileInBlocks(
  file: string,
  zlibOptions: ZlibOptions,
  onProgress?: (plainBytesRead: number) => void,
  concurrency = Math.max(1, Math.min(2, availableParallelism() - 1)),
): AsyncGenerator<Buffer> {
  const handle = await open(file, 'r');
  const free: Buffer[] = Array.from({ length: concurrency }, () => Buffer.allocUnsafe(BLOCK_BYTES));
  const inFlight: { block: Buffer; done: Promise<Buffer> }[] = [];
  let read = 0;
  let done = false;
  const compress = (block: Buffer) =>
    new Promise<Buffer>((resolve, reject) => gzip(block, zlibOptions, (err, out) => (err ? reject(err) : resolve(out))));
  const readBlock = async (block: Buffer): Promise<number> => {
    let got = 0;
    while (got < block.length) {
      const { bytesRead } = await handle.read(block, got, block.length - got, read + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    read += got;
    return got;
  };
  try {
    while (!done || inFlight.length > 0) {
      while (!done && free.length > 0) {
        const block = free.pop()!;
        const got = await readBlock(block);
        if (got === 0) {
          free.push(block);
          done = true;
          break;
        }
        const job = compress(got === block.length ? block : block.subarray(0, got));
        job.catch(() => undefined); // awaited in order below
        inFlight.push({ block, done: job });
        onProgress?.(read);
      }
      const next = inFlight.shift();
      if (next) {
        const compressed = await next.done;
        free.push(next.block);
        yield compressed;
      }
    }
    // an empty file is still one (empty) gzip member
    if (read === 0) yield await compress(Buffer.alloc(0));
  } finally {
    // a block still being compressed must not be reused or freed under zlib's feet
    await Promise.allSettled(inFlight.map((j) => j.done));
    await handle.close();
  }
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

/** The header of a backup file, read without decrypting anything. */
export async function readHeader(file: string): Promise<{ header: BackupHeader; headerBytes: number; size: number }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const probe = Buffer.alloc(Math.min(size, 64 * 1024));
    await handle.read(probe, 0, probe.length, 0);
    let decoded;
    try {
      decoded = decodeHeader(probe);
    } catch (err) {
      // a header longer than the probe: read exactly what it says
      if (err instanceof BackupFileError && err.problem === 'incomplete' && probe.length >= MAGIC.length + 4 && size > probe.length) {
        const full = Buffer.alloc(Math.min(size, MAGIC.length + 4 + probe.readUInt32BE(MAGIC.length)));
        await handle.read(full, 0, full.length, 0);
        decoded = decodeHeader(full);
      } else {
        throw err;
      }
    }
    return { header: decoded.header, headerBytes: decoded.length, size };
  } finally {
    await handle.close();
  }
}

export interface UnsealOptions {
  file: string;
  key: Buffer;
  /** where the decompressed content goes */
  sink: Writable;
  /** refuse content larger than this (a damaged or hostile file must not fill the disk) */
  maxPlainBytes?: number;
  onProgress?: (fileBytesRead: number, fileBytes: number) => void;
}

export interface UnsealedFile {
  header: BackupHeader;
  bytes: number;
  sha256: string;
  plainBytes: number;
}

/**
 * Checks and decrypts a backup file segment by segment, decompresses it into
 * `sink`. Nothing unauthenticated reaches the decompressor. Throws
 * BackupFileError with a reason a person can act on.
 */
export async function unsealFile(options: UnsealOptions): Promise<UnsealedFile> {
  const handle = await open(options.file, 'r');
  const hash = createHash('sha256');
  let plainBytes = 0;
  let header: BackupHeader;
  let size: number;
  try {
    size = (await handle.stat()).size;
    const probe = Buffer.alloc(Math.min(size, MAGIC.length + 4));
    await handle.read(probe, 0, probe.length, 0);
    if (probe.length < MAGIC.length + 4 || !probe.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new BackupFileError('not_a_backup', 'This file is not a LexDesk backup.');
    }
    const headerEnd = Math.min(size, MAGIC.length + 4 + probe.readUInt32BE(MAGIC.length));
    const headerBuf = Buffer.alloc(headerEnd);
    await handle.read(headerBuf, 0, headerEnd, 0);
    const decoded = decodeHeader(headerBuf);
    header = decoded.header;
    if (keyIdOf(options.key) !== header.keyId) {
      throw new BackupFileError('wrong_passphrase', 'The backup passphrase does not match this backup.');
    }
    hash.update(decoded.encoded);
    const fileKey = fileKeyOf(options.key, Buffer.from(header.fileSalt, 'base64'));
    const prefix = Buffer.from(header.noncePrefix, 'base64');
    const aad = headerDigest(decoded.encoded);
    const body = size - decoded.length;
    const sealedSegment = SEGMENT_BYTES + TAG_BYTES;
    const segments = Math.max(1, Math.ceil(body / sealedSegment));
    if (body < TAG_BYTES) throw new BackupFileError('incomplete', 'The backup file is incomplete (it was cut short).');
    const onProgress = options.onProgress;
    const maxPlain =
      options.maxPlainBytes ?? (header.content === 'sqlite' ? header.manifest.databaseBytes : Number.MAX_SAFE_INTEGER);

    async function* plain(): AsyncGenerator<Buffer> {
      let position = decoded.length;
      let index = 0;
      const batch = Buffer.alloc(sealedSegment * READ_BATCH_SEGMENTS);
      while (index < segments) {
        const want = Math.min(batch.length, size - position);
        let got = 0;
        while (got < want) {
          const { bytesRead } = await handle.read(batch, got, want - got, position + got);
          if (bytesRead === 0) throw new BackupFileError('incomplete', 'The backup file is incomplete (it was cut short).');
          got += bytesRead;
        }
        hash.update(batch.subarray(0, got));
        const out: Buffer[] = [];
        for (let offset = 0; offset < got; offset += sealedSegment, index++) {
          const piece = batch.subarray(offset, Math.min(got, offset + sealedSegment));
          const last = index === segments - 1;
          out.push(openLast(fileKey, prefix, aad, index, last, piece));
        }
        position += got;
        onProgress?.(position, size);
        yield Buffer.concat(out);
      }
    }

    let output = 0;
    const limit = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        output += chunk.length;
        if (output > maxPlain) {
          callback(new BackupFileError('damaged', 'The backup file is damaged: it holds more data than its header says.'));
          return;
        }
        if (!options.sink.write(chunk)) options.sink.once('drain', () => callback());
        else callback();
      },
      final(callback) {
        options.sink.end(() => callback());
      },
    });
    try {
      await pipeline(plain(), createGunzip({ chunkSize: 256 * 1024 }), limit);
    } catch (err) {
      options.sink.destroy();
      if (err instanceof BackupFileError) throw err;
      // authenticated bytes that do not decompress: written damaged (should never happen)
      throw new BackupFileError('damaged', `The backup file is damaged: its content does not decompress (${(err as Error).message}).`);
    }
    plainBytes = output;
  } finally {
    await handle.close();
  }
  return { header, bytes: size, sha256: hash.digest('hex'), plainBytes };
}

/** Opens a segment; a final segment that only opens as a middle one means the file was cut at a boundary. */
function openLast(fileKey: Buffer, prefix: Buffer, aad: Buffer, index: number, last: boolean, sealed: Buffer): Buffer {
  try {
    return openSegment(fileKey, prefix, aad, index, last, sealed);
  } catch (err) {
    if (last && sealed.length === SEGMENT_BYTES + TAG_BYTES) {
      try {
        openSegment(fileKey, prefix, aad, index, false, sealed);
      } catch {
        throw err;
      }
      throw new BackupFileError('incomplete', 'The backup file is incomplete (it was cut short).');
    }
    if (last && sealed.length < SEGMENT_BYTES + TAG_BYTES && index > 0) {
      // a short last piece of a segment that should have been whole: most likely cut short
      throw new BackupFileError('incomplete', 'The backup file is incomplete (it was cut short) or damaged.');
    }
    throw err;
  }
}
