import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { syncDir } from '../fs.js';
import { BackupFileError, ScryptParams } from './format.js';
import { changedChunks, pinDatabase, type PinnedDatabase, type WalPosition } from './live.js';
import { countRows } from './sql-dump.js';

/**
 * Snapshots: the format is described in format.ts ("The snapshot repository").
 * These functions do the heavy work and run in the backup worker thread
 * (worker.ts); they take the backup key and paths, and hold no services.
 */

export const REPO_DIR = 'repo';
export const CHUNKS_DIR = 'chunks';
export const SNAPSHOTS_DIR = 'snapshots';
export const SNAPSHOT_SUFFIX = '.snapshot';
export const CHUNK_BYTES = 64 * 1024;
export const CHUNK_MAGIC = Buffer.from('LXC1', 'ascii');
export const DELTA_MAGIC = Buffer.from('LXD1', 'ascii');
/** a changed chunk is written as the blocks of this size that differ from its base */
export const DELTA_BLOCK = 1024;
/** entries per block of a manifest's chunk list */
export const TREE_FANOUT = 64;
const NAME_BYTES = 16;
const ENTRY_BYTES = 2 * NAME_BYTES;
const NO_BASE = Buffer.alloc(NAME_BYTES);
const TMP_PREFIX = '.tmp-';
export const SNAPSHOT_KINDS = ['frequent', 'scheduled', 'manual', 'pre-restore', 'pre-migration', 'pre-import'] as const;
export type SnapshotKind = (typeof SNAPSHOT_KINDS)[number];

export interface SnapshotKeys {
  keyId: string;
  chunk: Buffer;
  name: Buffer;
  manifest: Buffer;
  mac: Buffer;
}

function derive(key: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 32));
}

export function snapshotKeys(key: Buffer, keyId: string): SnapshotKeys {
  return {
    keyId,
    chunk: derive(key, 'lexdesk-snapshot/1 chunk aes-256-gcm'),
    name: derive(key, 'lexdesk-snapshot/1 chunk name'),
    manifest: derive(key, 'lexdesk-snapshot/1 manifest aes-256-gcm'),
    mac: derive(key, 'lexdesk-snapshot/1 manifest hmac'),
  };
}

export function chunkName(keys: SnapshotKeys, plain: Buffer): string {
  return createHmac('sha256', keys.name).update(plain).digest().subarray(0, NAME_BYTES).toString('hex');
}

export function chunkPath(repoDir: string, name: string): string {
  return join(repoDir, CHUNKS_DIR, name.slice(0, 2), name);
}

export function snapshotPath(repoDir: string, id: string): string {
  return join(repoDir, SNAPSHOTS_DIR, `${id}${SNAPSHOT_SUFFIX}`);
}

/**
 * magic ‖ compression (0 stored, 1 deflate) ‖ `extra` ‖ nonce (12) ‖ ciphertext ‖ tag (16);
 * everything before the nonce and the name are the additional data.
 */
function seal(keys: SnapshotKeys, magic: Buffer, extra: Buffer, name: string, payload: Buffer, level: number): Buffer {
  const packed = deflateRawSync(payload, { level });
  const compressed = packed.length < payload.length;
  const clear = Buffer.concat([magic, Buffer.from([compressed ? 1 : 0]), extra]);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keys.chunk, nonce);
  cipher.setAAD(Buffer.concat([clear, Buffer.from(name, 'ascii')]));
  const body = cipher.update(compressed ? packed : payload);
  cipher.final();
  return Buffer.concat([clear, nonce, body, cipher.getAuthTag()]);
}

/** "LXC1" ‖ compression ‖ nonce (12) ‖ ciphertext ‖ tag (16); the name is the additional data. */
export function sealChunk(keys: SnapshotKeys, name: string, plain: Buffer, level = 1): Buffer {
  return seal(keys, CHUNK_MAGIC, Buffer.alloc(0), name, plain, level);
}

/**
 * A delta chunk: the blocks of a 64 KiB piece that differ from another piece (its
 * base, always a whole chunk). "LXD1" ‖ compression ‖ base name (16 bytes) ‖ nonce
 * (12) ‖ ciphertext ‖ tag (16); additional data "LXD1" ‖ compression ‖ base ‖ name.
 * The plain payload: block count (2 bytes) ‖ the blocks' numbers (2 bytes each) ‖ the
 * blocks (DELTA_BLOCK bytes each, the piece's last one possibly shorter). The piece
 * is its base with these blocks put in; it hashes to the delta's name.
 */
export function sealDelta(keys: SnapshotKeys, name: string, base: string, payload: Buffer, level = 1): Buffer {
  return seal(keys, DELTA_MAGIC, Buffer.from(base, 'hex'), name, payload, level);
}

export type OpenedObject = { kind: 'chunk'; plain: Buffer } | { kind: 'delta'; base: string; payload: Buffer };

const damagedChunk = (name: string) =>
  new BackupFileError('damaged', `Chunk ${name} of the snapshot repository is damaged or was altered (repo/chunks/${name.slice(0, 2)}/${name}).`);

/**
 * Decrypts an object of repo/chunks: a whole chunk is checked against its name; a
 * delta is authenticated (its name is checked once it is applied to its base).
 */
export function openSealed(keys: SnapshotKeys, name: string, sealed: Buffer): OpenedObject {
  const delta = sealed.subarray(0, 4).equals(DELTA_MAGIC);
  const start = delta ? 33 : 17;
  if (sealed.length < start + 16 || (!delta && !sealed.subarray(0, 4).equals(CHUNK_MAGIC)) || sealed[4]! > 1) throw damagedChunk(name);
  const decipher = createDecipheriv('aes-256-gcm', keys.chunk, sealed.subarray(start - 12, start));
  decipher.setAAD(Buffer.concat([sealed.subarray(0, start - 12), Buffer.from(name, 'ascii')]));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  let plain: Buffer;
  try {
    const body = decipher.update(sealed.subarray(start, sealed.length - 16));
    decipher.final();
    plain = sealed[4] === 1 ? inflateRawSync(body, { maxOutputLength: CHUNK_BYTES + 4 * CHUNK_BYTES / DELTA_BLOCK }) : body;
  } catch {
    throw damagedChunk(name);
  }
  if (delta) return { kind: 'delta', base: sealed.subarray(5, 21).toString('hex'), payload: plain };
  if (plain.length > CHUNK_BYTES || chunkName(keys, plain) !== name) throw damagedChunk(name);
  return { kind: 'chunk', plain };
}

/** The blocks of `plain` that differ from `base` (same length), as a delta payload; null when more than half differ. */
export function deltaPayload(base: Buffer, plain: Buffer): Buffer | null {
  if (base.length !== plain.length) return null;
  const blocks: number[] = [];
  for (let off = 0, i = 0; off < plain.length; off += DELTA_BLOCK, i++) {
    const end = Math.min(off + DELTA_BLOCK, plain.length);
    if (base.compare(plain, off, end, off, end) !== 0) blocks.push(i);
  }
  if (blocks.length * 2 > Math.ceil(plain.length / DELTA_BLOCK)) return null;
  const head = Buffer.alloc(2 + 2 * blocks.length);
  head.writeUInt16BE(blocks.length, 0);
  blocks.forEach((b, k) => head.writeUInt16BE(b, 2 + 2 * k));
  return Buffer.concat([head, ...blocks.map((b) => plain.subarray(b * DELTA_BLOCK, Math.min((b + 1) * DELTA_BLOCK, plain.length)))]);
}

/** Puts a delta's blocks into (a copy of) its base. */
export function applyDelta(name: string, base: Buffer, payload: Buffer): Buffer {
  const out = Buffer.from(base);
  if (payload.length < 2) throw damagedChunk(name);
  const n = payload.readUInt16BE(0);
  let at = 2 + 2 * n;
  if (payload.length < at) throw damagedChunk(name);
  for (let k = 0; k < n; k++) {
    const b = payload.readUInt16BE(2 + 2 * k);
    const len = Math.min(DELTA_BLOCK, out.length - b * DELTA_BLOCK);
    if (len <= 0 || at + len > payload.length) throw damagedChunk(name);
    payload.copy(out, b * DELTA_BLOCK, at, at + len);
    at += len;
  }
  if (at !== payload.length) throw damagedChunk(name);
  return out;
}

/**
 * Opens a chunk and checks it is the chunk its name says; a damaged one is named in
 * the error. A delta needs its base: `loadBase` gives the base's sealed bytes.
 */
export function openChunk(keys: SnapshotKeys, name: string, sealed: Buffer, loadBase?: (base: string) => Buffer): Buffer {
  const opened = openSealed(keys, name, sealed);
  if (opened.kind === 'chunk') return opened.plain;
  if (!loadBase) throw damagedChunk(name);
  const base = openSealed(keys, opened.base, loadBase(opened.base));
  if (base.kind !== 'chunk') throw damagedChunk(name);
  const plain = applyDelta(name, base.plain, opened.payload);
  if (chunkName(keys, plain) !== name) throw damagedChunk(name);
  return plain;
}

/** The sealed bytes of a repository object; a missing one is named (`what`: whose it is). */
function readObject(repoDir: string, name: string, what: string): Buffer {
  try {
    return readFileSync(chunkPath(repoDir, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new BackupFileError('incomplete', `Chunk ${name} of ${what} is missing from the repository (repo/chunks/${name.slice(0, 2)}/${name}).`);
    }
    throw err;
  }
}

/** Reads and opens a chunk of the repository, whole or a delta over its base. */
export function loadChunk(repoDir: string, keys: SnapshotKeys, name: string, what: string): Buffer {
  return openChunk(keys, name, readObject(repoDir, name, what), (base) => readObject(repoDir, base, what));
}

/** Writes a file under a temporary name beside its place, flushes it, then renames it into place. */
function writeImmutable(target: string, dir: string, bytes: Buffer): void {
  const tmp = join(dir, `${TMP_PREFIX}${randomBytes(8).toString('hex')}`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, target);
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

// ---- manifests ------------------------------------------------------------------------------

/** The clear part of a snapshot manifest: what a listing shows without the key. */
export const SnapshotHead = z.object({
  format: z.literal('lexdesk-snapshot'),
  /** 1: the body lists the chunk names itself; 2: the body names the blocks of its chunk list (`tree`) */
  version: z.union([z.literal(1), z.literal(2)]),
  id: z.string().regex(/^[A-Za-z0-9-]{8,80}$/),
  createdAt: z.string(),
  kind: z.enum(SNAPSHOT_KINDS),
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  kdf: ScryptParams,
  nonce: z.string(),
});
export type SnapshotHead = z.infer<typeof SnapshotHead>;

const SnapshotFile = SnapshotHead.extend({ body: z.string(), mac: z.string().regex(/^[0-9a-f]{64}$/) });

export const SnapshotBody = z.object({
  id: z.string(),
  createdAt: z.string(),
  kind: z.enum(SNAPSHOT_KINDS),
  appVersion: z.string(),
  schemaVersion: z.number().int().min(0),
  tables: z.record(z.string(), z.number().int().min(0)),
  databaseBytes: z.number().int().min(0),
  /** of the whole database; null for a snapshot read in place from its changed chunks (each chunk's name is its keyed hash) */
  databaseSha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  chunkBytes: z.literal(CHUNK_BYTES),
  /** version 1: the names of the database's chunks in order, 16 bytes each, concatenated, base64 */
  chunks: z.string().optional(),
  /** version 2: the chunk list, in blocks of TREE_FANOUT entries (each a chunk of the repository); `blocks`: their names, as `chunks` above */
  tree: z.object({ fanout: z.literal(TREE_FANOUT), count: z.number().int().min(0), blocks: z.string() }).optional(),
  auditHead: z.object({ id: z.number().int(), hash: z.string(), at: z.string() }).nullable(),
  documents: z.object({
    count: z.number().int().min(0),
    bytes: z.number().int().min(0),
    keys: z.array(z.object({ keyId: z.string(), key: z.string() })),
    entries: z.array(z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().min(0), keyId: z.string() })),
  }),
  /** how many chunks and bytes this snapshot added to the repository */
  added: z.object({ chunks: z.number().int().min(0), bytes: z.number().int().min(0) }),
  /** where in the live database's WAL it was read: the next snapshot reads only the pages changed since */
  live: z
    .object({
      ino: z.number(),
      seq: z.number().int(),
      salt1: z.number().int(),
      salt2: z.number().int(),
      frames: z.number().int().min(0),
      pageSize: z.number().int().min(512).max(65536),
      pages: z.number().int().min(0),
    })
    .optional(),
});
export type SnapshotBody = z.infer<typeof SnapshotBody>;

function headBytes(head: SnapshotHead): Buffer {
  const { format, version, id, createdAt, kind, keyId, kdf, nonce } = head;
  return Buffer.from(JSON.stringify({ format, version, id, createdAt, kind, keyId, kdf, nonce }), 'utf8');
}

export function encodeSnapshot(keys: SnapshotKeys, head: Omit<SnapshotHead, 'nonce' | 'format' | 'version' | 'keyId'>, body: SnapshotBody): string {
  const full: SnapshotHead = { format: 'lexdesk-snapshot', version: body.tree ? 2 : 1, ...head, keyId: keys.keyId, nonce: randomBytes(12).toString('base64') };
  const aad = headBytes(full);
  const cipher = createCipheriv('aes-256-gcm', keys.manifest, Buffer.from(full.nonce, 'base64'));
  cipher.setAAD(aad);
  const sealed = Buffer.concat([cipher.update(deflateRawSync(Buffer.from(JSON.stringify(body), 'utf8'))), cipher.final(), cipher.getAuthTag()]);
  const mac = createHmac('sha256', keys.mac).update(aad).update(sealed).digest('hex');
  return `${JSON.stringify({ ...full, body: sealed.toString('base64'), mac })}\n`;
}

/** The clear head of a manifest file; throws BackupFileError when it is not one. */
export function parseSnapshotHead(text: string): SnapshotHead & { body: string; mac: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new BackupFileError('damaged', 'This snapshot manifest is damaged (not valid JSON).');
  }
  const version = (raw as { version?: unknown })?.version;
  if (typeof version === 'number' && version > 2) {
    throw new BackupFileError('unsupported', `This snapshot was written by a newer LexDesk (format ${version}).`);
  }
  const parsed = SnapshotFile.safeParse(raw);
  if (!parsed.success) throw new BackupFileError('damaged', 'This snapshot manifest is damaged (its fields are not valid).');
  return parsed.data;
}

/** Checks the signature and decrypts the body of a manifest. */
export function decodeSnapshot(keys: SnapshotKeys, text: string): { head: SnapshotHead; body: SnapshotBody } {
  const file = parseSnapshotHead(text);
  if (file.keyId !== keys.keyId) throw new BackupFileError('wrong_passphrase', `Snapshot ${file.id} was made with another backup key.`);
  const aad = headBytes(file);
  const sealed = Buffer.from(file.body, 'base64');
  const mac = createHmac('sha256', keys.mac).update(aad).update(sealed).digest();
  if (!timingSafeEqual(mac, Buffer.from(file.mac, 'hex'))) {
    throw new BackupFileError('damaged', `The manifest of snapshot ${file.id} was altered or is damaged (its signature does not match).`);
  }
  let body: unknown;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.manifest, Buffer.from(file.nonce, 'base64'));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
    body = JSON.parse(inflateRawSync(plain).toString('utf8'));
  } catch {
    throw new BackupFileError('damaged', `The manifest of snapshot ${file.id} is damaged.`);
  }
  const parsed = SnapshotBody.safeParse(body);
  if (
    !parsed.success ||
    parsed.data.id !== file.id ||
    parsed.data.createdAt !== file.createdAt ||
    parsed.data.kind !== file.kind ||
    (file.version === 1 ? parsed.data.chunks === undefined : parsed.data.tree === undefined)
  ) {
    throw new BackupFileError('damaged', `The manifest of snapshot ${file.id} is not valid.`);
  }
  const { body: _b, mac: _m, ...head } = file;
  return { head, body: parsed.data };
}

export function unpackNames(packed: string): string[] {
  const raw = Buffer.from(packed, 'base64');
  const names: string[] = [];
  for (let i = 0; i + NAME_BYTES <= raw.length; i += NAME_BYTES) names.push(raw.subarray(i, i + NAME_BYTES).toString('hex'));
  return names;
}

/** One piece of a snapshot's database: its chunk, and the base chunk when it is stored as a delta. */
export interface ChunkEntry {
  name: string;
  base: string | null;
}

export type SnapshotTree = NonNullable<SnapshotBody['tree']>;

/** The objects a manifest names directly: the blocks of its chunk list (version 2), else its chunks. */
export function treeBlocks(body: SnapshotBody): string[] {
  return body.tree ? unpackNames(body.tree.blocks) : [];
}

/**
 * The pieces of a snapshot's database in order. Version 2 reads the blocks of its
 * chunk list (each a chunk of the repository, checked like any); `cache` keeps the
 * blocks read, by name, for a caller reading many manifests.
 */
export function snapshotEntries(repoDir: string, keys: SnapshotKeys, body: SnapshotBody, cache?: Map<string, ChunkEntry[]>): ChunkEntry[] {
  if (!body.tree) return unpackNames(body.chunks ?? '').map((name) => ({ name, base: null }));
  const entries: ChunkEntry[] = [];
  const blocks = treeBlocks(body);
  for (const block of blocks) {
    let list = cache?.get(block);
    if (!list) {
      const raw = loadChunk(repoDir, keys, block, `snapshot ${body.id}`);
      if (raw.length % ENTRY_BYTES !== 0 || raw.length > TREE_FANOUT * ENTRY_BYTES) throw damagedChunk(block);
      list = [];
      for (let at = 0; at < raw.length; at += ENTRY_BYTES) {
        const base = raw.subarray(at + NAME_BYTES, at + ENTRY_BYTES);
        list.push({ name: raw.subarray(at, at + NAME_BYTES).toString('hex'), base: base.equals(NO_BASE) ? null : base.toString('hex') });
      }
      cache?.set(block, list);
    }
    entries.push(...list);
  }
  if (entries.length !== body.tree.count || blocks.length !== Math.ceil(body.tree.count / TREE_FANOUT)) {
    throw new BackupFileError('damaged', `The chunk list of snapshot ${body.id} does not match its manifest.`);
  }
  return entries;
}

/** The chunk list's block for entries [from, from + TREE_FANOUT). */
function treeBlock(entries: ChunkEntry[], from: number): Buffer {
  const part = entries.slice(from, from + TREE_FANOUT);
  const out = Buffer.alloc(part.length * ENTRY_BYTES);
  part.forEach((e, k) => {
    out.write(e.name, k * ENTRY_BYTES, 'hex');
    if (e.base) out.write(e.base, k * ENTRY_BYTES + NAME_BYTES, 'hex');
  });
  return out;
}

/** Every snapshot manifest of the repository, oldest first (clear heads; unreadable files are listed with their problem). */
export async function listSnapshots(repoDir: string): Promise<({ head: SnapshotHead; problem: null } | { id: string; problem: string })[]> {
  let names: string[];
  try {
    names = await readdir(join(repoDir, SNAPSHOTS_DIR));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: ({ head: SnapshotHead; problem: null } | { id: string; problem: string })[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith(SNAPSHOT_SUFFIX) || name.startsWith('.')) continue;
    const id = name.slice(0, -SNAPSHOT_SUFFIX.length);
    try {
      const head = parseSnapshotHead(await readFile(join(repoDir, SNAPSHOTS_DIR, name), 'utf8'));
      if (head.id !== id) throw new BackupFileError('mismatch', `The file ${name} holds snapshot ${head.id}.`);
      const { body: _b, mac: _m, ...clear } = head;
      out.push({ head: clear, problem: null });
    } catch (err) {
      out.push({ id, problem: (err as Error).message });
    }
  }
  return out.sort((a, b) => {
    const at = (x: (typeof out)[number]) => ('head' in x ? x.head.createdAt : '');
    return at(a).localeCompare(at(b));
  });
}

export async function readSnapshot(repoDir: string, keys: SnapshotKeys, id: string): Promise<{ head: SnapshotHead; body: SnapshotBody }> {
  let text: string;
  try {
    text = await readFile(snapshotPath(repoDir, id), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BackupFileError('incomplete', `Snapshot ${id} is not in the repository.`);
    throw err;
  }
  return decodeSnapshot(keys, text);
}

// ---- the repository lock --------------------------------------------------------------------

/**
 * One writer or pruner at a time (LexDesk and the command line may both run):
 * `<backup folder>/.repo.lock` holds the owner's pid; a lock whose process is
 * gone (a crash, kill -9) is taken over.
 */
export async function withRepoLock<T>(backupDir: string, work: () => Promise<T>): Promise<T> {
  const release = await takeRepoLock(backupDir);
  try {
    return await work();
  } finally {
    await release();
  }
}

function lockHolderAlive(text: string): boolean {
  const pid = Number.parseInt(text, 10);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the lock of a process that is gone (a crash); true when there was one. */
export async function removeStaleRepoLock(backupDir: string): Promise<boolean> {
  const lock = join(backupDir, '.repo.lock');
  const text = await readFile(lock, 'utf8').catch(() => null);
  if (text === null || lockHolderAlive(text)) return false;
  await rm(lock, { force: true });
  return true;
}

/** Takes the repository lock (see withRepoLock); returns its release. */
export async function takeRepoLock(backupDir: string): Promise<() => Promise<void>> {
  const lock = join(backupDir, '.repo.lock');
  await mkdir(backupDir, { recursive: true });
  const token = `${process.pid} ${randomBytes(4).toString('hex')}`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeSync(fd, token);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw err;
      const text = await readFile(lock, 'utf8').catch(() => '');
      if (lockHolderAlive(text)) throw new BackupFileError('incomplete', 'Another LexDesk process is writing to or cleaning the snapshot repository. Try again in a minute.');
      await rm(lock, { force: true });
    }
  }
  return async () => {
    const text = await readFile(lock, 'utf8').catch(() => '');
    if (text === token) await rm(lock, { force: true });
  };
}

// ---- writing ---------------------------------------------------------------------------------

/**
 * Writes the pieces of one snapshot into the repository: a piece the repository
 * holds is named, not written; a changed piece is written as a delta over the
 * whole chunk its place had before (its base) when at most half of its blocks
 * differ, else whole. Deltas are one step deep: the base is always a whole chunk.
 */
class ChunkWriter {
  /** objects written now, to be read back */
  readonly fresh: string[] = [];
  /** those of them that are blocks of the chunk list */
  private readonly freshBlocks = new Set<string>();
  writtenBytes = 0;
  private readonly dirs = new Set<string>();
  private readonly bases = new Map<string, Buffer | null>();
  /** the names in repo/chunks, listed once (a listing of 256 folders costs less than a stat per piece) */
  private present: Set<string> | null = null;

  constructor(
    private readonly repoDir: string,
    private readonly keys: SnapshotKeys,
    private readonly level: number | undefined,
    private readonly previous: ChunkEntry[],
  ) {}

  /** The previous snapshot's piece at `c` when its files are all there. */
  kept(c: number): ChunkEntry | null {
    const e = this.previous[c];
    if (!e || !this.has(e.name) || (e.base !== null && !this.has(e.base))) return null;
    return e;
  }

  private has(name: string): boolean {
    if (!this.present) {
      this.present = new Set();
      const root = join(this.repoDir, CHUNKS_DIR);
      let prefixes: string[] = [];
      try {
        prefixes = readdirSync(root);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      for (const prefix of prefixes) {
        if (prefix.startsWith('.')) continue;
        for (const n of readdirSync(join(root, prefix))) if (!n.startsWith(TMP_PREFIX)) this.present.add(n);
      }
    }
    return this.present.has(name);
  }

  put(c: number, plain: Buffer): ChunkEntry {
    const name = chunkName(this.keys, plain);
    const before = this.previous[c];
    if (before?.name === name) {
      const kept = this.kept(c);
      if (kept) return kept;
    }
    const held = this.held(name);
    if (held) return held;
    const baseName = before ? (before.base ?? before.name) : null;
    const base = baseName ? this.base(baseName) : null;
    const payload = base ? deltaPayload(base, plain) : null;
    if (baseName && baseName !== name && payload) {
      this.write(name, sealDelta(this.keys, name, baseName, payload, this.level));
      return { name, base: baseName };
    }
    this.write(name, sealChunk(this.keys, name, plain, this.level));
    return { name, base: null };
  }

  /** Writes the chunk list in blocks (each a chunk, stored once like any). */
  tree(entries: ChunkEntry[]): SnapshotTree {
    const names: string[] = [];
    for (let from = 0; from < entries.length; from += TREE_FANOUT) {
      const block = treeBlock(entries, from);
      const name = chunkName(this.keys, block);
      if (!exists(chunkPath(this.repoDir, name))) {
        this.write(name, sealChunk(this.keys, name, block, this.level));
        this.freshBlocks.add(name);
      }
      names.push(name);
    }
    return { fanout: TREE_FANOUT, count: entries.length, blocks: packNames(names) };
  }

  /**
   * Flushes the folders, then reads back and opens every object written — or, with
   * 'blocks', only the blocks of the chunk list (for a caller that reassembles every piece anyway).
   */
  check(progress?: (fraction: number) => void, what: 'all' | 'blocks' = 'all'): void {
    syncDirs(this.dirs);
    const read = what === 'all' ? this.fresh : this.fresh.filter((n) => this.freshBlocks.has(n));
    for (let i = 0; i < read.length; i++) {
      loadChunk(this.repoDir, this.keys, read[i]!, 'the new snapshot');
      if (i % 64 === 0) progress?.(i / read.length);
    }
  }

  /** An object the repository holds already under this name, with its base (a delta whose base is gone does not count). */
  private held(name: string): ChunkEntry | null {
    const file = chunkPath(this.repoDir, name);
    let head: Buffer;
    try {
      const fd = openSync(file, 'r');
      try {
        head = Buffer.alloc(21);
        readSync(fd, head, 0, 21, 0);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    if (!head.subarray(0, 4).equals(DELTA_MAGIC)) return { name, base: null };
    const base = head.subarray(5, 21).toString('hex');
    return exists(chunkPath(this.repoDir, base)) ? { name, base } : null;
  }

  /** A whole chunk to write deltas over, opened (null when it is missing or is not whole). */
  private base(name: string): Buffer | null {
    if (!this.bases.has(name)) {
      let plain: Buffer | null = null;
      try {
        const opened = openSealed(this.keys, name, readFileSync(chunkPath(this.repoDir, name)));
        plain = opened.kind === 'chunk' ? opened.plain : null;
      } catch {
        plain = null;
      }
      this.bases.set(name, plain);
    }
    return this.bases.get(name)!;
  }

  private write(name: string, sealed: Buffer): void {
    const dir = join(this.repoDir, CHUNKS_DIR, name.slice(0, 2));
    if (!this.dirs.has(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.dirs.add(dir);
    writeImmutable(chunkPath(this.repoDir, name), dir, sealed);
    this.present?.add(name);
    this.fresh.push(name);
    this.writtenBytes += sealed.length;
  }
}

export function packNames(names: string[]): string {
  return Buffer.concat(names.map((n) => Buffer.from(n, 'hex'))).toString('base64');
}

/** Whether every object in `names` is in the repository: stat calls 256 at a time, off the event loop. */
async function missingObject(repoDir: string, names: string[]): Promise<string | null> {
  for (let i = 0; i < names.length; i += 256) {
    const found = await Promise.all(
      names.slice(i, i + 256).map((name) =>
        stat(chunkPath(repoDir, name)).then(
          () => null,
          (err: NodeJS.ErrnoException) => {
            if (err.code === 'ENOENT') return name;
            throw err;
          },
        ),
      ),
    );
    const missing = found.find((n) => n !== null);
    if (missing) return missing;
  }
  return null;
}

/** Writes a manifest (after all the objects it names are in the repository); returns its size. */
export async function writeSnapshotManifest(repoDir: string, keys: SnapshotKeys, kdf: ScryptParams, body: SnapshotBody): Promise<number> {
  const dir = join(repoDir, SNAPSHOTS_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const missing = await missingObject(repoDir, body.tree ? treeBlocks(body) : unpackNames(body.chunks ?? ''));
  if (missing) throw new BackupFileError('incomplete', `Chunk ${missing} is missing: the snapshot was not written.`);
  const text = Buffer.from(encodeSnapshot(keys, { id: body.id, createdAt: body.createdAt, kind: body.kind, kdf }, body), 'utf8');
  const target = snapshotPath(repoDir, body.id);
  if (exists(target)) throw new BackupFileError('mismatch', `Snapshot ${body.id} exists already.`);
  writeImmutable(target, dir, text);
  await syncDir(dir);
  return text.length;
}

// ---- reading and verifying ------------------------------------------------------------------

/**
 * Reassembles a snapshot's database into `out` (which must not exist): every chunk
 * decrypted and checked against its name, the whole against the recorded SHA-256.
 */
export async function assembleSnapshot(
  repoDir: string,
  keys: SnapshotKeys,
  id: string,
  out: string,
  progress?: (fraction: number) => void,
): Promise<{ head: SnapshotHead; body: SnapshotBody }> {
  const snapshot = await readSnapshot(repoDir, keys, id);
  await assembleChunks(repoDir, keys, `snapshot ${id}`, snapshotEntries(repoDir, keys, snapshot.body), out, { bytes: snapshot.body.databaseBytes, sha256: snapshot.body.databaseSha256 }, progress);
  return snapshot;
}

async function readObjectAsync(repoDir: string, name: string, what: string): Promise<Buffer> {
  try {
    return await readFile(chunkPath(repoDir, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new BackupFileError('incomplete', `Chunk ${name} of ${what} is missing from the repository (repo/chunks/${name.slice(0, 2)}/${name}).`);
    }
    throw err;
  }
}

/** Writes the chunks of `entries` in order into `out` (which must not exist), each checked, the whole against `expect`. */
async function assembleChunks(
  repoDir: string,
  keys: SnapshotKeys,
  what: string,
  entries: ChunkEntry[],
  out: string,
  /** a null sha256: each chunk is checked against its name only */
  expect: { bytes: number; sha256: string | null },
  progress?: (fraction: number) => void,
): Promise<void> {
  const fd = openSync(out, 'wx', 0o600);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for (let i = 0; i < entries.length; i++) {
      const { name } = entries[i]!;
      const sealed = await readObjectAsync(repoDir, name, what);
      const base = sealed.subarray(0, 4).equals(DELTA_MAGIC) ? await readObjectAsync(repoDir, sealed.subarray(5, 21).toString('hex'), what) : null;
      const plain = openChunk(keys, name, sealed, () => base!);
      hash.update(plain);
      let off = 0;
      while (off < plain.length) off += writeSync(fd, plain, off, plain.length - off, bytes + off);
      bytes += plain.length;
      if (i % 256 === 0) progress?.(i / Math.max(1, entries.length));
    }
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    await rm(out, { force: true });
    throw err;
  }
  closeSync(fd);
  if (bytes !== expect.bytes || (expect.sha256 !== null && hash.digest('hex') !== expect.sha256)) {
    await rm(out, { force: true });
    throw new BackupFileError('checksum_mismatch', `The database reassembled from ${what} does not match its recorded checksum.`);
  }
}

/** Opens a reassembled database: integrity_check, then schema version and row counts against what was recorded. */
function checkDatabase(file: string, what: string, nativeBinding: string | undefined, expect: { schemaVersion: number; tables: Record<string, number> }): void {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, nativeBinding });
  } catch (err) {
    throw new BackupFileError('integrity', `The database of ${what} cannot be opened: ${(err as Error).message}`);
  }
  let described: { schemaVersion: number; tables: Record<string, number> };
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    if (rows.length !== 1 || rows[0]!.integrity_check !== 'ok') {
      throw new BackupFileError('integrity', `The database of ${what} fails SQLite's integrity check: ${rows.slice(0, 3).map((r) => r.integrity_check).join('; ')}`);
    }
    described = { schemaVersion: db.pragma('user_version', { simple: true }) as number, tables: countRows(db) };
  } catch (err) {
    if (err instanceof BackupFileError) throw err;
    throw new BackupFileError('integrity', `The database of ${what} cannot be read: ${(err as Error).message}`);
  } finally {
    db.close();
  }
  if (described.schemaVersion !== expect.schemaVersion) {
    throw new BackupFileError('mismatch', `The database of ${what} has schema ${described.schemaVersion}; ${expect.schemaVersion} was recorded.`);
  }
  const difference = sameCounts(expect.tables, described.tables);
  if (difference) throw new BackupFileError('mismatch', `The row counts of ${what} do not match its manifest (${difference}).`);
}

function sameCounts(a: Record<string, number>, b: Record<string, number>): string | null {
  for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (a[name] !== b[name]) return `table ${name}: ${a[name] ?? 'missing'} rows recorded, ${b[name] ?? 'missing'} found`;
  }
  return null;
}

export interface SnapshotVerified {
  id: string;
  createdAt: string;
  kind: SnapshotKind;
  schemaVersion: number;
  databaseBytes: number;
  documents: SnapshotBody['documents'];
}

/**
 * Reassembles a snapshot, opens it, runs integrity_check and compares the schema
 * version and row counts with the manifest; with `keepAs` the database stays there.
 */
export async function verifySnapshot(
  job: { repoDir: string; key: Buffer; keyId: string; id: string; workDir: string; nativeBinding?: string; keepAs?: string },
  progress?: (step: 'verifying' | 'checking', fraction: number) => void,
): Promise<SnapshotVerified> {
  const keys = snapshotKeys(job.key, job.keyId);
  const target = job.keepAs ?? join(job.workDir, `verify-snapshot-${process.pid}-${Date.now()}-${randomBytes(3).toString('hex')}.sqlite`);
  await rm(target, { force: true });
  let ok = false;
  try {
    const { body } = await assembleSnapshot(job.repoDir, keys, job.id, target, (f) => progress?.('verifying', f));
    progress?.('checking', 0);
    checkDatabase(target, `snapshot ${job.id}`, job.nativeBinding, body);
    progress?.('checking', 1);
    ok = true;
    return { id: body.id, createdAt: body.createdAt, kind: body.kind, schemaVersion: body.schemaVersion, databaseBytes: body.databaseBytes, documents: body.documents };
  } finally {
    if (!ok || !job.keepAs) await rm(target, { force: true });
    await rm(`${target}-journal`, { force: true });
  }
}

// ---- pruning ---------------------------------------------------------------------------------

/**
 * Removes the manifests `remove` names, then the chunks no remaining manifest
 * names, and temporary files left by an interrupted write. Manifests go first and
 * are flushed away before any chunk is deleted: a crash at any instant leaves every
 * remaining snapshot whole. A manifest that cannot be read keeps every chunk.
 */
export async function pruneRepository(
  job: { repoDir: string; key: Buffer; keyId: string; remove: string[]; pauseAt?: 'manifests-removed' },
  progress?: (step: 'pruning', fraction: number) => void,
): Promise<{ manifests: number; chunks: number; bytes: number }> {
  const keys = snapshotKeys(job.key, job.keyId);
  const snapshotsDir = join(job.repoDir, SNAPSHOTS_DIR);
  let manifests = 0;
  for (const id of job.remove) {
    try {
      await unlink(snapshotPath(job.repoDir, id));
      manifests++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  if (manifests > 0) await syncDir(snapshotsDir);
  progress?.('pruning', 0.5);
  // the crash tests stop here, between the manifests and the chunks
  if (job.pauseAt === 'manifests-removed') await new Promise(() => undefined);
  // every object a remaining manifest names: the blocks of its chunk list, its chunks and their bases
  const used = new Set<string>();
  const blocks = new Map<string, ChunkEntry[]>();
  for (const entry of await listSnapshots(job.repoDir)) {
    if (entry.problem !== null) return { manifests, chunks: 0, bytes: 0 };
    if (entry.head.keyId !== keys.keyId) return { manifests, chunks: 0, bytes: 0 };
    const { body } = await readSnapshot(job.repoDir, keys, entry.head.id).catch(() => ({ body: null }));
    if (!body) return { manifests, chunks: 0, bytes: 0 };
    let entries: ChunkEntry[];
    try {
      entries = snapshotEntries(job.repoDir, keys, body, blocks);
    } catch {
      // a chunk list that cannot be read: which chunks it needs is unknown, so none is removed
      return { manifests, chunks: 0, bytes: 0 };
    }
    for (const name of treeBlocks(body)) used.add(name);
    for (const e of entries) {
      used.add(e.name);
      if (e.base) used.add(e.base);
    }
  }
  let chunks = 0;
  let bytes = 0;
  const chunksDir = join(job.repoDir, CHUNKS_DIR);
  let prefixes: string[] = [];
  try {
    prefixes = await readdir(chunksDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  for (const prefix of prefixes) {
    const dir = join(chunksDir, prefix);
    for (const name of await readdir(dir)) {
      if (used.has(name)) continue;
      const file = join(dir, name);
      const size = (await stat(file).catch(() => null))?.size ?? 0;
      await rm(file, { force: true });
      chunks++;
      bytes += size;
    }
  }
  for (const name of await readdir(snapshotsDir).catch(() => [] as string[])) {
    if (name.startsWith(TMP_PREFIX)) await rm(join(snapshotsDir, name), { force: true });
  }
  return { manifests, chunks, bytes };
}

// ---- taking a snapshot (worker side) ---------------------------------------------------------

export interface SnapshotChunkJob {
  databaseFile: string;
  nativeBinding?: string;
  workDir: string;
  repoDir: string;
  key: Buffer;
  keyId: string;
  id: string;
  level?: number;
  /** a descriptor of the live database the process keeps open (live.ts databaseReader): read in place */
  dbFd?: number;
}

export interface SnapshotChunkResult {
  /** the database is chunk for chunk the newest snapshot's: nothing to write */
  unchanged: boolean;
  /** the chunk list, written into the repository */
  tree: SnapshotTree;
  /** objects written now: whole chunks, deltas and blocks of the chunk list */
  written: number;
  writtenBytes: number;
  databaseBytes: number;
  /** of the whole database; null when only its changed chunks were read (each chunk's name is its keyed hash) */
  databaseSha256: string | null;
  schemaVersion: number;
  tables: Record<string, number>;
  auditHead: SnapshotBody['auditHead'];
  documents: { sha256: string; size: number }[];
  /** where in the live database's WAL it was read (pinned captures only) */
  live?: WalPosition;
  /** 'full': reassembled, opened and integrity-checked before its manifest; 'chunks': the chunks written now read back and opened */
  checked: 'full' | 'chunks';
}

type Described = { schemaVersion: number; tables: Record<string, number>; auditHead: SnapshotBody['auditHead']; documents: { sha256: string; size: number }[] };

/** The newest readable snapshot made with these keys, or null. */
async function newestSnapshot(repoDir: string, keys: SnapshotKeys): Promise<{ head: SnapshotHead; body: SnapshotBody } | null> {
  const newest = (await listSnapshots(repoDir)).filter((e) => e.problem === null).at(-1);
  if (!newest || !('head' in newest) || newest.head.keyId !== keys.keyId) return null;
  return readSnapshot(repoDir, keys, newest.head.id).catch(() => null);
}

/** The previous snapshot's pieces (none when there is no previous one, or its chunk list cannot be read). */
function previousEntries(repoDir: string, keys: SnapshotKeys, previous: { body: SnapshotBody } | null): ChunkEntry[] {
  if (!previous) return [];
  try {
    return snapshotEntries(repoDir, keys, previous.body);
  } catch {
    return [];
  }
}

function sameNames(a: ChunkEntry[], b: ChunkEntry[]): boolean {
  return a.length === b.length && a.every((e, i) => e.name === b[i]!.name);
}

function syncDirs(dirs: Set<string>): void {
  for (const dir of dirs) {
    const d = openSync(dir, 'r');
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  }
}

/**
 * A snapshot of the live database read in place (live.ts): pinned at its last
 * commit, only the chunks that may have changed since the newest snapshot read (all
 * of them when that cannot be known), only the new ones written, each read back and
 * opened. The full reassembly and integrity check follow as a verification of their own.
 */
async function snapshotPinned(
  job: SnapshotChunkJob,
  keys: SnapshotKeys,
  pinned: PinnedDatabase,
  previous: { body: SnapshotBody } | null,
  describe: (db: Database.Database) => Described,
  progress?: (step: 'copying' | 'compressing' | 'verifying' | 'checking', fraction: number) => void,
): Promise<SnapshotChunkResult> {
  progress?.('copying', 0);
  const described = describe(pinned.reader);
  const { pageSize, pages } = pinned.position;
  const bytes = pages * pageSize;
  const count = Math.ceil(bytes / CHUNK_BYTES);
  const before = previousEntries(job.repoDir, keys, previous);
  const changed = previous && before.length > 0 ? changedChunks(previous.body.live, pinned, CHUNK_BYTES, before.length) : null;
  const writer = new ChunkWriter(job.repoDir, keys, job.level, before);
  const entries: ChunkEntry[] = new Array<ChunkEntry>(count);
  const hash = changed ? null : createHash('sha256');
  const buffer = Buffer.alloc(CHUNK_BYTES);
  for (let c = 0; c < count; c++) {
    // an unchanged piece is the previous snapshot's, unless one of its files went missing: then it is written again
    const kept = changed && !changed.has(c) ? writer.kept(c) : null;
    if (kept) {
      entries[c] = kept;
      continue;
    }
    const want = Math.min(CHUNK_BYTES, bytes - c * CHUNK_BYTES);
    pinned.read(buffer, c * CHUNK_BYTES, want);
    const plain = buffer.subarray(0, want);
    hash?.update(plain);
    entries[c] = writer.put(c, plain);
    if (c % 256 === 0) progress?.('compressing', c / Math.max(1, count));
  }
  const tree = writer.tree(entries);
  progress?.('verifying', 0);
  writer.check((f) => progress?.('verifying', f));
  return {
    unchanged: previous !== null && sameNames(entries, before),
    tree,
    written: writer.fresh.length,
    writtenBytes: writer.writtenBytes,
    databaseBytes: bytes,
    databaseSha256: hash ? hash.digest('hex') : null,
    live: pinned.position,
    checked: 'chunks',
    ...described,
  };
}

/**
 * Cuts a database file (a consistent copy) into 64 KiB chunks (page-aligned: SQLite
 * pages are at most 64 KiB) and writes each the repository does not hold yet.
 */
function writeChunks(
  repoDir: string,
  keys: SnapshotKeys,
  file: string,
  before: ChunkEntry[],
  options: { level?: number; progress?: (fraction: number) => void } = {},
): { entries: ChunkEntry[]; tree: SnapshotTree; written: number; writtenBytes: number; sha256: string; bytes: number } {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  const writer = new ChunkWriter(repoDir, keys, options.level, before);
  const entries: ChunkEntry[] = [];
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(CHUNK_BYTES);
  try {
    for (let offset = 0; offset < size; offset += CHUNK_BYTES) {
      const want = Math.min(CHUNK_BYTES, size - offset);
      let got = 0;
      while (got < want) {
        const n = readSync(fd, buffer, got, want - got, offset + got);
        if (n === 0) throw new Error('the database copy changed size while it was read');
        got += n;
      }
      const plain = buffer.subarray(0, want);
      hash.update(plain);
      entries.push(writer.put(offset / CHUNK_BYTES, plain));
      if ((offset / CHUNK_BYTES) % 256 === 0) options.progress?.(offset / Math.max(1, size));
    }
  } finally {
    closeSync(fd);
  }
  const tree = writer.tree(entries);
  // a changed database is reassembled from every piece next (assembleChunks): then only the list's blocks are read back here
  writer.check(undefined, sameNames(entries, before) ? 'all' : 'blocks');
  return { entries, tree, written: writer.fresh.length, writtenBytes: writer.writtenBytes, sha256: hash.digest('hex'), bytes: size };
}

/**
 * A snapshot of the database: read in place when it is the live database in WAL
 * mode (snapshotPinned), else from a consistent copy (SQLite's online backup API,
 * as for a backup file, or the backup's own copy), cut into chunks of which only the
 * new are written, reassembled and checked before its manifest is written.
 */
export async function snapshotChunks(
  job: SnapshotChunkJob,
  helpers: {
    copyDatabase: (source: string, dest: string, nativeBinding: string | undefined) => Promise<void>;
    describe: (file: string, nativeBinding?: string) => Described;
    describeOpen: (db: Database.Database) => Described;
  },
  progress?: (step: 'copying' | 'compressing' | 'verifying' | 'checking', fraction: number) => void,
  existingCopy?: string,
): Promise<SnapshotChunkResult> {
  const keys = snapshotKeys(job.key, job.keyId);
  await mkdir(job.workDir, { recursive: true, mode: 0o700 });
  const previous = await newestSnapshot(job.repoDir, keys);
  if (!existingCopy) {
    const pinned = pinDatabase(job.databaseFile, job.nativeBinding, job.dbFd);
    if (pinned) {
      try {
        return await snapshotPinned(job, keys, pinned, previous, helpers.describeOpen, progress);
      } finally {
        pinned.close();
      }
    }
  }
  const copy = existingCopy ?? join(job.workDir, `${job.id}.snapshot.sqlite`);
  const reassembled = join(job.workDir, `${job.id}.snapshot-check.sqlite`);
  await rm(reassembled, { force: true });
  try {
    if (!existingCopy) {
      await rm(copy, { force: true });
      progress?.('copying', 0);
      await helpers.copyDatabase(job.databaseFile, copy, job.nativeBinding);
    }
    const described = helpers.describe(copy, job.nativeBinding);
    const before = previousEntries(job.repoDir, keys, previous);
    const chunked = writeChunks(job.repoDir, keys, copy, before, { level: job.level, progress: (f) => progress?.('compressing', f) });
    const unchanged = previous !== null && sameNames(chunked.entries, before);
    if (!unchanged) {
      // verified before its manifest exists: every chunk read back and opened, the reassembled database checked
      await assembleChunks(job.repoDir, keys, `snapshot ${job.id}`, chunked.entries, reassembled, { bytes: chunked.bytes, sha256: chunked.sha256 }, (f) => progress?.('verifying', f));
      progress?.('checking', 0);
      checkDatabase(reassembled, `snapshot ${job.id}`, job.nativeBinding, described);
      progress?.('checking', 1);
    }
    return {
      unchanged,
      tree: chunked.tree,
      written: chunked.written,
      writtenBytes: chunked.writtenBytes,
      databaseBytes: chunked.bytes,
      databaseSha256: chunked.sha256,
      checked: 'full',
      ...described,
    };
  } finally {
    await rm(reassembled, { force: true });
    if (!existingCopy) {
      await rm(copy, { force: true });
      await rm(`${copy}-journal`, { force: true });
    }
  }
}
