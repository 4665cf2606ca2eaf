import { startWorker } from '../workers.js';
import { BackupFileError, type BackupFileProblem } from './format.js';
import type { CreateJob, CreateResult, JobStep, VerifyJob, VerifyResult, VerifySqlJob } from './jobs.js';
import type { BackupHeader } from './format.js';
import type { SnapshotChunkJob, SnapshotChunkResult, SnapshotVerified } from './snapshots.js';

type WithoutKey<T> = Omit<T, 'key'>;

/** What the main thread hands a worker: one job, with the key as bytes. */
export type WorkerRequest =
  | { type: 'create'; key: Uint8Array; job: WithoutKey<CreateJob> }
  | { type: 'verify'; key: Uint8Array; job: WithoutKey<VerifyJob> }
  | { type: 'verify-sql'; key: Uint8Array; job: WithoutKey<VerifySqlJob> }
  | { type: 'decrypt'; key: Uint8Array; job: { file: string; out: string } }
  | { type: 'strength'; key: Uint8Array; job: { passphrase: string; context: string[] } }
  | { type: 'snapshot'; key: Uint8Array; job: WithoutKey<SnapshotChunkJob> }
  | { type: 'snapshot-verify'; key: Uint8Array; job: { repoDir: string; keyId: string; id: string; workDir: string; nativeBinding?: string; keepAs?: string } }
  | { type: 'snapshot-prune'; key: Uint8Array; job: { repoDir: string; keyId: string; remove: string[]; pauseAt?: 'manifests-removed' } };

type ResultOf<R extends WorkerRequest['type']> = R extends 'create'
  ? CreateResult
  : R extends 'verify'
    ? VerifyResult
    : R extends 'verify-sql'
      ? { header: BackupHeader; sha256: string; bytes: number }
      : R extends 'strength'
        ? { problem: string | null }
        : R extends 'snapshot'
          ? SnapshotChunkResult
          : R extends 'snapshot-verify'
            ? SnapshotVerified
            : R extends 'snapshot-prune'
              ? { manifests: number; chunks: number; bytes: number }
              : { header: BackupHeader };

type WorkerMessage =
  | { type: 'progress'; step: JobStep; fraction: number }
  | { type: 'done'; result: unknown }
  | { type: 'error'; error: { name: string; message: string; problem?: BackupFileProblem; code?: string; stack?: string } };

/** An error from inside a worker, with the filesystem code when there was one. */
export class WorkerJobError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly workerStack?: string,
  ) {
    super(message);
    this.name = 'WorkerJobError';
  }
}

/**
 * Runs one backup job in a worker thread. `onProgress` gets the step and how far it
 * is (0..1); aborting `signal` terminates the worker (the caller cleans up files).
 */
export function runInWorker<R extends WorkerRequest>(
  request: R,
  options: { onProgress?: (step: JobStep, fraction: number) => void; signal?: AbortSignal } = {},
): Promise<ResultOf<R['type']>> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new WorkerJobError('The job was cancelled.', 'ABORT_ERR'));
      return;
    }
    const worker = startWorker(new URL('./worker.js', import.meta.url), request);
    let settled = false;
    const onAbort = () => {
      void worker.terminate();
      finish(() => reject(new WorkerJobError('The job was cancelled.', 'ABORT_ERR')));
    };
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') options.onProgress?.(message.step, message.fraction);
      else if (message.type === 'done') finish(() => resolve(message.result as ResultOf<R['type']>));
      else {
        const e = message.error;
        finish(() => reject(e.problem ? new BackupFileError(e.problem, e.message) : new WorkerJobError(e.message, e.code, e.stack)));
      }
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new WorkerJobError(`The backup worker stopped unexpectedly (exit ${code}).`))));
  });
}
