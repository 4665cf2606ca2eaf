import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import type { BackupItem, BackupKind, BackupRun } from '../../../shared/contract/backup.js';
import { BACKUPS_LOCKED_MESSAGE } from './key-protection.js';
import { AppError } from '../errors.js';
import { BackupDocuments, type DocumentIndex, type IndexEntry } from './documents.js';
import { takeRepoLock } from './snapshots.js';
import { DOCUMENTS_SUFFIX, destinationMessage, isDestinationErrno, type BackupFolder, type Manifest, type StoredBackup } from './folder.js';
import { BackupFileError } from './format.js';
import { backupSlices, STEP_LABELS, type JobTracker, type RunningJob } from './job-tracker.js';
import { SYSTEM_ORIGIN, type BackupContext, type Origin } from './ports.js';
import { retentionPlan } from './retention.js';
import { runInWorker } from './runner.js';
import type { BackupStatus } from './status.js';
import type { BackupSnapshots } from './snapshot-service.js';

/** Reports a step of a backup to whoever shows its progress. */
export type StepReport = (step: string, label: string, percent: number) => void;

/** Making a backup of the live database, and retention after it. */
export class BackupMaker {
  constructor(
    private readonly ctx: BackupContext,
    private readonly jobs: JobTracker,
    private readonly status: BackupStatus,
    private readonly snapshots: BackupSnapshots,
  ) {}

  /**
   * Backs up the live database: a consistent copy, compressed, encrypted, verified,
   * then committed in the destination; retention runs after a success. A failure is
   * kept aside with its reason, audited and alerted, and thrown as an AppError.
   */
  async create(kind: BackupKind, origin: Origin, options: { sqlDump?: boolean; reason?: string } = {}): Promise<BackupItem> {
    const job = await this.jobs.claim('backup', kind);
    return this.jobs.run(
      job,
      null,
      () => this.createWithin(job, kind, origin, options, (step, label, percent) => this.jobs.step(job, step, label, percent)),
      (item) => ({ outcome: 'ok', id: item.id, message: null }),
    );
  }

  /** The backup itself, within a job the caller began (a restore makes its safety backup within its own). */
  async createWithin(
    job: RunningJob,
    kind: BackupKind,
    origin: Origin,
    options: { sqlDump?: boolean; reason?: string },
    report: StepReport,
  ): Promise<BackupItem> {
    const { ctx } = this;
    const { deps } = ctx;
    await ctx.records.load();
    const started = deps.clock.now();
    const startedMs = Date.now();
    const key = await ctx.keys.current();
    if (!key) {
      if (await ctx.keys.isLocked()) {
        const message = BACKUPS_LOCKED_MESSAGE;
        await this.recordFailure(kind, started, null, message, origin, 'key_locked');
        throw new AppError('conflict', message, { reason: 'key_locked' });
      }
      const message = (await this.status.keyLost())
        ? 'The backup key is gone from this computer: enter the backup passphrase on the Backups screen (or with `lexdesk backup passphrase`) first.'
        : 'Set a backup passphrase first (Backups screen, or `lexdesk backup passphrase`).';
      await this.recordFailure(kind, started, null, message, origin, 'no_passphrase');
      throw new AppError('conflict', message, { reason: 'no_passphrase' });
    }
    const folder = ctx.folder();
    try {
      await folder.ensureWritable();
    } catch (err) {
      const message = (err as Error).message;
      ctx.alerts.raise({ key: 'backup.destination', severity: 'critical', message });
      await this.recordFailure(kind, started, null, message, origin, 'destination');
      throw new AppError('conflict', message, { reason: 'destination' });
    }
    ctx.alerts.clear('backup.destination');
    const id = backupId(started, kind);
    const withSql = options.sqlDump ?? ctx.records.settings.sqlDump;
    const partials: { database: string; sql?: string; documents?: string } = {
      database: folder.partial(id, '.db.lexbak'),
      sql: withSql ? folder.partial(id, '.sql.lexbak') : undefined,
    };
    const slices = backupSlices(withSql);
    const documents = ctx.documents(folder);
    // the database's steps fill the bar up to 85% when the documents' copy follows
    const scale = documents ? 0.85 : 1;
    // the snapshot beside the backup holds the repository until its manifest is written (no thinning in between);
    // another process holding it (the command line) only means this backup is not also a snapshot
    let repoLock: (() => Promise<void>) | null = await takeRepoLock(folder.dir).catch((err: unknown) => {
      ctx.log.warn({ err }, 'the snapshot repository is busy: this backup is not also a snapshot');
      return null;
    });
    try {
      await mkdir(ctx.workDir, { recursive: true, mode: 0o700 });
      const result = await runInWorker(
        {
          type: 'create',
          key: key.key,
          job: {
            databaseFile: deps.database.file,
            nativeBinding: deps.nativeBinding,
            workDir: ctx.workDir,
            databasePartial: partials.database,
            sqlPartial: partials.sql,
            kdf: key.kdf,
            manifest: { id, createdAt: started.toISOString(), kind, appVersion: deps.appVersion },
            level: deps.options?.compressionLevel ?? 1,
            ...(repoLock ? { snapshot: { repoDir: this.snapshots.repoDir(folder), keyId: key.keyId } } : {}),
          },
        },
        {
          signal: job.abort.signal,
          onProgress: (step, fraction) => {
            const [from, to] = slices[step];
            report(step, STEP_LABELS[step], scale * (from + (to - from) * fraction));
          },
        },
      );
      let copies: Manifest['documentCopies'];
      let documentIndex: DocumentIndex | null = null;
      let indexFile: { bytes: number; sha256: string } | undefined;
      if (documents) {
        const previous = await this.previousIndex(folder, documents, key.key, key.keyId);
        const outcome = await documents.copy(
          id,
          result.documents,
          previous,
          (done, total) => report('documents', `Copying the documents (${done} of ${total})`, 85 + (14 * done) / Math.max(1, total)),
          job.abort.signal,
        );
        partials.documents = folder.partial(id, DOCUMENTS_SUFFIX);
        indexFile = await BackupDocuments.writeIndex(partials.documents, outcome.index, key.key, key.kdf, result.manifest);
        documentIndex = outcome.index;
        copies = { added: outcome.added, addedBytes: outcome.addedBytes, reused: outcome.reused, missing: outcome.missing.length };
        if (outcome.missing.length > 0) {
          ctx.log.warn({ id, missing: outcome.missing.length, first: outcome.missing.slice(0, 5) }, 'documents named by the database are missing from the document store');
        }
      }
      report('saving', STEP_LABELS.saving, 99);
      const manifest: Manifest = {
        ...result.manifest,
        keyId: key.keyId,
        files: {
          database: { name: `${id}.db.lexbak`, bytes: result.database.bytes, sha256: result.database.sha256 },
          ...(result.sql ? { sql: { name: `${id}.sql.lexbak`, bytes: result.sql.bytes, sha256: result.sql.sha256 } } : {}),
          ...(indexFile ? { documents: { name: `${id}${DOCUMENTS_SUFFIX}`, bytes: indexFile.bytes, sha256: indexFile.sha256 } } : {}),
        },
        ...(copies ? { documentCopies: copies } : {}),
        verifiedAt: deps.clock.now().toISOString(),
        durationMs: Date.now() - startedMs,
      };
      await folder.commit(manifest, partials);
      const run: BackupRun = { at: started.toISOString(), kind, outcome: 'ok', id, message: null, durationMs: Date.now() - startedMs };
      await ctx.records.saveState({ lastRun: run, lastGood: { at: started.toISOString(), id, kind } });
      ctx.audit(
        origin,
        'backup.created',
        'ok',
        {
          kind,
          reason: options.reason,
          bytes: manifest.files.database.bytes + (manifest.files.sql?.bytes ?? 0),
          sha256: manifest.files.database.sha256,
          schemaVersion: manifest.schemaVersion,
          tables: Object.keys(manifest.tables).length,
          sqlDump: manifest.sqlDump,
          documents: manifest.documents?.count ?? 0,
          documentsAdded: copies?.added ?? 0,
          documentsMissing: copies?.missing ?? 0,
          destination: folder.dir,
        },
        id,
      );
      ctx.alerts.clear('backup.failed');
      ctx.alerts.clear('backup.overdue');
      ctx.log.info({ id, kind, bytes: manifest.files.database.bytes, ms: run.durationMs }, 'backup made and verified');
      // every backup is also a snapshot in the repository (its changed chunks were written beside the file)
      if (result.snapshot) {
        await this.snapshots
          .commit(kind, id, key, origin, result.snapshot, documentIndex, report, job.abort.signal)
          .catch((err: unknown) => ctx.log.error({ err, id }, 'the snapshot beside the backup failed'));
      }
      await repoLock?.();
      repoLock = null;
      report('retention', STEP_LABELS.retention, 100);
      await this.applyRetention(origin).catch((err: unknown) => ctx.log.error({ err }, 'retention failed'));
      const stored = await folder.read(id);
      return this.status.toItem(stored ?? { status: 'verified', id, manifest, sizeBytes: manifest.files.database.bytes });
    } catch (err) {
      await repoLock?.();
      repoLock = null;
      const cancelled = job.abort.signal.aborted;
      const problem = err instanceof BackupFileError ? err.problem : isDestinationErrno(err) ? 'destination' : 'error';
      const message = cancelled
        ? 'The backup was cancelled because LexDesk is stopping.'
        : err instanceof BackupFileError
          ? `The backup did not pass verification: ${err.message}`
          : isDestinationErrno(err)
            ? destinationMessage(folder.dir, err)
            : `The backup failed: ${(err as Error).message}`;
      if (cancelled) {
        await rm(partials.database, { force: true });
        if (partials.sql) await rm(partials.sql, { force: true });
        if (partials.documents) await rm(partials.documents, { force: true });
      } else {
        await folder
          .setAside(
            { id, kind, createdAt: started.toISOString(), failedAt: deps.clock.now().toISOString(), reason: message, problem, manifest: null },
            [partials.database, ...(partials.sql ? [partials.sql] : []), ...(partials.documents ? [partials.documents] : [])],
          )
          .catch((e: unknown) => ctx.log.error({ err: e }, 'could not keep the failed backup aside'));
      }
      ctx.log.error({ err, id, kind }, 'backup failed');
      await this.recordFailure(kind, started, id, message, origin, problem);
      if (problem === 'destination') ctx.alerts.raise({ key: 'backup.destination', severity: 'critical', message });
      throw new AppError(cancelled ? 'conflict' : 'internal', message, { reason: problem });
    }
  }

  private async recordFailure(kind: BackupKind, at: Date, id: string | null, message: string, origin: Origin, problem: string): Promise<void> {
    await this.ctx.records.saveState({ lastRun: { at: at.toISOString(), kind, outcome: 'failed', id, message, durationMs: null } });
    this.ctx.audit(origin, 'backup.failed', 'error', { kind, problem, message }, id ?? undefined);
    this.ctx.alerts.raise({ key: 'backup.failed', severity: 'critical', message });
  }

  /**
   * The index of the newest verified backup made with this key: which key each
   * document the pool holds is under, without opening every file again.
   */
  private async previousIndex(folder: BackupFolder, documents: BackupDocuments, key: Buffer, keyId: string): Promise<Map<string, IndexEntry>> {
    const previous = (await folder.list()).find(
      (item): item is Extract<StoredBackup, { status: 'verified' }> =>
        item.status === 'verified' && item.manifest.keyId === keyId && item.manifest.files.documents !== undefined,
    );
    if (!previous) return new Map();
    try {
      const index = await documents.readIndex(previous.id, key, previous.manifest.files.documents);
      return new Map(index.entries.map((e) => [e.sha256, e]));
    } catch (err) {
      this.ctx.log.warn({ err, id: previous.id }, 'the previous backup\'s list of documents could not be read; reading each document instead');
      return new Map();
    }
  }

  /**
   * Deletes the pool's files that no remaining backup names. Only when every
   * remaining backup's index can be read: a document is never deleted on a guess.
   */
  async prunePool(folder: BackupFolder): Promise<number> {
    const documents = this.ctx.documents(folder);
    if (!documents) return 0;
    const kept = await this.snapshots.namedDocuments().catch(() => null);
    if (!kept) return 0;
    for (const item of await folder.list()) {
      if (item.status === 'failed') continue;
      if (item.status === 'unverified') {
        if (item.manifest.documents && item.manifest.documents.count > 0) return 0;
        continue;
      }
      if (!item.manifest.files.documents) continue;
      const key = await this.ctx.keys.find(item.manifest.keyId).catch(() => null);
      if (!key) return 0;
      try {
        const index = await documents.readIndex(item.id, key.key, item.manifest.files.documents);
        for (const e of index.entries) kept.add(e.sha256);
      } catch (err) {
        this.ctx.log.warn({ err, id: item.id }, 'old document copies were kept: a backup\'s list of documents could not be read');
        return 0;
      }
    }
    return documents.prune(kept);
  }

  /** Removes what retention says may go; returns the ids removed. */
  async applyRetention(origin: Origin = SYSTEM_ORIGIN): Promise<string[]> {
    const { records } = this.ctx;
    await records.load();
    const folder = this.ctx.folder();
    const items = await folder.list();
    const plan = retentionPlan(items, this.ctx.deps.clock.now(), records.settings);
    for (const item of plan) await folder.remove(item);
    const thinned = await this.snapshots.thin(origin).catch((err: unknown) => {
      this.ctx.log.error({ err }, 'snapshot thinning failed');
      return { removed: [] as string[], chunks: 0 };
    });
    if (plan.length > 0 || thinned.removed.length > 0 || thinned.chunks > 0) {
      const pruned = await this.prunePool(folder);
      if (pruned > 0) this.ctx.log.info({ pruned }, 'document copies no backup names any more removed');
    }
    this.status.forget();
    if (plan.length > 0) {
      this.ctx.audit(origin, 'backup.retention', 'ok', { removed: plan.map((i) => i.id), retentionDays: records.settings.retentionDays, keepAtLeast: records.settings.keepAtLeast });
      this.ctx.log.info({ removed: plan.map((i) => i.id) }, 'old backups removed');
    }
    return plan.map((i) => i.id);
  }
}

/** 20260105T023000Z-scheduled-1a2b: sorts by time, says what it is, unique. */
export function backupId(at: Date, kind: BackupKind): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `${stamp}-${kind}-${randomBytes(2).toString('hex')}`;
}
