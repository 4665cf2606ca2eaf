import PDFDocument from 'pdfkit';
import { loadFonts, pdfBytes } from './intake-pdf.js';

/** One line of a report section. */
export type ReportItem =
  | { kind: 'fact'; label: string; value: string }
  | { kind: 'text'; text: string }
  /** a message of a conversation: who and when above, the text below */
  | { kind: 'entry'; heading: string; text: string; note?: string };

export interface ReportSection {
  heading: string;
  items: ReportItem[];
  /** printed when the section has no items */
  empty: string;
}

/**
 * A report PDF (a client's copy of their data, an evidence export): the office's
 * name, a title, an introduction, sections of facts, texts and messages, page
 * numbers with a footer line on every page. Everything printed is already in the
 * reader's language. Synchronous CPU work: drawn in the PDF worker thread.
 */
export interface ReportPdfData {
  office: string;
  title: string;
  intro: string[];
  sections: ReportSection[];
  /** with {page} and {pages} */
  pageLabel: string;
  /** the left part of every page's footer */
  footer: string;
  /** the PDF's document information (Keywords carries hashes for an evidence export) */
  info: { subject: string; keywords?: string };
  language: string;
  /** fixes the PDF's own dates: the same data makes the same file */
  createdAt: string;
}

const INK = '#1d2433';
const MUTED = '#5f6b7a';
const BRAND = '#1f3a5f';

export function renderReportPdf(data: ReportPdfData): Promise<Buffer> {
  const { regular, bold } = loadFonts();
  const created = new Date(data.createdAt);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 64, left: 56, right: 56 },
    bufferPages: true,
    lang: data.language,
    info: {
      Title: data.title,
      Author: data.office,
      Subject: data.info.subject,
      ...(data.info.keywords ? { Keywords: data.info.keywords } : {}),
      Creator: 'LexDesk',
      Producer: 'LexDesk',
      CreationDate: created,
      ModDate: created,
    },
  });
  doc.registerFont('body', regular);
  doc.registerFont('bold', bold);
  const done = pdfBytes(doc);
  const left = doc.page.margins.left;
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;

  doc.font('bold').fontSize(16).fillColor(BRAND).text(data.office, left, doc.y, { width });
  doc.moveDown(0.2);
  doc.moveTo(left, doc.y).lineTo(left + width, doc.y).lineWidth(1).strokeColor(BRAND).stroke();
  doc.moveDown(0.8);
  doc.font('bold').fontSize(15).fillColor(INK).text(data.title, left, doc.y, { width });
  doc.moveDown(0.3);
  for (const line of data.intro) {
    doc.font('body').fontSize(10).fillColor(INK).text(line, left, doc.y, { width });
    doc.moveDown(0.2);
  }

  for (const section of data.sections) {
    doc.moveDown(0.8);
    doc.font('bold').fontSize(12).fillColor(BRAND).text(section.heading, left, doc.y, { width });
    doc.moveTo(left, doc.y + 1).lineTo(left + width, doc.y + 1).lineWidth(0.5).strokeColor('#dde1e7').stroke();
    doc.moveDown(0.4);
    if (section.items.length === 0) doc.font('body').fontSize(10).fillColor(MUTED).text(section.empty, left, doc.y, { width });
    for (const item of section.items) {
      if (item.kind === 'fact') {
        const y = doc.y;
        doc.font('bold').fontSize(9.5).fillColor(MUTED).text(item.label, left, y, { width: 150 });
        const labelBottom = doc.y;
        doc.font('body').fontSize(10).fillColor(INK).text(item.value, left + 160, y, { width: width - 160 });
        doc.y = Math.max(doc.y, labelBottom) + 2;
      } else if (item.kind === 'text') {
        doc.font('body').fontSize(10).fillColor(INK).text(item.text, left, doc.y, { width });
        doc.moveDown(0.2);
      } else {
        doc.font('bold').fontSize(9).fillColor(MUTED).text(item.heading, left, doc.y, { width });
        if (item.text) doc.font('body').fontSize(10).fillColor(INK).text(item.text, left + 8, doc.y, { width: width - 8 });
        if (item.note) doc.font('body').fontSize(8).fillColor(MUTED).text(item.note, left + 8, doc.y, { width: width - 8 });
        doc.moveDown(0.35);
      }
      doc.x = left;
    }
  }

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing inside the margin must not start a new page
    const label = data.pageLabel.replace('{page}', String(i + 1)).replace('{pages}', String(range.count));
    doc
      .font('body')
      .fontSize(7.5)
      .fillColor(MUTED)
      .text(`${data.footer} · ${label}`, left, doc.page.height - 40, { width, align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
