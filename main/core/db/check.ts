import { statSync } from 'node:fs';
import type { CheckResult } from '../health.js';
import type { Logger } from '../log.js';
import { startWorker } from '../workers.js';
import type { CheckJob, CheckMessage } from './check-worker.js';
import type { Store } from './store.js';

export type DatabaseCheckState = 'not-checked' | 'checking' | 'ok' | 'failed';

/** Databases up to this size are checked on the main thread (a few hundred ms at most); larger ones in a worker. */
const INLINE_MAX_BYTES = 32 * 1024 * 1024;

export const DAMAGED_ADVICE =
  'Stop LexDesk and restore the last good backup (Backups screen, or `lexdesk backup restore <id>`); tell IT.';

/**
 * SQLite's `PRAGMA quick_check` of the database: at start (in a worker for a
 * large file, health saying "checking" meanwhile) and on a schedule. A failure
 * makes the health of the database `down`, fires the alert, and offers the
 * restore of the last good backup.
 */
export class DatabaseCheck {
  state: DatabaseCheckState = 'not-checked';
  problems: string[] = [];
  checkedAt: Date | null = null;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** a write-ahead log set aside at this start: the health reports it for a day */
  setAside: { movedTo: string; reason: string; atMs: number } | null = null;

  constructor(
    private readonly deps: {
      store: () => Store | null;
      file: string;
      log: Logger;
      nativeBinding?: string;
      /** the check's period (default 6 h); 0: only at start */
      everyMs?: number;
      /** tests: the size from which the worker is used */
      inlineMaxBytes?: number;
      onResult?: (state: DatabaseCheckState) => void;
    },
  ) {}

  health(): CheckResult | null {
    if (this.state === 'failed') {
      return { status: 'down', message: `The database failed its check (${this.problems[0] ?? 'damaged'}). ${DAMAGED_ADVICE}` };
    }
    if (this.state === 'checking' && this.checkedAt === null) return { status: 'degraded', message: 'Checking the database…' };
    if (this.setAside && performance.now() - this.setAside.atMs < 86_400_000) {
      return {
        status: 'degraded',
        message:
          this.setAside.reason === 'after-clean-shutdown'
            ? 'At start a write-ahead log put back after a clean shutdown was set aside, not merged. Nothing in the database changed; IT can delete the set-aside file.'
            : 'At start a write-ahead log that does not belong to this database was set aside, not merged. Nothing in the database changed; IT can delete the set-aside file.',
      };
    }
    return null;
  }

  /** Starts the check at start and its schedule (the period is monotonic, as every timer). */
  start(): void {
    void this.check();
    const every = this.deps.everyMs ?? 6 * 3_600_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.check(), every);
      this.timer.unref?.();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Runs one check (joins one under way). */
  check(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    this.state = 'checking';
    let problems: string[];
    try {
      const size = statSync(this.deps.file).size;
      problems = size > (this.deps.inlineMaxBytes ?? INLINE_MAX_BYTES) ? await this.inWorker() : this.inline();
    } catch (err) {
      const code = String((err as { code?: string }).code ?? '');
      if (!code.startsWith('SQLITE_CORRUPT') && code !== 'SQLITE_NOTADB' && !/malformed/i.test(String((err as Error).message))) {
        // not an answer about the database (it was closed by a restore, the worker could not start)
        this.deps.log.warn({ err }, 'the database check could not run');
        this.state = this.checkedAt ? (this.problems.length ? 'failed' : 'ok') : 'not-checked';
        return;
      }
      problems = [String((err as Error).message)];
    }
    this.problems = problems;
    this.checkedAt = new Date();
    this.state = problems.length === 0 ? 'ok' : 'failed';
    if (this.state === 'failed') this.deps.log.error({ problems: problems.slice(0, 5) }, 'the database failed its check (PRAGMA quick_check)');
    this.deps.onResult?.(this.state);
  }

  private inline(): string[] {
    const store = this.deps.store();
    if (!store?.isOpen) throw new Error('the database is not open');
    const rows = store.sqlite.pragma('quick_check(20)') as { quick_check: string }[];
    return rows.map((row) => row.quick_check).filter((text) => text !== 'ok');
  }

  private inWorker(): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const worker = startWorker(new URL('./check-worker.js', import.meta.url), {
        file: this.deps.file,
        nativeBinding: this.deps.nativeBinding,
      } satisfies CheckJob);
      worker.once('message', (message: CheckMessage) => {
        if (message.type === 'done') resolve(message.problems);
        else reject(Object.assign(new Error(message.message), { code: message.code }));
        void worker.terminate();
      });
      worker.once('error', reject);
      // a worker that ends without an answer must not leave the check (and stop(), which awaits it) pending
      worker.once('exit', (code) => reject(new Error(`the database check worker stopped without an answer (exit ${code})`)));
    });
  }
}
