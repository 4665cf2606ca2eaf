/// <reference types="electron" />
import type { Answering } from '../../shared/contract/answering.js';
import type { Result } from '../../shared/errors.js';
import type { ServerEvent, WhatsAppStateEvent } from '../../shared/events.js';

type LinkState = WhatsAppStateEvent['state'];

/** The WhatsApp link's state in words, for the tray and the dock. */
export const LINK_IN_WORDS: Record<LinkState, string> = {
  ready: 'connected',
  starting: 'connecting…',
  authenticated: 'connecting…',
  qr: 'not linked: scan the QR code',
  reconnecting: 'reconnecting…',
  logged_out: 'logged out: link the number again',
  failed: 'not connected',
  stopped: 'stopped',
};

/** The parts of Electron's Tray this uses; `M` is Electron.Menu (tests: the template itself). */
export interface TrayLike<M> {
  setContextMenu(menu: M | null): void;
  setToolTip(toolTip: string): void;
  on(event: 'click', listener: () => void): unknown;
}

export interface FrontDeskMenuDeps<M> {
  /** Windows and Linux: the tray icon; macOS: none (the dock carries the menu) */
  tray: TrayLike<M> | null;
  /** macOS: Electron's app.dock */
  dock: { setMenu(menu: M): void } | null;
  /** Electron's Menu.buildFromTemplate */
  buildMenu: (template: Electron.MenuItemConstructorOptions[]) => M;
  open: () => void;
  /** Quit (with its question, FrontDesk.requestQuit) */
  quit: () => void;
  /** an operation as the person signed in in the window (through the dispatch door) */
  call: (operation: 'bot.pause' | 'bot.resume', input: Record<string, never>) => Promise<Result<unknown>>;
  /** whether the person signed in may pause the bot (whatsapp.manage); false when nobody is */
  mayPause: () => boolean;
  startAtLogin: { get(): boolean; set(enabled: boolean): void };
  /** a refusal or failure, told to the person (a message box) */
  tell: (message: string) => void;
  /** the state at start */
  initial: { link: LinkState | null; answering: Answering };
}

/**
 * The menu of the tray icon (Windows, Linux) or the dock (macOS): Open LexDesk,
 * the WhatsApp state in words, Pause the bot / Resume the bot, Start with the
 * computer, Quit. It follows the link and the bot through the core's events.
 */
export class FrontDeskMenu<M> {
  private link: LinkState | null;
  private answering: Answering;
  private busy = false;

  constructor(private readonly deps: FrontDeskMenuDeps<M>) {
    this.link = deps.initial.link;
    this.answering = deps.initial.answering;
    deps.tray?.on('click', () => deps.open());
    this.refresh();
  }

  /** Feed it every core event; it keeps what concerns the menu. */
  onEvent(event: ServerEvent): void {
    if (event.type === 'whatsapp.state') {
      if (event.data.state === this.link) return;
      this.link = event.data.state;
      this.refresh();
    } else if (event.type === 'bot.answering') {
      this.answering = event.data;
      this.refresh();
    }
  }

  /** After a sign-in or sign-out: what the person may do changed. */
  refresh(): void {
    const menu = this.deps.buildMenu(this.template());
    this.deps.tray?.setContextMenu(menu);
    this.deps.tray?.setToolTip(this.toolTip());
    this.deps.dock?.setMenu(menu);
  }

  toolTip(): string {
    return `LexDesk: WhatsApp ${this.linkWords()}; ${this.answering.paused ? 'the bot is paused' : 'the bot is answering'}`;
  }

  template(): Electron.MenuItemConstructorOptions[] {
    const mayPause = this.deps.mayPause();
    const paused = this.answering.paused;
    const items: Electron.MenuItemConstructorOptions[] = [
      { id: 'open', label: 'Open LexDesk', click: () => this.deps.open() },
      { type: 'separator' },
      { id: 'whatsapp', label: `WhatsApp: ${this.linkWords()}`, enabled: false },
      { id: 'bot', label: paused ? `The bot is paused${this.answering.by ? ` (by ${this.answering.by})` : ''}` : 'The bot is answering', enabled: false },
      {
        id: 'pause',
        label: paused ? 'Resume the bot' : 'Pause the bot',
        sublabel: mayPause ? undefined : 'an administrator signed in to LexDesk can',
        enabled: mayPause && !this.busy,
        click: () => void this.togglePause(),
      },
      { type: 'separator' },
      {
        id: 'login',
        label: 'Start with the computer',
        type: 'checkbox',
        checked: this.deps.startAtLogin.get(),
        click: (item) => this.deps.startAtLogin.set(item.checked),
      },
    ];
    // macOS: the dock has Quit of its own
    if (this.deps.tray) items.push({ type: 'separator' }, { id: 'quit', label: 'Quit LexDesk', click: () => this.deps.quit() });
    return items;
  }

  private linkWords(): string {
    return this.link ? LINK_IN_WORDS[this.link] : 'starting…';
  }

  private async togglePause(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.refresh();
    try {
      const result = await this.deps.call(this.answering.paused ? 'bot.resume' : 'bot.pause', {});
      if (result.ok) this.answering = result.value as Answering;
      else this.deps.tell(result.error.message);
    } finally {
      this.busy = false;
      this.refresh();
    }
  }
}
