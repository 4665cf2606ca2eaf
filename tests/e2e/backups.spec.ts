import { call, E2E_ADMIN, ensureAdmin, expect, signedInAs, snap, test } from './fixtures.js';

const PASSPHRASE = 'violet tractor under marmalade';

async function rpc<T>(page: import('@playwright/test').Page, url: string, name: string, body: unknown, token: string): Promise<{ ok: boolean; value?: T; error?: { code: string } }> {
  const response = await page.context().request.post(`${url}/api/rpc/${name}`, { data: body, headers: { authorization: `Bearer ${token}` } });
  return (await response.json()) as { ok: boolean; value?: T; error?: { code: string } };
}

test('the admin backs up, sees progress and the verified mark, restores, signs in again and finds the old data', async ({ page, server }) => {
  await signedInAs(page, server, 'admin');
  await page.getByRole('link', { name: 'Backups', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Set a backup passphrase' })).toBeVisible();
  await snap(page, 'backups-first-run');

  await page.getByLabel('Passphrase (a few unrelated words)').fill(PASSPHRASE);
  await page.getByLabel('The passphrase again').fill(PASSPHRASE);
  await page.getByLabel('Your password (to confirm it is you)').fill(E2E_ADMIN.password);
  await page.getByRole('button', { name: 'Set the passphrase' }).click();
  await expect(page.getByTestId('backups-empty')).toContainText('Back up now');

  await page.getByRole('button', { name: 'Back up now' }).click();
  await expect(page.getByRole('progressbar', { name: 'Backup progress' })).toBeVisible();
  await snap(page, 'backups-in-progress');
  await expect(page.getByTestId('backup-notice')).toContainText('verified');
  const row = page.locator('[data-status="verified"]');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('✓ Verified');
  await snap(page, 'backups-list');

  // the office's data changes after the backup: a new staff account
  await page.getByRole('link', { name: 'Users' }).click();
  const form = page.getByRole('form', { name: 'Add a staff member' });
  await form.getByLabel('Username').fill('after-backup');
  await form.getByLabel('Full name').fill('After Backup');
  await form.getByRole('button', { name: 'Add staff member' }).click();
  await expect(page.getByRole('table', { name: 'Staff' })).toContainText('After Backup');
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('link', { name: 'Backups', exact: true }).click();

  await row.getByRole('button', { name: 'Restore…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Your password').fill(E2E_ADMIN.password);
  await expect(dialog.getByRole('button', { name: 'Restore', exact: true })).toBeDisabled();
  await dialog.getByLabel('Type RESTORE to confirm').fill('RESTORE');
  await snap(page, 'backups-restore-confirm');
  await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(dialog.getByRole('progressbar', { name: 'Restore progress' })).toBeVisible();
  await snap(page, 'backups-restore-progress');
  await expect(page.getByTestId('restore-done')).toBeVisible({ timeout: 30_000 });
  await snap(page, 'backups-restored');

  // the admin signs in again and finds the office's data as it was at the backup
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Username').fill(E2E_ADMIN.username);
  await page.getByLabel('Password').fill(E2E_ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signed-in-user')).toContainText(E2E_ADMIN.displayName);
  await page.getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('table', { name: 'Staff' })).toContainText(E2E_ADMIN.displayName);
  await expect(page.getByRole('table', { name: 'Staff' })).not.toContainText('After Backup');
  await page.getByRole('link', { name: 'Backups', exact: true }).click();
  await expect(page.locator('[data-status="verified"]')).toHaveCount(2);
  await expect(page.getByTestId('backup-table')).toContainText('Before a restore');
  await snap(page, 'backups-after-restore');
});

test('an assistant sees no Backups screen and the door refuses them', async ({ page, server }) => {
  const assistant = await signedInAs(page, server, 'assistant');
  await expect(page.getByRole('navigation', { name: 'Screens' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Backups', exact: true })).toHaveCount(0);
  const login = await page.context().request.post(`${server.url}/api/rpc/auth.login`, { data: { username: assistant.username, password: assistant.password } });
  const { value } = (await login.json()) as { value: { accessToken: string } };
  for (const name of ['backup.list', 'backup.create', 'backup.settings.get']) {
    const answer = await rpc(page, server.url, name, {}, value.accessToken);
    expect(answer, name).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  }
  const rest = await page.context().request.get(`${server.url}/api/monitoring/backup`, { headers: { authorization: `Bearer ${value.accessToken}` } });
  expect(rest.status()).toBe(403);
  await page.goto(`${server.url}/#/backups`);
  await expect(page.getByRole('heading', { name: 'Backups' })).toHaveCount(0);
  await snap(page, 'backups-assistant');
});

test('the points in time: the timeline lists the snapshots, a time shows the snapshot it restores, and a snapshot is checked again on request', async ({ page, server }) => {
  await signedInAs(page, server, 'admin');
  const token = await ensureAdmin(page.request, server);
  await call(page, server, token, 'backup.settings.update', { passphrase: PASSPHRASE, password: E2E_ADMIN.password });
  const first = { value: await call<{ id: string; createdAt: string }>(page, server, token, 'backup.create', {}) };
  const second = { value: await call<{ id: string; createdAt: string }>(page, server, token, 'backup.create', {}) };

  await page.getByRole('link', { name: 'Backups', exact: true }).click();
  const card = page.getByRole('article', { name: 'Snapshot timeline' });
  await expect(card).toContainText('2 snapshots from');
  const table = card.getByTestId('snapshot-table');
  await expect(table.locator('tr[data-snapshot]')).toHaveCount(2);

  // a minute before the first backup there is nothing to restore; at the second, the second
  const firstAt = new Date(first.value!.createdAt);
  const local = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}T${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  await card.getByTestId('timeline-at').fill(local(new Date(firstAt.getTime() - 120_000)));
  await expect(card.getByTestId('timeline-resolved')).toContainText('There is no snapshot that early');
  await card.getByTestId('timeline-at').fill(local(new Date(second.value!.createdAt)));
  await expect(card.getByTestId('timeline-resolved')).toContainText('That is the snapshot of');

  const row = table.locator(`tr[data-snapshot="${first.value!.id}"]`);
  await row.getByRole('button', { name: 'Check now' }).click();
  await expect(row.getByRole('button', { name: 'Check now' })).toBeEnabled();
  await expect(row).toContainText('✓');
  await snap(page, 'backups-timeline');
  const audit = await rpc<{ rows: { action: string; outcome: string; target: { id: string | null } | null }[] }>(
    page,
    server.url,
    'audit.search',
    { action: 'backup.snapshots.verify' },
    token,
  );
  expect(audit.value?.rows.map((r) => [r.outcome, r.target?.id])).toEqual([['ok', first.value!.id]]);
});
