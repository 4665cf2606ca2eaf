import { Worker } from 'node:worker_threads';
import type { ChainReport } from './verify.js';
import type { VerifyJob, VerifyMessage } from './verify-worker.js';

// Built, this module is dist/main/core/audit/worker.js next to verify-worker.js. Run from
// the TypeScript sources (tests, benchmarks), it starts the worker through a small
// bootstrap that registers tsx first.
const fromSources = import.meta.url.endsWith('.ts');

function startWorker(job: VerifyJob): Worker {
  if (!fromSources) return new Worker(new URL('./verify-worker.js', import.meta.url), { workerData: job });
  const tsEntry = new URL('./verify-worker.ts', import.meta.url).href;
  return new Worker(new URL('../../../scripts/ts-worker.mjs', import.meta.url), { workerData: { ...job, tsEntry } });
}

/** Walks the chain in a worker thread on its own read-only connection. */
export function walkChainInWorker(job: VerifyJob, onProgress?: (rows: number) => void): Promise<ChainReport> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(job);
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
