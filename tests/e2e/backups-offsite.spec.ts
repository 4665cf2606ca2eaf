import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, E2E_ADMIN, ensureAdmin, expect, signedInAs, snap, test } from './fixtures.js';

const PASSPHRASE = 'violet tractor under marmalade';

test('the admin sets up an off-site copy to another folder, tests it, copies now, and sees each backup also off-site', async ({ page, server }) => {
  await signedInAs(page, server, 'admin');
  const token = await ensureAdmin(page.request, server);
  await call(page, server, token, 'backup.settings.update', { passphrase: PASSPHRASE, password: E2E_ADMIN.password });
  await call(page, server, token, 'backup.create', {});
  const share = mkdtempSync(join(tmpdir(), 'lexdesk-e2e-nas-'));

  await page.getByRole('link', { name: 'Backups', exact: true }).click();
  const card = page.getByRole('article', { name: 'Off-site copy' });
  await expect(card.getByTestId('offsite-empty')).toContainText('survives a fire or a theft');
  await card.getByRole('button', { name: 'Set up an off-site copy…' }).click();
  await card.getByLabel('Where').selectOption('folder');
  await card.getByRole('textbox', { name: /^Folder\b/ }).fill('relative/folder');
  await card.getByRole('button', { name: 'Save' }).click();
  await expect(card.getByText('Give the full path of a folder')).toBeVisible();

  await card.getByRole('textbox', { name: /^Folder\b/ }).fill(join(share, 'missing'));
  await card.getByRole('button', { name: 'Test the connection' }).click();
  await expect(card.getByTestId('offsite-test-result')).toContainText('cannot be reached: it does not exist');

  await card.getByRole('textbox', { name: /^Folder\b/ }).fill(share);
  await card.getByRole('button', { name: 'Test the connection' }).click();
  await expect(card.getByTestId('offsite-test-result')).toHaveText(`Connected to ${share} — wrote and read back a test file.`);
  await snap(page, 'backups-offsite-form');
  await card.getByRole('button', { name: 'Save' }).click();

  await expect(card.getByTestId('offsite-target')).toHaveText(share);
  await expect(card.getByTestId('offsite-lag')).toHaveText('Not copied yet');
  await expect(card.getByTestId('offsite-problem')).toContainText('Copy now');
  await expect(page.getByTestId('backup-where')).toHaveText('Here only');

  await card.getByRole('button', { name: 'Copy now' }).click();
  await expect(card.getByTestId('offsite-notice')).toContainText(/copied \d+ files/);
  await expect(card.getByTestId('offsite-lag')).toHaveText('Up to date (less than an hour)');
  await expect(card.getByTestId('offsite-last-verify')).toContainText('✓ Read back');
  await expect(card.getByTestId('offsite-problem')).toHaveCount(0);
  await expect(page.getByTestId('backup-where')).toHaveText('Here and off-site');
  expect(readdirSync(share).some((name) => name.endsWith('.db.lexbak'))).toBe(true);
  await snap(page, 'backups-offsite');
});

test('a new installation’s first-run screen says how to restore from a backup instead', async ({ page, server }) => {
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: 'Create the administrator' })).toBeVisible();
  await page.getByText('Restoring this office from a backup instead?').click();
  await expect(page.getByTestId('first-run-restore')).toContainText('lexdesk backup fetch --from');
  await expect(page.getByTestId('first-run-restore')).toContainText('--passphrase-stdin');
  await snap(page, 'first-run-restore');
});
