import { parentPort, workerData } from 'node:worker_threads';
import { BackupFileError } from './format.js';
import { copyDatabase, createBackup, decryptTo, describeSnapshotCopy, describeSnapshotDb, verifyBackup, verifySqlDump, type JobStep } from './jobs.js';
import { pruneRepository, snapshotChunks, verifySnapshot } from './snapshots.js';
import type { WorkerRequest } from './runner.js';

/**
 * Worker thread entry: runs one job of jobs.ts and reports progress, so that the
 * copy, compression, encryption and verification never hold the main event loop.
 */
const request = workerData as WorkerRequest;
const port = parentPort!;
const key = Buffer.from(request.key);

let lastStep: JobStep | null = null;
let lastFraction = -1;
let lastAt = 0;
function progress(step: JobStep, fraction: number): void {
  const now = Date.now();
  if (step === lastStep && fraction < 1 && fraction - lastFraction < 0.01 && now - lastAt < 250) return;
  lastStep = step;
  lastFraction = fraction;
  lastAt = now;
  port.postMessage({ type: 'progress', step, fraction: Math.max(0, Math.min(1, fraction)) });
}

async function run(): Promise<unknown> {
  switch (request.type) {
    case 'create':
      return createBackup({ ...request.job, key }, progress);
    case 'verify':
      return verifyBackup({ ...request.job, key }, progress);
    case 'verify-sql':
      return verifySqlDump({ ...request.job, key }, progress);
    case 'decrypt':
      return { header: await decryptTo(request.job.file, key, request.job.out) };
    case 'snapshot':
      return snapshotChunks({ ...request.job, key }, { copyDatabase: (s, d, n) => copyDatabase(s, d, n, progress), describe: describeSnapshotCopy, describeOpen: describeSnapshotDb }, progress);
    case 'snapshot-verify':
      return verifySnapshot({ ...request.job, key }, progress);
    case 'snapshot-prune':
      return pruneRepository({ ...request.job, key }, progress);
    case 'strength': {
      // zxcvbn builds its dictionaries on first use (about half a second): never on the main thread
      const { passphraseProblem } = await import('./passphrase.js');
      return { problem: passphraseProblem(request.job.passphrase, request.job.context) };
    }
  }
}

run().then(
  (result) => port.postMessage({ type: 'done', result }),
  (err: unknown) => {
    const e = err as Error & { code?: string };
    port.postMessage({
      type: 'error',
      error: {
        name: e?.name ?? 'Error',
        message: e?.message ?? String(err),
        problem: err instanceof BackupFileError ? err.problem : undefined,
        code: e?.code,
        stack: e?.stack,
      },
    });
  },
);
