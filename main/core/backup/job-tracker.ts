import { randomUUID } from 'node:crypto';
import type { BackupJob, BackupJobOperation, BackupKind } from '../../../shared/contract/backup.js';
import { AppError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { JobStep } from './jobs.js';

export interface RunningJob extends BackupJob {
  kind: BackupKind | null;
  abort: AbortController;
  /** a job LexDesk runs on its own (the background check of a snapshot): it gives way to any other */
  background: boolean;
}

/** What backup.finished says of a job. */
export interface JobEnd {
  outcome: 'ok' | 'failed';
  id: string | null;
  message: string | null;
}

export const STEP_LABELS: Record<JobStep | 'saving' | 'retention', string> = {
  copying: 'Copying the database',
  counting: 'Counting the rows',
  compressing: 'Compressing and encrypting',
  dumping: 'Writing the SQL copy',
  verifying: 'Decrypting and checking the backup',
  checking: 'Opening the copy (integrity check)',
  'verifying-sql': 'Checking the SQL copy',
  pruning: 'Removing the parts no snapshot uses',
  saving: 'Saving',
  retention: 'Removing old backups',
};

/** Which slice of the progress bar each step of a backup fills. */
export function backupSlices(withSql: boolean): Record<JobStep, [number, number]> {
  return withSql
    ? { copying: [0, 20], counting: [20, 22], compressing: [22, 55], dumping: [55, 70], verifying: [70, 90], checking: [90, 95], 'verifying-sql': [95, 99], pruning: [99, 99] }
    : { copying: [0, 25], counting: [25, 27], compressing: [27, 78], dumping: [78, 78], verifying: [78, 95], checking: [95, 99], 'verifying-sql': [99, 99], pruning: [99, 99] };
}

export function publicJob(job: RunningJob): BackupJob {
  return { jobId: job.jobId, operation: job.operation, step: job.step, label: job.label, percent: job.percent };
}

/**
 * The one backup job that may run at a time (backup, verification or restore):
 * refuses a second, announces each step as backup.progress and the end as
 * backup.finished, and keeps the work in flight for stop() to await.
 */
export class JobTracker {
  private job: RunningJob | null = null;
  private inFlight: Promise<unknown> | null = null;

  constructor(
    private readonly events: EventBus,
    /** called when any job ends (what the folder holds may have changed) */
    private readonly onEnd: () => void,
  ) {}

  /** The job running now, if any. */
  get current(): RunningJob | null {
    return this.job;
  }

  /**
   * Starts a job, or refuses with `conflict` while another runs. A background job
   * running now gives way: it is cancelled, and the new job starts once it has
   * ended. The check and the start happen in one step, so two callers never both start.
   */
  async claim(operation: BackupJobOperation, kind: BackupKind | null, options: { background?: boolean } = {}): Promise<RunningJob> {
    while (this.job?.background) {
      const yielding = this.job;
      yielding.abort.abort();
      await this.settled();
      if (this.job === yielding) break; // begun but never run: refused below rather than waited on forever
    }
    return this.begin(operation, kind, options);
  }

  /** Starts a job at once, or refuses with `conflict` while any other runs (a background one included). */
  begin(operation: BackupJobOperation, kind: BackupKind | null, options: { background?: boolean } = {}): RunningJob {
    if (this.job) {
      const what = this.job.operation === 'restore' ? 'A restore' : this.job.operation === 'verify' ? 'A verification' : 'A backup';
      throw new AppError('conflict', `${what} is already running. Wait for it to finish.`, { running: publicJob(this.job) });
    }
    this.job = { jobId: randomUUID(), operation, kind, step: 'starting', label: 'Starting', percent: 0, abort: new AbortController(), background: options.background ?? false };
    this.emitProgress();
    return this.job;
  }

  /** Moves the job to a step; the percentage never goes back. */
  step(job: RunningJob, step: string, label: string, percent: number): void {
    job.step = step;
    job.label = label;
    job.percent = Math.max(job.percent, Math.min(100, Math.round(percent * 10) / 10));
    this.emitProgress();
  }

  /**
   * Runs the work of a job begun with `begin`, then ends the job: as `ended` says
   * of the result (by default 'ok' for backup `id`), or 'failed' for backup `id`
   * with the error's message, which is thrown on.
   */
  run<T>(job: RunningJob, id: string | null, work: () => Promise<T>, ended?: (result: T) => JobEnd): Promise<T> {
    const running = work().then(
      (result) => {
        this.end(job, ended ? ended(result) : { outcome: 'ok', id, message: null });
        return result;
      },
      (err: unknown) => {
        this.end(job, { outcome: 'failed', id, message: (err as Error).message });
        throw err;
      },
    );
    this.inFlight = running;
    return running.finally(() => {
      if (this.inFlight === running) this.inFlight = null;
    });
  }

  /** Resolves when the work in flight has ended, however it ended. */
  async settled(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
  }

  private end(job: RunningJob, end: JobEnd): void {
    if (this.job === job) this.job = null;
    this.onEnd();
    this.events.emit('backup.finished', { jobId: job.jobId, operation: job.operation, ...end });
  }

  private emitProgress(): void {
    if (this.job) this.events.emit('backup.progress', { ...publicJob(this.job), kind: this.job.kind });
  }
}
