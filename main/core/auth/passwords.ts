import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { AppError } from '../errors.js';
import { startWorker } from '../workers.js';
import type { PasswordTask, StrengthAnswer } from './password-worker.js';

interface Job {
  id: number;
  task: PasswordTask;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  busy: Job | null;
}

/**
 * bcrypt and the strength estimator in worker threads, so the event loop (the
 * window's lifeline on the desktop) never waits for them. Workers start on first
 * use and stop after a minute idle. The queue is bounded: a flood of sign-in
 * attempts is refused with `rate_limited` instead of growing without end.
 */
export class PasswordWorkers {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  readonly size: number;

  /** set when a worker could not start at all (e.g. a packaging problem): work then runs in-process */
  private inline = false;
  private everWorked = false;
  private readonly onFallback?: (reason: string) => void;
  private readonly startWorker: () => Worker;

  constructor(
    options: { size?: number; maxQueue?: number; idleMs?: number; onFallback?: (reason: string) => void; startWorker?: () => Worker } = {},
  ) {
    this.startWorker = options.startWorker ?? (() => startWorker(new URL('./password-worker.js', import.meta.url)));
    this.size = options.size ?? Math.max(1, Math.min(2, availableParallelism() - 1));
    this.maxQueue = options.maxQueue ?? 64;
    this.idleMs = options.idleMs ?? 60_000;
    this.onFallback = options.onFallback;
  }
  private readonly maxQueue: number;
  private readonly idleMs: number;

  hash(password: string, cost: number): Promise<string> {
    return this.submit({ op: 'hash', password, cost }) as Promise<string>;
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.submit({ op: 'verify', password, hash }) as Promise<boolean>;
  }

  strength(password: string, userInputs: string[]): Promise<StrengthAnswer> {
    return this.submit({ op: 'strength', password, userInputs }) as Promise<StrengthAnswer>;
  }

  /** Jobs waiting for a worker (for tests and metrics). */
  get pending(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const job of this.queue.splice(0)) job.reject(new Error('password workers stopped'));
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private submit(task: PasswordTask): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('password workers stopped'));
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(new AppError('rate_limited', 'LexDesk is busy with other sign-ins. Try again in a moment.', { retryAfterSeconds: 5 }));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    if (this.inline) {
      for (const job of this.queue.splice(0)) {
        import('./password-worker.js').then((m) => m.runTaskInline(job.task)).then(job.resolve, job.reject);
      }
      return;
    }
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.busy === null);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.busy = job;
      slot.worker.ref(); // a pending job keeps the process alive (the CLI awaits it)
      slot.worker.postMessage({ id: job.id, task: job.task });
    }
    if (this.slots.every((s) => s.busy === null) && this.slots.length > 0) {
      this.idleTimer = setTimeout(() => {
        for (const slot of this.slots.splice(0)) void slot.worker.terminate();
      }, this.idleMs);
      this.idleTimer.unref();
    }
  }

  private spawn(): Slot {
    const worker = this.startWorker();
    worker.unref();
    const slot: Slot = { worker, busy: null };
    worker.on('message', (message: { id: number; value?: unknown; error?: string }) => {
      const job = slot.busy;
      if (!job || job.id !== message.id) return;
      slot.busy = null;
      this.everWorked = true;
      worker.unref();
      if (message.error !== undefined) job.reject(new Error(message.error));
      else job.resolve(message.value);
      this.pump();
    });
    const fail = (err: Error) => {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      const job = slot.busy;
      slot.busy = null;
      if (!this.everWorked && !this.closed && !this.inline) {
        // no worker has ever answered: they cannot start here; do the work in-process rather than not at all
        this.inline = true;
        this.onFallback?.(err.message);
        if (job) this.queue.unshift(job);
      } else {
        job?.reject(err);
      }
      if (!this.closed) this.pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`password worker exited (${code})`)));
    this.slots.push(slot);
    return slot;
  }
}
