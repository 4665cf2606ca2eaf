import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { BackupFileError, type BackupHeader, type ManifestCore, type ScryptParams } from './format.js';
import { countRows, dumpSql, insertTarget } from './sql-dump.js';
import { snapshotChunks, type SnapshotChunkResult } from './snapshots.js';
import { sealToFile, unsealFile, type SealedFile, type UnsealedFile } from './stream.js';

/**
 * The heavy work of a backup, meant to run in a worker thread (see worker.ts):
 * copy, count, compress, encrypt, verify. Pure functions of their inputs — no
 * services, no clock — so the worker and the tests call them alike.
 */

export type JobStep = 'copying' | 'counting' | 'compressing' | 'dumping' | 'verifying' | 'checking' | 'verifying-sql' | 'pruning';

export type ProgressFn = (step: JobStep, fraction: number) => void;

export interface CreateJob {
  databaseFile: string;
  nativeBinding?: string;
  /** private folder for the plain copy (never the backup destination) */
  workDir: string;
  /** where the encrypted file(s) go, under temporary names */
  databasePartial: string;
  sqlPartial?: string;
  key: Buffer;
  kdf: ScryptParams;
  manifest: Omit<ManifestCore, 'schemaVersion' | 'tables' | 'databaseBytes' | 'sqlDump' | 'documents' | 'auditHead'>;
  level?: number;
  /** also cut the copy into the snapshot repository (its changed chunks), checked before the manifest is written */
  snapshot?: { repoDir: string; keyId: string };
}

export interface CreateResult {
  manifest: ManifestCore;
  database: SealedFile;
  sql?: SealedFile;
  /** the documents the copied database names whose files are in the document store */
  documents: { sha256: string; size: number }[];
  snapshot?: SnapshotChunkResult;
}

/** The newest audit row of a database (id, hash, time), or null. */
function auditHeadOf(db: Database.Database): { id: number; hash: string; at: string } | null {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get();
  if (!exists) return null;
  return (db.prepare('SELECT id, hash, at FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string; at: string } | undefined) ?? null;
}

/**
 * The documents a database names (those still waiting as BLOBs from before the
 * document store are inside the database itself), one per content.
 */
export function namedDocuments(db: Database.Database): { sha256: string; size: number }[] {
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
  if (!tables.has('documents')) return [];
  const waiting = tables.has('document_blob_moves') ? 'WHERE d.id NOT IN (SELECT document_id FROM document_blob_moves)' : '';
  return db.prepare(`SELECT d.sha256 AS sha256, max(d.size) AS size FROM documents d ${waiting} GROUP BY d.sha256 ORDER BY d.sha256`).all() as {
    sha256: string;
    size: number;
  }[];
}

function openDb(file: string, nativeBinding: string | undefined, readonly = false): Database.Database {
  const db = new Database(file, { nativeBinding, readonly, fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  return db;
}

/**
 * A consistent copy of the live database through SQLite's online backup API, in
 * steps. The source connection holds one read transaction for the whole copy:
 * in WAL mode the app keeps writing meanwhile, and the copy is the database as it
 * was when the backup started (without the transaction, every write by the app
 * would restart the copy from the first page).
 */
export async function copyDatabase(source: string, dest: string, nativeBinding: string | undefined, progress?: ProgressFn): Promise<void> {
  const db = openDb(source, nativeBinding);
  try {
    db.pragma('query_only = ON');
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    await db.backup(dest, {
      progress: ({ totalPages, remainingPages }) => {
        progress?.('copying', totalPages === 0 ? 1 : 1 - remainingPages / totalPages);
        // about 1% per step, between 1 and 4 MiB of 4 KiB pages (each step passes through memory)
        return Math.min(1024, Math.max(256, Math.ceil(totalPages / 100)));
      },
    });
    db.exec('COMMIT');
  } finally {
    db.close();
  }
  // a stand-alone file: no WAL to look for when someone opens it elsewhere
  const copy = openDb(dest, nativeBinding);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

export function describeDatabase(file: string, nativeBinding?: string): { schemaVersion: number; tables: Record<string, number> } {
  const db = openDb(file, nativeBinding, true);
  try {
    return { schemaVersion: db.pragma('user_version', { simple: true }) as number, tables: countRows(db) };
  } finally {
    db.close();
  }
}

/** What a snapshot's manifest says of its database: schema, rows, audit head, the documents it names. */
export function describeSnapshotCopy(file: string, nativeBinding?: string) {
  const db = openDb(file, nativeBinding, true);
  try {
    return describeSnapshotDb(db);
  } finally {
    db.close();
  }
}

/** The same, of an open connection (the live database pinned in a read transaction). */
export function describeSnapshotDb(db: Database.Database) {
  return { schemaVersion: db.pragma('user_version', { simple: true }) as number, tables: countRows(db), auditHead: auditHeadOf(db), documents: namedDocuments(db) };
}

function headerFor(job: CreateJob, manifest: ManifestCore, content: 'sqlite' | 'sql'): Omit<BackupHeader, 'fileSalt' | 'noncePrefix' | 'keyId'> {
  return {
    format: 'lexdesk-backup',
    version: 1,
    content,
    compression: 'gzip',
    cipher: 'aes-256-gcm',
    segmentBytes: 65536,
    kdf: job.kdf,
    manifest,
  };
}

/** Copy, count, compress+encrypt (and the SQL dump), then verify what was written. */
export async function createBackup(job: CreateJob, progress?: ProgressFn): Promise<CreateResult> {
  const copy = `${job.workDir}/${job.manifest.id}.copy.sqlite`;
  try {
    await copyDatabase(job.databaseFile, copy, job.nativeBinding, progress);
    progress?.('counting', 0);
    const described = describeDatabase(copy, job.nativeBinding);
    const databaseBytes = (await stat(copy)).size;
    const listing = openDb(copy, job.nativeBinding, true);
    let documents: { sha256: string; size: number }[];
    let auditHead: ManifestCore['auditHead'] = null;
    try {
      documents = namedDocuments(listing);
      auditHead = auditHeadOf(listing);
    } finally {
      listing.close();
    }
    const manifest: ManifestCore = {
      ...job.manifest,
      schemaVersion: described.schemaVersion,
      tables: described.tables,
      databaseBytes,
      sqlDump: job.sqlPartial !== undefined,
      documents: { count: documents.length, bytes: documents.reduce((sum, d) => sum + d.size, 0) },
      auditHead,
    };
    const database = await sealToFile({
      source: copy,
      dest: job.databasePartial,
      header: headerFor(job, manifest, 'sqlite'),
      key: job.key,
      level: job.level,
      onProgress: (read) => progress?.('compressing', read / Math.max(1, databaseBytes)),
    });
    let sql: SealedFile | undefined;
    if (job.sqlPartial) {
      const rowsTotal = Object.values(manifest.tables).reduce((a, b) => a + b, 0);
      const db = openDb(copy, job.nativeBinding, true);
      try {
        sql = await sealToFile({
          source: dumpSql(db, { rowsTotal, onProgress: (p) => progress?.('dumping', p.rowsTotal ? p.rowsDone / p.rowsTotal : 1) }),
          dest: job.sqlPartial,
          header: headerFor(job, manifest, 'sql'),
          key: job.key,
          level: Math.max(job.level ?? 1, 6),
        });
      } finally {
        db.close();
      }
    }
    const snapshot = job.snapshot
      ? await snapshotChunks(
          { databaseFile: job.databaseFile, nativeBinding: job.nativeBinding, workDir: job.workDir, repoDir: job.snapshot.repoDir, key: job.key, keyId: job.snapshot.keyId, id: job.manifest.id, level: job.level },
          { copyDatabase: (a, b, c) => copyDatabase(a, b, c), describe: describeSnapshotCopy, describeOpen: describeSnapshotDb },
          (step, fraction) => progress?.(step, fraction),
          copy,
        )
      : undefined;
    await rm(copy, { force: true });
    await verifyBackup({ file: job.databasePartial, key: job.key, workDir: job.workDir, nativeBinding: job.nativeBinding, expect: { manifest, sha256: database.sha256, bytes: database.bytes } }, progress);
    if (job.sqlPartial && sql) {
      await verifySqlDump({ file: job.sqlPartial, key: job.key, expect: { manifest, sha256: sql.sha256, bytes: sql.bytes } }, progress);
    }
    return { manifest, database, sql, documents, snapshot };
  } finally {
    await rm(copy, { force: true });
    await rm(`${copy}-journal`, { force: true });
  }
}

export interface Expected {
  manifest?: ManifestCore;
  sha256?: string;
  bytes?: number;
}

export interface VerifyJob {
  file: string;
  key: Buffer;
  workDir: string;
  nativeBinding?: string;
  expect?: Expected;
  /** keep the decrypted database here (a restore uses it) instead of deleting it */
  keepAs?: string;
}

export interface VerifyResult {
  header: BackupHeader;
  sha256: string;
  bytes: number;
  schemaVersion: number;
  tables: Record<string, number>;
}

function checkSize(file: { bytes: number }, expect: Expected | undefined): void {
  if (expect?.bytes !== undefined && file.bytes < expect.bytes) {
    throw new BackupFileError('incomplete', `The backup file is incomplete: it has ${file.bytes} bytes of the ${expect.bytes} written.`);
  }
  if (expect?.bytes !== undefined && file.bytes > expect.bytes) {
    throw new BackupFileError('checksum_mismatch', 'The backup file was changed after it was written (its size differs).');
  }
}

const CONTENTS = {
  sqlite: { name: 'The backup file', otherKind: 'This file is a SQL copy, not a database backup.' },
  sql: { name: 'The SQL copy', otherKind: 'This file is a database backup, not a SQL copy.' },
} as const;

/** What a decrypted file must be: the backup expected, of the kind expected, with the recorded checksum. */
function checkUnsealed(unsealed: UnsealedFile, content: keyof typeof CONTENTS, expect: Expected | undefined): void {
  const found = unsealed.header.manifest;
  if (expect?.manifest && expect.manifest.id !== found.id) {
    throw new BackupFileError('mismatch', `This file holds backup ${found.id}, not ${expect.manifest.id}.`);
  }
  if (unsealed.header.content !== content) throw new BackupFileError('mismatch', CONTENTS[content].otherKind);
  if (expect?.sha256 && expect.sha256 !== unsealed.sha256) {
    throw new BackupFileError('checksum_mismatch', `${CONTENTS[content].name} does not match its recorded checksum: it was changed or damaged after it was written.`);
  }
}

function sameCounts(a: Record<string, number>, b: Record<string, number>): string | null {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of [...names].sort()) {
    if (a[name] !== b[name]) return `table ${name}: ${a[name] ?? 'missing'} rows recorded, ${b[name] ?? 'missing'} found`;
  }
  return null;
}

/**
 * Decrypts and decompresses to a temporary file, opens it, runs PRAGMA
 * integrity_check and compares the schema version and row counts with the
 * manifest in the (authenticated) header.
 */
export async function verifyBackup(job: VerifyJob, progress?: ProgressFn): Promise<VerifyResult> {
  const target = job.keepAs ?? `${job.workDir}/verify-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.sqlite`;
  try {
    const stats = await stat(job.file);
    checkSize({ bytes: stats.size }, job.expect);
    const unsealed = await unsealFile({
      file: job.file,
      key: job.key,
      sink: createWriteStream(target, { flags: 'wx', mode: 0o600 }),
      onProgress: (read, total) => progress?.('verifying', read / Math.max(1, total)),
    });
    const header = unsealed.header;
    checkUnsealed(unsealed, 'sqlite', job.expect);
    if (unsealed.plainBytes !== header.manifest.databaseBytes) {
      throw new BackupFileError('mismatch', `The database inside has ${unsealed.plainBytes} bytes; ${header.manifest.databaseBytes} were recorded.`);
    }
    progress?.('checking', 0);
    let db: Database.Database;
    try {
      db = openDb(target, job.nativeBinding, true);
    } catch (err) {
      throw new BackupFileError('integrity', `The database inside the backup cannot be opened: ${(err as Error).message}`);
    }
    let described: { schemaVersion: number; tables: Record<string, number> };
    try {
      const rows = db.pragma('integrity_check') as { integrity_check: string }[];
      if (rows.length !== 1 || rows[0]!.integrity_check !== 'ok') {
        throw new BackupFileError('integrity', `The database inside the backup fails SQLite's integrity check: ${rows.slice(0, 3).map((r) => r.integrity_check).join('; ')}`);
      }
      described = { schemaVersion: db.pragma('user_version', { simple: true }) as number, tables: countRows(db) };
    } catch (err) {
      if (err instanceof BackupFileError) throw err;
      throw new BackupFileError('integrity', `The database inside the backup cannot be read: ${(err as Error).message}`);
    } finally {
      db.close();
    }
    if (described.schemaVersion !== header.manifest.schemaVersion) {
      throw new BackupFileError('mismatch', `The database inside has schema ${described.schemaVersion}; ${header.manifest.schemaVersion} was recorded.`);
    }
    const difference = sameCounts(header.manifest.tables, described.tables);
    if (difference) throw new BackupFileError('mismatch', `The row counts do not match the manifest (${difference}).`);
    progress?.('checking', 1);
    return { header, sha256: unsealed.sha256, bytes: unsealed.bytes, ...described };
  } catch (err) {
    await rm(target, { force: true });
    throw err;
  } finally {
    if (!job.keepAs) await rm(target, { force: true });
    await rm(`${target}-journal`, { force: true });
  }
}

export interface VerifySqlJob {
  file: string;
  key: Buffer;
  expect?: Expected;
}

/** Decrypts a SQL dump and counts its INSERT lines per table against the manifest. */
export async function verifySqlDump(job: VerifySqlJob, progress?: ProgressFn): Promise<{ header: BackupHeader; sha256: string; bytes: number }> {
  const stats = await stat(job.file);
  checkSize({ bytes: stats.size }, job.expect);
  const counts: Record<string, number> = {};
  let tail = '';
  let lastLine = '';
  const decoder = new TextDecoder('utf-8');
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = tail + decoder.decode(chunk, { stream: true });
      const lines = text.split('\n');
      tail = lines.pop() ?? '';
      for (const line of lines) {
        if (line.length > 0) lastLine = line;
        const table = insertTarget(line);
        if (table !== null) counts[table] = (counts[table] ?? 0) + 1;
      }
      callback();
    },
  });
  const unsealed = await unsealFile({
    file: job.file,
    key: job.key,
    sink,
    onProgress: (read, total) => progress?.('verifying-sql', read / Math.max(1, total)),
  });
  const header = unsealed.header;
  checkUnsealed(unsealed, 'sql', job.expect);
  if (tail.trim() !== '' || lastLine !== 'COMMIT;') throw new BackupFileError('incomplete', 'The SQL copy is incomplete (it does not end with COMMIT).');
  const expected = Object.fromEntries(Object.entries(header.manifest.tables).filter(([, n]) => n > 0));
  const difference = sameCounts(expected, counts);
  if (difference) throw new BackupFileError('mismatch', `The SQL copy does not hold the recorded rows (${difference}).`);
  return { header, sha256: unsealed.sha256, bytes: unsealed.bytes };
}

/** Decrypts a backup into a plain file (a SQLite database, or SQL text for a dump). */
export async function decryptTo(file: string, key: Buffer, out: string): Promise<BackupHeader> {
  const unsealed = await unsealFile({ file, key, sink: createWriteStream(out, { flags: 'wx', mode: 0o600 }) }).catch(async (err: unknown) => {
    await rm(out, { force: true });
    throw err;
  });
  return unsealed.header;
}
