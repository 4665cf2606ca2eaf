import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type {
  BackupItem,
  BackupJob,
  BackupJobOperation,
  BackupKind,
  BackupOverview,
  BackupRun,
  BackupSettings,
} from '../../../shared/contract/backup.js';
import type { AuditActor, AuditFace, AuditTrail } from '../audit/trail.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { CallContext } from '../dispatch.js';
import { AppError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { CheckResult } from '../health.js';
import type { Logger } from '../log.js';
import type { WriterRegistry } from '../writers.js';
import { BackupFolder, createdAtOf, DestinationError, destinationMessage, isDestinationErrno, type Manifest, type StoredBackup } from './folder.js';
import { BackupFileError, DEFAULT_SCRYPT, type BackupHeader } from './format.js';
import type { JobStep } from './jobs.js';
import { BackupKeyRing, keyFromPassphrase, type BackupKey } from './keyring.js';
import { retentionPlan } from './retention.js';
import { rollBack, swapIn, finish, writeJournal, asideDir, type StepHook, type RestoreJournal } from './restore-journal.js';
import { runInWorker } from './runner.js';
import { BackupScheduler } from './scheduler.js';
import type { SecretStore } from '../secrets.js';
import { DEFAULT_SETTINGS, EMPTY_STATE, readJson, StoredSettings, StoredState, writeFileAtomic } from './settings.js';
import { readHeader } from './stream.js';

/** Opens and closes the live database for a restore (built by createCore, which owns the Store). */
export interface DatabaseControl {
  readonly file: string;
  /** Closes the live database; until `open`, services.store refuses with a `locked` error giving `reason`. */
  close(reason: string): Promise<void>;
  /** Opens the database file again and migrates it to this version's schema. */
  open(): Promise<{ migrated: string[]; schemaFrom: number }>;
}

/**
 * Checks the signed-in admin's password before a restore or a passphrase change.
 * Provided by sign-in (main/core/auth); it should count failures towards lockout.
 */
export interface PasswordVerifier {
  /** false when wrong; may throw AppError('locked') when wrong guesses locked the account */
  verify(userId: string, password: string, call: CallContext): Promise<boolean>;
}

/** Ends sessions after a restore: the restored database's sessions are from the past. */
export interface SessionEnder {
  /** ends every session except `keep` (the restoring admin's); returns how many ended */
  endAllExcept(keep: { userId: string; sessionId: string } | null, call: CallContext): Promise<number> | number;
}

export type BackupAlertKey = 'backup.failed' | 'backup.destination' | 'backup.overdue' | 'backup.passphrase';

export interface BackupAlert {
  key: BackupAlertKey;
  severity: 'warning' | 'critical';
  message: string;
}

/** What monitoring plugs in to hear about backups going wrong (and right again). */
export interface BackupAlertSink {
  raise(alert: BackupAlert): void;
  clear(key: BackupAlertKey): void;
}

/** Who asked, for the audit trail. */
export interface Origin {
  face: AuditFace;
  actor: AuditActor;
  requestId?: string;
}

export const SYSTEM_ORIGIN: Origin = { face: 'scheduler', actor: { type: 'system', name: 'backup scheduler' } };

export interface BackupServiceOptions {
  /** wait this long after start before a catch-up backup (desktops are often just switched on) */
  catchUpDelayMs?: number;
  /** scrypt cost for new passphrases (tests lower it) */
  scryptCost?: { N: number; r: number; p: number };
  /** gzip level for the database file */
  compressionLevel?: number;
  /** stops between the file moves of a restore (crash tests) */
  swapHook?: StepHook;
  /** a good backup older than this raises the "overdue" banner and alert */
  overdueAfterMs?: number;
  /** run the daily schedule and the catch-up (off for the CLI) */
  schedule?: boolean;
}

export interface BackupServiceDeps {
  config: Config;
  log: Logger;
  clock: Clock;
  events: EventBus;
  audit: AuditTrail;
  writers: WriterRegistry;
  database: DatabaseControl;
  secrets: SecretStore;
  schemaVersion: number;
  appVersion: string;
  nativeBinding?: string;
  options?: BackupServiceOptions;
}

const DAY_MS = 86_400_000;
const DEFAULT_OVERDUE_MS = 36 * 3_600_000;

interface RunningJob extends BackupJob {
  kind: BackupKind | null;
  abort: AbortController;
}

const STEP_LABELS: Record<JobStep | 'saving' | 'retention', string> = {
  copying: 'Copying the database',
  counting: 'Counting the rows',
  compressing: 'Compressing and encrypting',
  dumping: 'Writing the SQL copy',
  verifying: 'Decrypting and checking the backup',
  checking: 'Opening the copy (integrity check)',
  'verifying-sql': 'Checking the SQL copy',
  saving: 'Saving',
  retention: 'Removing old backups',
};

/** Which slice of the progress bar each step of a backup fills. */
function backupSlices(withSql: boolean): Record<JobStep, [number, number]> {
  return withSql
    ? { copying: [0, 20], counting: [20, 22], compressing: [22, 55], dumping: [55, 70], verifying: [70, 90], checking: [90, 95], 'verifying-sql': [95, 99] }
    : { copying: [0, 25], counting: [25, 27], compressing: [27, 78], dumping: [78, 78], verifying: [78, 95], checking: [95, 99], 'verifying-sql': [99, 99] };
}

export class BackupService {
  private readonly log: Logger;
  private readonly keys: BackupKeyRing;
  private readonly scheduler: BackupScheduler;
  private settings: StoredSettings = DEFAULT_SETTINGS;
  private state: StoredState = EMPTY_STATE;
  private job: RunningJob | null = null;
  private alerts: BackupAlertSink;
  private passwords: PasswordVerifier | null = null;
  private sessions: SessionEnder | null = null;
  private catchUpTimer: NodeJS.Timeout | null = null;
  private overdueTimer: NodeJS.Timeout | null = null;
  private loaded = false;
  private started = false;
  /** the work in flight (backup, verification, restore), awaited by stop() */
  private inFlight: Promise<unknown> | null = null;

  constructor(private readonly deps: BackupServiceDeps) {
    this.log = deps.log.child({ component: 'backup' });
    this.keys = new BackupKeyRing(deps.secrets, deps.options?.scryptCost ?? DEFAULT_SCRYPT);
    this.scheduler = new BackupScheduler(() => this.runScheduled('scheduled'), this.log);
    this.alerts = {
      raise: (alert) => this.log.warn({ alert: alert.key, severity: alert.severity }, alert.message),
      clear: () => undefined,
    };
  }

  // ---- wiring -------------------------------------------------------------------------------

  /** Sign-in provides the password check (restore, passphrase) and ends sessions after a restore. */
  useAuth(auth: { passwords: PasswordVerifier; sessions?: SessionEnder }): void {
    this.passwords = auth.passwords;
    this.sessions = auth.sessions ?? null;
  }

  /** Monitoring receives backup alerts here. */
  useAlerts(sink: BackupAlertSink): void {
    this.alerts = sink;
  }

  get dataDir(): string {
    return this.deps.config.dataDir;
  }
  private get settingsFile(): string {
    return join(this.dataDir, 'backup-settings.json');
  }
  private get stateFile(): string {
    return join(this.dataDir, 'backup-state.json');
  }
  /** plain copies being made or checked; in the data folder (same disk as the database, never the destination) */
  get workDir(): string {
    return join(this.dataDir, '.backup-work');
  }
  get defaultDestination(): string {
    return join(this.dataDir, 'backups');
  }

  destination(): { dir: string; source: BackupSettings['destinationSource'] } {
    if (this.deps.config.backupDir) return { dir: this.deps.config.backupDir, source: 'environment' };
    if (this.settings.destination) return { dir: this.settings.destination, source: 'settings' };
    return { dir: this.defaultDestination, source: 'default' };
  }

  private folder(): BackupFolder {
    const { dir, source } = this.destination();
    return new BackupFolder(dir, source !== 'settings');
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    const settings = await readJson(this.settingsFile, StoredSettings, DEFAULT_SETTINGS);
    if (settings.problem) this.log.warn({ problem: settings.problem }, 'backup settings not readable; using the defaults');
    const state = await readJson(this.stateFile, StoredState, EMPTY_STATE);
    if (state.problem) this.log.warn({ problem: state.problem }, 'backup state not readable');
    this.settings = settings.value;
    this.state = state.value;
    this.loaded = true;
  }

  private async saveState(patch: Partial<StoredState>): Promise<void> {
    this.state = { ...this.state, ...patch };
    try {
      await writeFileAtomic(this.stateFile, `${JSON.stringify(this.state, null, 2)}\n`);
    } catch (err) {
      this.log.error({ err }, 'could not save the backup state');
    }
  }

  // ---- life -----------------------------------------------------------------------------------

  /** Cleans what a crash left, schedules the daily backup and a catch-up when the last good one is old. */
  async start(): Promise<void> {
    await this.load();
    this.started = true;
    // the command line may run beside a running LexDesk: only the app itself cleans up
    if (this.deps.options?.schedule === false) return;
    await this.removeLeftovers();
    this.scheduler.apply(this.settings);
    const lastGood = await this.lastGoodAt();
    const now = this.deps.clock.now().getTime();
    if (this.settings.scheduleEnabled && (await this.keys.isSet()) && (!lastGood || now - Date.parse(lastGood) > DAY_MS)) {
      const delay = this.deps.options?.catchUpDelayMs ?? 60_000;
      this.log.info({ lastGood, delayMs: delay }, 'the last good backup is older than a day: catching up');
      this.catchUpTimer = setTimeout(() => {
        this.catchUpTimer = null;
        void this.runScheduled('catch-up');
      }, delay);
      this.catchUpTimer.unref();
    }
    this.overdueTimer = setInterval(() => void this.checkOverdue(), 3_600_000);
    this.overdueTimer.unref();
    await this.checkOverdue();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.scheduler.stop();
    if (this.catchUpTimer) clearTimeout(this.catchUpTimer);
    if (this.overdueTimer) clearInterval(this.overdueTimer);
    this.catchUpTimer = null;
    this.overdueTimer = null;
    // a restore is never interrupted here (it finishes in seconds and must not be left half done);
    // a backup or a verification is cancelled and its files removed
    if (this.job && this.job.operation !== 'restore') this.job.abort.abort();
    await this.inFlight?.catch(() => undefined);
  }

  private async removeLeftovers(): Promise<void> {
    await rm(this.workDir, { recursive: true, force: true });
    await mkdir(this.workDir, { recursive: true, mode: 0o700 });
    const removed = await this.folder().removeLeftovers();
    if (removed.length > 0) this.log.warn({ removed }, 'removed files of a backup that was interrupted');
  }

  // ---- status ---------------------------------------------------------------------------------

  /** the newest verified backup in the folder, read at most once a minute (health is polled often) */
  private newestInFolder: { at: number; value: string | null } | null = null;

  /** The newest verified backup in the folder; undefined when the folder cannot be read. */
  private async newestGood(): Promise<string | null | undefined> {
    const now = Date.now();
    if (this.newestInFolder && now - this.newestInFolder.at < 60_000) return this.newestInFolder.value;
    const folder = this.folder();
    if ((await folder.problem()) !== null) return undefined;
    const newest = (await folder.list()).find((i) => i.status === 'verified');
    this.newestInFolder = { at: now, value: newest ? createdAtOf(newest) : null };
    return this.newestInFolder.value;
  }

  /**
   * When the last good backup was made: what the backup folder holds (backups removed
   * or a new empty folder count), or, while the folder cannot be reached, the last one
   * this installation recorded.
   */
  async lastGoodAt(): Promise<string | null> {
    const fromFolder = await this.newestGood();
    return fromFolder === undefined ? (this.state.lastGood?.at ?? null) : fromFolder;
  }

  /** Seconds since the last good backup (monitoring's backup age), or null when there is none. */
  async backupAgeSeconds(): Promise<number | null> {
    const at = await this.lastGoodAt();
    return at === null ? null : Math.max(0, Math.round((this.deps.clock.now().getTime() - Date.parse(at)) / 1000));
  }

  private overdueAfterMs(): number {
    return this.deps.options?.overdueAfterMs ?? DEFAULT_OVERDUE_MS;
  }

  private isOverdue(lastGood: string | null): boolean {
    return lastGood === null || this.deps.clock.now().getTime() - Date.parse(lastGood) > this.overdueAfterMs();
  }

  private async checkOverdue(): Promise<void> {
    try {
      if (!(await this.keys.isSet())) {
        this.alerts.raise({ key: 'backup.passphrase', severity: 'warning', message: 'No backup passphrase is set: LexDesk makes no backups until the admin sets one on the Backups screen.' });
        return;
      }
      this.alerts.clear('backup.passphrase');
      const lastGood = await this.lastGoodAt();
      if (this.isOverdue(lastGood)) {
        this.alerts.raise({
          key: 'backup.overdue',
          severity: 'critical',
          message: lastGood ? `The last good backup is from ${lastGood}.` : 'There is no good backup yet.',
        });
      } else {
        this.alerts.clear('backup.overdue');
      }
    } catch (err) {
      this.log.error({ err }, 'could not check the backup age');
    }
  }

  /** The health check: degraded when backups are overdue or the last one failed (never down: the app works). */
  async health(): Promise<CheckResult> {
    await this.load();
    if (!(await this.keys.isSet().catch(() => false))) return { status: 'ok', message: 'Backups are not set up yet.' };
    const lastGood = await this.lastGoodAt();
    if (this.state.lastRun?.outcome === 'failed') return { status: 'degraded', message: 'The last backup failed.' };
    if (this.isOverdue(lastGood)) return { status: 'degraded', message: lastGood ? 'The last good backup is too old.' : 'There is no good backup yet.' };
    return { status: 'ok' };
  }

  async overview(): Promise<BackupOverview> {
    await this.load();
    const folder = this.folder();
    const [items, problem, lastGood, passphraseSet] = await Promise.all([
      folder.list(),
      folder.problem(),
      this.lastGoodAt(),
      this.keys.isSet(),
    ]);
    return {
      backups: await this.toItems(items),
      lastGoodAt: lastGood,
      lastRun: this.state.lastRun,
      nextRunAt: this.scheduler.nextRun()?.toISOString() ?? null,
      overdue: this.isOverdue(lastGood),
      overdueAfterHours: Math.round(this.overdueAfterMs() / 3_600_000),
      running: this.job ? publicJob(this.job) : null,
      passphraseSet,
      destination: folder.dir,
      destinationProblem: problem,
    };
  }

  private async toItems(items: StoredBackup[]): Promise<BackupItem[]> {
    const out: BackupItem[] = [];
    for (const item of items) out.push(await this.toItem(item));
    return out;
  }

  private async toItem(item: StoredBackup): Promise<BackupItem> {
    if (item.status === 'failed') {
      const m = item.record.manifest;
      return {
        id: item.id,
        createdAt: item.record.createdAt,
        kind: item.record.kind,
        status: 'failed',
        failure: item.record.reason,
        sizeBytes: item.sizeBytes,
        databaseBytes: m?.databaseBytes ?? 0,
        appVersion: m?.appVersion ?? this.deps.appVersion,
        schemaVersion: m?.schemaVersion ?? 0,
        tables: m?.tables ?? {},
        hasSqlDump: false,
        verifiedAt: null,
        keyAvailable: false,
        restorable: false,
      };
    }
    const keyId = item.status === 'verified' ? item.manifest.keyId : item.keyId;
    const m = item.manifest;
    return {
      id: item.id,
      createdAt: m.createdAt,
      kind: m.kind,
      status: item.status,
      failure: null,
      sizeBytes: item.sizeBytes,
      databaseBytes: m.databaseBytes,
      appVersion: m.appVersion,
      schemaVersion: m.schemaVersion,
      tables: m.tables,
      hasSqlDump: item.status === 'verified' ? item.manifest.files.sql !== undefined : false,
      verifiedAt: item.status === 'verified' ? item.manifest.verifiedAt : null,
      keyAvailable: (await this.keys.find(keyId).catch(() => null)) !== null,
      restorable: m.schemaVersion <= this.deps.schemaVersion,
    };
  }

  // ---- settings -------------------------------------------------------------------------------

  async getSettings(): Promise<BackupSettings> {
    await this.load();
    const destination = this.destination();
    return {
      scheduleEnabled: this.settings.scheduleEnabled,
      time: this.settings.time,
      retentionDays: this.settings.retentionDays,
      keepAtLeast: this.settings.keepAtLeast,
      sqlDump: this.settings.sqlDump,
      destination: destination.dir,
      destinationSource: destination.source,
      defaultDestination: this.defaultDestination,
      passphraseSet: await this.keys.isSet(),
      passphraseSetAt: this.state.passphraseSetAt ?? (await this.keys.currentCreatedAt()),
      keyStore: this.keys.storeKind,
    };
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
    },
    origin: Origin,
  ): Promise<BackupSettings> {
    await this.load();
    const next: StoredSettings = { ...this.settings };
    if (patch.scheduleEnabled !== undefined) next.scheduleEnabled = patch.scheduleEnabled;
    if (patch.time !== undefined) next.time = patch.time;
    if (patch.retentionDays !== undefined) next.retentionDays = patch.retentionDays;
    if (patch.keepAtLeast !== undefined) next.keepAtLeast = patch.keepAtLeast;
    if (patch.sqlDump !== undefined) next.sqlDump = patch.sqlDump;
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
      await this.saveState({ passphraseSetAt: key.createdAt });
      this.alerts.clear('backup.passphrase');
      this.audit(origin, 'backup.passphrase.set', 'ok', { keyId: key.keyId, keyStore: this.keys.storeKind });
    }
    await writeFileAtomic(this.settingsFile, `${JSON.stringify(next, null, 2)}\n`);
    this.settings = next;
    this.newestInFolder = null;
    if (this.started && this.deps.options?.schedule !== false) this.scheduler.apply(next);
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

  private beginJob(operation: BackupJobOperation, kind: BackupKind | null): RunningJob {
    if (this.job) {
      const what = this.job.operation === 'restore' ? 'A restore' : this.job.operation === 'verify' ? 'A verification' : 'A backup';
      throw new AppError('conflict', `${what} is already running. Wait for it to finish.`, { running: publicJob(this.job) });
    }
    this.job = { jobId: randomUUID(), operation, kind, step: 'starting', label: 'Starting', percent: 0, abort: new AbortController() };
    this.emitProgress();
    return this.job;
  }

  private endJob(job: RunningJob, outcome: 'ok' | 'failed', id: string | null, message: string | null): void {
    if (this.job === job) this.job = null;
    this.newestInFolder = null;
    this.deps.events.emit('backup.finished', { jobId: job.jobId, operation: job.operation, outcome, id, message });
  }

  private setStep(job: RunningJob, step: string, label: string, percent: number): void {
    job.step = step;
    job.label = label;
    job.percent = Math.max(job.percent, Math.min(100, Math.round(percent * 10) / 10));
    this.emitProgress();
  }

  private emitProgress(): void {
    if (this.job) this.deps.events.emit('backup.progress', { ...publicJob(this.job), kind: this.job.kind });
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight = work;
    return work.finally(() => {
      if (this.inFlight === work) this.inFlight = null;
    });
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

  private async runScheduled(reason: 'scheduled' | 'catch-up'): Promise<void> {
    if (!this.started) return;
    if (this.job) {
      this.log.info({ reason, running: this.job.operation }, 'skipping the scheduled backup: another job is running');
      return;
    }
    if (!(await this.keys.isSet())) {
      this.log.warn({}, 'no backup passphrase is set: the scheduled backup was not made');
      await this.checkOverdue();
      return;
    }
    try {
      await this.create('scheduled', SYSTEM_ORIGIN, { reason });
    } catch (err) {
      if (!(err instanceof AppError)) this.log.error({ err }, 'scheduled backup failed');
    }
  }

  /**
   * Backs up the live database: a consistent copy, compressed, encrypted, verified,
   * then committed in the destination; retention runs after a success. A failure is
   * kept aside with its reason, audited and alerted, and thrown as an AppError.
   */
  create(kind: BackupKind, origin: Origin, options: { sqlDump?: boolean; reason?: string } = {}): Promise<BackupItem> {
    const job = this.beginJob('backup', kind);
    return this.track(
      this.createWithin(job, kind, origin, options, (step, label, percent) => this.setStep(job, step, label, percent)).then(
        (item) => {
          this.endJob(job, 'ok', item.id, null);
          return item;
        },
        (err: unknown) => {
          this.endJob(job, 'failed', null, (err as Error).message);
          throw err;
        },
      ),
    );
  }

  private async createWithin(
    job: RunningJob,
    kind: BackupKind,
    origin: Origin,
    options: { sqlDump?: boolean; reason?: string },
    report: (step: string, label: string, percent: number) => void,
  ): Promise<BackupItem> {
    await this.load();
    const started = this.deps.clock.now();
    const startedMs = Date.now();
    const key = await this.keys.current();
    if (!key) {
      const message = 'Set a backup passphrase first (Backups screen, or `lexdesk backup passphrase`).';
      await this.recordFailure(kind, started, null, message, origin, 'no_passphrase');
      throw new AppError('conflict', message, { reason: 'no_passphrase' });
    }
    const folder = this.folder();
    try {
      await folder.ensureWritable();
    } catch (err) {
      const message = (err as Error).message;
      this.alerts.raise({ key: 'backup.destination', severity: 'critical', message });
      await this.recordFailure(kind, started, null, message, origin, 'destination');
      throw new AppError('conflict', message, { reason: 'destination' });
    }
    this.alerts.clear('backup.destination');
    const id = backupId(started, kind);
    const withSql = options.sqlDump ?? this.settings.sqlDump;
    const partials = { database: folder.partial(id, '.db.lexbak'), sql: withSql ? folder.partial(id, '.sql.lexbak') : undefined };
    const slices = backupSlices(withSql);
    try {
      await mkdir(this.workDir, { recursive: true, mode: 0o700 });
      const result = await runInWorker(
        {
          type: 'create',
          key: key.key,
          job: {
            databaseFile: this.deps.database.file,
            nativeBinding: this.deps.nativeBinding,
            workDir: this.workDir,
            databasePartial: partials.database,
            sqlPartial: partials.sql,
            kdf: key.kdf,
            manifest: { id, createdAt: started.toISOString(), kind, appVersion: this.deps.appVersion },
            level: this.deps.options?.compressionLevel ?? 1,
          },
        },
        {
          signal: job.abort.signal,
          onProgress: (step, fraction) => {
            const [from, to] = slices[step];
            report(step, STEP_LABELS[step], from + (to - from) * fraction);
          },
        },
      );
      report('saving', STEP_LABELS.saving, 99);
      const manifest: Manifest = {
        ...result.manifest,
        keyId: key.keyId,
        files: {
          database: { name: `${id}.db.lexbak`, bytes: result.database.bytes, sha256: result.database.sha256 },
          ...(result.sql ? { sql: { name: `${id}.sql.lexbak`, bytes: result.sql.bytes, sha256: result.sql.sha256 } } : {}),
        },
        verifiedAt: this.deps.clock.now().toISOString(),
        durationMs: Date.now() - startedMs,
      };
      await folder.commit(manifest, partials);
      const run: BackupRun = { at: started.toISOString(), kind, outcome: 'ok', id, message: null, durationMs: Date.now() - startedMs };
      await this.saveState({ lastRun: run, lastGood: { at: started.toISOString(), id, kind } });
      this.audit(
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
          destination: folder.dir,
        },
        id,
      );
      this.alerts.clear('backup.failed');
      this.alerts.clear('backup.overdue');
      this.log.info({ id, kind, bytes: manifest.files.database.bytes, ms: run.durationMs }, 'backup made and verified');
      report('retention', STEP_LABELS.retention, 100);
      await this.applyRetention(origin).catch((err: unknown) => this.log.error({ err }, 'retention failed'));
      const stored = await folder.read(id);
      return this.toItem(stored ?? { status: 'verified', id, manifest, sizeBytes: manifest.files.database.bytes });
    } catch (err) {
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
      } else {
        await folder
          .setAside(
            { id, kind, createdAt: started.toISOString(), failedAt: this.deps.clock.now().toISOString(), reason: message, problem, manifest: null },
            [partials.database, ...(partials.sql ? [partials.sql] : [])],
          )
          .catch((e: unknown) => this.log.error({ err: e }, 'could not keep the failed backup aside'));
      }
      this.log.error({ err, id, kind }, 'backup failed');
      await this.recordFailure(kind, started, id, message, origin, problem);
      if (problem === 'destination') this.alerts.raise({ key: 'backup.destination', severity: 'critical', message });
      throw new AppError(cancelled ? 'conflict' : 'internal', message, { reason: problem });
    }
  }

  private async recordFailure(kind: BackupKind, at: Date, id: string | null, message: string, origin: Origin, problem: string): Promise<void> {
    await this.saveState({ lastRun: { at: at.toISOString(), kind, outcome: 'failed', id, message, durationMs: null } });
    this.audit(origin, 'backup.failed', 'error', { kind, problem, message }, id ?? undefined);
    this.alerts.raise({ key: 'backup.failed', severity: 'critical', message });
  }

  /** Removes what retention says may go; returns the ids removed. */
  async applyRetention(origin: Origin = SYSTEM_ORIGIN): Promise<string[]> {
    await this.load();
    const folder = this.folder();
    const items = await folder.list();
    const plan = retentionPlan(items, this.deps.clock.now(), this.settings);
    for (const item of plan) await folder.remove(item);
    this.newestInFolder = null;
    if (plan.length > 0) {
      this.audit(origin, 'backup.retention', 'ok', { removed: plan.map((i) => i.id), retentionDays: this.settings.retentionDays, keepAtLeast: this.settings.keepAtLeast });
      this.log.info({ removed: plan.map((i) => i.id) }, 'old backups removed');
    }
    return plan.map((i) => i.id);
  }

  private async fileOf(id: string): Promise<{ folder: BackupFolder; stored: StoredBackup }> {
    const folder = this.folder();
    const stored = await folder.read(id);
    if (!stored) {
      const failed = (await folder.list()).find((i) => i.id === id && i.status === 'failed');
      if (failed) throw new AppError('conflict', `Backup ${id} failed and cannot be used: ${failed.status === 'failed' ? failed.record.reason : ''}`);
      throw new AppError('not_found', `There is no backup ${id} in ${folder.dir}.`);
    }
    return { folder, stored };
  }

  /** The key for a backup: this machine's copy, or one derived from a passphrase typed now. */
  private async keyFor(header: BackupHeader, passphrase: string | undefined): Promise<{ key: BackupKey; learned: boolean }> {
    const known = await this.keys.find(header.keyId);
    if (known) return { key: known, learned: false };
    if (!passphrase) {
      throw new AppError('invalid_input', 'This machine does not have the key of this backup. Enter the backup passphrase it was made with.', {
        reason: 'passphrase_needed',
        issues: [{ path: 'passphrase', message: 'Enter the backup passphrase this backup was made with.' }],
      });
    }
    const derived = await keyFromPassphrase(passphrase, header, this.deps.clock.now());
    if (!derived) {
      throw new AppError('invalid_input', 'The backup passphrase does not match this backup.', {
        reason: 'wrong_passphrase',
        issues: [{ path: 'passphrase', message: 'This passphrase does not open this backup.' }],
      });
    }
    return { key: derived, learned: true };
  }

  /** Checks a backup again (decrypt, decompress, integrity_check, counts) and records the result in its manifest. */
  verify(id: string, origin: Origin, options: { passphrase?: string } = {}): Promise<BackupItem> {
    const job = this.beginJob('verify', null);
    const work = (async () => {
      await this.load();
      const { folder, stored } = await this.fileOf(id);
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
        await mkdir(this.workDir, { recursive: true, mode: 0o700 });
        const result = await runInWorker(
          {
            type: 'verify',
            key: key.key,
            job: {
              file,
              workDir: this.workDir,
              nativeBinding: this.deps.nativeBinding,
              expect: expected ? { manifest: expected, sha256: expected.files.database.sha256, bytes: expected.files.database.bytes } : undefined,
            },
          },
          {
            signal: job.abort.signal,
            onProgress: (step, fraction) =>
              this.setStep(job, step, STEP_LABELS[step], step === 'checking' ? 85 + 15 * fraction : 85 * fraction),
          },
        );
        if (expected?.files.sql) {
          await runInWorker(
            { type: 'verify-sql', key: key.key, job: { file: folder.sqlFile(id), expect: { manifest: expected, sha256: expected.files.sql.sha256, bytes: expected.files.sql.bytes } } },
            { signal: job.abort.signal },
          );
        }
        if (learned) await this.keys.adopt(key);
        const manifest: Manifest = {
          ...result.header.manifest,
          keyId: key.keyId,
          files: expected?.files ?? { database: { name: `${id}.db.lexbak`, bytes: result.bytes, sha256: result.sha256 } },
          verifiedAt: this.deps.clock.now().toISOString(),
          ...(expected?.durationMs !== undefined ? { durationMs: expected.durationMs } : {}),
        };
        await folder.writeManifest(manifest);
        this.audit(origin, 'backup.verified', 'ok', { sha256: result.sha256, schemaVersion: result.schemaVersion }, id);
        return this.toItem({ status: 'verified', id, manifest, sizeBytes: stored.sizeBytes });
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (!(err instanceof BackupFileError)) throw err;
        return this.verificationFailed(folder, stored, err, origin);
      }
    })();
    return this.track(
      work.then(
        (item) => {
          this.endJob(job, item.status === 'failed' ? 'failed' : 'ok', id, item.failure);
          return item;
        },
        (err: unknown) => {
          this.endJob(job, 'failed', id, (err as Error).message);
          throw err;
        },
      ),
    );
  }

  private async verificationFailed(folder: BackupFolder, stored: StoredBackup, err: unknown, origin: Origin): Promise<BackupItem> {
    if (!(err instanceof BackupFileError)) throw err;
    const message = `Verification failed: ${err.message}`;
    const manifest = stored.status === 'failed' ? null : stored.manifest;
    const record = {
      id: stored.id,
      kind: manifest?.kind ?? ('manual' as const),
      createdAt: manifest?.createdAt ?? this.deps.clock.now().toISOString(),
      failedAt: this.deps.clock.now().toISOString(),
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
    await folder.setAside(record, [folder.databaseFile(stored.id), folder.sqlFile(stored.id)]);
    this.audit(origin, 'backup.verified', 'error', { problem: err.problem, message }, stored.id);
    this.alerts.raise({ key: 'backup.failed', severity: 'critical', message: `Backup ${stored.id}: ${message}` });
    const failed = (await folder.list()).find((i) => i.id === stored.id && i.status === 'failed');
    return this.toItem(failed ?? { status: 'failed', id: stored.id, record: { ...record, files: [] }, sizeBytes: 0 });
  }

  /**
   * Puts a backup in place of the live database. Order: check the backup (decrypt
   * to a candidate file in the data folder), take a pre-restore safety backup, pause
   * the writers, close the database, swap the files under a journal, reopen and
   * migrate, resume, end the other sessions. Any failure before the swap changes
   * nothing; a failure after it puts the old files back.
   */
  restore(
    id: string,
    origin: Origin,
    options: { passphrase?: string; keep?: { userId: string; sessionId: string } | null; call?: CallContext } = {},
  ): Promise<{ id: string; preRestoreBackupId: string; schemaFrom: number; schemaTo: number; sessionsEnded: number }> {
    const job = this.beginJob('restore', null);
    const step = (name: string, label: string, percent: number) => this.setStep(job, name, label, percent);
    const work = (async () => {
      await this.load();
      step('checking', 'Checking the backup', 1);
      const { folder, stored } = await this.fileOf(id);
      const file = folder.databaseFile(id);
      let header: BackupHeader;
      try {
        header = (await readHeader(file)).header;
      } catch (err) {
        throw restoreRefused(err);
      }
      job.kind = header.manifest.kind;
      if (header.manifest.schemaVersion > this.deps.schemaVersion) {
        throw new AppError(
          'conflict',
          `Backup ${id} was made by a newer LexDesk (schema ${header.manifest.schemaVersion}; this version knows up to ${this.deps.schemaVersion}). Install the newer LexDesk to restore it.`,
          { reason: 'newer_schema' },
        );
      }
      const { key, learned } = await this.keyFor(header, options.passphrase);
      const candidate = join(this.workDir, `restore-${id}.sqlite`);
      await mkdir(this.workDir, { recursive: true, mode: 0o700 });
      await rm(candidate, { force: true });
      const expected = stored.status === 'verified' ? stored.manifest : undefined;
      try {
        await runInWorker(
          {
            type: 'verify',
            key: key.key,
            job: {
              file,
              workDir: this.workDir,
              nativeBinding: this.deps.nativeBinding,
              keepAs: candidate,
              expect: expected ? { manifest: expected, sha256: expected.files.database.sha256, bytes: expected.files.database.bytes } : undefined,
            },
          },
          { onProgress: (s, fraction) => step('verifying', 'Checking the backup', 2 + 28 * (s === 'checking' ? 0.9 + 0.1 * fraction : 0.9 * fraction)) },
        );
        // the candidate must be on the disk before a journal names it
        const handle = await open(candidate, 'r+');
        await handle.sync();
        await handle.close();
      } catch (err) {
        await rm(candidate, { force: true });
        throw restoreRefused(err);
      }

      // a key learned from the passphrase (a new machine) also protects the safety backup below
      if (learned) await this.keys.adopt(key);
      step('safety-backup', 'Taking a safety backup of the current data', 30);
      let safety: BackupItem;
      try {
        safety = await this.createWithin(job, 'pre-restore', origin, { sqlDump: false, reason: `before restoring ${id}` }, (_s, label, percent) =>
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
        resume = await this.deps.writers.pauseAll('restore');
      } catch (err) {
        await rm(candidate, { force: true });
        throw new AppError('conflict', `Nothing was changed: ${(err as Error).message}`, { reason: 'busy' });
      }
      const journal: RestoreJournal = {
        version: 1,
        id,
        startedAt: this.deps.clock.now().toISOString(),
        phase: 'ready',
        database: this.deps.database.file,
        candidate,
        aside: asideDir(this.dataDir),
      };
      let schemaFrom = header.manifest.schemaVersion;
      try {
        this.audit(origin, 'backup.restore.started', 'ok', { preRestoreBackupId: safety.id }, id);
        step('swapping', 'Swapping the database files', 72);
        await writeJournal(this.dataDir, journal);
        await this.deps.database.close(`A backup is being restored. Try again in a minute.`);
        try {
          await swapIn(this.dataDir, journal, this.deps.options?.swapHook);
        } catch (err) {
          this.log.error({ err, id }, 'the database files could not be swapped; putting the old ones back');
          await rollBack(this.dataDir, journal);
          await this.deps.database.open();
          throw new AppError('internal', `Nothing was changed: the database files could not be swapped (${(err as Error).message}).`);
        }
        step('migrating', 'Opening the restored database', 80);
        try {
          schemaFrom = (await this.deps.database.open()).schemaFrom;
        } catch (err) {
          this.log.error({ err, id }, 'the restored database did not open; putting the old one back');
          await this.deps.database.close('Putting the database back after a failed restore.').catch(() => undefined);
          await rollBack(this.dataDir, journal);
          await this.deps.database.open();
          throw new AppError('internal', `The restored database could not be opened, so the previous one was put back: ${(err as Error).message}`);
        }
        await finish(this.dataDir, journal);
      } finally {
        step('resuming', 'Resuming', 95);
        await resume().catch((err: unknown) => this.log.error({ err }, 'a service did not resume after the restore'));
      }
      let sessionsEnded = 0;
      try {
        sessionsEnded = this.sessions
          ? await this.sessions.endAllExcept(options.keep ?? null, options.call ?? { face: origin.face === 'scheduler' || origin.face === 'bot' ? 'cli' : origin.face })
          : 0;
      } catch (err) {
        this.log.error({ err }, 'could not end the sessions after the restore');
      }
      // recorded in the restored database, which does not know what happened since the backup
      this.audit(origin, 'backup.restored', 'ok', { preRestoreBackupId: safety.id, schemaFrom, schemaTo: this.deps.schemaVersion, sessionsEnded, backupCreatedAt: header.manifest.createdAt }, id);
      this.log.info({ id, preRestore: safety.id, schemaFrom }, 'backup restored');
      step('done', 'Restored', 100);
      return { id, preRestoreBackupId: safety.id, schemaFrom, schemaTo: this.deps.schemaVersion, sessionsEnded };
    })();
    return this.track(
      work.then(
        (result) => {
          this.endJob(job, 'ok', id, null);
          return result;
        },
        (err: unknown) => {
          this.audit(origin, 'backup.restore.failed', 'error', { message: (err as Error).message }, id);
          this.endJob(job, 'failed', id, (err as Error).message);
          throw err;
        },
      ),
    );
  }

  /** Writes the plain content of a backup (the database, or with `sql` its SQL copy) to `out`, for IT. */
  async decrypt(id: string, out: string, options: { passphrase?: string; sql?: boolean } = {}): Promise<BackupHeader> {
    await this.load();
    const { folder } = await this.fileOf(id);
    const file = options.sql ? folder.sqlFile(id) : folder.databaseFile(id);
    let header: BackupHeader;
    try {
      header = (await readHeader(file)).header;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('not_found', `Backup ${id} has no SQL copy.`);
      throw restoreRefused(err);
    }
    const { key } = await this.keyFor(header, options.passphrase);
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
    await this.load();
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

function restoreRefused(err: unknown): Error {
  if (err instanceof AppError) return err;
  if (err instanceof BackupFileError) {
    const code = err.problem === 'wrong_passphrase' ? 'invalid_input' : 'conflict';
    return new AppError(code, `Nothing was changed: ${err.message}`, { reason: err.problem });
  }
  if (isDestinationErrno(err)) return new AppError('conflict', `Nothing was changed: ${(err as Error).message}`, { reason: 'destination' });
  return err as Error;
}

function publicJob(job: RunningJob): BackupJob {
  return { jobId: job.jobId, operation: job.operation, step: job.step, label: job.label, percent: job.percent };
}

/** 20260105T023000Z-scheduled-1a2b: sorts by time, says what it is, unique. */
export function backupId(at: Date, kind: BackupKind): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `${stamp}-${kind}-${randomBytes(2).toString('hex')}`;
}

export { DestinationError };
