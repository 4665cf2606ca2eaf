import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { AppError } from '../errors.js';
import { startWorker } from '../workers.js';
import type { PasswordTask, StrengthAnswer } from './password-worker.js';

/**
 * Who a password check is for, so that the queue can be fair: the sources it
 * counts against (the client address, grouped by /64 for IPv6, and the username,
 * both as opaque keys) and whether its address keeps failing. Work without a lane
 * (hashing a new password, the strength check) comes first.
 */
export interface Lane {
  /** the first is the one turns are taken by (the address when there is one) */
  sources: readonly string[];
  /** the address failed recently: it waits behind addresses that did not */
  suspect: boolean;
}

interface Job {
  id: number;
  task: PasswordTask;
  lane?: Lane;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  busy: Job | null;
}

/** The pool's size when not given: one worker per core, at least two (so one is free for a fair turn), at most four. */
export function defaultPoolSize(cores = availableParallelism()): number {
  return Math.max(2, Math.min(4, cores));
}

/**
 * bcrypt and the strength estimator in worker threads, so the event loop (the
 * window's lifeline on the desktop) never waits for them. Workers start on first
 * use and stop after a minute idle.
 *
 * The queue is bounded and fair (finding: 100 wrong sign-ins from one address kept
 * a colleague's correct one waiting ten seconds). Each source (an address, a
 * username) may have only `perSourceQueue` checks waiting, so no source fills the
 * queue; turns go to the source served least recently, and sources with recent
 * failures wait behind those without; one source, and all suspect sources
 * together, may hold at most all workers but one, which stays for everyone else.
 * Over a bound the answer is `rate_limited`, at once, instead of a growing wait.
 */
export class PasswordWorkers {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  /** when each source was last given a worker, for round-robin turns */
  private readonly lastServed = new Map<string, number>();
  private turn = 0;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  readonly size: number;

  /** set when a worker could not start at all (e.g. a packaging problem): work then runs in-process */
  private inline = false;
  private everWorked = false;
  private readonly onFallback?: (reason: string) => void;
  private readonly startWorker: () => Worker;
  private readonly maxQueue: number;
  private readonly perSourceQueue: number;
  private readonly idleMs: number;

  constructor(
    options: {
      size?: number;
      maxQueue?: number;
      perSourceQueue?: number;
      idleMs?: number;
      onFallback?: (reason: string) => void;
      startWorker?: () => Worker;
    } = {},
  ) {
    this.startWorker = options.startWorker ?? (() => startWorker(new URL('./password-worker.js', import.meta.url)));
    this.size = options.size ?? defaultPoolSize();
    this.maxQueue = options.maxQueue ?? 256;
    this.perSourceQueue = options.perSourceQueue ?? 4;
    this.idleMs = options.idleMs ?? 60_000;
    this.onFallback = options.onFallback;
  }

  hash(password: string, cost: number): Promise<string> {
    return this.submit({ op: 'hash', password, cost }) as Promise<string>;
  }

  /** Checks a password against its hash; `lane` says whose attempt it is (sign-in), for a fair turn. */
  verify(password: string, hash: string, lane?: Lane): Promise<boolean> {
    return this.submit({ op: 'verify', password, hash }, lane) as Promise<boolean>;
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

  private submit(task: PasswordTask, lane?: Lane): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('password workers stopped'));
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(new AppError('rate_limited', 'LexDesk is busy with other sign-ins. Try again in a moment.', { retryAfterSeconds: 5 }));
    }
    if (lane && lane.sources.some((source) => this.waitingFor(source) >= this.perSourceQueue)) {
      return Promise.reject(
        new AppError('rate_limited', 'Too many sign-in attempts at once from here. Try again in a few seconds.', { retryAfterSeconds: 2 }),
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, lane, resolve, reject });
      this.pump();
    });
  }

  private waitingFor(source: string): number {
    let n = 0;
    for (const job of this.queue) if (job.lane?.sources.includes(source)) n++;
    return n;
  }

  private runningFor(predicate: (lane: Lane) => boolean): number {
    let n = 0;
    for (const slot of this.slots) if (slot.busy?.lane && predicate(slot.busy.lane)) n++;
    return n;
  }

  /**
   * The next job to give a worker, or null when every waiting job must wait for a
   * worker to free up: work without a lane first, then addresses without recent
   * failures, then the rest; within each, the source served least recently.
   */
  private pick(): number | null {
    const cap = Math.max(1, this.size - 1);
    let best = -1;
    let bestRank: [number, number, number] | null = null;
    for (let i = 0; i < this.queue.length; i++) {
      const { lane, id } = this.queue[i]!;
      if (lane) {
        const primary = lane.sources[0];
        if (primary !== undefined && this.runningFor((l) => l.sources[0] === primary) >= cap) continue;
        if (lane.suspect && this.runningFor((l) => l.suspect) >= cap) continue;
      }
      const rank: [number, number, number] = [
        !lane ? 0 : lane.suspect ? 2 : 1,
        lane?.sources[0] !== undefined ? (this.lastServed.get(lane.sources[0]) ?? -1) : -1,
        id,
      ];
      if (!bestRank || rank[0] < bestRank[0] || (rank[0] === bestRank[0] && (rank[1] < bestRank[1] || (rank[1] === bestRank[1] && rank[2] < bestRank[2])))) {
        best = i;
        bestRank = rank;
      }
    }
    return best < 0 ? null : best;
  }

  private served(job: Job): void {
    const primary = job.lane?.sources[0];
    if (primary === undefined) return;
    this.lastServed.delete(primary);
    this.lastServed.set(primary, ++this.turn);
    // forget the oldest turns: a source not seen for long is as new as one never seen
    while (this.lastServed.size > 10_000) {
      const oldest = this.lastServed.keys().next().value;
      if (oldest === undefined) break;
      this.lastServed.delete(oldest);
    }
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
      const free = this.slots.find((s) => s.busy === null);
      if (!free && this.slots.length >= this.size) break;
      const index = this.pick();
      if (index === null) break;
      const slot = free ?? this.spawn();
      const job = this.queue.splice(index, 1)[0]!;
      this.served(job);
      slot.busy = job;
      slot.worker.ref(); // a pending job keeps the process alive (the CLI awaits it)
      slot.worker.postMessage({ id: job.id, task: job.task });
    }
    // while there is work, the whole pool stands ready: a worker kept free for a fair turn must not
    // have to start (a thread, its modules) when that turn comes
    if (!this.closed && this.slots.some((s) => s.busy !== null)) {
      while (this.slots.length < this.size) this.spawn();
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
      }
      if (job) {
        if (this.inline && !this.everWorked) this.queue.unshift(job);
        else job.reject(err);
      }
      if (!this.closed) this.pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`password worker exited (${code})`)));
    this.slots.push(slot);
    return slot;
  }
}
