import { writeFileSync } from 'node:fs';
import type { AppUpdater } from 'electron-updater';
import type { UpdateState, UpdateStatus } from '../../shared/contract/updates.js';
import type { BusyWith } from '../core/activity.js';
import type { Logger } from '../core/log.js';
import { describeUpdateFeed, type UpdateFeed } from '../core/update-feed.js';
import type { UpdatePort } from '../core/updates.js';

/** The parts of electron-updater's AppUpdater this uses (the platform's autoUpdater fits, and so does a DebUpdater in tests). */
export type UpdaterLike = Pick<
  AppUpdater,
  'on' | 'checkForUpdates' | 'quitAndInstall' | 'setFeedURL' | 'autoDownload' | 'autoInstallOnAppQuit' | 'channel' | 'currentVersion' | 'logger' | 'updateConfigPath'
>;

/** Timers the schedule runs on (Node's by default; tests move them by hand). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const nodeTimers: Timers = {
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Checks at start (a moment after, so as not to slow it) and every 6 hours. */
export const CHECK_EVERY_MS = 6 * 3_600_000;
export const FIRST_CHECK_AFTER_MS = 30_000;
/** While an install waits for LexDesk to be quiet, it looks again this often. */
export const QUIET_POLL_MS = 15_000;

/** electron-updater's publish options for a feed. */
export function publishOptionsOf(feed: UpdateFeed): { provider: 'generic'; url: string } | { provider: 'github'; owner: string; repo: string } {
  return feed.provider === 'github' ? { provider: 'github', owner: feed.owner, repo: feed.repo } : { provider: 'generic', url: feed.url };
}

export interface UpdateControllerDeps {
  /** electron-updater's autoUpdater; null where there is none (a run from the sources) */
  updater: UpdaterLike | null;
  /** the version running now */
  version: string;
  /** where updates come from; null: none configured */
  feed: UpdateFeed | null;
  /** false in a desktop run from the sources (electron-updater updates only an installed app) */
  supported: boolean;
  /** what LexDesk is in the middle of (core Activity): an install waits until it is empty */
  busy: () => BusyWith[];
  /** stops the core before the installer replaces the app (FrontDesk.stopForUpdate) */
  beforeInstall: () => Promise<void>;
  /** the status changed (main.ts tells the screens and the tray) */
  onChange?: (status: UpdateStatus) => void;
  /** the last check, kept across restarts for the About box */
  lastCheck: { get(): string | null; set(at: string): void };
  now?: () => Date;
  timers?: Timers;
  log: Logger;
  firstCheckAfterMs?: number;
  /**
   * Where to write the updater's own app-update.yml for the configured feed (in
   * userData). The installer carries one only when it was built with a feed; this
   * one makes a feed configured at run time work the same.
   */
  configFile?: string;
}

/** The app-update.yml electron-updater reads (as electron-builder writes it from `publish`). */
export function updateConfigYaml(feed: UpdateFeed): string {
  const lines =
    feed.provider === 'github'
      ? ['provider: github', `owner: ${feed.owner}`, `repo: ${feed.repo}`]
      : ['provider: generic', `url: ${JSON.stringify(feed.url)}`];
  return [...lines, 'updaterCacheDirName: lexdesk-updater', ''].join('\n');
}

/**
 * The desktop's updates: electron-updater with the configured feed, checked at
 * start and every 6 hours, downloaded in the background; "Restart to update"
 * installs, but never while a backup, a restore or a staff reply is in progress:
 * the install then waits for a quiet moment and happens by itself. The pre-migration
 * backup runs at the first start of the new version (the core does it).
 *
 *   const updates = new UpdateController({ updater: autoUpdater, feed, supported: app.isPackaged, ... });
 *   updates.start();
 *   createCore(config, { ..., updates });
 */
export class UpdateController implements UpdatePort {
  private state: UpdateState;
  private availableVersion: string | null = null;
  private percent: number | null = null;
  private message: string | null = null;
  private nextCheckAt: Date | null = null;
  private checkTimer: unknown = null;
  private quietTimer: unknown = null;
  private checking: Promise<void> | null = null;
  private installing = false;
  private readonly timers: Timers;

  constructor(private readonly deps: UpdateControllerDeps) {
    this.timers = deps.timers ?? nodeTimers;
    const updater = deps.updater;
    this.state = !deps.supported || !updater ? 'unsupported' : deps.feed ? 'idle' : 'unconfigured';
    if (this.state !== 'idle' || !updater) return;
    updater.logger = {
      info: (message?: unknown) => deps.log.debug({ updater: String(message) }, 'updater'),
      warn: (message?: unknown) => deps.log.warn({ updater: String(message) }, 'updater'),
      error: (message?: unknown) => deps.log.warn({ updater: String(message) }, 'updater'),
    };
    updater.autoDownload = true;
    // a normal quit installs a downloaded update too, after the core has stopped
    updater.autoInstallOnAppQuit = true;
    if (deps.configFile) {
      writeFileSync(deps.configFile, updateConfigYaml(deps.feed!), { mode: 0o600 });
      updater.updateConfigPath = deps.configFile;
    }
    updater.setFeedURL(publishOptionsOf(deps.feed!));
    updater.on('checking-for-update', () => this.set('checking'));
    updater.on('update-not-available', () => this.set('up-to-date', { availableVersion: null, percent: null }));
    updater.on('update-available', (info) => this.set('downloading', { availableVersion: info.version, percent: 0 }));
    updater.on('download-progress', (progress) => {
      if (this.state === 'downloading') this.set('downloading', { percent: Math.round(progress.percent) });
    });
    updater.on('update-downloaded', (event) => {
      if (this.state === 'waiting' || this.state === 'installing') return;
      this.set('ready', { availableVersion: event.version, percent: 100, message: null });
      deps.log.info({ version: event.version }, 'an update is downloaded and ready to install');
    });
    updater.on('error', (err) => {
      deps.log.warn({ err }, 'the update failed');
      if (this.state !== 'ready' && this.state !== 'waiting') this.set('error', { message: describeError(err) });
    });
  }

  /** Begins the schedule: the first check a moment after start, then every 6 hours. */
  start(): void {
    if (this.state === 'unsupported' || this.state === 'unconfigured') return;
    this.scheduleCheck(this.deps.firstCheckAfterMs ?? FIRST_CHECK_AFTER_MS);
  }

  stop(): void {
    if (this.checkTimer !== null) this.timers.clearTimeout(this.checkTimer);
    if (this.quietTimer !== null) this.timers.clearTimeout(this.quietTimer);
    this.checkTimer = null;
    this.quietTimer = null;
  }

  status(): UpdateStatus {
    return {
      state: this.state,
      currentVersion: this.deps.updater?.currentVersion.version ?? this.deps.version,
      channel: this.deps.updater?.channel ?? 'latest',
      feed: describeUpdateFeed(this.deps.feed),
      availableVersion: this.availableVersion,
      percent: this.percent,
      lastCheckAt: this.deps.lastCheck.get(),
      nextCheckAt: this.nextCheckAt?.toISOString() ?? null,
      message: this.message,
    };
  }

  /** Looks for an update now (also what the schedule runs); resolves once the check has ended. */
  async check(): Promise<UpdateStatus> {
    if (this.state === 'unsupported' || this.state === 'unconfigured') return this.status();
    // a downloaded update is not looked for again, nor one being installed
    if (this.state === 'ready' || this.state === 'waiting' || this.state === 'installing') return this.status();
    this.checking ??= this.runCheck().finally(() => {
      this.checking = null;
    });
    await this.checking;
    return this.status();
  }

  /**
   * "Restart to update": stops the core and runs the installer, or, while LexDesk
   * is busy, waits for the work to end and then installs by itself.
   */
  async install(): Promise<UpdateStatus> {
    if (this.state !== 'ready' && this.state !== 'waiting') return this.status();
    await this.tryInstall();
    return this.status();
  }

  private async tryInstall(): Promise<void> {
    this.quietTimer = null;
    if (this.installing) return;
    const busy = this.deps.busy();
    if (busy.length > 0) {
      this.set('waiting', { message: `The update installs as soon as this is done: ${busy.map((b) => b.message).join(' ')}` });
      this.deps.log.info({ busy: busy.map((b) => b.kind) }, 'the update waits for LexDesk to be quiet');
      this.quietTimer = this.timers.setTimeout(() => void this.tryInstall(), QUIET_POLL_MS);
      return;
    }
    this.installing = true;
    this.set('installing', { message: null });
    this.stop();
    this.deps.log.info({ version: this.availableVersion }, 'installing the update; LexDesk restarts');
    try {
      await this.deps.beforeInstall();
      this.deps.updater!.quitAndInstall(false, true);
    } catch (err) {
      this.installing = false;
      this.set('error', { message: `The update could not be installed: ${describeError(err)}` });
    }
  }

  private scheduleCheck(delayMs: number): void {
    if (this.checkTimer !== null) this.timers.clearTimeout(this.checkTimer);
    this.nextCheckAt = new Date(this.now().getTime() + delayMs);
    this.checkTimer = this.timers.setTimeout(() => {
      this.checkTimer = null;
      void this.check().finally(() => {
        if (!this.installing) this.scheduleCheck(CHECK_EVERY_MS);
      });
    }, delayMs);
  }

  private async runCheck(): Promise<void> {
    try {
      const result = await this.deps.updater!.checkForUpdates();
      // the download runs on in the background; its end is the 'update-downloaded' event
      result?.downloadPromise?.catch(() => undefined);
      if (result === null && this.state === 'checking') this.set('idle');
    } catch (err) {
      this.set('error', { message: describeError(err) });
    } finally {
      this.deps.lastCheck.set(this.now().toISOString());
      this.notify();
    }
  }

  private set(state: UpdateState, change: { availableVersion?: string | null; percent?: number | null; message?: string | null } = {}): void {
    this.state = state;
    if (change.availableVersion !== undefined) this.availableVersion = change.availableVersion;
    if (change.percent !== undefined) this.percent = change.percent;
    if (change.message !== undefined) this.message = change.message;
    else if (state !== 'error' && state !== 'waiting') this.message = null;
    this.notify();
  }

  private notify(): void {
    try {
      this.deps.onChange?.(this.status());
    } catch (err) {
      this.deps.log.warn({ err }, 'an update listener failed');
    }
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

function describeError(err: unknown): string {
  const text = String((err as Error)?.message ?? err).split('\n')[0] ?? '';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
