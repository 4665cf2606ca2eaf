import { cpus } from 'node:os';
import { expect, signedInAs, snap, test } from './fixtures.js';

test('the served app shows the product, the mode and a healthy database', async ({ page, server }) => {
  await signedInAs(page, server, 'admin');
  await expect(page.getByRole('navigation', { name: 'Screens' })).toBeVisible();
  await expect(page.getByTestId('mode')).toHaveText('Server (headless)');
  await expect(page.locator('[data-check="database"]')).toContainText('Healthy');
  const backups = page.locator('[data-check="backups"]');
  await expect(backups).toBeVisible();
  if ((await backups.textContent())?.includes('No backup passphrase is set')) {
    // backups not set up yet: the installation needs attention, and the admin is shown where to fix it
    await expect(page.getByTestId('shell-health')).toContainText('System degraded');
    await snap(page, 'overview');
    await backups.getByTestId('fix-backups').click();
    await expect(page.getByRole('heading', { name: 'Backups', exact: true })).toBeVisible();
  } else {
    await expect(page.getByTestId('shell-health')).toContainText('System healthy');
    await snap(page, 'overview');
  }
});

test('a deep link to an unknown screen lands on the overview', async ({ page, server }) => {
  await signedInAs(page, server, 'admin');
  await page.goto(`${server.url}/some/where#/nowhere`);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
});

test('the overview names every health check for people, and describes this computer for IT with its support information', async ({
  page,
  server,
}) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await signedInAs(page, server, 'admin');
  const checks = page.getByRole('list', { name: 'Health checks' });
  await expect(checks.locator('[data-check="signin"]')).toContainText('Sign-in');
  await expect(checks.locator('[data-check="whatsapp"]')).toContainText('WhatsApp');
  await expect(checks.locator('[data-check="backups"]')).toContainText('Backups');
  await expect(checks.locator('[data-check="disk"]')).toContainText('Disk space');
  await expect(checks).not.toContainText('signin');

  const computer = page.getByRole('article', { name: 'This computer' });
  const cores = cpus().length;
  await expect(computer.getByTestId('computer-cpu')).toContainText(`${cores} core${cores === 1 ? '' : 's'}`);
  await expect(computer.getByTestId('computer-versions')).toContainText(`Node ${process.versions.node}`);
  await expect(computer.getByTestId('computer-versions')).toContainText('SQLite 3.');

  await computer.getByRole('button', { name: 'Copy support information' }).click();
  await expect(computer.getByRole('status')).toHaveText('Copied to the clipboard.');
  const text = await page.evaluate(() => navigator.clipboard.readText());
  expect(text).toContain('LexDesk support information');
  expect(text).toContain(`Node ${process.versions.node}`);
  expect(text).toContain(`${cores} core`);
  expect(text).toMatch(/^ {2}Sign-in: Healthy$/m);
  expect(text).toMatch(/^ {2}Database: Healthy$/m);
  expect(text).not.toContain(server.dataDir);
  await snap(page, 'overview-computer');
});

test('an assistant sees the health checks but not the computer', async ({ page, server }) => {
  await signedInAs(page, server, 'assistant');
  // an assistant lands on the Inbox; the Overview is one click away
  await expect(page.getByRole('heading', { name: 'Inbox', level: 1 })).toBeVisible();
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Overview' }).click();
  await expect(page.locator('[data-check="database"]')).toContainText('Database');
  await expect(page.locator('[data-check="whatsapp"]')).toContainText('WhatsApp');
  await expect(page.getByRole('article', { name: 'About this installation' })).toBeVisible();
  await expect(page.getByRole('article', { name: 'This computer' })).toHaveCount(0);
});
