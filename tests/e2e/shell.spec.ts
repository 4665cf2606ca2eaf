import { expect, signedInAs, snap, test } from './fixtures.js';

test('the served app shows the product, the mode and a healthy database', async ({ page, server }) => {
  await signedInAs(page, server, 'admin');
  await expect(page.getByRole('navigation', { name: 'Screens' })).toBeVisible();
  await expect(page.getByTestId('shell-health')).toContainText('System healthy');
  await expect(page.getByTestId('mode')).toHaveText('Server (headless)');
  await expect(page.locator('[data-check="database"]')).toContainText('Healthy');
  await snap(page, 'overview');
});

test('a deep link to an unknown screen lands on the overview', async ({ page, server }) => {
  await signedInAs(page, server, 'admin');
  await page.goto(`${server.url}/some/where#/nowhere`);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
});
