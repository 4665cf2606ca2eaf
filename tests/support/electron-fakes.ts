/// <reference types="electron" />
import { EventEmitter } from 'node:events';
import type { DeskApp, DeskWindow } from '../../main/electron/background.js';
import type { NotificationLike } from '../../main/electron/notifier.js';
import type { PowerMonitorLike } from '../../main/electron/power.js';
import type { TrayLike } from '../../main/electron/tray.js';

/*
 * Stand-ins for the parts of Electron the desktop face takes as parameters. Each
 * implements the face's own type, and that type is Electron's (Pick<Electron.X, …>
 * and Electron's listener signatures), so `tsc` holds the fakes to Electron's
 * shapes: main.ts passes the real objects to the same parameters.
 */

/** An Electron-like event: preventDefault() is remembered. */
export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}
const asElectronEvent = (event: FakeEvent) => event as unknown as Electron.Event;

export class FakeApp extends EventEmitter implements DeskApp, Pick<Electron.App, 'setBadgeCount' | 'setLoginItemSettings'> {
  quits = 0;
  badge: number | undefined;
  loginItem: Electron.Settings | null = null;
  quit(): void {
    this.quits++;
    // as Electron does: before-quit first, and a listener may cancel
    const event = new FakeEvent();
    this.emit('before-quit', asElectronEvent(event));
  }
  setBadgeCount(count?: number): boolean {
    this.badge = count;
    return true;
  }
  setLoginItemSettings(settings: Electron.Settings): void {
    this.loginItem = settings;
  }
  /** Cmd+Q or the dock's Quit: Electron emits before-quit and quits unless a listener prevents it. */
  userQuits(): FakeEvent {
    const event = new FakeEvent();
    this.emit('before-quit', asElectronEvent(event));
    return event;
  }
}

export class FakeWindow extends EventEmitter implements DeskWindow {
  visible = true;
  minimized = false;
  destroyed = false;
  focused = 0;
  overlay: { image: unknown; description: string } | null = null;
  hide(): void {
    this.visible = false;
  }
  show(): void {
    this.visible = true;
  }
  focus(): void {
    this.focused++;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setOverlayIcon(image: string | null, description: string): void {
    this.overlay = image === null ? null : { image, description };
  }
  /** The user clicks the window's close button: Electron emits 'close' and closes unless prevented. */
  userCloses(): FakeEvent {
    const event = new FakeEvent();
    this.emit('close', asElectronEvent(event));
    if (!event.defaultPrevented) this.destroyed = true;
    return event;
  }
}

/** A tray whose "menu" is the template it was given (FrontDeskMenu is generic over the menu type). */
export class FakeTray extends EventEmitter implements TrayLike<Electron.MenuItemConstructorOptions[]> {
  menu: Electron.MenuItemConstructorOptions[] | null = null;
  toolTip = '';
  setContextMenu(menu: Electron.MenuItemConstructorOptions[] | null): void {
    this.menu = menu;
  }
  setToolTip(toolTip: string): void {
    this.toolTip = toolTip;
  }
  item(id: string): Electron.MenuItemConstructorOptions {
    const found = this.menu?.find((entry) => entry.id === id);
    if (!found) throw new Error(`no menu item ${id}`);
    return found;
  }
  /** Clicks a menu item as Electron would (its click gets the item, the window, the event). */
  click(id: string, changes: Partial<Electron.MenuItem> = {}): void {
    const item = this.item(id);
    item.click?.({ ...item, ...changes } as unknown as Electron.MenuItem, undefined, {} as Electron.KeyboardEvent);
  }
}

export class FakePowerMonitor extends EventEmitter implements PowerMonitorLike {}

export class FakeNotification extends EventEmitter implements NotificationLike {
  static shown: FakeNotification[] = [];
  constructor(readonly options: Electron.NotificationConstructorOptions) {
    super();
  }
  show(): void {
    FakeNotification.shown.push(this);
  }
  userClicks(): void {
    this.emit('click', asElectronEvent(new FakeEvent()));
  }
}
