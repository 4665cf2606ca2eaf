import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import type { BackupItem } from '../../../shared/contract/backup.js';
import { AppError } from '../errors.js';
import { DOCUMENTS_SUFFIX, type BackupFolder, type Manifest, type StoredBackup } from './folder.js';
import { BackupFileError, type BackupHeader } from './format.js';
import { STEP_LABELS, type JobTracker } from './job-tracker.js';
import type { Expected, JobStep } from './jobs.js';
import { keyFromPassphrase, type BackupKey } from './keyring.js';
import type { BackupContext, Origin } from './ports.js';
import { runInWorker } from './runner.js';
import type { BackupStatus } from './status.js';
import { readHeader } from './stream.js';

/** What a backup's manifest says one of its files must be. */
function expectationOf(manifest: Manifest, file: { sha256: string; bytes: number }): Expected {
  return { manifest, sha256: file.sha256, bytes: file.bytes };
}

/**
 * Finding a backup and its key, and checking it again: decrypt, decompress,
 * integrity_check and row counts, in a worker. A restore checks its backup the same way.
 */
export class BackupVerifier {
  constructor(
    private readonly ctx: BackupContext,
    private readonly jobs: JobTracker,
    private readonly status: BackupStatus,
  ) {}

  /** A backup in the folder; `not_found` when there is none, `conflict` when it failed. */
  async find(id: string): Promise<{ folder: BackupFolder; stored: StoredBackup }> {
    const folder = this.ctx.folder();
    const stored = await folder.read(id);
    if (!stored) {
      const failed = (await folder.list()).find((i) => i.id === id && i.status === 'failed');
      if (failed) throw new AppError('conflict', `Backup ${id} failed and cannot be used: ${failed.status === 'failed' ? failed.record.reason : ''}`);
      throw new AppError('not_found', `There is no backup ${id} in ${folder.dir}.`);
    }
    return { folder, stored };
  }

  /** The key for a backup: this machine's copy, or one derived from a passphrase typed now. */
  async keyFor(header: BackupHeader, passphrase: string | undefined): Promise<{ key: BackupKey; learned: boolean }> {
    const known = await this.ctx.keys.find(header.keyId);
    if (known) return { key: known, learned: false };
    if (!passphrase) {
      throw new AppError('invalid_input', 'This machine does not have the key of this backup. Enter the backup passphrase it was made with.', {
        reason: 'passphrase_needed',
        issues: [{ path: 'passphrase', message: 'Enter the backup passphrase this backup was made with.' }],
      });
    }
    const derived = await keyFromPassphrase(passphrase, header, this.ctx.deps.clock.now());
    if (!derived) {
      throw new AppError('invalid_input', 'The backup passphrase does not match this backup.', {
        reason: 'wrong_passphrase',
        issues: [{ path: 'passphrase', message: 'This passphrase does not open this backup.' }],
      });
    }
    return { key: derived, learned: true };
  }

  /**
   * Decrypts and checks a backup's database file in a worker, against what its
   * manifest recorded when it has one; with `keepAs`, the decrypted database stays there.
   */
  checkInWorker(
    file: string,
    key: BackupKey,
    expected: Manifest | undefined,
    options: { keepAs?: string; signal?: AbortSignal; onProgress: (step: JobStep, fraction: number) => void },
  ) {
    return runInWorker(
      {
        type: 'verify',
        key: key.key,
        job: {
          file,
          workDir: this.ctx.workDir,
          nativeBinding: this.ctx.deps.nativeBinding,
          keepAs: options.keepAs,
          expect: expected ? expectationOf(expected, expected.files.database) : undefined,
        },
      },
      { signal: options.signal, onProgress: options.onProgress },
    );
  }

  /** Checks a backup again (decrypt, decompress, integrity_check, counts) and records the result in its manifest. */
  async verify(id: string, origin: Origin, options: { passphrase?: string } = {}): Promise<BackupItem> {
    const job = await this.jobs.claim('verify', null);
    return this.jobs.run(
      job,
      id,
      async () => {
        const { ctx } = this;
        await ctx.records.load();
        const { folder, stored } = await this.find(id);
        job.kind = stored.status === 'failed' ? null : stored.manifest.kind;
        const file = folder.databaseFile(id);
        let header: BackupHeader;
        try {
          header = (await readHeader(file)).header;
        } catch (err) {
          return this.verificationFailed(folder, stored, err, origin);
        }
        const { key, learned } = await this.keyFor(header, options.passphrase);
        const expected = stored.status === 'verified' ? stored.manifest : undefined;
        try {
          await mkdir(ctx.workDir, { recursive: true, mode: 0o700 });
          const result = await this.checkInWorker(file, key, expected, {
            signal: job.abort.signal,
            onProgress: (step, fraction) =>
              this.jobs.step(job, step, STEP_LABELS[step], step === 'checking' ? 85 + 15 * fraction : 85 * fraction),
          });
          let sqlProblem: string | null = null;
          if (expected?.files.sql) {
            try {
              await runInWorker(
                { type: 'verify-sql', key: key.key, job: { file: folder.sqlFile(id), expect: expectationOf(expected, expected.files.sql) } },
                { signal: job.abort.signal },
              );
            } catch (err) {
              if (!(err instanceof BackupFileError)) throw err;
              // the database backup itself is intact: only its SQL copy goes aside
              sqlProblem = `The SQL copy of backup ${id} is damaged and was moved to failed/: ${err.message} The database backup itself is intact.`;
              await folder.setSqlAside(id);
              ctx.alerts.raise({ key: 'backup.failed', severity: 'warning', message: sqlProblem });
            }
          }
          const indexFile = await this.verifyDocuments(folder, id, key.key, result.header, expected, (done, total) =>
            this.jobs.step(job, 'documents', `Checking the documents (${done} of ${total})`, 99),
          job.abort.signal);
          if (learned) await ctx.keys.adopt(key);
          const manifest: Manifest = {
            ...result.header.manifest,
            keyId: key.keyId,
            files: expected?.files
              ? { database: expected.files.database, ...(expected.files.documents ? { documents: expected.files.documents } : {}), ...(expected.files.sql && !sqlProblem ? { sql: expected.files.sql } : {}) }
              : {
              database: { name: `${id}.db.lexbak`, bytes: result.bytes, sha256: result.sha256 },
              ...(indexFile ? { documents: indexFile } : {}),
            },
            ...(expected?.documentCopies ? { documentCopies: expected.documentCopies } : {}),
            verifiedAt: ctx.deps.clock.now().toISOString(),
            ...(expected?.durationMs !== undefined ? { durationMs: expected.durationMs } : {}),
          };
          await folder.writeManifest(manifest);
          ctx.audit(origin, 'backup.verified', 'ok', { sha256: result.sha256, schemaVersion: result.schemaVersion, ...(sqlProblem ? { sqlCopy: 'damaged' } : {}) }, id);
          return this.status.toItem({ status: 'verified', id, manifest, sizeBytes: stored.sizeBytes });
        } catch (err) {
          if (err instanceof AppError) throw err;
          if (!(err instanceof BackupFileError)) throw err;
          return this.verificationFailed(folder, stored, err, origin);
        }
      },
      (item) => ({ outcome: item.status === 'failed' ? 'failed' : 'ok', id, message: item.failure }),
    );
  }

  /**
   * Every document the backup's database names: its index read (and checked against
   * the manifest's checksum), then each file in the pool decrypted and hashed.
   * Returns the index's entry for a manifest written now.
   */
  async verifyDocuments(
    folder: BackupFolder,
    id: string,
    key: Buffer,
    header: BackupHeader,
    expected: Manifest | undefined,
    onProgress: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<{ name: string; bytes: number; sha256: string } | undefined> {
    const named = header.manifest.documents;
    const documents = this.ctx.documents(folder);
    if (!named || !documents) return undefined;
    const recorded = expected?.files.documents;
    if (!recorded && named.count === 0) return undefined;
    const index = await documents.readIndex(id, key, recorded);
    const missingAtBackup = expected?.documentCopies?.missing ?? 0;
    if (index.entries.length + missingAtBackup !== named.count) {
      throw new BackupFileError('mismatch', `The list of documents of backup ${id} does not match its database (${index.entries.length} listed, ${named.count} named).`);
    }
    await documents.verifyAll(index, onProgress, signal);
    const info = await stat(folder.documentsFile(id));
    return recorded ?? { name: `${id}${DOCUMENTS_SUFFIX}`, bytes: info.size, sha256: await sha256Of(folder.documentsFile(id)) };
  }

  private async verificationFailed(folder: BackupFolder, stored: StoredBackup, err: unknown, origin: Origin): Promise<BackupItem> {
    if (!(err instanceof BackupFileError)) throw err;
    const { ctx } = this;
    const message = `Verification failed: ${err.message}`;
    const manifest = stored.status === 'failed' ? null : stored.manifest;
    const record = {
      id: stored.id,
      kind: manifest?.kind ?? ('manual' as const),
      createdAt: manifest?.createdAt ?? ctx.deps.clock.now().toISOString(),
      failedAt: ctx.deps.clock.now().toISOString(),
      reason: message,
      problem: err.problem,
      manifest: manifest
        ? {
            id: manifest.id,
            createdAt: manifest.createdAt,
            kind: manifest.kind,
            appVersion: manifest.appVersion,
            schemaVersion: manifest.schemaVersion,
            tables: manifest.tables,
            databaseBytes: manifest.databaseBytes,
            sqlDump: manifest.sqlDump,
          }
        : null,
    };
    await folder.setAside(record, [folder.databaseFile(stored.id), folder.sqlFile(stored.id), folder.documentsFile(stored.id)]);
    ctx.audit(origin, 'backup.verified', 'error', { problem: err.problem, message }, stored.id);
    ctx.alerts.raise({ key: 'backup.failed', severity: 'critical', message: `Backup ${stored.id}: ${message}` });
    const failed = (await folder.list()).find((i) => i.id === stored.id && i.status === 'failed');
    return this.status.toItem(failed ?? { status: 'failed', id: stored.id, record: { ...record, files: [] }, sizeBytes: 0 });
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
