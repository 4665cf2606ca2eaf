import { readFileSync } from 'node:fs';
import { expect, signedInAs, snap, test } from './fixtures.js';

// Skipped until the sign-in screens land on main: `signedInAs` (tests/e2e/fixtures.ts, from the
// sign-in core) waits for the app shell to show the signed-in user, which only those screens do.
// The same steps pass today with the access token injected into the page's API requests.
test.skip('an admin filters the audit trail, opens a row, verifies the chain and exports what the filter shows', async ({
  page,
  server,
}) => {
  await signedInAs(page, server, 'admin');
  // a few refused sign-ins: security events in the trail
  for (let i = 0; i < 3; i++) {
    await page.request.post(`${server.url}/api/rpc/auth.login`, { data: { username: 'mallory', password: `wrong password ${i}!` } });
  }

  await page.getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { name: 'Audit trail' })).toBeVisible();
  await expect(page.getByTestId('audit-table')).toBeVisible();
  await snap(page, 'audit');

  // filter: security events only
  await page.getByLabel('Action').fill('security.');
  await page.getByRole('button', { name: 'Search' }).click();
  const rows = page.locator('[data-testid="audit-table"] tbody tr');
  await expect(rows.first()).toHaveAttribute('data-action', 'security.login.failed');
  const actions = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')));
  expect(actions.length).toBeGreaterThanOrEqual(3);
  expect(actions.every((a) => a?.startsWith('security.'))).toBe(true);
  await expect(page.getByTestId('audit-count')).toContainText(`${actions.length} rows matching`);

  // the detail panel shows the row's JSON, without the password that was tried
  await rows.first().click();
  const detail = page.getByTestId('audit-detail');
  await expect(detail.getByTestId('audit-json')).toContainText('"action": "security.login.failed"');
  await expect(detail.getByTestId('audit-json')).not.toContainText('wrong password');
  await snap(page, 'audit-detail');

  // integrity: verify now
  await page.getByRole('button', { name: 'Verify now' }).click();
  await expect(page.getByTestId('audit-integrity')).toContainText('Intact');

  // export what the filter shows, as CSV, with the progress reported on the screen
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export' }).click();
  const file = await (await download).path();
  await expect(page.getByTestId('audit-export')).toContainText(/Exported \d+ rows\./);
  await snap(page, 'audit-export');
  const csv = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trim().split('\n');
  expect(csv[0]).toMatch(/^id,at,actor_type,/);
  expect(csv.length - 1).toBe(actions.length);
  expect(csv.slice(1).every((line) => line.includes(',security.'))).toBe(true);

  // a filter that matches nothing says what to do
  await page.getByLabel('Action').fill('nothing.here.');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByTestId('audit-empty')).toContainText('No audit rows match these filters.');
  await page.getByRole('button', { name: 'Clear the filters' }).click();
  await expect(page.getByTestId('audit-table')).toBeVisible();
});
