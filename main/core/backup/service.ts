import { randomBytes } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { BackupItem, BackupKind, BackupOverview, BackupSettings, SnapshotItem } from '../../../shared/contract/backup.js';
import type { CallContext } from '../dispatch.js';
import { AppError } from '../errors.js';
import type { CheckResult } from '../health.js';
import type { Logger } from '../log.js';
import { BackupMaker, backupId as backupIdOf } from './create.js';
import { BackupDocuments, type DocumentVault } from './documents.js';
import { BackupFolder, destinationMessage } from './folder.js';
import { BACKUP_KINDS, DEFAULT_SCRYPT, type BackupHeader } from './format.js';
import { JobTracker } from './job-tracker.js';
import { BackupKeyRing, type BackupKey } from './keyring.js';
import {
  SYSTEM_ORIGIN,
  type BackupAlertSink,
  type BackupContext,
  type BackupServiceDeps,
  type Origin,
  type PasswordVerifier,
  type SessionEnder,
} from './ports.js';
import { BackupRestore, restoreRefused, type RestoreOptions, type RestoreResult } from './restore.js';
import { runInWorker } from './runner.js';
import { BackupScheduler } from './scheduler.js';
import { BackupSnapshots } from './snapshot-service.js';
import { removeStaleRepoLock, withRepoLock } from './snapshots.js';
import { BackupRecords, type StoredSettings } from './settings.js';
import { BackupStatus } from './status.js';
import { readHeader } from './stream.js';
import { BackupVerifier } from './verify.js';

const DAY_MS = 86_400_000;
/** the newest snapshot read in place is reassembled and checked whole at most this often (see snapshotFullCheckMs) */
const FULL_CHECK_EVERY_MS = 600_000;

function backupIdFor(at: Date, kind: 'frequent'): string {
  return backupIdOf(at, kind as unknown as BackupKind);
}

/**
 * Verified, encrypted backups of the live database: the daily schedule and the
 * catch-up at start, the settings, and the one door to making (create.ts),
 * checking (verify.ts) and restoring (restore.ts) a backup. How backups stand is
 * in status.ts; one job runs at a time (job-tracker.ts).
 */
export class BackupService {
  private readonly log: Logger;
  private readonly keys: BackupKeyRing;
  private readonly records: BackupRecords;
  private readonly scheduler: BackupScheduler;
  private readonly jobs: JobTracker;
  private readonly status: BackupStatus;
  private readonly maker: BackupMaker;
  private readonly verifier: BackupVerifier;
  private readonly restorer: BackupRestore;
  readonly snapshots: BackupSnapshots;
  private snapshotTimer: NodeJS.Timeout | null = null;
  /** the live database's files as the newest snapshot saw them */
  private snapshotFingerprint: string | null = null;
  private fullCheckTimer: NodeJS.Timeout | null = null;
  private lastFullCheckAt: number | null = null;
  /** the full check found another job running, and runs when it ends */
  private fullCheckWaits = false;
  private alerts: BackupAlertSink;
  private passwords: PasswordVerifier | null = null;
  private vault: DocumentVault | null = null;
  private sessions: SessionEnder | null = null;
  private catchUpTimer: NodeJS.Timeout | null = null;
  private overdueTimer: NodeJS.Timeout | null = null;
  private started = false;

  constructor(private readonly deps: BackupServiceDeps) {
    this.log = deps.log.child({ component: 'backup' });
    this.keys = new BackupKeyRing(deps.secrets, deps.options?.scryptCost ?? DEFAULT_SCRYPT, deps.keyProtection);
    this.records = new BackupRecords(this.dataDir, this.log);
    this.scheduler = new BackupScheduler(() => this.runScheduled('scheduled'), this.log);
    this.alerts = {
      raise: (alert) => this.log.warn({ alert: alert.key, severity: alert.severity }, alert.message),
      clear: () => undefined,
    };
    const ctx: BackupContext = {
      deps,
      log: this.log,
      keys: this.keys,
      records: this.records,
      dataDir: this.dataDir,
      workDir: this.workDir,
      folder: () => this.folder(),
      documents: (folder) => (this.vault ? new BackupDocuments(this.vault, folder.dir) : null),
      // whichever sink is plugged in when the alert happens
      alerts: { raise: (alert) => this.alerts.raise(alert), clear: (key) => this.alerts.clear(key) },
      audit: (origin, action, outcome, details, target) => this.audit(origin, action, outcome, details, target),
    };
    this.jobs = new JobTracker(deps.events, () => this.jobEnded());
    this.status = new BackupStatus(ctx, this.jobs, () => this.scheduler.nextRun());
    this.snapshots = new BackupSnapshots(ctx);
    this.maker = new BackupMaker(ctx, this.jobs, this.status, this.snapshots);
    this.verifier = new BackupVerifier(ctx, this.jobs, this.status);
    this.restorer = new BackupRestore(ctx, this.jobs, this.maker, this.verifier, this.snapshots);
  }

  // ---- wiring -------------------------------------------------------------------------------

  /** Sign-in provides the password check (restore, passphrase) and ends sessions after a restore. */
  useAuth(auth: { passwords: PasswordVerifier; sessions?: SessionEnder }): void {
    this.passwords = auth.passwords;
    this.sessions = auth.sessions ?? null;
  }

  /** The document store: backups copy its files, restores put them back. */
  useDocuments(vault: DocumentVault): void {
    this.vault = vault;
  }

  /** Monitoring receives backup alerts here. */
  useAlerts(sink: BackupAlertSink): void {
    this.alerts = sink;
  }

  get dataDir(): string {
    return this.deps.config.dataDir;
  }
  /** plain copies being made or checked; in the data folder (same disk as the database, never the destination) */
  get workDir(): string {
    return join(this.dataDir, '.backup-work');
  }
  get defaultDestination(): string {
    return join(this.dataDir, 'backups');
  }

  /**
   * The backup, verification or restore running now, if any (the update gate and a
   * quit wait for it). The background check of a snapshot is not one: stopping
   * cancels it, changing nothing, and it runs again after the restart.
   */
  runningJob(): { operation: 'backup' | 'verify' | 'restore'; label: string } | null {
    const job = this.jobs.current;
    return job && !job.background ? { operation: job.operation, label: job.label } : null;
  }

  destination(): { dir: string; source: BackupSettings['destinationSource'] } {
    if (this.deps.config.backupDir) return { dir: this.deps.config.backupDir, source: 'environment' };
    if (this.records.settings.destination) return { dir: this.records.settings.destination, source: 'settings' };
    return { dir: this.defaultDestination, source: 'default' };
  }

  private folder(): BackupFolder {
    const { dir, source } = this.destination();
    return new BackupFolder(dir, source !== 'settings');
  }

  private audit(origin: Origin, action: string, outcome: 'ok' | 'error', details: Record<string, unknown>, target?: string): void {
    try {
      this.deps.audit.append({
        actor: origin.actor,
        face: origin.face,
        action,
        outcome,
        target: target ? { type: 'backup', id: target } : undefined,
        details,
        requestId: origin.requestId,
      });
    } catch (err) {
      this.log.error({ err, action }, 'could not record the backup in the audit trail');
    }
  }

  // ---- life -----------------------------------------------------------------------------------

  /** Cleans what a crash left, schedules the daily backup and a catch-up when the last good one is old. */
  async start(): Promise<void> {
    await this.records.load();
    this.started = true;
    // the command line may run beside a running LexDesk: only the app itself cleans up
    if (this.deps.options?.schedule === false) return;
    await this.removeLeftovers();
    this.scheduler.apply(this.records.settings);
    this.applySnapshotTimer(this.records.settings.snapshotMinutes);
    // a snapshot whose check a stop cancelled (or never began) is checked whole soon after start
    this.scheduleFullCheck();
    const lastGood = await this.lastGoodAt();
    const now = this.deps.clock.now().getTime();
    this.log.info({ keyProtection: this.keys.protectionKind }, `the backup key is kept: ${this.keys.storeKind}`);
    if (this.records.settings.scheduleEnabled && (await this.keys.isSet()) && !(await this.keys.isLocked()) && (!lastGood || now - Date.parse(lastGood) > DAY_MS)) {
      const delay = this.deps.options?.catchUpDelayMs ?? 60_000;
      this.log.info({ lastGood, delayMs: delay }, 'the last good backup is older than a day: catching up');
      this.catchUpTimer = setTimeout(() => {
        this.catchUpTimer = null;
        void this.runScheduled('catch-up');
      }, delay);
      this.catchUpTimer.unref();
    }
    this.overdueTimer = setInterval(() => void this.status.checkOverdue(), 3_600_000);
    this.overdueTimer.unref();
    await this.status.checkOverdue();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.scheduler.stop();
    this.applySnapshotTimer(0);
    if (this.catchUpTimer) clearTimeout(this.catchUpTimer);
    if (this.overdueTimer) clearInterval(this.overdueTimer);
    if (this.fullCheckTimer) clearTimeout(this.fullCheckTimer);
    this.fullCheckTimer = null;
    this.catchUpTimer = null;
    this.overdueTimer = null;
    // a restore is never interrupted here (it finishes in seconds and must not be left half done);
    // a backup or a verification is cancelled and its files removed
    const job = this.jobs.current;
    if (job && job.operation !== 'restore') job.abort.abort();
    await this.jobs.settled();
  }

  private async removeLeftovers(): Promise<void> {
    await rm(this.workDir, { recursive: true, force: true });
    await mkdir(this.workDir, { recursive: true, mode: 0o700 });
    const removed = await this.folder().removeLeftovers();
    if (await removeStaleRepoLock(this.folder().dir)) removed.push('.repo.lock');
    const copies = this.vault ? await new BackupDocuments(this.vault, this.folder().dir).removeLeftovers() : 0;
    if (copies > 0) removed.push(`${copies} document copies`);
    if (removed.length > 0) this.log.warn({ removed }, 'removed files of a backup that was interrupted');
    // a backup that was being written when LexDesk stopped (a crash, a power cut): said, not silently dropped
    for (const name of removed) {
      const match = /^\.((\d{8}T\d{6}Z)-([a-z-]+)-[0-9a-f]{4})\.db\.lexbak\.partial$/.exec(name);
      if (!match) continue;
      const [, id, stamp, kindText] = match as unknown as [string, string, string, string];
      const kind = (BACKUP_KINDS as readonly string[]).includes(kindText) ? (kindText as BackupKind) : 'manual';
      const at = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}.000Z`;
      const message = `The backup started at ${at.slice(0, 16).replace('T', ' ')} UTC was interrupted (LexDesk stopped or the computer lost power before it was finished); its files were removed.`;
      const current = this.records.state.lastRun;
      if (!current || current.at <= at) {
        await this.records.saveState({ lastRun: { at, kind, outcome: 'failed', id, message, durationMs: null } });
      }
      this.audit(SYSTEM_ORIGIN, 'backup.interrupted', 'error', { kind, message }, id);
    }
  }

  private applySnapshotTimer(minutes: number): void {
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    this.snapshotTimer = null;
    if (minutes <= 0) return;
    this.snapshotTimer = setInterval(() => void this.snapshotIfChanged().catch((err: unknown) => this.log.error({ err }, 'the snapshot failed')), minutes * 60_000);
    this.snapshotTimer.unref();
  }

  /**
   * The frequent snapshot: only when the database's files moved since the newest
   * one, never beside another job, never without the key. Returns null when none was taken.
   */
  async snapshotIfChanged(origin: Origin = SYSTEM_ORIGIN): Promise<SnapshotItem | null> {
    await this.records.load();
    // beside a job someone asked for, no snapshot: the next interval takes it
    if (this.jobs.current && !this.jobs.current.background) return null;
    const key = await this.keys.current();
    if (!key) return null;
    const fingerprint = await this.snapshots.fingerprint();
    if (fingerprint === this.snapshotFingerprint) return null;
    if (this.jobs.current && !this.jobs.current.background) return null;
    // a snapshot's background check, running or just begun, gives way, and runs again after
    const job = await this.jobs.claim('backup', null);
    const id = backupIdFor(this.deps.clock.now(), 'frequent');
    job.label = 'Taking a snapshot';
    return this.jobs.run(
      job,
      id,
      async () => {
        const item = await this.snapshots.take('frequent', id, key, origin, (step, label, percent) => this.jobs.step(job, step, label, percent), job.abort.signal);
        this.snapshotFingerprint = fingerprint;
        if (item && item.verifiedAt === null && item.problem === null) this.scheduleFullCheck();
        return item;
      },
      (item) => ({ outcome: 'ok', id: item?.id ?? null, message: item ? null : 'Nothing changed since the last snapshot.' }),
    );
  }

  /**
   * The full check of a snapshot whose new chunks only were checked when it was
   * taken: the newest such snapshot reassembled, opened and integrity-checked in the
   * worker, at most once per `snapshotFullCheckMs`. It never runs beside another job:
   * it waits for that job's end, and gives way to any job begun while it runs, then
   * runs again after it. The chunks it checks are those of every snapshot that shares them.
   */
  private scheduleFullCheck(): void {
    if (this.deps.options?.schedule === false || !this.started || this.fullCheckTimer) return;
    const every = this.deps.options?.snapshotFullCheckMs ?? FULL_CHECK_EVERY_MS;
    const soon = Math.min(5_000, every);
    const due = this.lastFullCheckAt === null ? soon : Math.max(soon, this.lastFullCheckAt + every - performance.now());
    this.fullCheckTimer = setTimeout(() => {
      this.fullCheckTimer = null;
      void this.fullCheckNewest().catch((err: unknown) => this.log.error({ err }, 'the full check of a snapshot failed to run'));
    }, due);
    this.fullCheckTimer.unref();
  }

  /** A job ended: a full check that waited for it is due now. */
  private jobEnded(): void {
    this.status.forget();
    if (!this.fullCheckWaits) return;
    this.fullCheckWaits = false;
    this.scheduleFullCheck();
  }

  private async fullCheckNewest(): Promise<void> {
    if (!this.started) return;
    if (this.jobs.current) {
      this.fullCheckWaits = true;
      return;
    }
    const newest = (await this.snapshots.list()).filter((s) => s.keyAvailable && s.problem === null).at(-1);
    if (!newest || newest.verifiedAt !== null) return;
    const head = await this.snapshots.has(newest.id);
    const key = head ? await this.keys.find(head.keyId) : null;
    if (!key) return;
    // another job may have begun while the snapshot was looked up: then after it
    if (this.jobs.current) {
      this.fullCheckWaits = true;
      return;
    }
    const job = this.jobs.begin('verify', null, { background: true });
    job.label = 'Checking the newest snapshot';
    let problem: string | null;
    try {
      problem = await this.jobs.run(job, newest.id, () => withRepoLock(this.folder().dir, () => this.snapshots.verify(newest.id, key, job.abort.signal)));
    } catch (err) {
      // it gave way to another job (about to begin): the check runs again once that one is over
      if (job.abort.signal.aborted) {
        this.fullCheckWaits = true;
        return;
      }
      throw err;
    }
    this.lastFullCheckAt = performance.now();
    if (problem) {
      this.log.error({ id: newest.id, problem }, 'a snapshot failed its full check');
      this.alerts.raise({ key: 'backup.failed', severity: 'warning', message: `Snapshot ${newest.id} failed its check: ${problem}` });
    }
  }

  /** The backup key in use now (null: none set, or locked). */
  currentKey(): Promise<BackupKey | null> {
    return this.keys.current();
  }

  /** The snapshots, oldest first; with `at`, the one a restore to that time uses. */
  async listSnapshots(at?: string): Promise<{ snapshots: SnapshotItem[]; resolved: SnapshotItem | null; snapshotMinutes: number }> {
    await this.records.load();
    const snapshots = await this.snapshots.list();
    let resolved: SnapshotItem | null = null;
    if (at !== undefined) {
      const head = await this.snapshots.resolve(parsePointInTime(at));
      resolved = snapshots.find((s) => s.id === head.id) ?? null;
    }
    return { snapshots, resolved, snapshotMinutes: this.records.settings.snapshotMinutes };
  }

  /** Thins the snapshots now (as a job: never beside a snapshot or a restore). */
  async thinSnapshots(origin: Origin = SYSTEM_ORIGIN): Promise<{ removed: string[]; chunks: number; bytes: number }> {
    const job = await this.jobs.claim('backup', null);
    job.label = 'Thinning the snapshots';
    return this.jobs.run(job, null, async () => {
      const result = await this.snapshots.thin(origin, (step, label, percent) => this.jobs.step(job, step, label, percent), { sweep: true });
      if (result.chunks > 0 || result.removed.length > 0) await this.maker.prunePool(this.folder());
      return result;
    });
  }

  private async runScheduled(reason: 'scheduled' | 'catch-up'): Promise<void> {
    if (!this.started) return;
    const running = this.jobs.current;
    if (running && !running.background) {
      this.retryScheduled(reason, running.operation);
      return;
    }
    if (!(await this.keys.isSet())) {
      this.log.warn({}, 'no backup passphrase is set: the scheduled backup was not made');
      await this.status.checkOverdue();
      return;
    }
    if (await this.keys.isLocked()) {
      this.log.warn({}, 'the backup key is not on this machine until the passphrase is entered: the scheduled backup was not made');
      await this.status.checkOverdue();
      return;
    }
    try {
      await this.create('scheduled', SYSTEM_ORIGIN, { reason });
    } catch (err) {
      // another job began in the meantime (a snapshot, a restore): the night's backup waits for it, never skipped
      if (err instanceof AppError && err.code === 'conflict' && this.jobs.current) this.retryScheduled(reason, this.jobs.current.operation);
      else if (!(err instanceof AppError)) this.log.error({ err }, 'scheduled backup failed');
    }
  }

  /** The scheduled backup found another job running: it is made a minute later. */
  private retryScheduled(reason: 'scheduled' | 'catch-up', running: string): void {
    this.log.info({ reason, running }, 'the scheduled backup waits a minute: another job is running');
    if (this.catchUpTimer) clearTimeout(this.catchUpTimer);
    this.catchUpTimer = setTimeout(() => {
      this.catchUpTimer = null;
      void this.runScheduled(reason);
    }, this.deps.options?.retryScheduledMs ?? 60_000);
    this.catchUpTimer.unref();
  }

  // ---- status ---------------------------------------------------------------------------------

  /** When the last good backup was made: as the folder holds it, or as recorded while the folder cannot be reached. */
  lastGoodAt(): Promise<string | null> {
    return this.status.lastGoodAt();
  }

  /** Seconds since the last good backup (monitoring's backup age), or null when there is none. */
  backupAgeSeconds(): Promise<number | null> {
    return this.status.backupAgeSeconds();
  }

  /** The health check: degraded when backups are overdue or the last one failed (never down: the app works). */
  health(): Promise<CheckResult> {
    return this.status.health();
  }

  overview(): Promise<BackupOverview> {
    return this.status.overview();
  }

  // ---- settings -------------------------------------------------------------------------------

  async getSettings(): Promise<BackupSettings> {
    await this.records.load();
    const { settings, state } = this.records;
    const destination = this.destination();
    return {
      scheduleEnabled: settings.scheduleEnabled,
      time: settings.time,
      retentionDays: settings.retentionDays,
      keepAtLeast: settings.keepAtLeast,
      sqlDump: settings.sqlDump,
      destination: destination.dir,
      destinationSource: destination.source,
      defaultDestination: this.defaultDestination,
      passphraseSet: await this.keys.isSet(),
      passphraseSetAt: state.passphraseSetAt ?? (await this.keys.currentCreatedAt()),
      keyStore: this.keys.storeKind,
      keyProtection: this.keys.protectionKind,
      keyLocked: await this.keys.isLocked(),
      snapshotMinutes: settings.snapshotMinutes,
      keepAllHours: settings.keepAllHours,
      hourlyDays: settings.hourlyDays,
      monthlyMonths: settings.monthlyMonths,
    };
  }

  /**
   * After a restart where nothing protects a copy of the key (no keychain, no
   * key-encryption key), the admin types the passphrase so that backups resume.
   * `invalid_input` when it does not open the current key.
   */
  async unlock(passphrase: string, origin: Origin): Promise<BackupSettings> {
    if (!(await this.keys.isSet())) throw new AppError('conflict', 'No backup passphrase is set yet: set one first.', { reason: 'no_passphrase' });
    if (!(await this.keys.unlock(passphrase))) {
      const message = 'This is not the current backup passphrase.';
      this.audit(origin, 'backup.unlock', 'error', { reason: 'wrong passphrase' });
      throw new AppError('invalid_input', message, { reason: 'wrong_passphrase', issues: [{ path: 'passphrase', message }] });
    }
    this.audit(origin, 'backup.unlock', 'ok', { keyStore: this.keys.storeKind });
    this.alerts.clear('backup.locked');
    this.status.forget();
    await this.status.checkOverdue();
    return this.getSettings();
  }

  async updateSettings(
    patch: {
      scheduleEnabled?: boolean;
      time?: string;
      retentionDays?: number;
      keepAtLeast?: number;
      sqlDump?: boolean;
      destination?: string | null;
      passphrase?: string;
      snapshotMinutes?: number;
      keepAllHours?: number;
      hourlyDays?: number;
      monthlyMonths?: number;
    },
    origin: Origin,
  ): Promise<BackupSettings> {
    await this.records.load();
    const next: StoredSettings = { ...this.records.settings };
    if (patch.scheduleEnabled !== undefined) next.scheduleEnabled = patch.scheduleEnabled;
    if (patch.time !== undefined) next.time = patch.time;
    if (patch.retentionDays !== undefined) next.retentionDays = patch.retentionDays;
    if (patch.keepAtLeast !== undefined) next.keepAtLeast = patch.keepAtLeast;
    if (patch.sqlDump !== undefined) next.sqlDump = patch.sqlDump;
    if (patch.snapshotMinutes !== undefined) next.snapshotMinutes = patch.snapshotMinutes;
    if (patch.keepAllHours !== undefined) next.keepAllHours = patch.keepAllHours;
    if (patch.hourlyDays !== undefined) next.hourlyDays = patch.hourlyDays;
    if (patch.monthlyMonths !== undefined) next.monthlyMonths = patch.monthlyMonths;
    if (patch.destination !== undefined) {
      if (this.deps.config.backupDir) {
        throw new AppError('conflict', `The backup folder is set by LEXDESK_BACKUP_DIR (${this.deps.config.backupDir}); change it there.`);
      }
      next.destination = patch.destination === null ? null : await this.checkDestination(patch.destination);
    }
    if (patch.passphrase !== undefined) {
      const problem = (await runInWorker({ type: 'strength', key: new Uint8Array(0), job: { passphrase: patch.passphrase, context: [] } })).problem;
      if (problem) throw new AppError('invalid_input', problem, { issues: [{ path: 'passphrase', message: problem }] });
      const key = await this.keys.setPassphrase(patch.passphrase, this.deps.clock.now());
      await this.records.saveState({ passphraseSetAt: key.createdAt });
      this.alerts.clear('backup.passphrase');
      this.alerts.clear('backup.locked');
      this.audit(origin, 'backup.passphrase.set', 'ok', { keyId: key.keyId, keyStore: this.keys.storeKind });
    }
    await this.records.saveSettings(next);
    this.status.forget();
    if (this.started && this.deps.options?.schedule !== false) {
      this.scheduler.apply(next);
      this.applySnapshotTimer(next.snapshotMinutes);
    }
    return this.getSettings();
  }

  private async checkDestination(input: string): Promise<string> {
    const refuse = (message: string) => new AppError('invalid_input', message, { issues: [{ path: 'destination', message }] });
    if (!isAbsolute(input)) throw refuse('Give the full path of a folder (for example E:\\LexDesk backups or /mnt/backups).');
    const dir = resolve(input);
    if (resolve(dir) === resolve(this.dataDir) || resolve(dir) === resolve(this.workDir)) {
      throw refuse('Choose a folder outside the data folder itself.');
    }
    try {
      await mkdir(dir, { recursive: false, mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      const probe = join(dir, `.lexdesk-write-test-${randomBytes(4).toString('hex')}`);
      const handle = await open(probe, 'wx', 0o600);
      await handle.close();
      await rm(probe, { force: true });
    } catch (err) {
      throw refuse(destinationMessage(dir, err));
    }
    return dir;
  }

  // ---- jobs -----------------------------------------------------------------------------------

  /** Backs up the live database (copy, compress, encrypt, verify, commit; retention after a success). */
  create(kind: BackupKind, origin: Origin, options: { sqlDump?: boolean; reason?: string } = {}): Promise<BackupItem> {
    return this.maker.create(kind, origin, options);
  }

  /** Removes what retention says may go; returns the ids removed. */
  applyRetention(origin: Origin = SYSTEM_ORIGIN): Promise<string[]> {
    return this.maker.applyRetention(origin);
  }

  /** Checks a backup again (decrypt, decompress, integrity_check, counts) and records the result in its manifest. */
  verify(id: string, origin: Origin, options: { passphrase?: string } = {}): Promise<BackupItem> {
    return this.verifier.verify(id, origin, options);
  }

  /** Puts a backup in place of the live database, after a safety backup; refused with "Nothing was changed" before the swap. */
  restore(id: string, origin: Origin, options: RestoreOptions = {}): Promise<RestoreResult> {
    return this.restorer.restore(id, origin, options, this.sessions);
  }

  /** The backup folder holds a .lexbak backup of this id (a snapshot may have the same id). */
  async hasBackupFile(id: string): Promise<boolean> {
    await this.records.load();
    return this.folder().exists(id);
  }

  /** Verifies a snapshot again (reassembled, opened, integrity_check, counts); returns what was wrong, or null. */
  async verifySnapshot(id: string, passphrase?: string): Promise<string | null> {
    await this.records.load();
    const head = await this.snapshots.has(id);
    if (!head) throw new AppError('not_found', `There is no snapshot ${id}.`);
    const { key } = await this.verifier.keyFor({ keyId: head.keyId, kdf: head.kdf } as BackupHeader, passphrase);
    const job = await this.jobs.claim('verify', null);
    // under the repository lock, as the background check: a thinning by another process cannot delete a piece mid-check
    return this.jobs.run(job, id, () => withRepoLock(this.folder().dir, () => this.snapshots.verify(id, key, job.abort.signal)));
  }

  /** The snapshot a restore to `at` uses: the newest at or before it. */
  async resolvePointInTime(at: string): Promise<string> {
    await this.records.load();
    return (await this.snapshots.resolve(parsePointInTime(at))).id;
  }

  /** Writes the plain content of a backup (the database, or with `sql` its SQL copy) to `out`, for IT. */
  async decrypt(id: string, out: string, options: { passphrase?: string; sql?: boolean } = {}): Promise<BackupHeader> {
    await this.records.load();
    const { folder } = await this.verifier.find(id);
    const file = options.sql ? folder.sqlFile(id) : folder.databaseFile(id);
    let header: BackupHeader;
    try {
      header = (await readHeader(file)).header;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('not_found', `Backup ${id} has no SQL copy.`);
      throw restoreRefused(err);
    }
    const { key } = await this.verifier.keyFor(header, options.passphrase);
    try {
      return (await runInWorker({ type: 'decrypt', key: key.key, job: { file, out } })).header;
    } catch (err) {
      throw restoreRefused(err);
    }
  }

  /** For the door: checks the signed-in user's password (restore, passphrase change). */
  async checkPassword(userId: string, password: string | undefined, call: CallContext): Promise<void> {
    if (!this.passwords) {
      throw new AppError('conflict', 'Password checks are not available in this build, so this cannot be done from the screen. Use `lexdesk backup` on the server.');
    }
    if (!password || !(await this.passwords.verify(userId, password, call))) {
      throw new AppError('invalid_input', 'Your password is not correct.', { issues: [{ path: 'password', message: 'Your password is not correct.' }] });
    }
  }

  /**
   * Before schema migrations run on a database that has data: a pre-migration
   * backup. Without a passphrase nothing can be encrypted, so it is skipped (and
   * said); when the backup fails, the migration does not run.
   */
  async beforeMigration(pending: string[]): Promise<void> {
    await this.records.load();
    if (!this.deps.config.backupBeforeMigration) {
      this.log.warn({ pending }, 'LEXDESK_BACKUP_BEFORE_MIGRATION is off: migrating without a backup');
      return;
    }
    if (!(await this.keys.isSet())) {
      this.log.warn({ pending }, 'no backup passphrase is set: migrating without a pre-migration backup');
      return;
    }
    this.log.info({ pending }, 'backing up before the database migration');
    try {
      await this.create('pre-migration', SYSTEM_ORIGIN, { sqlDump: false, reason: `before ${pending.join(', ')}` });
    } catch (err) {
      throw new PreMigrationBackupError((err as Error).message);
    }
  }
}

/**
 * A point in time as typed: ISO 8601 (with or without a zone), or "2026-12-01 14:45"
 * — without a zone, the local time of this machine.
 */
export function parsePointInTime(text: string): Date {
  const trimmed = text.trim();
  const local = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(trimmed);
  const at = local
    ? new Date(Number(local[1]), Number(local[2]) - 1, Number(local[3]), Number(local[4]), Number(local[5]), Number(local[6] ?? 0))
    : new Date(trimmed);
  if (Number.isNaN(at.getTime())) {
    throw new AppError('invalid_input', `"${text}" is not a date and time. Write it as 2026-12-01 14:45 (local time) or in ISO 8601.`, {
      issues: [{ path: 'at', message: 'not a date and time' }],
    });
  }
  return at;
}

/** The migration was not run because the backup before it failed. */
export class PreMigrationBackupError extends Error {
  constructor(reason: string) {
    super(
      `The database was not updated: the backup LexDesk makes before an update failed (${reason}). ` +
        'Fix the backup folder and start again, or set LEXDESK_BACKUP_BEFORE_MIGRATION=false to update without one.',
    );
    this.name = 'PreMigrationBackupError';
  }
}
