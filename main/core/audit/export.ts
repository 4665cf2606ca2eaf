import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ExportFormat, ExportTicket } from '../../../shared/contract/audit.js';
import type { EventPayloads } from '../../../shared/events.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { streamToFileAtomic } from '../fs.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { CONTENT_TYPE, exportPreamble, formatRows } from './export-format.js';
import type { AuditQuery, AuditSearch, Position } from './search.js';
import type { AuditActor, AuditFace, AuditTrail } from './trail.js';

export { CONTENT_TYPE, EXPORT_COLUMNS } from './export-format.js';

/** Rows read per step: a step is a few milliseconds of the event loop. */
const BATCH_ROWS = 2_000;
/** Index entries a step may look at when rows are checked one by one (free text). */
const SCAN_BUDGET = 20_000;

export interface ExportProgress {
  rows: number;
  position: Position | null;
  done: boolean;
}

/**
 * The rows of a query, oldest first, as CSV or JSON Lines, as a stream: one batch
 * of 2,000 rows per pull and per turn of the event loop (a few milliseconds), so
 * memory stays flat whatever the size, the database is free between batches, and
 * the set is the one that existed when the export began (audit rows never change;
 * newer ones are above `maxId`).
 */
export function auditExportStream(
  search: AuditSearch,
  query: AuditQuery,
  format: ExportFormat,
  onProgress?: (progress: ExportProgress) => void,
): Readable {
  let position: Position | undefined;
  let rows = 0;
  let first = true;
  let finished = false;
  let scheduled = false;
  // One batch per turn of the event loop, even for a reader that takes everything
  // at once: `step` pushes a batch, or, when a stretch of the index held no match
  // (a rare word), tries again on the next turn (the stream is still waiting).
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(step);
  };
  const step = (): void => {
    scheduled = false;
    if (finished || stream.destroyed) return;
    try {
      const page = search.pageCells(query, { direction: 'asc', after: position, limit: BATCH_ROWS, scanBudget: SCAN_BUDGET });
      let text = first ? exportPreamble(format) : '';
      first = false;
      text += formatRows(format, page.rows);
      rows += page.rows.length;
      if (!page.next) {
        finished = true;
        onProgress?.({ rows, position: null, done: true });
        if (text) stream.push(text);
        stream.push(null);
        return;
      }
      position = page.next;
      onProgress?.({ rows, position, done: false });
      if (text) stream.push(text);
      else schedule();
    } catch (err) {
      finished = true;
      stream.destroy(err as Error);
    }
  };
  const stream = new Readable({ highWaterMark: 256 * 1024, read: schedule });
  return stream;
}

interface PendingExport {
  id: string;
  /** a short, non-secret reference that the audit rows of this export share */
  ref: string;
  query: AuditQuery;
  format: ExportFormat;
  filename: string;
  expiresAt: number;
  actor: AuditActor;
  face: AuditFace;
  sessionId?: string;
  address?: string;
}

export interface ExportDownload {
  exportId: string;
  filename: string;
  contentType: string;
  stream: Readable;
  /** rows written so far */
  rows(): number;
}

/**
 * Streams a prepared export into the file `target`: written under a temporary name
 * and renamed when complete, so a crash or a full disk never leaves a half file
 * under the chosen name. The desktop's save dialog and `lexdesk audit export
 * --output` both end here.
 */
export async function saveExportTo(download: ExportDownload, target: string): Promise<void> {
  await streamToFileAtomic(download.stream, target);
}

export interface ExportsDeps {
  search: AuditSearch;
  trail: AuditTrail;
  events: EventBus;
  clock: Clock;
  log: Logger;
}

const TICKET_MS = 60_000;
const MAX_PENDING = 20;
const MAX_RUNNING = 2;
const PROGRESS_EVERY_MS = 250;

/**
 * Exports prepared by `audit.export` (at the door: authorised, validated, audited)
 * and handed to a face that writes them somewhere: the headless download route or
 * the desktop's save dialog. A ticket is a random id, good for one use within a
 * minute. Delivery (or its failure) is recorded in the trail too.
 */
export class AuditExports {
  private readonly pending = new Map<string, PendingExport>();
  private readonly running = new Map<string, Readable>();

  constructor(private readonly deps: ExportsDeps) {}

  prepare(spec: {
    query: AuditQuery;
    format: ExportFormat;
    actor: AuditActor;
    face: AuditFace;
    sessionId?: string;
    address?: string;
  }): ExportTicket & { ref: string } {
    this.purge();
    if (this.running.size >= MAX_RUNNING) {
      throw new AppError('rate_limited', 'Two exports are already being written. Try again when one of them finishes.');
    }
    if (this.pending.size >= MAX_PENDING) {
      // unused tickets lapse within TICKET_MS, so by then there is room again
      throw new AppError('rate_limited', 'Too many exports are waiting to be downloaded. Try again in a minute.', {
        retryAfterSeconds: TICKET_MS / 1000,
      });
    }
    const now = this.deps.clock.now();
    const id = randomBytes(24).toString('base64url');
    const ref = randomBytes(4).toString('hex');
    const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const filename = `lexdesk-audit-${stamp}.${spec.format}`;
    const expiresAt = now.getTime() + TICKET_MS;
    this.pending.set(id, { ...spec, id, ref, filename, expiresAt });
    return {
      exportId: id,
      ref,
      format: spec.format,
      filename,
      contentType: CONTENT_TYPE[spec.format],
      downloadPath: `/api/audit/exports/${id}`,
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }

  /** Starts writing a prepared export, once; null for an unknown, used or expired id. */
  take(exportId: string): ExportDownload | null {
    this.purge();
    const job = this.pending.get(exportId);
    if (!job) return null;
    this.pending.delete(exportId);

    const span = this.deps.search.span(job.query);
    const spanStart = span ? Date.parse(span.first) : 0;
    const spanLength = span ? Date.parse(span.last) - spanStart : 0;
    let lastEmit = 0;
    let rowsWritten = 0;
    const emit = (data: Omit<EventPayloads['audit.export.progress'], 'exportId'>) =>
      this.deps.events.emit('audit.export.progress', { exportId, ...data });

    const stream = auditExportStream(this.deps.search, job.query, job.format, onProgress);
    function onProgress(progress: ExportProgress): void {
      rowsWritten = progress.rows;
      const now = Date.now();
      if (progress.done || now - lastEmit < PROGRESS_EVERY_MS) return;
      lastEmit = now;
      const fraction =
        progress.position && spanLength > 0
          ? Math.min(1, Math.max(0, (Date.parse(progress.position.at) - spanStart) / spanLength))
          : null;
      emit({ state: 'running', rows: progress.rows, fraction });
    }
    this.running.set(exportId, stream);
    emit({ state: 'running', rows: 0, fraction: 0 });

    let ended = false;
    stream.once('end', () => {
      ended = true;
    });
    stream.once('close', () => {
      this.running.delete(exportId);
      const failure = stream.errored;
      if (ended && !failure) {
        this.record(job, 'ok', { rows: rowsWritten });
        emit({ state: 'done', rows: rowsWritten, fraction: 1 });
      } else {
        if (failure) this.deps.log.error({ err: failure, ref: job.ref }, 'audit export failed');
        this.record(job, 'error', { rows: rowsWritten, stopped: failure ? 'failed' : 'cancelled' });
        emit({
          state: failure ? 'failed' : 'cancelled',
          rows: rowsWritten,
          fraction: null,
          message: failure ? 'The export could not be written.' : 'The export was stopped before it finished.',
        });
      }
    });
    return { exportId, filename: job.filename, contentType: CONTENT_TYPE[job.format], stream, rows: () => rowsWritten };
  }

  /** Drops a prepared export that will not be written (the save dialog was cancelled). */
  cancel(exportId: string): boolean {
    const job = this.pending.get(exportId);
    if (!job) return false;
    this.pending.delete(exportId);
    this.record(job, 'error', { rows: 0, stopped: 'cancelled' });
    this.deps.events.emit('audit.export.progress', {
      exportId,
      state: 'cancelled',
      rows: 0,
      fraction: null,
      message: 'The export was cancelled.',
    });
    return true;
  }

  /** Stops every export (the core is stopping). */
  closeAll(): void {
    this.pending.clear();
    for (const stream of this.running.values()) stream.destroy();
    this.running.clear();
  }

  get runningCount(): number {
    return this.running.size;
  }

  private purge(): void {
    const now = this.deps.clock.now().getTime();
    for (const [id, job] of this.pending) if (job.expiresAt <= now) this.pending.delete(id);
  }

  private record(job: PendingExport, outcome: 'ok' | 'error', details: Record<string, unknown>): void {
    try {
      this.deps.trail.append({
        actor: job.actor,
        face: job.face,
        action: 'audit.export.delivered',
        outcome,
        errorCode: outcome === 'ok' ? undefined : 'internal',
        details: { ref: job.ref, format: job.format, ...details },
        sessionId: job.sessionId,
        address: job.address,
      });
    } catch (err) {
      this.deps.log.error({ err, ref: job.ref }, 'could not record the export in the audit trail');
    }
  }
}
