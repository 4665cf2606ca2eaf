/// <reference types="electron" />
import type { Logger } from '../core/log.js';
import type { Preferences } from './preferences.js';

/* LexDesk as a front desk: closing the window hides it, the bot keeps answering, and
   quitting is a deliberate act that stops the core cleanly first. */

/** The parts of Electron's BrowserWindow this uses (the real one fits). */
export type DeskWindow = Pick<Electron.BrowserWindow, 'hide' | 'show' | 'focus' | 'isVisible' | 'isMinimized' | 'restore' | 'isDestroyed'> & {
  on(event: 'close', listener: (event: Electron.Event) => void): unknown;
};

/** The parts of Electron's app this uses (the real one fits). */
export type DeskApp = Pick<Electron.App, 'quit'> & {
  on(event: 'before-quit', listener: (event: Electron.Event) => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  on(event: 'activate', listener: (event: Electron.Event, hasVisibleWindows: boolean) => void): unknown;
};

/** What Electron's dialog.showMessageBox answers, reduced to the choice. */
export interface QuitChoice {
  quit: boolean;
  dontAskAgain: boolean;
}

export const QUIT_WARNING = {
  message: 'Quit LexDesk?',
  detail: 'Clients will get no answers while LexDesk is closed. Close the window instead to keep the bot answering in the background.',
  checkboxLabel: 'Do not ask me again',
  buttons: ['Quit', 'Keep running'] as const,
};

/** The Electron dialog options of the quit question (main.ts shows them). */
export function quitQuestion(): Electron.MessageBoxOptions {
  return {
    type: 'warning',
    title: 'LexDesk',
    message: QUIT_WARNING.message,
    detail: QUIT_WARNING.detail,
    checkboxLabel: QUIT_WARNING.checkboxLabel,
    checkboxChecked: false,
    buttons: [...QUIT_WARNING.buttons],
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  };
}

export const BACKGROUND_NOTICE = {
  title: 'LexDesk is still running',
  body: 'The bot keeps answering clients on WhatsApp. Open LexDesk again from its icon; quit it from the icon’s menu.',
};

export interface FrontDeskDeps<W extends DeskWindow = DeskWindow> {
  app: DeskApp;
  /** the window, when one exists */
  window: () => W | null;
  /** opens a new window (after the last one was really closed, e.g. on macOS) */
  createWindow: () => W;
  core: { readonly running: boolean; stop(): Promise<void> };
  preferences: Pick<Preferences, 'get' | 'update'>;
  /** who is signed in in the window (the quit question is remembered per user) */
  signedInUser: () => string | null;
  /** asks "Clients will get no answers while LexDesk is closed" (Electron's dialog.showMessageBox) */
  confirmQuit: () => Promise<QuitChoice>;
  /** an OS notification */
  notify: (notice: { title: string; body: string }) => void;
  log: Logger;
}

type QuitState = 'running' | 'asking' | 'confirmed' | 'stopping' | 'done';

/**
 * The window's life on the desktop. Closing the window hides it (the first time
 * with a notice that LexDesk is still running); Quit asks once per user, then
 * stops the core (its last step checkpoints the WAL and closes the database)
 * before the app exits. `quitNow` skips the question for the OS shutting down, a
 * logoff or an update.
 *
 *   const desk = new FrontDesk({ app, window: () => mainWindow, ... });
 *   desk.install();
 *   desk.manage(mainWindow);
 */
export class FrontDesk<W extends DeskWindow = DeskWindow> {
  private state: QuitState = 'running';
  private stopping: Promise<void> | null = null;

  constructor(private readonly deps: FrontDeskDeps<W>) {}

  get quitting(): boolean {
    return this.state === 'confirmed' || this.state === 'stopping' || this.state === 'done';
  }

  install(): void {
    const { app } = this.deps;
    app.on('before-quit', (event) => this.beforeQuit(event));
    // the bot keeps answering with no window at all: nothing to do here, on any platform
    app.on('window-all-closed', () => undefined);
    app.on('activate', () => this.open());
  }

  /** Makes a window hide instead of closing, unless LexDesk is quitting. */
  manage(win: DeskWindow): void {
    win.on('close', (event) => {
      if (this.quitting) return;
      event.preventDefault();
      win.hide();
      this.noticeOnce();
    });
  }

  /** Shows the window (creating one if there is none), restored and in front. */
  open(): W {
    let win = this.deps.window();
    if (!win || win.isDestroyed()) {
      win = this.deps.createWindow();
      this.manage(win);
      return win;
    }
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    return win;
  }

  /**
   * Quit, as asked from a menu: the question first, unless this user said not to
   * ask again. Resolves to whether LexDesk is quitting.
   */
  async requestQuit(): Promise<boolean> {
    if (this.state !== 'running') return this.quitting;
    const user = this.deps.signedInUser() ?? '';
    if (this.deps.core.running && !this.deps.preferences.get().quitWithoutAsking.includes(user)) {
      this.state = 'asking';
      let choice: QuitChoice;
      try {
        choice = await this.deps.confirmQuit();
      } catch (err) {
        this.deps.log.warn({ err }, 'the quit question could not be shown');
        choice = { quit: false, dontAskAgain: false };
      }
      if (this.state !== 'asking') return this.quitting; // the OS shut down meanwhile
      if (!choice.quit) {
        this.state = 'running';
        return false;
      }
      if (choice.dontAskAgain) {
        await this.deps.preferences.update({ quitWithoutAsking: [...this.deps.preferences.get().quitWithoutAsking, user] });
      }
    }
    await this.quitNow('asked');
    return true;
  }

  /** Quit without asking (the OS shuts down or logs off, an update installs): the core stops first. */
  quitNow(reason: string): Promise<void> {
    if (this.state === 'stopping' || this.state === 'done') return this.stopping ?? Promise.resolve();
    this.state = 'stopping';
    this.deps.log.info({ reason }, 'LexDesk is quitting; stopping the core first');
    this.stopping = (async () => {
      try {
        if (this.deps.core.running) await this.deps.core.stop();
      } catch (err) {
        this.deps.log.error({ err }, 'the core did not stop cleanly');
      }
      this.state = 'done';
      this.deps.app.quit();
    })();
    return this.stopping;
  }

  /**
   * Stops the core and leaves the app to the caller (an update's installer quits
   * it): the question is skipped and before-quit lets it go.
   */
  async stopForUpdate(): Promise<void> {
    this.state = 'stopping';
    try {
      if (this.deps.core.running) await this.deps.core.stop();
    } finally {
      this.state = 'done';
    }
  }

  private beforeQuit(event: Electron.Event): void {
    if (this.state === 'done') return;
    event.preventDefault();
    // Cmd+Q, the dock's Quit, app.quit() from elsewhere: the same question
    if (this.state === 'running') void this.requestQuit();
  }

  private noticeOnce(): void {
    if (this.deps.preferences.get().backgroundNoticeShown) return;
    void this.deps.preferences.update({ backgroundNoticeShown: true });
    try {
      this.deps.notify(BACKGROUND_NOTICE);
    } catch (err) {
      this.deps.log.warn({ err }, 'the background notice could not be shown');
    }
  }
}

/** Whether this run was started by the computer at login (then the window stays hidden). */
export function startedHidden(argv: readonly string[], login?: Pick<Electron.LoginItemSettings, 'wasOpenedAtLogin'>): boolean {
  return argv.includes(HIDDEN_ARG) || login?.wasOpenedAtLogin === true;
}

/** The argument the login item starts LexDesk with. */
export const HIDDEN_ARG = '--hidden';
