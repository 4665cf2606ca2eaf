import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/fs.js';
import type { Logger } from '../core/log.js';

/**
 * The desktop's own preferences, kept per operating-system user in a small JSON
 * file in Electron's userData folder (never in the office database: they belong
 * to this computer and this account, not to the office's data).
 */
export interface DesktopPreferences {
  /** start LexDesk, hidden, when this user signs in to the computer (on by default: the bot must answer) */
  openAtLogin: boolean;
  /** LexDesk staff (user ids) who chose not to be asked again before quitting; '' for "nobody signed in" */
  quitWithoutAsking: string[];
  /** the "LexDesk is still running" notice has been shown once */
  backgroundNoticeShown: boolean;
  /** where updates come from when LEXDESK_UPDATE_URL is not set (https:// folder or github:owner/repo) */
  updateUrl: string | null;
  /** the last time an update check ended (ISO), for the About box */
  lastUpdateCheckAt: string | null;
}

export const DEFAULT_PREFERENCES: DesktopPreferences = {
  openAtLogin: true,
  quitWithoutAsking: [],
  backgroundNoticeShown: false,
  updateUrl: null,
  lastUpdateCheckAt: null,
};

function sanitize(raw: unknown): DesktopPreferences {
  const value = (raw && typeof raw === 'object' ? raw : {}) as Partial<Record<keyof DesktopPreferences, unknown>>;
  return {
    openAtLogin: typeof value.openAtLogin === 'boolean' ? value.openAtLogin : DEFAULT_PREFERENCES.openAtLogin,
    quitWithoutAsking: Array.isArray(value.quitWithoutAsking)
      ? value.quitWithoutAsking.filter((id): id is string => typeof id === 'string').slice(0, 200)
      : [],
    backgroundNoticeShown: value.backgroundNoticeShown === true,
    updateUrl: typeof value.updateUrl === 'string' && value.updateUrl.trim() ? value.updateUrl.trim() : null,
    lastUpdateCheckAt: typeof value.lastUpdateCheckAt === 'string' ? value.lastUpdateCheckAt : null,
  };
}

/**
 * Reads once at start, writes atomically on every change (a crash leaves the old
 * file or the new one). A missing or unreadable file means the defaults.
 *
 *   const prefs = Preferences.load(app.getPath('userData'), log);
 *   await prefs.update({ openAtLogin: false });
 */
export class Preferences {
  private current: DesktopPreferences;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    initial: DesktopPreferences,
    private readonly log: Logger,
  ) {
    this.current = initial;
  }

  static load(folder: string, log: Logger): Preferences {
    const file = join(folder, 'desktop-preferences.json');
    let initial = { ...DEFAULT_PREFERENCES };
    try {
      initial = sanitize(JSON.parse(readFileSync(file, 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ err }, 'the desktop preferences could not be read; using the defaults');
    }
    return new Preferences(file, initial, log);
  }

  get(): DesktopPreferences {
    return { ...this.current, quitWithoutAsking: [...this.current.quitWithoutAsking] };
  }

  /** Applies a change at once (in memory) and writes it; resolves once it is on disk. */
  update(change: Partial<DesktopPreferences>): Promise<void> {
    this.current = sanitize({ ...this.current, ...change });
    const snapshot = JSON.stringify(this.current, null, 2);
    this.writing = this.writing
      .then(() => writeFileAtomic(this.file, snapshot, 0o600))
      .catch((err: unknown) => this.log.warn({ err }, 'the desktop preferences could not be saved'));
    return this.writing;
  }
}
