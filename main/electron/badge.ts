/// <reference types="electron" />
import type { ServerEvent } from '../../shared/events.js';
import { roleAllows } from '../../shared/permissions.js';
import type { Principal } from '../core/dispatch.js';
import type { Logger } from '../core/log.js';

/** The parts of Electron this uses; `I` is Electron.NativeImage (tests: anything). */
export interface BadgeDeps<I> {
  platform: NodeJS.Platform;
  /** Electron's app (setBadgeCount: the dock on macOS, Unity launchers on Linux) */
  app: Pick<Electron.App, 'setBadgeCount'>;
  /** Windows: the taskbar button's overlay icon */
  window: () => { setOverlayIcon(overlay: I | null, description: string): void; isDestroyed(): boolean } | null;
  /** the overlay image for Windows (a red dot) */
  overlay: () => I;
  /** how many conversations wait for staff (core query); thrown errors count as unknown */
  count: () => number;
  viewer: () => Principal | null;
  log: Logger;
  /** how long to wait for a burst of inbox changes to settle */
  debounceMs?: number;
}

/**
 * The number of conversations waiting for staff on the dock (macOS), the launcher
 * (Linux) or as an overlay on the taskbar button (Windows). Shown only to someone
 * signed in who may read conversations; 0 otherwise.
 */
export class AttentionBadge<I> {
  private timer: NodeJS.Timeout | null = null;
  private shown: number | null = null;

  constructor(private readonly deps: BadgeDeps<I>) {}

  onEvent(event: ServerEvent): void {
    const type = event.type as string;
    if (type === 'inbox.changed' || type === 'inbox.handedOff' || type === 'inbox.waiting' || type === 'auth.session.ended') this.schedule();
  }

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.update();
    }, this.deps.debounceMs ?? 300);
    this.timer.unref?.();
  }

  /** Recounts and shows the number now; returns it. */
  update(): number {
    const viewer = this.deps.viewer();
    let count = 0;
    if (viewer && !viewer.allowedOperations && roleAllows(viewer.role, 'conversations')) {
      try {
        count = this.deps.count();
      } catch (err) {
        this.deps.log.warn({ err }, 'could not count the conversations waiting for staff');
        return this.shown ?? 0;
      }
    }
    if (count === this.shown) return count;
    this.shown = count;
    if (this.deps.platform === 'win32') {
      const win = this.deps.window();
      if (win && !win.isDestroyed()) {
        win.setOverlayIcon(count > 0 ? this.deps.overlay() : null, count > 0 ? `${count} waiting for staff` : '');
      }
    } else {
      this.deps.app.setBadgeCount(count);
    }
    return count;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
