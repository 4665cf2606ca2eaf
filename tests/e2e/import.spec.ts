import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, signedInAs, snap, test } from './fixtures.js';

// an office's spreadsheet saved as CSV: one header the import does not know ("Quem")
const LIST = [
  'Quem;Papel;Processo;Apelidos;CNPJ',
  'Construtora Ramotilu Ltda;parte contrária;2019-114;Ramotilu Obras;12.345.678/0001-90',
  'José Pereira;ex cliente;2017-002;;',
  'Maria Souza;testemunha;2019-114;;',
].join('\n');

test('the admin uploads a list of parties, maps the name column, previews, imports and sees the report; a second import adds nothing twice', async ({ page, server }) => {
  await signedInAs(page, server, 'admin');
  await page.getByRole('link', { name: 'Import and export' }).click();
  await expect(page.getByTestId('import-empty')).toContainText('Save as → CSV');
  await snap(page, 'import-empty');

  await page.getByTestId('import-file-input').setInputFiles({ name: 'partes.csv', mimeType: 'text/csv', buffer: Buffer.from(LIST) });
  const mapping = page.getByTestId('import-mapping');
  await expect(mapping).toContainText('Columns of partes.csv');
  await expect(page.getByLabel('Column for Role')).toHaveValue('Papel');
  await expect(page.getByLabel('Column for Name')).toHaveValue('');
  await expect(page.getByRole('button', { name: 'Import', exact: true })).toBeDisabled();
  await snap(page, 'import-mapping-unmapped');

  await page.getByLabel('Column for Name').selectOption('Quem');
  const preview = page.getByTestId('import-preview');
  await expect(preview.getByRole('row')).toHaveCount(4);
  await expect(preview.getByRole('row').nth(1)).toContainText('Construtora Ramotilu Ltda');
  await expect(preview.getByRole('row').nth(1)).toContainText('Adverse party');
  await expect(preview.getByRole('row').nth(1)).toContainText('12345678000190');
  await snap(page, 'import-preview');

  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const report = page.getByTestId('import-report');
  await expect(report).toContainText('Import done');
  await expect(page.getByTestId('import-counts')).toContainText('3 parties imported from partes.csv');
  await expect(report).toContainText('Adverse party: 1');
  await snap(page, 'import-report');

  // the same file again: nothing added twice
  await page.getByTestId('import-file-input').setInputFiles({ name: 'partes.csv', mimeType: 'text/csv', buffer: Buffer.from(LIST) });
  await page.getByLabel('Column for Name').selectOption('Quem');
  await expect(preview.getByRole('row')).toHaveCount(4);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByTestId('import-counts')).toContainText('0 parties imported from partes.csv, 3 already imported before');

  // a file with a bad row: nothing imported, each problem by row
  await page.getByTestId('import-file-input').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('name,role\nAna Lima,client\nBeto,enemy\n') });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByTestId('import-report')).toContainText('Nothing was imported');
  await expect(page.getByTestId('import-problems')).toContainText('bad.csv #2: role "enemy" is not a role');
  await snap(page, 'import-refused');

  await page.getByRole('button', { name: 'Export all data' }).click();
  await expect(page.getByTestId('export-notice')).toContainText('lexdesk-export-');
  await snap(page, 'import-exported');
});

test('a lawyer has no Import screen', async ({ page, server }) => {
  await signedInAs(page, server, 'lawyer');
  await expect(page.getByRole('link', { name: 'Clients and matters' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Import and export' })).toHaveCount(0);
});

test("the admin brings a phone's exported chat with its photo into a client's conversation", async ({ page, server }) => {
  execFileSync('sqlite3', [
    join(server.dataDir, 'lexdesk.sqlite'),
    "INSERT INTO clients (whatsapp, name, name_key, created_at, updated_at) VALUES ('5511987654321', 'Ana Souza', 'ana souza', '2024-01-01', '2024-01-01')",
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'lexdesk-e2e-chat-'));
  const photo = 'IMG-20240304-WA0001.jpg';
  writeFileSync(
    join(dir, 'WhatsApp Chat with Ana Souza.txt'),
    [
      '04/03/2024 09:41 - Ana Souza: Bom dia, recebi uma carta do locador',
      `04/03/2024 09:42 - Ana Souza: ${photo} (arquivo anexado)`,
      'a carta',
      '04/03/2024 12:02 - Dr. Rui Lima: Recebido, vou analisar',
    ].join('\n'),
  );
  writeFileSync(join(dir, photo), Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'));
  execFileSync('zip', ['-q', '-j', join(dir, 'chat.zip'), join(dir, 'WhatsApp Chat with Ana Souza.txt'), join(dir, photo)]);

  await signedInAs(page, server, 'admin');
  await page.getByRole('link', { name: 'Import and export' }).click();
  const card = page.getByTestId('chat-empty');
  await expect(card).toContainText('Export chat');
  await page.getByLabel('Find the client').fill('Ana');
  await card.getByRole('button', { name: /Ana Souza/ }).click();
  await expect(page.getByTestId('chat-client')).toContainText('Into the conversation of Ana Souza');
  await page.getByTestId('chat-file-input').setInputFiles({ name: 'WhatsApp Chat with Ana Souza.zip', mimeType: 'application/zip', buffer: readFileSync(join(dir, 'chat.zip')) });

  const preview = page.getByTestId('chat-preview');
  await expect(preview).toContainText('exported from an Android phone');
  await expect(page.getByTestId('chat-plan')).toContainText('3 messages to import, 1 file into the document store');
  await expect(preview.getByLabel(/Ana Souza/)).toBeChecked();
  await expect(preview.getByRole('row').nth(2)).toContainText(photo);
  await snap(page, 'import-chat-preview');

  await preview.getByRole('button', { name: 'Import 3 messages' }).click();
  await expect(page.getByTestId('chat-counts')).toContainText("3 messages imported into Ana Souza's conversation, 1 file into the document store");
  await snap(page, 'import-chat-report');

  // the photo is in the Inbox thread with its message
  await page.getByRole('link', { name: 'Inbox' }).click();
  await page.getByText('Ana Souza').first().click();
  await expect(page.getByText('Recebido, vou analisar')).toBeVisible();
  await expect(page.getByRole('img', { name: photo })).toBeVisible();
});
