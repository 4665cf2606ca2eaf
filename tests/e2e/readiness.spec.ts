import { expect, signedInAs, snap, test } from './fixtures.js';

test('an administrator sees on the Overview whether this installation is ready, each line with its fix', async ({ page, server }) => {
  await signedInAs(page, server, 'admin');
  const card = page.getByRole('article', { name: 'Is this installation ready?' });
  await expect(card).toBeVisible();
  // a test server has no backup passphrase and no backup yet
  await expect(card.getByTestId('readiness-summary')).toContainText('Not ready yet');
  const passphrase = card.locator('[data-check="backup-passphrase"]');
  await expect(passphrase).toHaveAttribute('data-status', 'fail');
  await expect(passphrase).toContainText('Fix this');
  await expect(passphrase).toContainText('Set it on the Backups screen');
  await expect(card.locator('[data-check="admins"]')).toHaveAttribute('data-status', 'ok');
  await snap(page, 'overview-readiness');
});

test('a lawyer does not see the readiness card', async ({ page, server }) => {
  await signedInAs(page, server, 'lawyer');
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Overview' }).click();
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(page.getByRole('article', { name: 'Health' })).toBeVisible();
  await expect(page.getByRole('article', { name: 'Is this installation ready?' })).toHaveCount(0);
});
