// Runs in a worker thread: SQLite's quick_check of a large database on its own
// read-only connection, so that reading every page never holds up the event loop.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface CheckJob {
  file: string;
  nativeBinding?: string;
}

export type CheckMessage = { type: 'done'; problems: string[] } | { type: 'failed'; message: string; code?: string };

const job = workerData as CheckJob;
let db: Database.Database | null = null;
try {
  db = new Database(job.file, { readonly: true, fileMustExist: true, nativeBinding: job.nativeBinding });
  db.pragma('busy_timeout = 5000');
  const rows = db.pragma('quick_check(20)') as { quick_check: string }[];
  const problems = rows.map((row) => row.quick_check).filter((text) => text !== 'ok');
  parentPort!.postMessage({ type: 'done', problems } satisfies CheckMessage);
} catch (err) {
  parentPort!.postMessage({ type: 'failed', message: (err as Error).message ?? String(err), code: (err as { code?: string }).code } satisfies CheckMessage);
} finally {
  db?.close();
}
