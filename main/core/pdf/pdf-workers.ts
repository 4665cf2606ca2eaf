import type { Worker } from 'node:worker_threads';
import { startWorker } from '../workers.js';
import type { IntakePdfData } from './intake-pdf.js';
import type { ReportPdfData } from './report-pdf.js';
import type { PdfAnswer, PdfTask } from './pdf-worker.js';

interface Job {
  task: PdfTask;
  resolve(pdf: Buffer): void;
  reject(err: Error): void;
}

/**
 * PDFs drawn in one worker thread, one at a time, in the order asked. The worker
 * starts on first use and stops after a minute idle; a worker that dies fails its
 * job and the next job starts a fresh one.
 */
export class PdfWorkers {
  private worker: Worker | null = null;
  private current: Job | null = null;
  private readonly queue: Job[] = [];
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly idleMs = 60_000) {}

  intake(data: IntakePdfData): Promise<Buffer> {
    return this.ask((id) => ({ id, kind: 'intake', data }));
  }

  /** A report: a client's copy of their data, an evidence export (report-pdf.ts). */
  report(data: ReportPdfData): Promise<Buffer> {
    return this.ask((id) => ({ id, kind: 'report', data }));
  }

  private ask(task: (id: number) => PdfTask): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('the PDF worker is stopped'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task: task(this.nextId++), resolve, reject });
      this.pump();
    });
  }

  get pending(): number {
    return this.queue.length + (this.current ? 1 : 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const job of this.queue.splice(0)) job.reject(new Error('the PDF worker is stopped'));
    this.current?.reject(new Error('the PDF worker is stopped'));
    this.current = null;
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private pump(): void {
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    if (this.current) return;
    const job = this.queue.shift();
    if (!job) {
      this.idleTimer = setTimeout(() => {
        const worker = this.worker;
        this.worker = null;
        void worker?.terminate();
      }, this.idleMs);
      this.idleTimer.unref();
      return;
    }
    this.current = job;
    const worker = this.ensureWorker();
    worker.ref();
    worker.postMessage(job.task);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(new URL('./pdf-worker.js', import.meta.url));
    worker.unref();
    worker.on('message', (answer: PdfAnswer) => {
      const job = this.current;
      if (!job || job.task.id !== answer.id) return;
      this.current = null;
      worker.unref();
      if ('pdf' in answer) job.resolve(Buffer.from(answer.pdf.buffer, answer.pdf.byteOffset, answer.pdf.byteLength));
      else job.reject(new Error(answer.error));
      this.pump();
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      const job = this.current;
      this.current = null;
      job?.reject(err);
      if (!this.closed) this.pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.worker === worker && !this.closed) fail(new Error(`the PDF worker stopped (exit ${code})`));
    });
    this.worker = worker;
    return worker;
  }
}
