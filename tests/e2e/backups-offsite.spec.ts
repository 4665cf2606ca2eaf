import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../support/server.js';
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

test('a new computer’s first-run screen restores the office from the off-site copy with the passphrase, and the accounts come back', async ({ page, server }) => {
  // the office: a backup, copied off-site to a share
  const token = await ensureAdmin(page.request, server);
  await call(page, server, token, 'backup.settings.update', { passphrase: PASSPHRASE, password: E2E_ADMIN.password });
  await call(page, server, token, 'backup.create', {});
  const share = mkdtempSync(join(tmpdir(), 'lexdesk-e2e-nas-'));
  await call(page, server, token, 'backup.offsite.set', { target: { kind: 'folder', path: share } });
  await call(page, server, token, 'backup.offsite.copyNow', {});

  // the laptop was stolen: a new installation, nothing but the share and the passphrase
  const fresh = await startServer();
  try {
    await page.goto(fresh.url);
    await expect(page.getByRole('heading', { name: 'Create the administrator' })).toBeVisible();
    await page.getByText('Restoring this office from a backup instead?').click();
    const form = page.getByTestId('first-run-restore');
    await expect(form).toContainText('lexdesk backup fetch --from');
    await form.getByLabel('Where').selectOption('folder');
    await form.getByRole('textbox', { name: /^Folder\b/ }).fill(share);
    await form.getByLabel('Backup passphrase').fill('not the passphrase at all');
    await snap(page, 'first-run-restore');
    await form.getByRole('button', { name: 'Restore from this backup' }).click();
    await expect(form.getByRole('alert')).toContainText('passphrase does not match');

    await form.getByLabel('Backup passphrase').fill(PASSPHRASE);
    await form.getByRole('button', { name: 'Restore from this backup' }).click();
    await expect(page.getByTestId('first-run-restored')).toContainText('Restored the office as it was on', { timeout: 60_000 });
    await snap(page, 'first-run-restored');
    await page.getByRole('button', { name: 'Go to sign in' }).click();
    await page.getByLabel('Username').fill(E2E_ADMIN.username);
    await page.getByLabel('Password').fill(E2E_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('signed-in-user')).toContainText(E2E_ADMIN.displayName);

    // once there are accounts, nobody can restore over them without signing in
    const again = await page.request.post(`${fresh.url}/api/rpc/backup.firstRunRestore`, {
      data: { target: { kind: 'folder', path: share }, passphrase: PASSPHRASE },
    });
    expect(again.status()).toBe(409);
  } finally {
    await fresh.stop();
  }
});
