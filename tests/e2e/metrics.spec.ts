import { expect, signedInAs, snap, test } from './fixtures.js';

// a sample every second, so that a fresh server has history to chart within moments
test.use({ serverEnv: { LEXDESK_MONITORING_INTERVAL: '1' } });

test('the metrics screen charts live data, and a firing alert shows in a banner until acknowledged', async ({ page, server }) => {
  await signedInAs(page, server, 'admin');
  await page.getByRole('link', { name: 'Metrics' }).click();
  await expect(page.getByRole('heading', { name: 'Metrics', level: 1 })).toBeVisible();

  // charts with data: the collector samples every second; refresh until the CPU chart has points
  await expect
    .poll(
      async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return Number((await page.getByTestId('chart-cpu').getAttribute('data-points')) ?? 0);
      },
      { timeout: 20_000 },
    )
    .toBeGreaterThan(1);
  await expect(page.getByTestId('chart-memory')).toHaveAttribute('data-points', /^[1-9]/);
  await expect(page.getByTestId('chart-eventloop')).toHaveAttribute('data-points', /^[1-9]/);
  await expect(page.getByTestId('chart-cpu').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('now-cpu')).toContainText('%');
  await expect(page.locator('[data-check="disk"]')).toContainText('Healthy');

  // the admin lowers the memory rule below what any machine uses, to fire at once
  const memoryRule = page.getByTestId('rule-list').locator('tr[data-rule="memory-high"]');
  await memoryRule.getByLabel('Threshold of High memory use').fill('1');
  await memoryRule.getByLabel('Minutes before High memory use fires').fill('0');
  await memoryRule.getByRole('button', { name: 'Save' }).click();

  const banner = page.getByTestId('alert-banner');
  await expect(banner).toContainText('High memory use', { timeout: 15_000 });
  await expect(page.getByTestId('alert-list').locator('tr[data-rule="memory-high"]')).toHaveAttribute('data-state', 'firing');
  await expect(memoryRule.getByTestId('rule-state')).toHaveText('Firing');
  await expect(page.locator('[data-check="system"]')).toContainText('Degraded');
  await snap(page, 'metrics-alert-firing');

  await banner.locator('li[data-rule="memory-high"]').getByRole('button', { name: 'Acknowledge' }).click();
  await expect(banner).toBeHidden();
  await expect(page.getByTestId('alert-list').locator('tr[data-rule="memory-high"]')).toContainText('admin');

  // the range can be widened; the charts keep their data
  await page.getByRole('button', { name: '24 hours' }).click();
  await expect(page.getByTestId('chart-cpu')).toHaveAttribute('data-points', /^[1-9]/);
  await snap(page, 'metrics');
});
