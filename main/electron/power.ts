import type { Logger } from '../core/log.js';
import type { PowerChange } from '../core/power.js';

/**
 * The parts of Electron's powerMonitor this uses (the real one fits). Electron
 * passes 'shutdown' an event whose preventDefault() delays the shutdown while
 * LexDesk stops (its .d.ts declares no argument, hence the optional one).
 */
export interface PowerMonitorLike {
  on(event: 'suspend' | 'resume' | 'lock-screen' | 'unlock-screen', listener: () => void): unknown;
  on(event: 'shutdown', listener: (event?: { preventDefault(): void }) => void): unknown;
}

export interface PowerDeps {
  powerMonitor: PowerMonitorLike;
  /** the core's PowerWatch */
  power: { changed(change: PowerChange): Promise<void> };
  /** the computer shuts down or the user logs off (Linux, macOS): stop the core and quit (FrontDesk.quitNow) */
  shutdown: () => Promise<void>;
  log: Logger;
}

/**
 * Sleep, wake, lock and shutdown, from Electron to the core. On Windows a logoff
 * or shutdown reaches the window instead ('session-end', wired in main.ts to the
 * same `shutdown`).
 */
export function watchPower(deps: PowerDeps): void {
  const forward = (change: PowerChange) => () => {
    deps.power.changed(change).catch((err: unknown) => deps.log.warn({ err, change }, 'a power change was not handled'));
  };
  deps.powerMonitor.on('suspend', forward('suspend'));
  deps.powerMonitor.on('resume', forward('resume'));
  deps.powerMonitor.on('lock-screen', forward('lock-screen'));
  deps.powerMonitor.on('unlock-screen', forward('unlock-screen'));
  deps.powerMonitor.on('shutdown', (event) => {
    // hold the shutdown back until the database is closed (the WAL checkpointed)
    event?.preventDefault();
    deps.log.info({}, 'the computer is shutting down; stopping LexDesk');
    void deps.shutdown();
  });
}
