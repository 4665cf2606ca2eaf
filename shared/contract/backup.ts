import { z } from 'zod';
import { defineOperation } from './define.js';
import { sensitive } from './sensitive.js';

export const BackupKind = z.enum(['scheduled', 'manual', 'pre-restore', 'pre-migration', 'pre-import']);
export type BackupKind = z.infer<typeof BackupKind>;

/** A backup's name: letters, digits and dashes (it is part of file names). */
export const BackupId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,79}$/, 'must be the id of a backup, as listed');

export const BackupStatus = z.enum(['verified', 'unverified', 'failed']);
export type BackupStatus = z.infer<typeof BackupStatus>;

export const BackupItem = z.object({
  id: z.string(),
  createdAt: z.string(),
  kind: BackupKind,
  /** verified: opened and checked; unverified: a file found without its manifest; failed: kept aside */
  status: BackupStatus,
  /** why it failed, for a person */
  failure: z.string().nullable(),
  /** bytes on the backup disk (database file, plus the SQL copy when there is one) */
  sizeBytes: z.number().int(),
  /** bytes of the database inside */
  databaseBytes: z.number().int(),
  appVersion: z.string(),
  schemaVersion: z.number().int(),
  tables: z.record(z.string(), z.number().int()),
  hasSqlDump: z.boolean(),
  /** the documents its database names; their files are in the backup folder beside it (null: none recorded) */
  documents: z.object({ count: z.number().int(), bytes: z.number().int() }).nullable(),
  verifiedAt: z.string().nullable(),
  /** this machine holds the key: restoring needs no passphrase */
  keyAvailable: z.boolean(),
  /** this version of LexDesk can restore it (not failed, not from a newer schema) */
  restorable: z.boolean(),
});
export type BackupItem = z.infer<typeof BackupItem>;

export const BackupRun = z.object({
  at: z.string(),
  kind: BackupKind,
  outcome: z.enum(['ok', 'failed']),
  id: z.string().nullable(),
  message: z.string().nullable(),
  durationMs: z.number().int().nullable(),
});
export type BackupRun = z.infer<typeof BackupRun>;

export const BackupJobOperation = z.enum(['backup', 'verify', 'restore']);
export type BackupJobOperation = z.infer<typeof BackupJobOperation>;

export const BackupJob = z.object({
  jobId: z.string(),
  operation: BackupJobOperation,
  step: z.string(),
  label: z.string(),
  percent: z.number(),
});
export type BackupJob = z.infer<typeof BackupJob>;

export const BackupOverview = z.object({
  backups: z.array(BackupItem),
  lastGoodAt: z.string().nullable(),
  lastRun: BackupRun.nullable(),
  nextRunAt: z.string().nullable(),
  /** the last good backup is older than the office should tolerate (or there is none) */
  overdue: z.boolean(),
  overdueAfterHours: z.number(),
  running: BackupJob.nullable(),
  passphraseSet: z.boolean(),
  /** a passphrase is set but this machine holds no copy of its key until it is entered again (backup.unlock) */
  keyLocked: z.boolean(),
  destination: z.string(),
  /** null when reachable, else why not */
  destinationProblem: z.string().nullable(),
  /** the off-site copy: its target and the backups it held at the last copy (null: none is set up) */
  offsite: z.object({ label: z.string(), ids: z.array(z.string()), at: z.string().nullable() }).nullable().optional(),
});
export type BackupOverview = z.infer<typeof BackupOverview>;

const Time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time such as 02:30');

export const BackupSettings = z.object({
  scheduleEnabled: z.boolean(),
  /** daily, local time of the machine LexDesk runs on */
  time: Time,
  retentionDays: z.number().int(),
  keepAtLeast: z.number().int(),
  sqlDump: z.boolean(),
  destination: z.string(),
  /** where the destination comes from: LEXDESK_BACKUP_DIR wins over the screen */
  destinationSource: z.enum(['default', 'settings', 'environment']),
  defaultDestination: z.string(),
  passphraseSet: z.boolean(),
  passphraseSetAt: z.string().nullable(),
  /** where this machine keeps its copy of the backup key */
  keyStore: z.string(),
  /** how that copy is protected: the OS keychain, a key-encryption key from outside the data volume, or memory only */
  keyProtection: z.enum(['keychain', 'kek', 'memory']),
  /** no copy of the key here until the passphrase is entered again (after a restart, memory only) */
  keyLocked: z.boolean(),
  /** a snapshot this often (minutes) when the data changed; 0: only the daily backup */
  snapshotMinutes: z.number().int(),
  /** snapshot thinning: all for keepAllHours, hourly for hourlyDays, daily for retentionDays, monthly for monthlyMonths */
  keepAllHours: z.number().int(),
  hourlyDays: z.number().int(),
  monthlyMonths: z.number().int(),
});
export type BackupSettings = z.infer<typeof BackupSettings>;

export const SnapshotKind = z.enum(['frequent', 'scheduled', 'manual', 'pre-restore', 'pre-migration', 'pre-import']);

export const SnapshotItem = z.object({
  id: z.string(),
  createdAt: z.string(),
  kind: SnapshotKind,
  /** bytes of the database it holds */
  databaseBytes: z.number().int(),
  schemaVersion: z.number().int(),
  tables: z.record(z.string(), z.number().int()),
  documents: z.number().int(),
  /** chunks and bytes this snapshot added to the repository (the rest it shares with others) */
  addedChunks: z.number().int(),
  addedBytes: z.number().int(),
  /** when it was last reassembled, opened and integrity-checked as a whole */
  verifiedAt: z.string().nullable(),
  /** a snapshot read in place: when the chunks it added were read back and opened (its full check follows) */
  partsCheckedAt: z.string().nullable(),
  /** why its last verification failed (null: it passed, or was not checked yet) */
  problem: z.string().nullable(),
  /** where a copy of it is: 'local' (the backup folder) */
  locations: z.array(z.string()),
  keyAvailable: z.boolean(),
  restorable: z.boolean(),
});
export type SnapshotItem = z.infer<typeof SnapshotItem>;

const PointInTime = z
  .string()
  .min(1)
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date and time such as 2026-12-01T14:45');

export const backupOperations = {
  'backup.snapshots': defineOperation({
    summary: 'The snapshots in the backup folder (oldest first), when each was last verified and where copies of it are; with `at`, the snapshot a restore to that time would use.',
    input: z.object({ at: PointInTime.optional() }).strict(),
    output: z.object({ snapshots: z.array(SnapshotItem), resolved: SnapshotItem.nullable(), snapshotMinutes: z.number().int() }),
    access: 'backups.manage',
    audit: 'failures',
  }),
  'backup.snapshots.verify': defineOperation({
    summary: 'Checks a snapshot again in full: reassembled from its chunks, opened, integrity_check, row counts; answers how it stands now.',
    input: z.object({ id: z.string().min(1).max(100) }).strict(),
    output: SnapshotItem,
    access: 'backups.manage',
  }),
  'backup.list': defineOperation({
    summary: 'Every backup in the backup folder (good, unverified, failed), the last run, the next one and whether backups are overdue.',
    input: z.object({}).strict(),
    output: BackupOverview,
    access: 'backups.manage',
    audit: 'failures',
  }),
  'backup.create': defineOperation({
    summary: 'Backs up the database now: copy, compress, encrypt, verify. Progress comes as backup.progress events.',
    input: z.object({ sqlDump: z.boolean().optional() }).strict(),
    output: BackupItem,
    access: 'backups.manage',
  }),
  'backup.verify': defineOperation({
    summary:
      'Decrypts a backup to a temporary file, opens it and checks it against its manifest. The passphrase only when this machine lacks the key.',
    input: z.object({ id: BackupId, passphrase: sensitive(z.string().max(1024)).optional() }).strict(),
    output: BackupItem,
    access: 'backups.manage',
  }),
  'backup.restore': defineOperation({
    summary:
      'Replaces the live database with a backup, after checking it and taking a safety backup. Needs the signed-in admin password; the passphrase only when this machine lacks the key.',
    input: z
      .object({
        id: BackupId.optional(),
        /** a point in time: the newest snapshot at or before it (instead of id) */
        at: PointInTime.optional(),
        password: sensitive(z.string().min(1, 'Enter your password.').max(1024)),
        passphrase: sensitive(z.string().max(1024)).optional(),
      })
      .strict()
      .refine((v) => (v.id === undefined) !== (v.at === undefined), { message: 'Give either the id of a backup or a point in time (at), not both.', path: ['id'] }),
    output: z.object({
      id: z.string(),
      preRestoreBackupId: z.string(),
      schemaFrom: z.number().int(),
      schemaTo: z.number().int(),
      sessionsEnded: z.number().int(),
    }),
    access: 'backups.restore',
  }),
  'backup.settings.get': defineOperation({
    summary: 'Schedule, retention, destination and whether a backup passphrase is set.',
    input: z.object({}).strict(),
    output: BackupSettings,
    access: 'backups.manage',
    audit: 'failures',
  }),
  'backup.unlock': defineOperation({
    summary:
      'Enters the backup passphrase after a restart, where this machine keeps no copy of the backup key (no keychain, no key-encryption key): scheduled backups resume.',
    input: z.object({ passphrase: sensitive(z.string().min(1).max(1024)) }).strict(),
    output: BackupSettings,
    access: 'backups.manage',
  }),
  'backup.settings.update': defineOperation({
    summary:
      'Changes the schedule, retention, SQL copy or destination; sets or changes the backup passphrase (with the signed-in admin password).',
    input: z
      .object({
        scheduleEnabled: z.boolean().optional(),
        time: Time.optional(),
        retentionDays: z.number().int().min(1, 'Keep backups at least 1 day.').max(3650, 'At most 3650 days.').optional(),
        keepAtLeast: z.number().int().min(1, 'Keep at least 1 backup.').max(1000, 'At most 1000.').optional(),
        sqlDump: z.boolean().optional(),
        snapshotMinutes: z.number().int().min(0, 'At least 1 minute (0: no snapshots between daily backups).').max(1440, 'At most 1440 minutes (a day).').optional(),
        keepAllHours: z.number().int().min(1, 'Keep every snapshot at least 1 hour.').max(720, 'At most 720 hours.').optional(),
        hourlyDays: z.number().int().min(1, 'At least 1 day.').max(365, 'At most 365 days.').optional(),
        monthlyMonths: z.number().int().min(0, 'At least 0 months.').max(120, 'At most 120 months.').optional(),
        /** an absolute folder; null goes back to the default */
        destination: z.string().min(1).max(1000).nullable().optional(),
        passphrase: sensitive(z.string().max(1024)).optional(),
        password: sensitive(z.string().max(1024)).optional(),
      })
      .strict(),
    output: BackupSettings,
    access: 'backups.manage',
  }),
};
