import { readFileSync } from 'node:fs';
import { ensureAdmin, expect, signedInAs, snap, test } from './fixtures.js';

test('an admin filters the audit trail, opens a row, verifies the chain and exports what the filter shows', async ({
  page,
  server,
  request,
}) => {
  await signedInAs(page, server, 'admin');
  // a few refused sign-ins (from another client than the page): security events in the trail
  for (let i = 0; i < 3; i++) {
    await request.post(`${server.url}/api/rpc/auth.login`, { data: { username: 'mallory', password: `wrong password ${i}!` } });
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

test('a lawyer sees the audit screen without export or verification; an assistant has no audit screen', async ({ page, server, browser }) => {
  await signedInAs(page, server, 'lawyer');
  await page.getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByText('You see the rows about clients and matters.')).toBeVisible();
  // nothing about a client or matter has happened on this fresh server: sign-ins and user changes are not theirs to see
  await expect(page.getByTestId('audit-empty')).toContainText('There are no rows about clients or matters yet.');
  await expect(page.getByRole('button', { name: 'Export' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Verify now' })).toHaveCount(0);
  await snap(page, 'audit-lawyer');

  const context = await browser.newContext();
  const other = await context.newPage();
  await signedInAs(other, server, 'assistant');
  await expect(other.getByRole('navigation', { name: 'Screens' })).toBeVisible();
  await expect(other.getByRole('link', { name: 'Audit' })).toHaveCount(0);
  await context.close();
});

test('scrolling to the end of the list loads older rows, newest first, without repeats', async ({ page, server, request }) => {
  await signedInAs(page, server, 'admin');
  const token = await ensureAdmin(request, server);
  // 150 more rows: each call through the door is one
  for (let i = 0; i < 150; i++) {
    await request.post(`${server.url}/api/rpc/audit.integrity`, { data: {}, headers: { authorization: `Bearer ${token}` } });
  }
  await page.getByRole('link', { name: 'Audit' }).click();
  // those are reads: shown with the switch on
  await page.getByRole('switch', { name: 'Show reads' }).check();
  const rows = page.locator('[data-testid="audit-table"] tbody tr');
  await expect(rows).toHaveCount(100); // the first page
  await expect(page.getByTestId('audit-count')).toContainText('100+ rows');
  await rows.last().scrollIntoViewIfNeeded();
  await expect(page.getByText('That is every matching row.')).toBeVisible();
  const ids = await rows.evaluateAll((trs) => trs.map((tr) => Number((tr as HTMLElement).dataset.id)));
  expect(ids.length).toBeGreaterThan(150);
  // every row once, newest first, down to the first row of the trail
  expect(ids).toEqual([...ids].sort((a, b) => b - a));
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.at(-1)).toBe(1);
});
