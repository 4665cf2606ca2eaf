import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { renderIntakePdf, type IntakePdfData } from '../../main/core/pdf/intake-pdf.js';
import { PdfWorkers } from '../../main/core/pdf/pdf-workers.js';

const dir = mkdtempSync(join(tmpdir(), 'lexdesk-pdf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// a 1×1 PNG for the letterhead logo
const PNG_1PX =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const data = (over: Partial<IntakePdfData> = {}): IntakePdfData => ({
  office: { name: 'Silva & Partners', address: 'Rua Augusta 10, Lisboa', phone: '+351 21 000 0000', email: 'office@example.org', website: '', logo: { mimetype: 'image/png', base64: PNG_1PX } },
  labels: {
    title: 'Intake summary',
    reference: 'Reference',
    date: 'Date',
    client: 'Client',
    name: 'Name',
    whatsapp: 'WhatsApp',
    matter: 'Matter',
    area: 'Practice area',
    description: 'Description',
    opposing: 'Other party',
    deadline: 'Deadline or hearing',
    consent: 'Consent',
    consentText: 'Privacy notice version 2 accepted on WhatsApp at 5 January 2026, 10:00 WET.',
    nextSteps: 'Next steps',
    nextStepsText: 'A lawyer will review your matter.',
    page: 'Page {page} of {pages}',
    none: 'none',
  },
  reference: '2026-0042',
  language: 'en',
  date: '5 January 2026',
  client: { name: 'Zoë Ñúñez-Øster Αλέξανδρος Дмитрий', whatsapp: '5511987654321' },
  area: 'Employment',
  description: 'Não recebi o salário de três meses. ',
  opposing: 'Construtora Horizonte Ltda',
  deadline: null,
  createdAt: '2026-01-05T10:00:00Z',
  ...over,
});

function write(name: string, pdf: Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, pdf);
  return file;
}

const text = (file: string) => execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
const qpdfCheck = (file: string) => execFileSync('qpdf', ['--check', file], { encoding: 'utf8' });
const pages = (file: string) => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1]);

describe('the intake PDF', () => {
  test('pdftotext finds the reference and a non-ASCII client name, and qpdf finds no errors', async () => {
    const file = write('one.pdf', await renderIntakePdf(data()));
    const extracted = text(file);
    expect(extracted).toContain('2026-0042');
    expect(extracted).toContain('Zoë Ñúñez-Øster Αλέξανδρος Дмитрий');
    expect(extracted).toContain('Não recebi o salário');
    expect(extracted).toContain('Privacy notice version 2');
    expect(extracted).toContain('Page 1 of 1');
    expect(qpdfCheck(file)).toMatch(/No syntax or stream encoding errors/);
  });

  test('a long description runs onto more pages, each numbered', async () => {
    const file = write('long.pdf', await renderIntakePdf(data({ description: 'A long account of what happened. '.repeat(400) })));
    const n = pages(file);
    expect(n).toBeGreaterThan(1);
    expect(text(file)).toContain(`Page ${n} of ${n}`);
    expect(qpdfCheck(file)).toMatch(/No syntax or stream encoding errors/);
  });

  test('the font is embedded, so the PDF does not depend on the fonts of the machine that opens it', async () => {
    const file = write('fonts.pdf', await renderIntakePdf(data()));
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
    expect(fonts).toMatch(/DejaVuSans/);
    for (const line of fonts.split('\n').slice(2).filter(Boolean)) expect(line).toMatch(/\byes\s+yes\s+yes\b/); // emb sub uni
  });

  test('drawn in a worker thread, the PDF is the same as drawn in place', async () => {
    const workers = new PdfWorkers();
    try {
      const [inWorker, inPlace] = await Promise.all([workers.intake(data()), renderIntakePdf(data())]);
      expect(inWorker.equals(inPlace)).toBe(true);
    } finally {
      await workers.close();
    }
  });

  test('a broken logo does not cost the client their summary', async () => {
    const file = write('logo.pdf', await renderIntakePdf(data({ office: { ...data().office, logo: { mimetype: 'image/png', base64: 'bm90IGFuIGltYWdl' } } })));
    expect(text(file)).toContain('2026-0042');
  });
});
