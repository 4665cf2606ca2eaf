import type { AuditActor, AuditFace, AuditTrail } from '../audit/trail.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { CallContext } from '../dispatch.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { WriterRegistry } from '../writers.js';
import type { BackupDocuments } from './documents.js';
import type { BackupFolder } from './folder.js';
import type { KeyProtection } from './key-protection.js';
import type { BackupKeyRing } from './keyring.js';
import type { StepHook } from './restore-journal.js';
import type { SecretStore } from '../secrets.js';
import type { BackupRecords } from './settings.js';

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

export type BackupAlertKey = 'backup.failed' | 'backup.destination' | 'backup.overdue' | 'backup.passphrase' | 'backup.locked';

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
  /** the crash tests stop snapshot pruning between removing the manifests and the chunks */
  prunePauseAt?: 'manifests-removed';
  /** run the daily schedule and the catch-up (off for the CLI) */
  schedule?: boolean;
  /** a scheduled backup that finds another job running is made this much later (default a minute) */
  retryScheduledMs?: number;
  /**
   * a frequent snapshot read in place has its new chunks checked at once; the newest
   * is reassembled and integrity-checked as a whole at most this often (default 10
   * minutes: at the default 15-minute snapshots, each one is checked whole after it is written)
   */
  snapshotFullCheckMs?: number;
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
  /** how the backup key kept here is protected (default: memory only) */
  keyProtection?: KeyProtection;
  schemaVersion: number;
  appVersion: string;
  nativeBinding?: string;
  options?: BackupServiceOptions;
}

/**
 * What the parts of the backup service (status, create, verify, restore) share,
 * built once by BackupService.
 */
export interface BackupContext {
  readonly deps: BackupServiceDeps;
  readonly log: Logger;
  readonly keys: BackupKeyRing;
  /** the settings and the record of the last run (JSON files in the data folder) */
  readonly records: BackupRecords;
  readonly dataDir: string;
  /** plain copies being made or checked; in the data folder (same disk as the database, never the destination) */
  readonly workDir: string;
  /** the destination as the settings (or LEXDESK_BACKUP_DIR) say now */
  folder(): BackupFolder;
  /** the documents' side of backups in that folder; null until the document store is plugged in */
  documents(folder: BackupFolder): BackupDocuments | null;
  /** monitoring's sink once it is plugged in, the log until then */
  readonly alerts: BackupAlertSink;
  /** records an act in the audit trail; a failure to record is logged, never thrown */
  audit(origin: Origin, action: string, outcome: 'ok' | 'error', details: Record<string, unknown>, target?: string): void;
}
