import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { BackupKind, BackupRun } from '../../../shared/contract/backup.js';
import { writeFileAtomic } from '../fs.js';
import type { Logger } from '../log.js';

/**
 * Backup settings and the record of the last run live in small JSON files in the
 * data folder, not in the database: a restore replaces the database, and must not
 * take the schedule, the destination or the memory of the last backup back in time.
 */
export const StoredSettings = z.object({
  version: z.literal(1),
  scheduleEnabled: z.boolean(),
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
  retentionDays: z.number().int().min(1).max(3650),
  keepAtLeast: z.number().int().min(1).max(1000),
  sqlDump: z.boolean(),
  /** null: the default folder (or LEXDESK_BACKUP_DIR) */
  destination: z.string().nullable(),
  /** a snapshot this often (minutes) when the database changed; 0: none besides the daily backup */
  snapshotMinutes: z.number().int().min(0).max(1440).default(15),
  /** snapshot thinning: every snapshot this many hours, then one an hour for hourlyDays, one a day for retentionDays, one a month for monthlyMonths */
  keepAllHours: z.number().int().min(1).max(720).default(48),
  hourlyDays: z.number().int().min(1).max(365).default(14),
  monthlyMonths: z.number().int().min(0).max(120).default(12),
});
export type StoredSettings = z.infer<typeof StoredSettings>;

export const DEFAULT_SETTINGS: StoredSettings = {
  version: 1,
  scheduleEnabled: true,
  time: '02:30',
  retentionDays: 30,
  keepAtLeast: 7,
  sqlDump: false,
  destination: null,
  snapshotMinutes: 15,
  keepAllHours: 48,
  hourlyDays: 14,
  monthlyMonths: 12,
};

export const StoredState = z.object({
  version: z.literal(1),
  lastRun: BackupRun.nullable(),
  lastGood: z.object({ at: z.string(), id: z.string(), kind: BackupKind }).nullable(),
  passphraseSetAt: z.string().nullable(),
});
export type StoredState = z.infer<typeof StoredState>;

export const EMPTY_STATE: StoredState = { version: 1, lastRun: null, lastGood: null, passphraseSetAt: null };

/** Reads a JSON file checked by `schema`; a missing or unreadable file gives `fallback`. */
export async function readJson<T>(file: string, schema: z.ZodType<T>, fallback: T): Promise<{ value: T; problem: string | null }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { value: fallback, problem: null };
    return { value: fallback, problem: (err as Error).message };
  }
  try {
    return { value: schema.parse(JSON.parse(text)), problem: null };
  } catch {
    return { value: fallback, problem: `${file} is not valid; the defaults are used` };
  }
}


/** The settings and the state, read from their files once and written back whole on each change. */
export class BackupRecords {
  private current: { settings: StoredSettings; state: StoredState } = { settings: DEFAULT_SETTINGS, state: EMPTY_STATE };
  private loaded = false;

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {}

  get settings(): StoredSettings {
    return this.current.settings;
  }
  get state(): StoredState {
    return this.current.state;
  }
  private get settingsFile(): string {
    return join(this.dataDir, 'backup-settings.json');
  }
  private get stateFile(): string {
    return join(this.dataDir, 'backup-state.json');
  }

  async load(): Promise<void> {
    if (this.loaded) return;
    const settings = await readJson(this.settingsFile, StoredSettings, DEFAULT_SETTINGS);
    if (settings.problem) this.log.warn({ problem: settings.problem }, 'backup settings not readable; using the defaults');
    const state = await readJson(this.stateFile, StoredState, EMPTY_STATE);
    if (state.problem) this.log.warn({ problem: state.problem }, 'backup state not readable');
    this.current = { settings: settings.value, state: state.value };
    this.loaded = true;
  }

  /** Never throws: the backup it records was made (or failed) either way, and the log says why the file was not written. */
  async saveState(patch: Partial<StoredState>): Promise<void> {
    this.current.state = { ...this.current.state, ...patch };
    try {
      await writeFileAtomic(this.stateFile, `${JSON.stringify(this.current.state, null, 2)}\n`);
    } catch (err) {
      this.log.error({ err }, 'could not save the backup state');
    }
  }

  async saveSettings(next: StoredSettings): Promise<void> {
    await writeFileAtomic(this.settingsFile, `${JSON.stringify(next, null, 2)}\n`);
    this.current.settings = next;
  }
}
