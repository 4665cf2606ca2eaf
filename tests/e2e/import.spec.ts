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
