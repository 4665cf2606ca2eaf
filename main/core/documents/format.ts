import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { SEGMENT_BYTES, SegmentSealer, TAG_BYTES, openSegment } from '../backup/format.js';

/**
 * One stored document on the disk: encrypted at rest, so that a copied data
 * folder or laptop disk does not hand over the clients' papers.
 *
 *   MAGIC        8 bytes  "LXDOC-1\0"
 *   keyId        8 bytes  the first 8 bytes of HMAC-SHA256(K, "lexdesk-document key id"): which key
 *   salt        16 bytes  random, per file
 *   segments     the plaintext cut in 64 KiB pieces, each sealed with AES-256-GCM and
 *                followed by its 16-byte tag; every segment but the last is exactly
 *                64 KiB + 16 (an empty file is one empty segment)
 *
 * K is the store's key (32 random bytes in the secret store: the OS keychain on the
 * desktop, the secrets folder headless). The file key is HKDF-SHA256(K, salt,
 * "lexdesk-document/1 aes-256-gcm", 32), so every file has its own key and the
 * nonce can be the segment counter: 7 zero bytes ‖ index (4 bytes, big-endian) ‖
 * last (1 byte). The 32 header bytes are the additional data of every segment. So
 * a changed, reordered, truncated or extended file is refused before any of its
 * bytes are used (the same STREAM construction as the backups, backup/format.ts).
 * The file is named by the SHA-256 of its plaintext, which a reader checks at the
 * end, so a file put under another document's name is refused too.
 */
export const DOCUMENT_MAGIC = Buffer.from('LXDOC-1\0', 'latin1');
export const DOCUMENT_HEADER_BYTES = 32;
export const DOCUMENT_HKDF_INFO = 'lexdesk-document/1 aes-256-gcm';
const KEY_ID_LABEL = 'lexdesk-document key id';
const NONCE_PREFIX = Buffer.alloc(7);

export class DocumentFileError extends Error {
  constructor(
    readonly problem: 'not_a_document' | 'unknown_key' | 'damaged' | 'hash_mismatch',
    message: string,
  ) {
    super(message);
    this.name = 'DocumentFileError';
  }
}

export function documentKeyId(key: Buffer): string {
  return createHmac('sha256', key).update(KEY_ID_LABEL).digest().subarray(0, 8).toString('hex');
}

function fileKey(key: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', key, salt, DOCUMENT_HKDF_INFO, 32));
}

/** Encrypted size of `plainBytes` of content. */
export function sealedSize(plainBytes: number): number {
  const segments = Math.max(1, Math.ceil(plainBytes / SEGMENT_BYTES));
  return DOCUMENT_HEADER_BYTES + plainBytes + segments * TAG_BYTES;
}

export function parseDocumentHeader(header: Buffer): { keyId: string; salt: Buffer } {
  if (header.length < DOCUMENT_HEADER_BYTES || !header.subarray(0, 8).equals(DOCUMENT_MAGIC)) {
    throw new DocumentFileError('not_a_document', 'This file is not a LexDesk document.');
  }
  return { keyId: header.subarray(8, 16).toString('hex'), salt: Buffer.from(header.subarray(16, 32)) };
}

/**
 * Plaintext in, the encrypted file out; hashes and counts the plaintext on the way
 * (`sha256()` and `bytes` once it has ended). `limit` stops a stream that grows
 * past it with a `TooLargeError` before anything more is written.
 */
export class SealingStream extends Transform {
  bytes = 0;
  head: Buffer = Buffer.alloc(0);
  private readonly hash = createHash('sha256');
  private readonly sealer: SegmentSealer;
  private digest: string | null = null;

  constructor(
    key: Buffer,
    private readonly limit: number,
    private readonly headBytes = 4100,
  ) {
    super();
    const salt = randomBytes(16);
    const header = Buffer.concat([DOCUMENT_MAGIC, Buffer.from(documentKeyId(key), 'hex'), salt]);
    this.push(header);
    this.sealer = new SegmentSealer(fileKey(key, salt), NONCE_PREFIX, header, (sealed) => this.push(sealed));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) return callback(new TooLargeError(this.limit));
    if (this.head.length < this.headBytes) this.head = Buffer.concat([this.head, chunk.subarray(0, this.headBytes - this.head.length)]);
    this.hash.update(chunk);
    this.sealer.write(chunk);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.sealer.end();
    this.digest = this.hash.digest('hex');
    callback();
  }

  sha256(): string {
    if (!this.digest) throw new Error('the stream has not ended');
    return this.digest;
  }
}

export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The file is larger than ${Math.round(limit / 1024 / 1024)} MB.`);
    this.name = 'TooLargeError';
  }
}

/**
 * The encrypted file in, its plaintext out, each segment authenticated before it
 * is passed on. With `expectSha256`, a file whose content does not hash to it
 * ends the stream with an error instead of its last bytes.
 */
export class OpeningStream extends Transform {
  private header: Buffer | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private fileKey: Buffer | null = null;
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(
    private readonly keyOf: (keyId: string) => Buffer | null,
    private readonly expectSha256?: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (!this.header) {
        if (this.pendingBytes < DOCUMENT_HEADER_BYTES) return callback();
        const all = Buffer.concat(this.pending);
        this.header = all.subarray(0, DOCUMENT_HEADER_BYTES);
        const { keyId, salt } = parseDocumentHeader(this.header);
        const key = this.keyOf(keyId);
        if (!key) throw new DocumentFileError('unknown_key', 'This document was encrypted with a key this computer does not have.');
        this.fileKey = fileKey(key, salt);
        this.pending = [all.subarray(DOCUMENT_HEADER_BYTES)];
        this.pendingBytes = all.length - DOCUMENT_HEADER_BYTES;
      }
      const whole = SEGMENT_BYTES + TAG_BYTES;
      // a full segment is opened only when more follows: the last one is known at the end
      while (this.pendingBytes > whole) {
        const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
        this.openOne(all.subarray(0, whole), false);
        this.pending = [all.subarray(whole)];
        this.pendingBytes = all.length - whole;
      }
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (!this.header || !this.fileKey) throw new DocumentFileError('damaged', 'The stored document is damaged (it is cut short).');
      this.openOne(Buffer.concat(this.pending), true);
      this.pending = [];
      if (this.expectSha256 && this.hash.digest('hex') !== this.expectSha256) {
        throw new DocumentFileError('hash_mismatch', 'The stored document does not match its fingerprint, so it was not used.');
      }
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  private openOne(sealed: Buffer, last: boolean): void {
    let plain: Buffer;
    try {
      plain = openSegment(this.fileKey!, NONCE_PREFIX, this.header!, this.index++, last, sealed);
    } catch {
      throw new DocumentFileError('damaged', 'The stored document is damaged or was altered, so it was not used.');
    }
    this.bytes += plain.length;
    this.hash.update(plain);
    if (this.expectSha256 && last) {
      // hold the final piece back until the fingerprint is checked in _flush
      const digest = this.hash.copy().digest('hex');
      if (digest !== this.expectSha256) {
        throw new DocumentFileError('hash_mismatch', 'The stored document does not match its fingerprint, so it was not used.');
      }
    }
    if (plain.length > 0) this.push(plain);
  }
}
