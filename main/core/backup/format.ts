import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, scrypt } from 'node:crypto';
import { z } from 'zod';

/**
 * The LexDesk backup file: readable by anyone who has the passphrase and this
 * description, with nothing but node:crypto and zlib.
 *
 *   MAGIC            16 bytes  "LEXDESK-BACKUP-1"
 *   headerLength      4 bytes  big-endian unsigned
 *   header            JSON (UTF-8), see BackupHeader: the key-derivation parameters,
 *                     the nonce prefix and the manifest (what is inside: tables, counts…)
 *   segments          the gzip stream of the content (a SQLite file or SQL text), cut in
 *                     64 KiB pieces, each encrypted with AES-256-GCM and followed by its
 *                     16-byte tag. Every segment but the last is exactly 64 KiB + 16.
 *
 * Keys: K = scrypt(passphrase NFKC, kdf.salt, N, r, p, 32 bytes) — the office's backup
 * key, the same for every backup made with one passphrase (its first 8 bytes of
 * HMAC-SHA256(K, "lexdesk-backup key id") are `keyId`, so a wrong passphrase is told
 * apart from a damaged file). The file key is HKDF-SHA256(K, fileSalt, "lexdesk-backup/1
 * aes-256-gcm", 32): each backup has its own salt, hence its own key.
 *
 * Segment i (from 0) uses the nonce noncePrefix (7 bytes) ‖ i (4 bytes, big-endian) ‖ last
 * (1 byte: 1 for the final segment, else 0), and as additional data SHA-256(MAGIC ‖
 * headerLength ‖ header). So the header cannot be altered, segments cannot be reordered,
 * dropped or appended, and a truncated file is refused (the STREAM construction).
 *
 * Documents. The database names its documents (table `documents`: SHA-256 and size);
 * their files are not inside the backup file but in a pool in the backup folder that
 * all backups share, `documents/ab/<sha256>`: each is the document store's own file,
 * copied byte for byte (encrypted under the document key, see documents/format.ts),
 * so that a document stored once is copied once, by the first backup that needs it,
 * and never again. Every backup also writes `<id>.documents.lexbak`, its index: a
 * file of this same format (content "documents", the backup's own manifest in its
 * header), whose content is JSON Lines — first
 *   {"format":"lexdesk-backup-documents","version":1,"backupId":…,"keys":[{"keyId","key"}]}
 * with the document keys (base64; protected by the backup key like everything else
 * in the file), then one {"sha256","size","keyId"} per document the backed-up database
 * names. The manifest in the database file's header says how many documents and
 * bytes its database names (`documents`), and the manifest beside it records the
 * index's checksum and how many files this backup added to the pool and reused.
 * A backup copies a document into the pool under a temporary name, flushes it,
 * decrypts the copy and checks its SHA-256, then renames it into place; a document
 * the pool already holds is checked by its size, and every verification checks every
 * document of the index in full. A restore puts back into the store exactly the
 * documents the restored database names, from the pool, checked the same way.
 * Retention deletes a pool file only when no remaining backup's index, and no
 * snapshot, names it.
 *
 * The snapshot repository. Beside the .lexbak files, the backup folder holds
 * `repo/`: every backup, and a frequent snapshot whenever the database changed
 * (every 15 minutes by default), is a snapshot there, and only what changed since
 * the snapshots before it is written. All keys derive from K with HKDF-SHA256
 * (no salt, 32 bytes) under the info strings "lexdesk-snapshot/1 chunk aes-256-gcm",
 * "… chunk name", "… manifest aes-256-gcm" and "… manifest hmac".
 *
 *   repo/chunks/<first 2 hex>/<name>   one 64 KiB piece of a database file (the last
 *       piece of a file may be shorter). Pieces start at multiples of 64 KiB, so each is
 *       a whole number of SQLite pages. name = the first 16 bytes, in hex, of
 *       HMAC-SHA256(name key, plain piece): equal pieces have equal names (stored once),
 *       and the name reveals nothing of the content without the key. The file is
 *       "LXC1" ‖ compression (1 byte: 0 stored, 1 raw deflate) ‖ nonce (12 random bytes)
 *       ‖ AES-256-GCM ciphertext ‖ tag (16), with "LXC1" ‖ compression ‖ name (ASCII) as
 *       additional data; a reader checks that the opened piece hashes to its name.
 *       A piece that changed in few places is stored as a delta instead, under the same
 *       name (that of the whole piece): "LXD1" ‖ compression ‖ base (the 16-byte name of
 *       a whole chunk: the one its place held before) ‖ nonce ‖ ciphertext ‖ tag, with
 *       "LXD1" ‖ compression ‖ base ‖ name as additional data. Its plain payload: the
 *       number of blocks (2 bytes, big-endian), their numbers (2 bytes each), then the
 *       blocks, 1 KiB each (the piece's last one possibly shorter): the piece is its base
 *       with these blocks put in, and must hash to the name. A delta is written when at
 *       most half of the piece's blocks differ from the base; its base is always a whole
 *       chunk (deltas are one step deep), so a piece opens with at most two reads.
 *       The chunk list of a version 2 manifest is kept here too: blocks of up to 64
 *       entries, each entry the piece's name (16 bytes) ‖ its base (16 bytes, zeros for a
 *       whole chunk), each block stored as a chunk ("LXC1", named by its keyed hash), so
 *       that a snapshot after a few changes writes only the few blocks whose entries
 *       changed, and pruning knows every base without opening a delta.
 *   repo/snapshots/<id>.snapshot       one line of JSON: in clear {format:
 *       "lexdesk-snapshot", version: 1 or 2, id, createdAt, kind, keyId, kdf, nonce} (enough to
 *       list snapshots and to derive K from the passphrase on a new machine), `body`:
 *       base64 of AES-256-GCM(raw deflate(JSON body)) with the clear fields' JSON (in that
 *       order) as additional data, and `mac`: hex HMAC-SHA256(mac key, that JSON ‖ sealed
 *       body) — the manifest's signature. The body (SnapshotBody in snapshots.ts): id,
 *       createdAt, kind, appVersion, schemaVersion, rows per table, databaseBytes,
 *       databaseSha256 (of the whole reassembled file; null for a snapshot read in place
 *       from its changed pieces, where each piece's name is its keyed hash), chunkBytes
 *       65536, the pieces in file order — version 1: `chunks`, their names, 16 bytes each,
 *       concatenated, base64; version 2: `tree` {fanout: 64, count: the number of pieces,
 *       blocks: the names of the chunk list's blocks, packed the same way} — the
 *       audit head, the documents it names in the pool (`documents/ab/<sha256>`, as in the
 *       index above, with their keys), how many chunks and bytes it added, and for a
 *       snapshot read in place `live`: where it stood in the database's write-ahead log
 *       (the file's inode, the log's checkpoint sequence and salts, the frame count, page
 *       size and page count), so that the next one reads only the pages changed since.
 *
 * Every object is immutable: written under a temporary name (`.tmp-…` in its folder),
 * flushed, renamed into place, the folder flushed. A manifest is written only after
 * all its chunks exist. Thinning deletes manifests first (flushed), then the chunks
 * no remaining manifest names (through its chunk list: the blocks, the pieces and
 * their bases): a crash at any instant leaves every remaining snapshot
 * whole, and at worst chunks nobody names, which the next thinning removes. One
 * process writes or thins at a time (`<backup folder>/.repo.lock`, holding its pid).
 * A restore reassembles the pieces in order into a file (each checked against its
 * name) and checks its SHA-256 when the manifest records one, then opens it like a
 * decrypted .lexbak.
 */
export const MAGIC = Buffer.from('LEXDESK-BACKUP-1', 'ascii');
export const SEGMENT_BYTES = 64 * 1024;
export const TAG_BYTES = 16;
export const MAX_HEADER_BYTES = 1024 * 1024;
export const HKDF_INFO = 'lexdesk-backup/1 aes-256-gcm';
export const KEY_ID_LABEL = 'lexdesk-backup key id';

/** scrypt cost for new keys: 128 MiB and about half a second, once per passphrase. */
export const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;

export const BACKUP_KINDS = ['scheduled', 'manual', 'pre-restore', 'pre-migration', 'pre-import'] as const;
export type BackupKind = (typeof BACKUP_KINDS)[number];

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

export const ScryptParams = z.object({
  name: z.literal('scrypt'),
  // bounds keep a hostile file from asking for gigabytes of memory
  N: z.number().int().min(2 ** 10).max(2 ** 20).refine((n) => (n & (n - 1)) === 0, 'N must be a power of two'),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(4),
  salt: base64,
});
export type ScryptParams = z.infer<typeof ScryptParams>;

/** What a backup holds, written into its header (authenticated) before the content. */
export const ManifestCore = z.object({
  id: z.string().regex(/^[A-Za-z0-9-]{8,80}$/),
  createdAt: z.string(),
  kind: z.enum(BACKUP_KINDS),
  appVersion: z.string(),
  schemaVersion: z.number().int().min(0),
  /** rows per table in the copy, table name → count */
  tables: z.record(z.string(), z.number().int().min(0)),
  /** size of the SQLite file inside */
  databaseBytes: z.number().int().min(0),
  sqlDump: z.boolean(),
  /** the documents the database names (their files are in the backup folder's pool) */
  documents: z.object({ count: z.number().int().min(0), bytes: z.number().int().min(0) }).optional(),
  /** the audit trail's newest row in the copy: its anchor at the time of the backup */
  auditHead: z.object({ id: z.number().int(), hash: z.string(), at: z.string() }).nullable().optional(),
});
export type ManifestCore = z.infer<typeof ManifestCore>;

export const BackupHeader = z.object({
  format: z.literal('lexdesk-backup'),
  version: z.literal(1),
  content: z.enum(['sqlite', 'sql', 'documents']),
  compression: z.literal('gzip'),
  cipher: z.literal('aes-256-gcm'),
  segmentBytes: z.literal(SEGMENT_BYTES),
  kdf: ScryptParams,
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  fileSalt: base64,
  noncePrefix: base64,
  manifest: ManifestCore,
});
export type BackupHeader = z.infer<typeof BackupHeader>;

/** Why a backup file cannot be used, as a stable reason and a sentence for a person. */
export type BackupFileProblem =
  | 'not_a_backup'
  | 'unsupported'
  | 'wrong_passphrase'
  | 'key_unavailable'
  | 'damaged'
  | 'incomplete'
  | 'checksum_mismatch'
  | 'integrity'
  | 'mismatch';

export class BackupFileError extends Error {
  constructor(
    readonly problem: BackupFileProblem,
    message: string,
  ) {
    super(message);
    this.name = 'BackupFileError';
  }
}

export function normalizePassphrase(passphrase: string): Buffer {
  return Buffer.from(passphrase.normalize('NFKC'), 'utf8');
}

/** K from a passphrase (async: scrypt runs on libuv's thread pool, not the event loop). */
export function deriveBackupKey(passphrase: string, kdf: ScryptParams): Promise<Buffer> {
  const { N, r, p } = kdf;
  return new Promise((resolve, reject) => {
    scrypt(normalizePassphrase(passphrase), Buffer.from(kdf.salt, 'base64'), 32, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export function newScryptParams(cost: { N: number; r: number; p: number } = DEFAULT_SCRYPT): ScryptParams {
  return { name: 'scrypt', ...cost, salt: randomBytes(16).toString('base64') };
}

export function keyIdOf(key: Buffer): string {
  return createHmac('sha256', key).update(KEY_ID_LABEL).digest().subarray(0, 8).toString('hex');
}

export function fileKeyOf(key: Buffer, fileSalt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', key, fileSalt, HKDF_INFO, 32));
}

export function encodeHeader(header: BackupHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, length, json]);
}

/** The additional data every segment is bound to: the hash of the header as written. */
export function headerDigest(encodedHeader: Buffer): Buffer {
  return createHash('sha256').update(encodedHeader).digest();
}

export function segmentNonce(prefix: Buffer, index: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  prefix.copy(nonce, 0, 0, 7);
  nonce.writeUInt32BE(index, 7);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/** Parses the start of a file; `bytes` must hold at least the whole header. */
export function decodeHeader(bytes: Buffer): { header: BackupHeader; length: number; encoded: Buffer } {
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new BackupFileError('not_a_backup', 'This file is not a LexDesk backup.');
  }
  const jsonLength = bytes.readUInt32BE(MAGIC.length);
  if (jsonLength > MAX_HEADER_BYTES) throw new BackupFileError('damaged', 'The backup file is damaged (its header is not valid).');
  const end = MAGIC.length + 4 + jsonLength;
  if (bytes.length < end) throw new BackupFileError('incomplete', 'The backup file is incomplete: it ends inside its header.');
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.subarray(MAGIC.length + 4, end).toString('utf8'));
  } catch {
    throw new BackupFileError('damaged', 'The backup file is damaged (its header is not valid).');
  }
  const version = (raw as { version?: unknown })?.version;
  if (typeof version === 'number' && version > 1) {
    throw new BackupFileError('unsupported', `This backup was written by a newer LexDesk (format ${version}). Install the newer LexDesk to read it.`);
  }
  const parsed = BackupHeader.safeParse(raw);
  if (!parsed.success) throw new BackupFileError('damaged', 'The backup file is damaged (its header is not valid).');
  return { header: parsed.data, length: end, encoded: bytes.subarray(0, end) };
}

/**
 * Cuts a byte stream into segments and encrypts each; `push` receives the
 * ciphertext+tag of every segment in order. The final segment is only known at
 * `end()`, so one full segment is always held back.
 */
export class SegmentSealer {
  private index = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private held: Buffer | null = null;

  constructor(
    private readonly fileKey: Buffer,
    private readonly noncePrefix: Buffer,
    private readonly aad: Buffer,
    private readonly push: (sealed: Buffer) => void,
  ) {}

  write(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(SEGMENT_BYTES - this.pendingBytes, chunk.length - offset);
      this.pending.push(chunk.subarray(offset, offset + take));
      this.pendingBytes += take;
      offset += take;
      if (this.pendingBytes === SEGMENT_BYTES) {
        if (this.held) this.seal(this.held, false);
        this.held = Buffer.concat(this.pending, SEGMENT_BYTES);
        this.pending = [];
        this.pendingBytes = 0;
      }
    }
  }

  end(): void {
    if (this.pendingBytes > 0) {
      if (this.held) this.seal(this.held, false);
      this.seal(Buffer.concat(this.pending, this.pendingBytes), true);
    } else {
      this.seal(this.held ?? Buffer.alloc(0), true);
    }
    this.held = null;
    this.pending = [];
    this.pendingBytes = 0;
  }

  private seal(plain: Buffer, last: boolean): void {
    const cipher = createCipheriv('aes-256-gcm', this.fileKey, segmentNonce(this.noncePrefix, this.index++, last));
    cipher.setAAD(this.aad);
    const body = cipher.update(plain);
    cipher.final();
    this.push(Buffer.concat([body, cipher.getAuthTag()]));
  }
}

/** Decrypts one segment; throws BackupFileError('damaged') when it does not authenticate. */
export function openSegment(fileKey: Buffer, noncePrefix: Buffer, aad: Buffer, index: number, last: boolean, sealed: Buffer): Buffer {
  if (sealed.length < TAG_BYTES) throw new BackupFileError('incomplete', 'The backup file is incomplete (it was cut short).');
  const decipher = createDecipheriv('aes-256-gcm', fileKey, segmentNonce(noncePrefix, index, last));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const plain = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  try {
    decipher.final();
  } catch {
    throw new BackupFileError(
      'damaged',
      'The backup file is damaged or was altered: its content does not match its authentication tag, so it was not used.',
    );
  }
  return plain;
}
