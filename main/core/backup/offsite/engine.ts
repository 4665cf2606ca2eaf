import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { syncDir } from '../../fs.js';
import { DATABASE_SUFFIX, FAILED_DIR, MANIFEST_SUFFIX } from '../folder.js';
import { isObjectName, isTransient, partialName, TargetError, type RemoteObject, type Target } from './target.js';

/**
 * Mirrors the backup folder to a target. What a backup consists of is immutable
 * once written and is referenced only by files written after it, so the copy sends
 * the objects others point to first and the ones that make a backup exist last:
 *
 *   0  the documents' pool and the repository's chunks (documents/…, repo/chunks/…)
 *   1  a backup's companions (<id>.sql.lexbak, <id>.documents.lexbak, <id>.manifest.json)
 *   2  what makes it a backup (<id>.db.lexbak, repo/snapshots/<id>.snapshot)
 *
 * and deletes in the other order, so that the target, read at any instant, lists
 * only backups whose every part is there. A manifest is rewritten when a backup is
 * verified again: its content hash, not its size, says when to send it again.
 */

export interface LocalObject extends RemoteObject {
  rank: 0 | 1 | 2;
  file: string;
  mtimeMs: number;
}

export function rankOf(name: string): 0 | 1 | 2 {
  if (!name.includes('/')) return name.endsWith(DATABASE_SUFFIX) ? 2 : 1;
  if (name.startsWith('repo/snapshots/')) return 2;
  return 0;
}

/** A backup's id when the object is what makes that backup exist (for "where does it exist"). */
export function backupIdOf(name: string): string | null {
  if (!name.includes('/') && name.endsWith(DATABASE_SUFFIX)) return name.slice(0, -DATABASE_SUFFIX.length);
  const snapshot = /^repo\/snapshots\/([^/]+)\.snapshot$/.exec(name);
  return snapshot ? snapshot[1]! : null;
}

/** Objects the copy owns on the target; anything else there (someone's own files) is never touched. */
export function isBackupObject(name: string): boolean {
  if (!name.includes('/')) return /\.(lexbak|manifest\.json)$/.test(name);
  return name.startsWith('documents/') || name.startsWith('repo/');
}

function mutable(name: string): boolean {
  return !name.includes('/') && name.endsWith(MANIFEST_SUFFIX);
}

/** The objects of the backup folder: never a temporary file, never what was set aside as failed. */
export async function localObjects(dir: string): Promise<LocalObject[]> {
  const out: LocalObject[] = [];
  const visit = async (folder: string, prefix: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const name = `${prefix}${entry.name}`;
      if (!isObjectName(name)) continue;
      if (entry.isDirectory()) {
        if (prefix === '' && entry.name === FAILED_DIR) continue;
        await visit(join(folder, entry.name), `${name}/`);
      } else if (entry.isFile()) {
        if (!isBackupObject(name)) continue;
        const file = join(folder, entry.name);
        const info = await stat(file);
        out.push({ name, size: info.size, rank: rankOf(name), file, mtimeMs: info.mtimeMs });
      }
    }
  };
  await visit(dir, '');
  return out.sort((a, b) => a.rank - b.rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function sha256OfStream(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function sha256OfFile(file: string): Promise<string> {
  return sha256OfStream(createReadStream(file));
}

export interface RetryPolicy {
  attempts: number;
  /** the first wait; doubled each time, at most 30 s */
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, backoffMs: 1000 };

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((done) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      done();
    }, { once: true });
  });

/** Runs `step` on a connected target; after a network fault, waits, connects again and retries. */
export class Connection {
  private connected = false;
  retries = 0;

  constructor(
    readonly target: Target,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
    private readonly signal?: AbortSignal,
    private readonly onRetry?: (err: unknown, attempt: number) => void,
  ) {}

  async run<T>(step: (target: Target) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (!this.connected) {
          await this.target.connect();
          this.connected = true;
        }
        return await step(this.target);
      } catch (err) {
        if (this.signal?.aborted) throw err;
        if (!isTransient(err) || attempt >= this.policy.attempts) throw err;
        this.retries++;
        this.onRetry?.(err, attempt);
        this.connected = false;
        await this.target.close().catch(() => undefined);
        await sleep(Math.min(30_000, this.policy.backoffMs * 2 ** (attempt - 1)), this.signal);
      }
    }
  }

  async close(): Promise<void> {
    this.connected = false;
    await this.target.close().catch(() => undefined);
  }
}

export interface CopyResult {
  uploaded: number;
  uploadedBytes: number;
  deleted: number;
  /** temporary objects of an earlier, interrupted copy, removed */
  partialsRemoved: number;
  /** why nothing was deleted on the target although it holds more than the folder */
  deletionsHeld: string | null;
  /** what the target holds now */
  remote: RemoteObject[];
  /** hashes of the manifests as sent (name → sha256) */
  sentManifests: Record<string, string>;
  retries: number;
}

export interface CopyOptions {
  retry?: RetryPolicy;
  signal?: AbortSignal;
  /** the manifests' hashes as last sent */
  sentManifests?: Record<string, string>;
  /** objects verification found damaged on the target: sent again whatever their size */
  resend?: string[];
  onProgress?: (done: number, total: number, name: string) => void;
  onRetry?: (err: unknown, attempt: number) => void;
}

/** Sends what the target lacks, commits last; then deletes what the folder no longer holds, commits first. */
export async function copyToTarget(dir: string, target: Target, options: CopyOptions = {}): Promise<CopyResult> {
  const local = await localObjects(dir);
  const connection = new Connection(target, options.retry, options.signal, options.onRetry);
  try {
    const scanned = await connection.run((t) => t.scan());
    const partials = scanned.partials;
    for (const name of partials) await connection.run((t) => t.delete(name));
    const remote = new Map(scanned.objects.map((o) => [o.name, o]));
    const sentManifests: Record<string, string> = {};
    const resend = new Set(options.resend ?? []);
    const todo: LocalObject[] = [];
    for (const object of local) {
      const there = remote.get(object.name);
      if (mutable(object.name)) {
        const hash = await sha256OfFile(object.file);
        sentManifests[object.name] = hash;
        if (there && there.size === object.size && options.sentManifests?.[object.name] === hash && !resend.has(object.name)) continue;
      } else if (there && there.size === object.size && !resend.has(object.name)) {
        continue;
      }
      todo.push(object);
    }
    let uploaded = 0;
    let uploadedBytes = 0;
    for (const object of todo) {
      if (options.signal?.aborted) throw new TargetError('The off-site copy was stopped.', false);
      options.onProgress?.(uploaded, todo.length, object.name);
      await connection.run((t) =>
        t.put(
          object.name,
          (start = 0, end = object.size) => createReadStream(object.file, { highWaterMark: 1024 * 1024, start, ...(end > start ? { end: end - 1 } : {}) }),
          object.size,
        ),
      );
      remote.set(object.name, { name: object.name, size: object.size });
      uploaded++;
      uploadedBytes += object.size;
    }
    // deletions: what local pruning removed; never when the folder holds no backup at all
    const localNames = new Set(local.map((o) => o.name));
    const extra = [...remote.values()].filter((o) => !localNames.has(o.name) && isBackupObject(o.name));
    let deleted = 0;
    let deletionsHeld: string | null = null;
    if (extra.length > 0 && !local.some((o) => o.rank === 2)) {
      deletionsHeld = 'The backup folder holds no backup; nothing was deleted from the off-site copy.';
    } else {
      extra.sort((a, b) => rankOf(b.name) - rankOf(a.name));
      for (const object of extra) {
        await connection.run((t) => t.delete(object.name));
        remote.delete(object.name);
        deleted++;
      }
    }
    // an upload cut off by a network fault may leave its temporary object behind
    const leftovers = connection.retries > 0 ? await connection.run((t) => t.listPartials()).catch(() => [] as string[]) : [];
    for (const name of leftovers) await connection.run((t) => t.delete(name)).catch(() => undefined);
    return {
      uploaded,
      uploadedBytes,
      deleted,
      partialsRemoved: partials.length + leftovers.length,
      deletionsHeld,
      remote: [...remote.values()],
      sentManifests,
      retries: connection.retries,
    };
  } finally {
    await connection.close();
  }
}

export interface VerifyProblem {
  name: string;
  problem: string;
}

export interface VerifyResult {
  checked: number;
  checkedBytes: number;
  problems: VerifyProblem[];
  remote: RemoteObject[];
}

/**
 * Reads objects back from the target and compares their SHA-256 with the local
 * files: every object (`sample` undefined) or a sample — always the newest backup's
 * files, and `sample` others at random.
 */
export async function verifyTarget(
  dir: string,
  target: Target,
  options: {
    sample?: number;
    retry?: RetryPolicy;
    signal?: AbortSignal;
    copiedAt?: number;
    include?: string[];
    /** opens an object read back with the backup key (null: it opens, or is not LexDesk's to open; else what is wrong) */
    open?: (name: string, bytes: Buffer) => Promise<string | null>;
  } = {},
): Promise<VerifyResult> {
  // what the folder gained since the last copy is not expected there yet
  const local = (await localObjects(dir)).filter((o) => options.copiedAt === undefined || o.mtimeMs <= options.copiedAt);
  const connection = new Connection(target, options.retry, options.signal);
  try {
    const remoteList = await connection.run((t) => t.list());
    const remote = new Map(remoteList.map((o) => [o.name, o]));
    let chosen = local;
    if (options.sample !== undefined) {
      const newest = local.filter((o) => o.rank === 2).map((o) => o.name).sort().at(-1);
      const newestId = newest ? (backupIdOf(newest) ?? '') : '';
      const include = new Set(options.include ?? []);
      const always = local.filter((o) => include.has(o.name) || (newestId && !o.name.includes('/') && o.name.startsWith(`${newestId}.`)));
      const rest = local.filter((o) => !always.includes(o));
      for (let i = rest.length - 1; i > 0; i--) {
        const j = randomBytes(4).readUInt32LE(0) % (i + 1);
        [rest[i], rest[j]] = [rest[j]!, rest[i]!];
      }
      chosen = [...always, ...rest.slice(0, options.sample)];
    }
    const problems: VerifyProblem[] = [];
    let checked = 0;
    let checkedBytes = 0;
    for (const object of chosen) {
      const there = remote.get(object.name);
      if (!there) {
        problems.push({ name: object.name, problem: 'missing on the target' });
        continue;
      }
      if (there.size !== object.size) {
        problems.push({ name: object.name, problem: `${there.size} bytes on the target, ${object.size} here` });
        continue;
      }
      const expected = await sha256OfFile(object.file);
      // the snapshot repository's objects are small: read whole, they are also decrypted with the key
      const opens = options.open && object.name.startsWith('repo/');
      let bytes: Buffer | null = null;
      const actual = await connection.run(async (t) => {
        const stream = await t.get(object.name);
        if (!opens) return sha256OfStream(stream);
        const parts: Buffer[] = [];
        for await (const part of stream) parts.push(part as Buffer);
        bytes = Buffer.concat(parts);
        return createHash('sha256').update(bytes).digest('hex');
      });
      checked++;
      checkedBytes += object.size;
      if (actual !== expected) {
        problems.push({ name: object.name, problem: 'the copy on the target differs from the backup here (its SHA-256 does not match)' });
        continue;
      }
      const unopened = opens && bytes ? await options.open!(object.name, bytes) : null;
      if (unopened) problems.push({ name: object.name, problem: unopened });
    }
    return { checked, checkedBytes, problems, remote: remoteList };
  } finally {
    await connection.close();
  }
}

export interface FetchResult {
  downloaded: number;
  downloadedBytes: number;
  skipped: number;
  backups: string[];
}

/**
 * Downloads the backup set from a target into a folder (a new machine): what
 * others point to first, each object to a temporary name, renamed once complete,
 * so an interrupted fetch can simply be run again.
 */
export async function fetchFromTarget(
  target: Target,
  toDir: string,
  options: { retry?: RetryPolicy; onProgress?: (done: number, total: number, name: string) => void } = {},
): Promise<FetchResult> {
  const connection = new Connection(target, options.retry);
  try {
    const remote = (await connection.run((t) => t.list())).filter((o) => isBackupObject(o.name));
    remote.sort((a, b) => rankOf(a.name) - rankOf(b.name) || (a.name < b.name ? -1 : 1));
    await mkdir(toDir, { recursive: true, mode: 0o700 });
    let downloaded = 0;
    let downloadedBytes = 0;
    let skipped = 0;
    for (const [index, object] of remote.entries()) {
      options.onProgress?.(index, remote.length, object.name);
      const file = join(toDir, ...object.name.split('/'));
      const have = await stat(file).then((s) => s.size, () => -1);
      if (have === object.size && !mutable(object.name)) {
        skipped++;
        continue;
      }
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const temp = join(toDir, ...partialName(object.name, randomBytes(4).toString('hex')).split('/'));
      try {
        await connection.run(async (t) => {
          await pipeline(await t.get(object.name), createWriteStream(temp, { mode: 0o600, flush: true }));
          const size = (await stat(temp)).size;
          if (size !== object.size) throw new TargetError(`${object.name} came back with ${size} bytes of ${object.size}.`, true);
        });
        await rename(temp, file);
      } finally {
        await rm(temp, { force: true });
      }
      await syncDir(dirname(file));
      downloaded++;
      downloadedBytes += object.size;
    }
    const backups = remote.map((o) => backupIdOf(o.name)).filter((id): id is string => id !== null);
    return { downloaded, downloadedBytes, skipped, backups: backups.sort().reverse() };
  } finally {
    await connection.close();
  }
}
