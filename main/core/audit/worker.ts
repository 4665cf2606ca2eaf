import { availableParallelism } from 'node:os';
import { startWorker } from '../workers.js';
import { joinSegments, type ChainReport, type ChainStart } from './verify.js';
import type { VerifyJob, VerifyMessage } from './verify-worker.js';

/** Walks one segment of the chain in a worker thread on its own read-only connection. */
function walkInWorker(job: VerifyJob, onProgress?: (rows: number) => void): Promise<ChainReport> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(new URL('./verify-worker.js', import.meta.url), job);
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    worker.on('message', (message: VerifyMessage) => {
      if (message.type === 'progress') onProgress?.(message.rows);
      else if (message.type === 'done') settle(() => resolve(message.report));
      else settle(() => reject(new Error(`the audit chain could not be read: ${message.message}`)));
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the verification worker stopped (exit ${code})`))));
  });
}

/** Below this many rows per worker, one worker does it all. */
const MIN_ROWS_PER_WORKER = 250_000;

/**
 * Walks the chain from `from` through row `untilId` in worker threads: split into
 * consecutive id ranges, one per core (at most 4), each walked on its own read-only
 * connection, then joined (each range must continue the one before it). Hashing a
 * million rows never holds up the main process's event loop.
 */
export async function walkChainInWorkers(
  job: {
    file: string;
    nativeBinding?: string;
    from?: ChainStart;
    untilId: number;
    /** how many workers; by default one per core, at most 4, each with 250,000 rows or more */
    workers?: number;
  },
  onProgress?: (rows: number) => void,
): Promise<ChainReport> {
  const first = (job.from?.afterId ?? 0) + 1;
  const total = Math.max(0, job.untilId - first + 1);
  const count = Math.max(1, job.workers ?? Math.min(availableParallelism(), 4, Math.floor(total / MIN_ROWS_PER_WORKER)));
  const size = Math.ceil(total / count);
  const progress = new Array<number>(count).fill(0);
  const segments = await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const start = first + i * size;
      const until = i === count - 1 ? job.untilId : start + size - 1;
      const from: ChainStart | undefined = i === 0 ? job.from : { afterId: start - 1, hash: null };
      return walkInWorker({ file: job.file, nativeBinding: job.nativeBinding, from, untilId: until }, (rows) => {
        progress[i] = rows;
        onProgress?.(progress.reduce((a, b) => a + b, 0));
      });
    }),
  );
  return joinSegments(job.from, segments);
}
