import type { Browser, Page } from '@playwright/test';
import { call, E2E_ADMIN, ensureAdmin, expect, OPEN_ALL_DAY, signedInAs, snap, test } from './fixtures.js';

/**
 * A client asks for their data to be deleted: "delete my data" in the simulator,
 * the assistant sees the request, the admin previews what goes and what stays and
 * erases it with their password; the conversation is gone and the audit says so.
 */

test.use({ serverEnv: { LEXDESK_WHATSAPP_SEND_PER_MINUTE: '6000', LEXDESK_WHATSAPP_SEND_BURST: '50', LEXDESK_WHATSAPP_CHAT_SPACING_MS: '0' } });

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
  return context.newPage();
}

test('a client writes "delete my data"; the assistant sees it; the admin previews and erases; the conversation is gone and the audit says so', async ({
  page,
  server,
  browser,
}) => {
  test.setTimeout(90_000);
  const adminToken = await ensureAdmin(page.request, server);
  await call(page, server, adminToken, 'botSettings.update', { section: 'hours', value: OPEN_ALL_DAY });
  const number = '351912345678';
  for (const text of ['Hello', '1', 'yes', 'Rita Moreira', '1', 'My landlord zebra-quokka-7731 keeps my deposit.', 'none', 'none', 'yes']) {
    await call(page, server, adminToken, 'simulator.clientSend', { from: number, name: 'Rita', text });
  }

  // the client asks, in the simulator's chat panel
  await signedInAs(page, server, 'admin');
  await page.goto(`${server.url}/#/simulator`);
  await page.getByLabel('Phone (international digits)').fill(number);
  await page.getByLabel('Name on WhatsApp (optional)').fill('Rita');
  await page.getByRole('button', { name: 'Add client' }).click();
  const chat = page.getByTestId('sim-messages');
  await page.getByLabel('Message from Rita').fill('delete my data');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(chat).toContainText('We have recorded your request to delete your data');

  // the assistant sees the request in the inbox
  const assistant = await newPage(browser);
  await signedInAs(assistant, server, 'assistant', { displayName: 'Marta Reis' });
  await assistant.goto(`${server.url}/#/inbox`);
  const requests = assistant.getByRole('article', { name: 'Requests about personal data' });
  await expect(requests).toContainText('Rita Moreira');
  await expect(assistant.getByRole('button', { name: /Rita Moreira/ })).toBeVisible();
  // an assistant cannot erase: no such action anywhere for them
  await expect(assistant.getByRole('button', { name: 'Erase this client' })).toHaveCount(0);
  await snap(assistant, 'erasure-request-seen');

  // the admin opens the matter, previews, and erases
  await page.goto(`${server.url}/#/matters`);
  await page.getByTestId('matters').getByRole('button', { name: /Rita Moreira/ }).click();
  await page.getByRole('button', { name: 'Erase this client' }).click();
  const dialog = page.getByRole('dialog', { name: 'Erase Rita Moreira' });
  await expect(dialog.getByTestId('erase-goes')).toContainText(/\d+ messages in 1 conversation/);
  await expect(dialog.getByTestId('erase-goes')).toContainText(`WhatsApp number +${number}`);
  await expect(dialog.getByTestId('erase-stays')).toContainText('A conflict record: the name "Rita Moreira", former client');
  await expect(dialog.getByTestId('erase-irreversible')).toContainText(/This cannot be undone\..*after \d{4}-\d\d-\d\d no backup holds it/);
  await snap(page, 'erasure-preview');
  await dialog.getByLabel('Why is it erased?').fill('The client asked on WhatsApp.');
  await dialog.getByLabel('Your password, to confirm').fill('not the password');
  await dialog.getByRole('button', { name: 'Erase permanently' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Your password is not correct.');
  await dialog.getByLabel('Your password, to confirm').fill(E2E_ADMIN.password);
  await dialog.getByRole('button', { name: 'Erase permanently' }).click();
  await expect(page.getByTestId('erase-client').getByRole('status')).toContainText(/Erased: \d+ messages, \d+ documents?, 1 conversation\./);
  await expect(page.getByTestId('matter')).toContainText('This client’s personal data was erased.');
  await snap(page, 'erasure-done');

  // the conversation is gone from the inbox; the matter stays as a conflict record
  await assistant.reload();
  await expect(assistant.getByText('When a client writes to the office on WhatsApp')).toBeVisible();
  await expect(assistant.getByText('Rita Moreira')).toHaveCount(0);
  await snap(assistant, 'erasure-inbox-after');

  // the audit trail says who erased it, with counts and no content
  await page.goto(`${server.url}/#/audit`);
  await page.getByLabel('Action').fill('clients.erase');
  await page.getByRole('button', { name: 'Search' }).click();
  const rows = page.locator('[data-testid="audit-table"] tbody tr[data-action="clients.erase"]');
  await expect(rows.first()).toBeVisible();
  await rows.first().click();
  const json = page.getByTestId('audit-detail').getByTestId('audit-json');
  await expect(json).toContainText('"messages"');
  await expect(json).not.toContainText('zebra-quokka');
  await snap(page, 'erasure-audit');

  // the retention schedule, for the admin, with its preview sentence
  await page.goto(`${server.url}/#/clients-data`);
  await expect(page.getByTestId('retention-preview')).toContainText('Next run will erase nothing');
  await snap(page, 'erasure-retention');
});
