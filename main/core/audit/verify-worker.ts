// Runs in a worker thread: walks the audit chain on its own read-only connection,
// so that hashing a million rows never holds up the main process's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { walkChain, type ChainReport, type ChainStart } from './verify.js';

export interface VerifyJob {
  file: string;
  nativeBinding?: string;
  from?: ChainStart;
  untilId?: number;
}

export type VerifyMessage =
  | { type: 'progress'; rows: number }
  | { type: 'done'; report: ChainReport }
  | { type: 'failed'; message: string };

const job = workerData as VerifyJob;
const port = parentPort!;
let db: Database.Database | null = null;
try {
  db = new Database(job.file, { readonly: true, fileMustExist: true, nativeBinding: job.nativeBinding });
  db.pragma('busy_timeout = 5000');
  const report = walkChain(db, job.from, (rows) => port.postMessage({ type: 'progress', rows } satisfies VerifyMessage), job.untilId);
  port.postMessage({ type: 'done', report } satisfies VerifyMessage);
} catch (err) {
  port.postMessage({ type: 'failed', message: (err as Error).message ?? String(err) } satisfies VerifyMessage);
} finally {
  db?.close();
}
