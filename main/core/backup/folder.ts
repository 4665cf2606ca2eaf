import { constants } from 'node:fs';
import { access, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { BackupKind } from '../../../shared/contract/backup.js';
import { syncDir, writeFileAtomic } from '../fs.js';
import { ManifestCore } from './format.js';
import { readHeader } from './stream.js';

/**
 * The backup destination. For a backup `<id>` it holds:
 *
 *   <id>.db.lexbak          the database, gzip + AES-256-GCM (format.ts)
 *   <id>.sql.lexbak         optional SQL copy, same format
 *   <id>.manifest.json      what is inside, checksums, when it was verified
 *   <id>.documents.lexbak   the documents its database names (documents.ts, format.ts)
 *   documents/ab/<sha256>   the documents' files, shared by all backups
 *   failed/<id>.*           backups that failed, kept aside with <id>.failed.json
 *   .<id>.*.partial         files being written; never listed, removed at start
 *
 * A backup is committed by renaming its database file into place, after its
 * manifest: a listed backup always has a manifest and was verified before the rename.
 */

export const DATABASE_SUFFIX = '.db.lexbak';
export const SQL_SUFFIX = '.sql.lexbak';
export const MANIFEST_SUFFIX = '.manifest.json';
export const DOCUMENTS_SUFFIX = '.documents.lexbak';
export const FAILED_DIR = 'failed';

export const FileEntry = z.object({ name: z.string(), bytes: z.number().int(), sha256: z.string() });

export const Manifest = ManifestCore.extend({
  keyId: z.string(),
  files: z.object({ database: FileEntry, sql: FileEntry.optional(), documents: FileEntry.optional() }),
  /** what this backup did to the pool of documents */
  documentCopies: z.object({ added: z.number().int(), addedBytes: z.number().int(), reused: z.number().int(), missing: z.number().int() }).optional(),
  verifiedAt: z.string(),
  durationMs: z.number().int().optional(),
});
export type Manifest = z.infer<typeof Manifest>;

export const FailedRecord = z.object({
  id: z.string(),
  kind: BackupKind,
  createdAt: z.string(),
  failedAt: z.string(),
  reason: z.string(),
  problem: z.string().nullable(),
  files: z.array(z.string()),
  manifest: ManifestCore.nullable(),
});
export type FailedRecord = z.infer<typeof FailedRecord>;

export type StoredBackup =
  | { status: 'verified'; id: string; manifest: Manifest; sizeBytes: number }
  | { status: 'unverified'; id: string; manifest: ManifestCore; keyId: string; sizeBytes: number }
  | { status: 'failed'; id: string; record: FailedRecord; sizeBytes: number };

/** The destination cannot be used: missing, not writable, full… */
export class DestinationError extends Error {
  constructor(
    readonly dir: string,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'DestinationError';
  }
}

export function destinationMessage(dir: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return `The backup folder ${dir} cannot be reached: it does not exist. Is the disk or network share connected?`;
    case 'EACCES':
    case 'EPERM':
      return `The backup folder ${dir} cannot be written: LexDesk is not allowed to write there.`;
    case 'EROFS':
      return `The backup folder ${dir} is on a read-only disk.`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `The backup folder ${dir} is full. Free some space or choose another folder.`;
    case 'ENOTDIR':
      return `The backup destination ${dir} is a file, not a folder.`;
    case 'EIO':
    case 'ENOTCONN':
    case 'EHOSTDOWN':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
    case 'ESTALE':
      return `The backup folder ${dir} cannot be reached (${code}). Is the disk or network share connected?`;
    default:
      return `The backup folder ${dir} cannot be used: ${(err as Error)?.message ?? String(err)}`;
  }
}

export function isDestinationErrno(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && code !== 'EEXIST';
}

export class BackupFolder {
  constructor(
    readonly dir: string,
    /** the default folder may be created; a chosen one (an external disk) must already exist */
    private readonly mayCreate: boolean,
  ) {}

  databaseFile(id: string): string {
    return join(this.dir, `${id}${DATABASE_SUFFIX}`);
  }
  sqlFile(id: string): string {
    return join(this.dir, `${id}${SQL_SUFFIX}`);
  }
  manifestFile(id: string): string {
    return join(this.dir, `${id}${MANIFEST_SUFFIX}`);
  }
  documentsFile(id: string): string {
    return join(this.dir, `${id}${DOCUMENTS_SUFFIX}`);
  }
  partial(id: string, suffix: string): string {
    return join(this.dir, `.${id}${suffix}.partial`);
  }
  get failedDir(): string {
    return join(this.dir, FAILED_DIR);
  }

  /** Throws DestinationError with a sentence for a person when the folder cannot take a backup. */
  async ensureWritable(): Promise<void> {
    try {
      if (this.mayCreate) await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const info = await stat(this.dir);
      if (!info.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
      await access(this.dir, constants.W_OK);
    } catch (err) {
      throw new DestinationError(this.dir, destinationMessage(this.dir, err), (err as NodeJS.ErrnoException).code);
    }
  }

  /** null when the folder can be written, else why not. */
  async problem(): Promise<string | null> {
    try {
      await this.ensureWritable();
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }

  /** Writes the manifest, then renames the verified files into place (the commit), and flushes the folder. */
  async commit(manifest: Manifest, partials: { database: string; sql?: string; documents?: string }): Promise<void> {
    await writeFileAtomic(this.manifestFile(manifest.id), `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
    if (partials.sql) await rename(partials.sql, this.sqlFile(manifest.id));
    if (partials.documents) await rename(partials.documents, this.documentsFile(manifest.id));
    await rename(partials.database, this.databaseFile(manifest.id));
    await syncDir(this.dir);
  }

  /** Rewrites a manifest (after a later verification). */
  async writeManifest(manifest: Manifest): Promise<void> {
    await writeFileAtomic(this.manifestFile(manifest.id), `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
  }

  /** Moves what exists of a failed backup into failed/ with the reason. */
  async setAside(record: Omit<FailedRecord, 'files'>, files: string[]): Promise<void> {
    await mkdir(this.failedDir, { recursive: true, mode: 0o700 });
    const moved: string[] = [];
    for (const file of files) {
      const name = basename(file).replace(/^\./, '').replace(/\.partial$/, '');
      try {
        await rename(file, join(this.failedDir, name));
        moved.push(name);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    await rm(this.manifestFile(record.id), { force: true });
    await writeFileAtomic(join(this.failedDir, `${record.id}.failed.json`), `${JSON.stringify({ ...record, files: moved }, null, 2)}\n`);
  }

  /** Moves a damaged SQL copy into failed/, leaving its database backup listed. */
  async setSqlAside(id: string): Promise<void> {
    await mkdir(this.failedDir, { recursive: true, mode: 0o700 });
    try {
      await rename(this.sqlFile(id), join(this.failedDir, `${id}${SQL_SUFFIX}`));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /** Removes files left by a backup that was interrupted (crash, power cut, SIGKILL). */
  async removeLeftovers(): Promise<string[]> {
    const names = await namesIn(this.dir);
    const removed: string[] = [];
    const present = new Set(names);
    for (const name of names) {
      const orphanManifest =
        (name.endsWith(MANIFEST_SUFFIX) && !present.has(name.slice(0, -MANIFEST_SUFFIX.length) + DATABASE_SUFFIX)) ||
        (name.endsWith(DOCUMENTS_SUFFIX) && !present.has(name.slice(0, -DOCUMENTS_SUFFIX.length) + DATABASE_SUFFIX));
      if ((name.startsWith('.') && name.endsWith('.partial')) || orphanManifest) {
        await rm(join(this.dir, name), { force: true });
        removed.push(name);
      }
    }
    return removed;
  }

  async exists(id: string): Promise<boolean> {
    try {
      await stat(this.databaseFile(id));
      return true;
    } catch {
      return false;
    }
  }

  /** Every backup in the folder, newest first. Unreadable entries are skipped, never fatal. */
  async list(): Promise<StoredBackup[]> {
    const names = await namesIn(this.dir);
    const out: StoredBackup[] = [];
    const present = new Set(names);
    for (const name of names) {
      if (name.startsWith('.') || !name.endsWith(DATABASE_SUFFIX)) continue;
      const id = name.slice(0, -DATABASE_SUFFIX.length);
      const item = await this.read(id, present);
      if (item) out.push(item);
    }
    out.push(...(await this.listFailed()));
    return out.sort((a, b) => (createdAtOf(b) < createdAtOf(a) ? -1 : createdAtOf(b) > createdAtOf(a) ? 1 : 0));
  }

  async read(id: string, present?: Set<string>): Promise<StoredBackup | null> {
    const database = this.databaseFile(id);
    let size: number;
    try {
      size = (await stat(database)).size;
    } catch {
      return null;
    }
    const hasSql = present ? present.has(`${id}${SQL_SUFFIX}`) : await stat(this.sqlFile(id)).then(() => true, () => false);
    const sqlSize = hasSql ? await stat(this.sqlFile(id)).then((s) => s.size, () => 0) : 0;
    try {
      const manifest = Manifest.parse(JSON.parse(await readFile(this.manifestFile(id), 'utf8')));
      if (manifest.id === id) return { status: 'verified', id, manifest, sizeBytes: size + sqlSize };
    } catch {
      // no manifest (a file copied here by hand) or an unreadable one: read the header
    }
    try {
      const { header } = await readHeader(database);
      if (header.content !== 'sqlite') return null;
      return { status: 'unverified', id, manifest: header.manifest, keyId: header.keyId, sizeBytes: size + sqlSize };
    } catch {
      return null;
    }
  }

  private async listFailed(): Promise<StoredBackup[]> {
    const names = await namesIn(this.failedDir);
    const out: StoredBackup[] = [];
    for (const name of names) {
      if (!name.endsWith('.failed.json')) continue;
      try {
        const record = FailedRecord.parse(JSON.parse(await readFile(join(this.failedDir, name), 'utf8')));
        let sizeBytes = 0;
        for (const file of record.files) sizeBytes += await stat(join(this.failedDir, file)).then((s) => s.size, () => 0);
        out.push({ status: 'failed', id: record.id, record, sizeBytes });
      } catch {
        // skip an unreadable record
      }
    }
    return out;
  }

  /** Deletes a backup's files (retention). */
  async remove(item: StoredBackup): Promise<void> {
    if (item.status === 'failed') {
      for (const file of item.record.files) await rm(join(this.failedDir, file), { force: true });
      await rm(join(this.failedDir, `${item.id}.failed.json`), { force: true });
      return;
    }
    // the database file first: without it, the rest is never listed again
    await rm(this.databaseFile(item.id), { force: true });
    await rm(this.sqlFile(item.id), { force: true });
    await rm(this.documentsFile(item.id), { force: true });
    await rm(this.manifestFile(item.id), { force: true });
  }
}

/** The names in a folder; none when it cannot be read (missing, unplugged): listing never fails. */
async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

export function createdAtOf(item: StoredBackup): string {
  return item.status === 'failed' ? item.record.createdAt : item.manifest.createdAt;
}
