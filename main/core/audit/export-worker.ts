// Runs in a worker thread: reads chunks of an export on its own read-only connection
// and formats them, so a million-row export uses both cores and leaves the main
// process's event loop alone.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { ExportFormat } from '../../../shared/contract/audit.js';
import { formatChunk } from './export-format.js';
import { AuditSearch, type AuditQuery, type Position } from './search.js';

export interface ExportWorkerData {
  file: string;
  nativeBinding?: string;
  query: AuditQuery;
  format: ExportFormat;
}

export interface ChunkJob {
  seq: number;
  after?: Position;
  until?: Position;
}

export type ChunkMessage = { type: 'chunk'; seq: number; text: string; rows: number } | { type: 'failed'; message: string };

const data = workerData as ExportWorkerData;
const port = parentPort!;
const db = new Database(data.file, { readonly: true, fileMustExist: true, nativeBinding: data.nativeBinding });
db.pragma('busy_timeout = 5000');
const search = new AuditSearch(() => db);

port.on('message', (job: ChunkJob) => {
  try {
    const { text, rows } = formatChunk(search, data.query, data.format, job.after, job.until);
    port.postMessage({ type: 'chunk', seq: job.seq, text, rows } satisfies ChunkMessage);
  } catch (err) {
    port.postMessage({ type: 'failed', message: (err as Error).message ?? String(err) } satisfies ChunkMessage);
  }
});
port.on('close', () => db.close());
