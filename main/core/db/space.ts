import { statfsSync } from 'node:fs';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from './store.js';

/** The sentence of the banner, the alert and the refusals while the data folder's disk is full. */
export const DISK_FULL_MESSAGE = 'The disk is full: LexDesk cannot save new messages';

/** What IT reads next to DISK_FULL_MESSAGE. */
export const DISK_FULL_ADVICE =
  'Free space on the disk of the data folder (old files, the backup folder if it shares the disk); LexDesk carries on by itself once there is room.';

/** The refusal a write gets while the disk is full: a stable code, the sentence, nothing lost. */
export function diskFullRefusal(): AppError {
  return new AppError('unavailable', `${DISK_FULL_MESSAGE}. Nothing was changed; try again once IT has freed space on the disk.`, {
    reason: 'disk_full',
  });
}

/** Space the data folder's disk must have free before LexDesk writes again (with room for the write-ahead log). */
const RESUME_FREE_BYTES = 2 * 1024 * 1024;

export type SpaceChange = { type: 'full'; since: Date } | { type: 'resumed'; lastedMs: number };

/**
 * Whether the data folder's disk has room for LexDesk's writes. The store reports
 * every write that failed for lack of space; from then on a probe (a real write,
 * on a timer, which is monotonic) looks every few seconds, and once it succeeds
 * the writers that waited are told to carry on.
 */
export class DiskSpace {
  private fullSince: Date | null = null;
  private fullAtMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(change: SpaceChange) => void>();
  /** writes refused or failed for lack of space since this process started */
  failures = 0;

  constructor(
    private readonly deps: {
      store: () => Store | null;
      dir: string;
      clock: Clock;
      log: Logger;
      /** how often the probe looks while the disk is full (default 5 s) */
      probeMs?: number;
      /** free bytes the disk must have (default 2 MB); tests set 0 to rely on the write alone */
      resumeFreeBytes?: number;
    },
  ) {}

  get full(): boolean {
    return this.fullSince !== null;
  }

  get since(): Date | null {
    return this.fullSince;
  }

  onChange(listener: (change: SpaceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A write failed for lack of space (called by the store). */
  reportFull(err: Error): void {
    this.failures += 1;
    if (this.fullSince) return;
    this.fullSince = this.deps.clock.now();
    this.fullAtMs = performance.now();
    this.deps.log.error({ err: { message: err.message, code: (err as { code?: string }).code } }, `${DISK_FULL_MESSAGE}; writes wait until there is room`);
    this.schedule();
    this.tell({ type: 'full', since: this.fullSince });
  }

  /** Looks now whether there is room again; true when the disk took a write. */
  probe(): boolean {
    if (!this.fullSince) return true;
    const store = this.deps.store();
    if (!store?.isOpen) return false;
    if (this.freeBytes() < (this.deps.resumeFreeBytes ?? RESUME_FREE_BYTES)) return false;
    try {
      // a real write: page 1 rewritten with the value it has goes through the write-ahead log
      store.tx(() => {
        const version = store.sqlite.pragma('user_version', { simple: true }) as number;
        store.prepare(`PRAGMA user_version = ${Math.trunc(version)}`).run();
      });
    } catch {
      return false;
    }
    const lastedMs = Math.round(performance.now() - this.fullAtMs);
    this.fullSince = null;
    this.stopTimer();
    this.deps.log.warn({ lastedMs }, 'there is room on the disk again; LexDesk saves new messages again');
    this.tell({ type: 'resumed', lastedMs });
    return true;
  }

  stop(): void {
    this.stopTimer();
  }

  private freeBytes(): number {
    try {
      const s = statfsSync(this.deps.dir);
      return s.bavail * s.bsize;
    } catch {
      return Number.POSITIVE_INFINITY;
    }
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.probe();
      } catch (err) {
        this.deps.log.warn({ err }, 'the disk space probe failed');
      }
    }, this.deps.probeMs ?? 5000);
    this.timer.unref?.();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tell(change: SpaceChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (err) {
        this.deps.log.error({ err }, 'a disk space listener failed');
      }
    }
  }
}
