import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';

/** Everything printed on an intake summary, already in the office's language. */
export interface IntakePdfData {
  office: {
    name: string;
    address: string;
    phone: string;
    email: string;
    website: string;
    logo: { mimetype: string; base64: string } | null;
  };
  /** the `pdf.*` texts of the catalog, filled in */
  labels: {
    title: string;
    reference: string;
    date: string;
    client: string;
    name: string;
    whatsapp: string;
    matter: string;
    area: string;
    description: string;
    opposing: string;
    deadline: string;
    consent: string;
    consentText: string;
    nextSteps: string;
    nextStepsText: string;
    /** with {page} and {pages} */
    page: string;
    none: string;
  };
  reference: string;
  /** the language the labels are in (the intake's) */
  language: string;
  /** the date as the office writes it */
  date: string;
  client: { name: string; whatsapp: string };
  area: string;
  description: string;
  opposing: string | null;
  deadline: string | null;
  /** ISO time the PDF was made; fixes the PDF's own dates so the same data makes the same file */
  createdAt: string;
}

/**
 * The font the PDF is set in: DejaVu Sans from the `dejavu-fonts-ttf` package
 * (Bitstream Vera licence, free to embed and redistribute), so that accents,
 * Greek, Cyrillic and other non-Latin names print whatever fonts the machine has.
 * pdfkit embeds only the glyphs used and writes a ToUnicode map, so the text can be
 * searched and copied.
 */
const require = createRequire(import.meta.url);
let fonts: { regular: Buffer; bold: Buffer } | null = null;
export function loadFonts(): { regular: Buffer; bold: Buffer } {
  fonts ??= {
    regular: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')),
    bold: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')),
  };
  return fonts;
}

const INK = '#1d2433';
const MUTED = '#5f6b7a';
const BRAND = '#1f3a5f';

/** Builds the intake summary PDF (A4). Synchronous CPU work: call it from a worker thread. */
export function renderIntakePdf(data: IntakePdfData): Promise<Buffer> {
  const { regular, bold } = loadFonts();
  const created = new Date(data.createdAt);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 64, left: 56, right: 56 },
    bufferPages: true,
    info: {
      Title: `${data.labels.title} ${data.reference}`,
      Author: data.office.name,
      Subject: data.labels.title,
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

  // Letterhead: logo (if any), office name, contact line, a rule.
  let textLeft = left;
  if (data.office.logo) {
    try {
      doc.image(Buffer.from(data.office.logo.base64, 'base64'), left, doc.y, { fit: [64, 64] });
      textLeft = left + 76;
    } catch {
      // an unreadable logo must not cost the client their summary
    }
  }
  const top = doc.y;
  doc.font('bold').fontSize(18).fillColor(BRAND).text(data.office.name, textLeft, top, { width: width - (textLeft - left) });
  const contact = [data.office.address, data.office.phone, data.office.email, data.office.website].filter(Boolean);
  if (contact.length > 0) {
    doc.font('body').fontSize(9).fillColor(MUTED).text(contact.join('  ·  '), { width: width - (textLeft - left) });
  }
  doc.y = Math.max(doc.y, data.office.logo ? top + 68 : doc.y) + 8;
  doc.moveTo(left, doc.y).lineTo(left + width, doc.y).lineWidth(1).strokeColor(BRAND).stroke();
  doc.moveDown(1);

  doc.x = left;
  doc.font('bold').fontSize(16).fillColor(INK).text(data.labels.title, left, doc.y, { width });
  doc.moveDown(0.3);
  fact(data.labels.reference, data.reference);
  fact(data.labels.date, data.date);

  section(data.labels.client);
  fact(data.labels.name, data.client.name);
  fact(data.labels.whatsapp, `+${data.client.whatsapp}`);

  section(data.labels.matter);
  fact(data.labels.area, data.area);
  fact(data.labels.opposing, data.opposing ?? data.labels.none);
  fact(data.labels.deadline, data.deadline ?? data.labels.none);
  doc.moveDown(0.4);
  doc.font('bold').fontSize(10).fillColor(MUTED).text(data.labels.description, left, doc.y, { width });
  doc.font('body').fontSize(11).fillColor(INK).text(data.description, left, doc.y, { width, align: 'left' });

  section(data.labels.consent);
  doc.font('body').fontSize(10).fillColor(INK).text(data.labels.consentText, left, doc.y, { width });

  section(data.labels.nextSteps);
  doc.font('body').fontSize(10).fillColor(INK).text(data.labels.nextStepsText, left, doc.y, { width });

  // Page numbers on every page, in the bottom margin.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing inside the margin must not start a new page
    const label = data.labels.page.replace('{page}', String(i + 1)).replace('{pages}', String(range.count));
    doc
      .font('body')
      .fontSize(8)
      .fillColor(MUTED)
      .text(`${data.office.name} · ${data.reference} · ${label}`, left, doc.page.height - 40, { width, align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;

  function section(title: string): void {
    doc.moveDown(1);
    doc.font('bold').fontSize(12).fillColor(BRAND).text(title, left, doc.y, { width });
    doc.moveTo(left, doc.y + 1).lineTo(left + width, doc.y + 1).lineWidth(0.5).strokeColor('#dde1e7').stroke();
    doc.moveDown(0.4);
  }

  function fact(label: string, value: string): void {
    const y = doc.y;
    doc.font('bold').fontSize(10).fillColor(MUTED).text(label, left, y, { width: 130 });
    const labelBottom = doc.y;
    doc.font('body').fontSize(11).fillColor(INK).text(value, left + 140, y, { width: width - 140 });
    doc.y = Math.max(doc.y, labelBottom) + 2;
    doc.x = left;
  }
}

/** The bytes a pdfkit document writes, once it has ended. */
export function pdfBytes(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}
