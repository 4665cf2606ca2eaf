import Database from 'better-sqlite3';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupItem } from '../../../shared/contract/backup.js';
import type { CallContext } from '../dispatch.js';
import { AppError } from '../errors.js';
import { syncFile } from '../fs.js';
import type { BackupMaker } from './create.js';
import { isDestinationErrno } from './folder.js';
import { BackupFileError, type BackupHeader } from './format.js';
import type { JobTracker, RunningJob } from './job-tracker.js';
import type { BackupContext, Origin, SessionEnder } from './ports.js';
import { asideDir, finish, rollBack, swapIn, writeJournal, type RestoreJournal } from './restore-journal.js';
import { applyAfterRestore, readHighWaterMarks } from './after-restore.js';
import type { DocumentIndex, NamedDocument } from './documents.js';
import type { BackupKey } from './keyring.js';
import type { BackupSnapshots } from './snapshot-service.js';
import { namedDocuments } from './jobs.js';
import { readHeader } from './stream.js';
import type { BackupVerifier } from './verify.js';

export interface RestoreResult {
  id: string;
  preRestoreBackupId: string;
  schemaFrom: number;
  schemaTo: number;
  sessionsEnded: number;
}

export interface RestoreOptions {
  /** the backup passphrase, when this machine does not have the backup's key */
  passphrase?: string;
  /** the restoring admin's session, which stays open */
  keep?: { userId: string; sessionId: string } | null;
  call?: CallContext;
}

/**
 * Putting a backup in place of the live database, the riskiest thing LexDesk does.
 * What happens to the rows younger than the backup (messages received and sent since,
 * matter references handed out since) is the rule written in after-restore.ts.
 * Every refusal before the swap says "Nothing was changed"; the file moves
 * themselves are in restore-journal.ts, so that a crash at any instant can be finished
 * or undone at the next start.
 */
export class BackupRestore {
  constructor(
    private readonly ctx: BackupContext,
    private readonly jobs: JobTracker,
    private readonly maker: BackupMaker,
    private readonly verifier: BackupVerifier,
    private readonly snapshots: BackupSnapshots,
  ) {}

  /**
   * Puts a backup in place of the live database. Order: check the backup (decrypt
   * to a candidate file in the data folder), take a pre-restore safety backup, pause
   * the writers, close the database, swap the files under a journal, reopen and
   * migrate, resume, end the other sessions. Any failure before the swap changes
   * nothing; a failure after it puts the old files back.
   */
  async restore(id: string, origin: Origin, options: RestoreOptions, sessions: SessionEnder | null): Promise<RestoreResult> {
    const job = await this.jobs.claim('restore', null);
    return this.jobs.run(job, id, () =>
      this.restoreWithin(job, id, origin, options, sessions).catch((err: unknown) => {
        this.ctx.audit(origin, 'backup.restore.failed', 'error', { message: (err as Error).message }, id);
        throw err;
      }),
    );
  }

  private async restoreWithin(job: RunningJob, id: string, origin: Origin, options: RestoreOptions, sessions: SessionEnder | null): Promise<RestoreResult> {
    const step = (name: string, label: string, percent: number) => this.jobs.step(job, name, label, percent);
    const restoreStartedAt = Date.now();
    const { ctx } = this;
    const { deps, log } = ctx;
    await ctx.records.load();
    step('checking', 'Checking the backup', 1);
    const candidate = join(ctx.workDir, `restore-${id}.sqlite`);
    await mkdir(ctx.workDir, { recursive: true, mode: 0o700 });
    await rm(candidate, { force: true });
    const source = (await this.snapshots.has(id)) && !(await ctx.folder().exists(id)) ? await this.prepareSnapshot(job, id, candidate, options) : await this.prepareFile(job, id, candidate, options);
    const { key, learned } = source;

    // the documents the restored database names, in the document store before anything is swapped
    const documents = ctx.documents(ctx.folder());
    let named: NamedDocument[] | null = null;
    if (documents && source.hasDocuments) {
      step('documents', 'Checking the documents', 29);
      try {
        named = documentsNamedBy(candidate, deps.nativeBinding);
        if (named.length > 0) {
          const index = await source.index();
          await documents.adoptKeys(index);
          const brought = await documents.bringBack(named, new Set(index.entries.map((e) => e.sha256)), (done, total) =>
            step('documents', `Putting back the documents (${done} of ${total})`, 29),
          );
          log.info({ id, ...brought }, 'documents of the backup are in the document store');
        }
      } catch (err) {
        await rm(candidate, { force: true });
        throw restoreRefused(err);
      }
    }

    // a key learned from the passphrase (a new machine) also protects the safety backup below
    if (learned) await ctx.keys.adopt(key);
    step('safety-backup', 'Taking a safety backup of the current data', 30);
    let safety: BackupItem;
    try {
      safety = await this.maker.createWithin(job, 'pre-restore', origin, { sqlDump: false, reason: `before restoring ${id}` }, (_s, label, percent) =>
        step('safety-backup', `Safety backup: ${label.toLowerCase()}`, 30 + 0.4 * percent),
      );
    } catch (err) {
      await rm(candidate, { force: true });
      throw new AppError('conflict', `Nothing was changed: the safety backup of the current data failed. ${(err as Error).message}`, {
        reason: 'safety_backup_failed',
      });
    }

    step('pausing', 'Pausing work in progress', 70);
    let resume: () => Promise<void>;
    try {
      resume = await deps.writers.pauseAll('restore');
    } catch (err) {
      await rm(candidate, { force: true });
      throw new AppError('conflict', `Nothing was changed: ${(err as Error).message}`, { reason: 'busy' });
    }
    const journal: RestoreJournal = {
      version: 1,
      id,
      startedAt: deps.clock.now().toISOString(),
      phase: 'ready',
      database: deps.database.file,
      candidate,
      aside: asideDir(ctx.dataDir),
    };
    let schemaFrom = source.schemaVersion;
    try {
      ctx.audit(origin, 'backup.restore.started', 'ok', { preRestoreBackupId: safety.id }, id);
      // read with the writers paused: no reference is handed out between this and the swap
      const marks = readHighWaterMarks(deps.database.file, deps.nativeBinding);
      step('swapping', 'Swapping the database files', 72);
      await writeJournal(ctx.dataDir, journal);
      await deps.database.close(`A backup is being restored. Try again in a minute.`);
      try {
        await swapIn(ctx.dataDir, journal, deps.options?.swapHook);
      } catch (err) {
        log.error({ err, id }, 'the database files could not be swapped; putting the old ones back');
        await rollBack(ctx.dataDir, journal);
        await deps.database.open();
        throw new AppError('internal', `Nothing was changed: the database files could not be swapped (${(err as Error).message}).`);
      }
      step('migrating', 'Opening the restored database', 80);
      try {
        schemaFrom = (await deps.database.open()).schemaFrom;
        applyAfterRestore(deps.database.file, marks, { backupCreatedAt: source.createdAt, restoredAt: deps.clock.now() }, deps.nativeBinding);
      } catch (err) {
        log.error({ err, id }, 'the restored database did not open; putting the old one back');
        await deps.database.close('Putting the database back after a failed restore.').catch(() => undefined);
        await rollBack(ctx.dataDir, journal);
        await deps.database.open();
        throw new AppError('internal', `The restored database could not be opened, so the previous one was put back: ${(err as Error).message}`);
      }
      await finish(ctx.dataDir, journal);
      if (documents && named) {
        // files of documents the restored database does not name (they are in the safety backup)
        const removed = await documents.removeOthers(named, restoreStartedAt).catch((err: unknown) => {
          log.error({ err }, 'documents the restored database does not name could not be removed');
          return 0;
        });
        if (removed > 0) log.info({ removed }, 'documents the restored database does not name were removed from the store');
      }
    } finally {
      step('resuming', 'Resuming', 95);
      await resume().catch((err: unknown) => log.error({ err }, 'a service did not resume after the restore'));
    }
    let sessionsEnded = 0;
    try {
      sessionsEnded = sessions
        ? await sessions.endAllExcept(options.keep ?? null, options.call ?? { face: origin.face === 'scheduler' || origin.face === 'bot' ? 'cli' : origin.face })
        : 0;
    } catch (err) {
      log.error({ err }, 'could not end the sessions after the restore');
    }
    // recorded in the restored database, which does not know what happened since the backup
    ctx.audit(origin, 'backup.restored', 'ok', { preRestoreBackupId: safety.id, schemaFrom, schemaTo: deps.schemaVersion, sessionsEnded, backupCreatedAt: source.createdAt }, id);
    log.info({ id, preRestore: safety.id, schemaFrom }, 'backup restored');
    step('done', 'Restored', 100);
    return { id, preRestoreBackupId: safety.id, schemaFrom, schemaTo: deps.schemaVersion, sessionsEnded };
  }
  private newerSchema(id: string, schemaVersion: number): AppError | null {
    if (schemaVersion <= this.ctx.deps.schemaVersion) return null;
    return new AppError(
      'conflict',
      `Backup ${id} was made by a newer LexDesk (schema ${schemaVersion}; this version knows up to ${this.ctx.deps.schemaVersion}). Install the newer LexDesk to restore it.`,
      { reason: 'newer_schema' },
    );
  }

  /** A backup file (.lexbak): decrypted and checked into `candidate`. */
  private async prepareFile(job: RunningJob, id: string, candidate: string, options: RestoreOptions): Promise<Prepared> {
    const step = (name: string, label: string, percent: number) => this.jobs.step(job, name, label, percent);
    const { folder, stored } = await this.verifier.find(id);
    const file = folder.databaseFile(id);
    let header: BackupHeader;
    try {
      header = (await readHeader(file)).header;
    } catch (err) {
      throw restoreRefused(err);
    }
    job.kind = header.manifest.kind;
    const newer = this.newerSchema(id, header.manifest.schemaVersion);
    if (newer) throw newer;
    const { key, learned } = await this.verifier.keyFor(header, options.passphrase);
    const expected = stored.status === 'verified' ? stored.manifest : undefined;
    try {
      await this.verifier.checkInWorker(file, key, expected, {
        keepAs: candidate,
        onProgress: (s, fraction) => step('verifying', 'Checking the backup', 2 + 28 * (s === 'checking' ? 0.9 + 0.1 * fraction : 0.9 * fraction)),
      });
      // the candidate must be on the disk before a journal names it
      await syncFile(candidate);
    } catch (err) {
      await rm(candidate, { force: true });
      throw restoreRefused(err);
    }
    const documents = this.ctx.documents(folder);
    return {
      key,
      learned,
      createdAt: header.manifest.createdAt,
      schemaVersion: header.manifest.schemaVersion,
      hasDocuments: header.manifest.documents !== undefined,
      index: () => documents!.readIndex(id, key.key, expected?.files.documents),
    };
  }

  /** A snapshot of the repository: reassembled and checked into `candidate`. */
  private async prepareSnapshot(job: RunningJob, id: string, candidate: string, options: RestoreOptions): Promise<Prepared> {
    const step = (name: string, label: string, percent: number) => this.jobs.step(job, name, label, percent);
    const head = (await this.snapshots.has(id))!;
    job.kind = head.kind === 'frequent' ? 'scheduled' : head.kind;
    const { key, learned } = await this.verifier.keyFor({ keyId: head.keyId, kdf: head.kdf } as BackupHeader, options.passphrase);
    let checked;
    try {
      checked = await this.snapshots.verifyInWorker(id, key, {
        keepAs: candidate,
        onProgress: (s, fraction) => step('verifying', 'Checking the snapshot', 2 + 28 * (s === 'checking' ? 0.9 + 0.1 * fraction : 0.9 * fraction)),
      });
      await syncFile(candidate);
    } catch (err) {
      await rm(candidate, { force: true });
      throw restoreRefused(err);
    }
    const newer = this.newerSchema(id, checked.schemaVersion);
    if (newer) {
      await rm(candidate, { force: true });
      throw newer;
    }
    const docs = checked.documents;
    return {
      key,
      learned,
      createdAt: checked.createdAt,
      schemaVersion: checked.schemaVersion,
      hasDocuments: true,
      index: async () => ({ backupId: id, keys: docs.keys.map((k) => ({ keyId: k.keyId, key: Buffer.from(k.key, 'base64') })), entries: docs.entries }),
    };
  }
}

/** What a restore needs of its source, a backup file or a snapshot, once checked into the candidate file. */
interface Prepared {
  key: BackupKey;
  learned: boolean;
  createdAt: string;
  schemaVersion: number;
  hasDocuments: boolean;
  index(): Promise<DocumentIndex>;
}

/** The documents a restored database names (read from the checked candidate before the swap). */
function documentsNamedBy(file: string, nativeBinding: string | undefined): NamedDocument[] {
  const db = new Database(file, { readonly: true, fileMustExist: true, nativeBinding });
  try {
    return namedDocuments(db);
  } finally {
    db.close();
  }
}

/** A backup that cannot be read, decrypted or checked, as the refusal a person reads ("Nothing was changed"). */
export function restoreRefused(err: unknown): Error {
  if (err instanceof AppError) return err;
  if (err instanceof BackupFileError) {
    const code = err.problem === 'wrong_passphrase' ? 'invalid_input' : 'conflict';
    return new AppError(code, `Nothing was changed: ${err.message}`, { reason: err.problem });
  }
  if (isDestinationErrno(err)) return new AppError('conflict', `Nothing was changed: ${(err as Error).message}`, { reason: 'destination' });
  return err as Error;
}
