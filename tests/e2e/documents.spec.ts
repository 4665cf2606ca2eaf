import { randomBytes } from 'node:crypto';
import type { Browser, Page } from '@playwright/test';
import PDFDocument from 'pdfkit';
import { call, ensureAdmin, expect, OPEN_ALL_DAY, signedInAs, snap, test } from './fixtures.js';
import type { RunningServer } from '../support/server.js';

/**
 * Documents both ways, from end to end: a client sends a PDF and a photo from the
 * simulator's chat panel; the assistant sees the photo's thumbnail, opens the PDF
 * in the viewer and files it under the client's matter; a lawyer downloads it from
 * the matter; the assistant sends a 20 MB PDF through the confirmation card and
 * the simulated client opens it.
 */
test.use({ serverEnv: { LEXDESK_WHATSAPP_SEND_PER_MINUTE: '6000', LEXDESK_WHATSAPP_SEND_BURST: '50', LEXDESK_WHATSAPP_CHAT_SPACING_MS: '0' } });

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

function pdf(text: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const doc = new PDFDocument({ size: 'A4' });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.fontSize(28).text(text, 72, 120);
    doc.end();
  });
}

/** A valid PDF of about `bytes`: an incremental update adds one unreferenced stream of random bytes. */
function padded(original: Buffer, bytes: number): Buffer {
  const text = original.toString('latin1');
  const prev = Number([...text.matchAll(/startxref\s+(\d+)/g)].at(-1)![1]);
  const size = Number(/\/Size (\d+)/.exec(text)![1]);
  const root = /\/Root (\d+ \d+ R)/.exec(text)![1];
  const junk = randomBytes(bytes);
  const head = Buffer.from(`\n${size} 0 obj\n<< /Length ${junk.length} >>\nstream\n`, 'latin1');
  const objOffset = original.length + 1;
  const body = Buffer.concat([head, junk, Buffer.from('\nendstream\nendobj\n', 'latin1')]);
  const xrefOffset = original.length + body.length;
  const tail = Buffer.from(
    `xref\n${size} 1\n${String(objOffset).padStart(10, '0')} 00000 n \ntrailer\n<< /Size ${size + 1} /Root ${root} /Prev ${prev} >>\nstartxref\n${xrefOffset}\n%%EOF\n`,
    'latin1',
  );
  return Buffer.concat([original, body, tail]);
}

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1300, height: 900 }, acceptDownloads: true });
  return context.newPage();
}

test('a client sends a PDF and a photo; the assistant opens and files them; a lawyer downloads; a 20 MB PDF goes out after confirmation', async ({
  page,
  server,
  browser,
}) => {
  test.setTimeout(120_000);
  const adminToken = await ensureAdmin(page.request, server);
  await call(page, server, adminToken, 'botSettings.update', {
    section: 'hours',
    value: OPEN_ALL_DAY,
  });
  // Ana's intake gives her a matter, 2026-0001
  for (const text of ['Hello', '1', 'yes', 'Ana Souza', '2', 'My salary was not paid.', 'Acme Ltd', 'none', 'yes']) {
    await call(page, server, adminToken, 'simulator.clientSend', { from: '5511987654321', name: 'Ana', text });
  }

  // Ana sends her contract and a photo of her ID from the simulator's chat panel
  await signedInAs(page, server, 'admin');
  await page.goto(`${server.url}/#/simulator`);
  await page.getByLabel('Phone (international digits)').fill('5511987654321');
  await page.getByLabel('Name on WhatsApp (optional)').fill('Ana');
  await page.getByRole('button', { name: 'Add client' }).click();
  const chat = page.getByTestId('sim-messages');
  await expect(chat).toContainText('intake-2026-0001.pdf');
  await page.getByTestId('sim-file-input').setInputFiles({ name: 'contract.pdf', mimeType: 'application/pdf', buffer: await pdf('Employment contract of Ana Souza') });
  await expect(chat).toContainText('we received your file "contract.pdf"');
  await page.getByTestId('sim-file-input').setInputFiles({ name: 'id-card.png', mimeType: 'image/png', buffer: PNG });
  await expect(chat).toContainText('we received your file "id-card.png"');
  await snap(page, 'documents-simulator-sent');

  // the assistant sees the thumbnail, opens the PDF, files it under the matter
  const assistant = await newPage(browser);
  await signedInAs(assistant, server, 'assistant', { displayName: 'Marta Reis' });
  await assistant.goto(`${server.url}/#/inbox`);
  await assistant.getByTestId('conversations').getByRole('button', { name: /Ana Souza/ }).click();
  const thread = assistant.getByTestId('thread');
  await expect(thread.getByTestId('thumbnail')).toBeVisible();
  const contract = thread.locator('[data-testid="document"][data-preview="pdf"]').filter({ hasText: 'contract.pdf' });
  await contract.getByRole('button', { name: 'Open PDF' }).click();
  const viewer = assistant.getByTestId('viewer');
  await expect(viewer.locator('canvas.pdf-page')).toHaveCount(1);
  await snap(assistant, 'documents-pdf-viewer');
  await viewer.getByRole('button', { name: 'Close' }).click();
  const bubble = thread.locator('li.bubble[data-author="client"]').filter({ hasText: 'contract.pdf' });
  await bubble.getByRole('button', { name: 'Attach to matter' }).click();
  await expect(bubble).toContainText('Filed under 2026-0001');
  await snap(assistant, 'documents-inbox-thread');

  // a lawyer downloads it from the matter
  const lawyer = await newPage(browser);
  await signedInAs(lawyer, server, 'lawyer', { displayName: 'Dr. Helena Costa' });
  await lawyer.goto(`${server.url}/#/matters`);
  await lawyer.getByTestId('matters').getByRole('button', { name: /2026-0001/ }).click();
  const documents = lawyer.getByTestId('matter-documents');
  const row = documents.locator('tr').filter({ hasText: 'contract.pdf' });
  await expect(row).toContainText('from the client');
  await expect(row).toContainText('PDF');
  await snap(lawyer, 'documents-matter');
  const downloading = lawyer.waitForEvent('download');
  await row.getByRole('button', { name: 'Download' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('contract.pdf');

  // the assistant sends a 20 MB PDF: nothing goes before the confirmation card says Send
  const big = padded(await pdf('Settlement proposal'), 20 * 1024 * 1024);
  await thread.getByTestId('file-input').setInputFiles({ name: 'settlement.pdf', mimeType: 'application/pdf', buffer: big });
  const card = assistant.getByTestId('confirm-send');
  await expect(card.getByTestId('confirm-file')).toHaveText('settlement.pdf');
  await expect(card.getByTestId('confirm-to')).toContainText('+5511987654321');
  await expect(card).toContainText('20 MB');
  await expect(card.locator('canvas.pdf-page')).toHaveCount(1);
  await snap(assistant, 'documents-confirm-send');
  await expect(chat).not.toContainText('settlement.pdf');
  await card.getByLabel('Caption (optional)').fill('Our proposal, for your review');
  await card.getByRole('button', { name: /Send to/ }).click();
  await expect(card).toHaveCount(0);

  // the simulated client receives it and opens it
  await expect(chat).toContainText('settlement.pdf', { timeout: 30_000 });
  await chat.getByTestId('sim-file').filter({ hasText: 'settlement.pdf' }).click();
  await expect(page.getByTestId('viewer').locator('canvas.pdf-page')).toHaveCount(1, { timeout: 20_000 });
  await snap(page, 'documents-client-opens');
});
