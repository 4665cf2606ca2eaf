import type { BackupItem, BackupOverview } from '../../../shared/contract/backup.js';
import type { CheckResult } from '../health.js';
import { createdAtOf, type StoredBackup } from './folder.js';
import { BACKUPS_LOCKED_MESSAGE } from './key-protection.js';
import { publicJob, type JobTracker } from './job-tracker.js';
import type { BackupContext } from './ports.js';

const DEFAULT_OVERDUE_MS = 36 * 3_600_000;

/**
 * How backups stand: the last good one, whether backups are overdue, the health
 * check, and the overview the Backups screen shows.
 */
export class BackupStatus {
  /** the newest verified backup in the folder, read at most once a minute (health is polled often) */
  private newestInFolder: { at: number; value: string | null } | null = null;

  constructor(
    private readonly ctx: BackupContext,
    private readonly jobs: JobTracker,
    /** when the daily backup runs next */
    private readonly nextRun: () => Date | null,
  ) {}

  /** Reads the folder again next time (a backup was made, removed or set aside, or the destination changed). */
  forget(): void {
    this.newestInFolder = null;
  }

  /** The newest verified backup in the folder; undefined when the folder cannot be read. */
  private async newestGood(): Promise<string | null | undefined> {
    const now = Date.now();
    if (this.newestInFolder && now - this.newestInFolder.at < 60_000) return this.newestInFolder.value;
    const folder = this.ctx.folder();
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
    return fromFolder === undefined ? (this.ctx.records.state.lastGood?.at ?? null) : fromFolder;
  }

  /** Seconds since the last good backup (monitoring's backup age), or null when there is none. */
  async backupAgeSeconds(): Promise<number | null> {
    const at = await this.lastGoodAt();
    return at === null ? null : Math.max(0, Math.round((this.ctx.deps.clock.now().getTime() - Date.parse(at)) / 1000));
  }

  private overdueAfterMs(): number {
    return this.ctx.deps.options?.overdueAfterMs ?? DEFAULT_OVERDUE_MS;
  }

  private isOverdue(lastGood: string | null): boolean {
    return lastGood === null || this.ctx.deps.clock.now().getTime() - Date.parse(lastGood) > this.overdueAfterMs();
  }

  /**
   * Why there is no backup key here, for a person: never set on this installation,
   * or gone (the secrets folder or the keychain entry lost) while backups made with it
   * are in the folder.
   */
  async noPassphraseMessage(): Promise<string> {
    if (await this.keyLost()) {
      return 'The backup key is gone from this computer: enter the backup passphrase on the Backups screen. LexDesk makes no backups until then.';
    }
    return 'No backup passphrase is set: LexDesk makes no backups until an admin sets one on the Backups screen.';
  }

  /** No key here, yet backups made with one are in the folder: the key was lost, not never set. */
  async keyLost(): Promise<boolean> {
    const items = await this.ctx.folder().list().catch(() => []);
    return items.some((i) => i.status !== 'failed');
  }

  /** Raises or clears the "no passphrase" and "overdue" alerts. */
  async checkOverdue(): Promise<void> {
    const { alerts } = this.ctx;
    try {
      if (!(await this.ctx.keys.isSet())) {
        alerts.raise({ key: 'backup.passphrase', severity: 'warning', message: await this.noPassphraseMessage() });
        return;
      }
      alerts.clear('backup.passphrase');
      if (await this.ctx.keys.isLocked()) {
        const why = this.ctx.keys.openProblem;
        alerts.raise({ key: 'backup.locked', severity: 'critical', message: why ? `${BACKUPS_LOCKED_MESSAGE} (${why})` : BACKUPS_LOCKED_MESSAGE });
      } else {
        alerts.clear('backup.locked');
      }
      const lastGood = await this.lastGoodAt();
      if (this.isOverdue(lastGood)) {
        alerts.raise({
          key: 'backup.overdue',
          severity: 'critical',
          message: lastGood ? `The last good backup is from ${lastGood}.` : 'There is no good backup yet.',
        });
      } else {
        alerts.clear('backup.overdue');
      }
    } catch (err) {
      this.ctx.log.error({ err }, 'could not check the backup age');
    }
  }

  /** The health check: degraded when backups are overdue or the last one failed (never down: the app works). */
  async health(): Promise<CheckResult> {
    await this.ctx.records.load();
    if (!(await this.ctx.keys.isSet().catch(() => false))) return { status: 'degraded', message: await this.noPassphraseMessage() };
    const lastGood = await this.lastGoodAt();
    if (await this.ctx.keys.isLocked().catch(() => false)) return { status: 'degraded', message: 'Backups are paused until the backup passphrase is entered.' };
    if (this.ctx.records.state.lastRun?.outcome === 'failed') return { status: 'degraded', message: 'The last backup failed.' };
    if (this.isOverdue(lastGood)) return { status: 'degraded', message: lastGood ? 'The last good backup is too old.' : 'There is no good backup yet.' };
    return { status: 'ok' };
  }

  async overview(): Promise<BackupOverview> {
    await this.ctx.records.load();
    const folder = this.ctx.folder();
    const [items, problem, lastGood, passphraseSet, keyLocked] = await Promise.all([
      folder.list(),
      folder.problem(),
      this.lastGoodAt(),
      this.ctx.keys.isSet(),
      this.ctx.keys.isLocked(),
    ]);
    return {
      backups: await this.toItems(items),
      lastGoodAt: lastGood,
      lastRun: this.ctx.records.state.lastRun,
      nextRunAt: this.nextRun()?.toISOString() ?? null,
      overdue: this.isOverdue(lastGood),
      overdueAfterHours: Math.round(this.overdueAfterMs() / 3_600_000),
      running: this.jobs.current ? publicJob(this.jobs.current) : null,
      passphraseSet,
      keyLocked,
      destination: folder.dir,
      destinationProblem: problem,
    };
  }

  private async toItems(items: StoredBackup[]): Promise<BackupItem[]> {
    const out: BackupItem[] = [];
    for (const item of items) out.push(await this.toItem(item));
    return out;
  }

  /** A backup as the screen and the CLI list it. */
  async toItem(item: StoredBackup): Promise<BackupItem> {
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
        appVersion: m?.appVersion ?? this.ctx.deps.appVersion,
        schemaVersion: m?.schemaVersion ?? 0,
        tables: m?.tables ?? {},
        hasSqlDump: false,
        documents: m?.documents ?? null,
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
      documents: m.documents ?? null,
      verifiedAt: item.status === 'verified' ? item.manifest.verifiedAt : null,
      keyAvailable: (await this.ctx.keys.find(keyId).catch(() => null)) !== null,
      restorable: m.schemaVersion <= this.ctx.deps.schemaVersion,
    };
  }
}
