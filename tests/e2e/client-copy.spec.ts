import { call, ensureAdmin, expect, OPEN_ALL_DAY, signedInAs, snap, test } from './fixtures.js';

test.use({ serverEnv: { LEXDESK_WHATSAPP_SEND_PER_MINUTE: '6000', LEXDESK_WHATSAPP_SEND_BURST: '50', LEXDESK_WHATSAPP_CHAT_SPACING_MS: '0' } });

/**
 * A client who opened a matter asks on WhatsApp to delete their data; an assistant
 * answers the request from the Inbox with a copy of the data, which reaches the
 * client's phone (the simulator) as a PDF and a ZIP, and the request is closed.
 */
test("an assistant answers a client's data request with a copy of their data on WhatsApp", async ({ page, server }) => {
  test.setTimeout(90_000);
  const adminToken = await ensureAdmin(page.request, server);
  await call(page, server, adminToken, 'botSettings.update', { section: 'hours', value: OPEN_ALL_DAY });
  for (const text of ['Olá', '1', 'sim', 'José Núñez García', '2', 'Meu salário não foi pago.', 'Construtora Horizonte Ltda', 'none', 'yes', 'apagar meus dados']) {
    await call(page, server, adminToken, 'simulator.clientSend', { from: '5511987654321', name: 'José', text });
  }

  await signedInAs(page, server, 'assistant', { displayName: 'Ana Souza' });
  await page.goto(`${server.url}/#/inbox`);
  const card = page.locator('.data-requests');
  await expect(card).toContainText('Delete my data');
  await expect(card).toContainText('José Núñez García');
  page.on('dialog', (dialog) => void dialog.accept());
  await card.getByRole('button', { name: 'Send a copy of their data' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'A copy of the data is on its way to José Núñez García' })).toBeVisible();
  await snap(page, 'client-copy-sent');

  // the client's phone receives the PDF and the ZIP; the request is closed with what was sent
  await expect(async () => {
    const inbox = await call<{ messages: { fileName?: string | null; text: string }[] }>(page, server, adminToken, 'simulator.clientInbox', { from: '5511987654321' });
    const files = inbox.messages.map((m) => m.fileName).filter(Boolean);
    expect(files).toEqual(expect.arrayContaining([expect.stringMatching(/^data-copy-.*\.pdf$/), expect.stringMatching(/^data-copy-.*\.zip$/)]));
  }).toPass({ timeout: 20_000 });
  const done = await call<{ items: { status: string; resolvedBy: string; resolution: string }[] }>(page, server, adminToken, 'dataRequests.list', { status: 'done' });
  expect(done.items[0]).toMatchObject({ status: 'done', resolvedBy: 'Ana Souza' });
  expect(done.items[0]!.resolution).toMatch(/sent to the client on WhatsApp by Ana Souza: data-copy-.*\.zip \(SHA-256 [0-9a-f]{64}\)/);
});
