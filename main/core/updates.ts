import type { UpdateStatus } from '../../shared/contract/updates.js';

/**
 * The face's updater, as the core sees it: the desktop passes its electron-updater
 * controller in (FaceDeps.updates); headless mode has none, and the operations
 * answer with `UNSUPPORTED_UPDATES`.
 */
export interface UpdatePort {
  status(): UpdateStatus;
  check(): Promise<UpdateStatus>;
  /** Installs the downloaded update now, or as soon as LexDesk is quiet (the answer says which). */
  install(): Promise<UpdateStatus>;
}

export function unsupportedUpdates(version: string): UpdateStatus {
  return {
    state: 'unsupported',
    currentVersion: version,
    channel: 'latest',
    feed: null,
    availableVersion: null,
    percent: null,
    lastCheckAt: null,
    nextCheckAt: null,
    message: null,
  };
}
