import { parentPort } from 'node:worker_threads';
import { renderIntakePdf, type IntakePdfData } from './intake-pdf.js';
import { renderReportPdf, type ReportPdfData } from './report-pdf.js';

/** The worker thread that draws PDFs, so the main event loop never waits for pdfkit. */
export type PdfTask = { id: number; kind: 'intake'; data: IntakePdfData } | { id: number; kind: 'report'; data: ReportPdfData };

export type PdfAnswer = { id: number; pdf: Uint8Array } | { id: number; error: string };

parentPort?.on('message', (task: PdfTask) => {
  (task.kind === 'intake' ? renderIntakePdf(task.data) : renderReportPdf(task.data)).then(
    (pdf) => {
      // hand the bytes over without copying them
      const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
      parentPort!.postMessage({ id: task.id, pdf: bytes } satisfies PdfAnswer, [bytes.buffer as ArrayBuffer]);
    },
    (err: unknown) => parentPort!.postMessage({ id: task.id, error: String((err as Error)?.message ?? err) } satisfies PdfAnswer),
  );
});
