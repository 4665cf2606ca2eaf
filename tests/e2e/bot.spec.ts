import type { Browser, Page } from '@playwright/test';
import { call, ensureAdmin, expect, OPEN_ALL_DAY, signedInAs, snap, test } from './fixtures.js';
import type { RunningServer } from '../support/server.js';

/**
 * The legal bot from end to end: a client plays through the WhatsApp simulator's
 * chat panel; the intake appears in the staff inbox; the assistant takes over and
 * replies, and the reply reaches the simulated client; a lawyer sees the possible
 * conflict and clears it.
 */

// the simulated phone answers at once; the office's conservative send limits are tested with the outbox
test.use({ serverEnv: { LEXDESK_WHATSAPP_SEND_PER_MINUTE: '6000', LEXDESK_WHATSAPP_SEND_BURST: '50', LEXDESK_WHATSAPP_CHAT_SPACING_MS: '0' } });

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
  return context.newPage();
}

test('a client completes an intake in the simulator; the assistant takes over and replies; a lawyer clears the conflict', async ({
  page,
  server,
  browser,
}) => {
  test.setTimeout(90_000);
  const adminToken = await ensureAdmin(page.request, server);

  // An earlier client, José, whose matter names Construtora Horizonte as the other party.
  await call(page, server, adminToken, 'botSettings.update', {
    section: 'hours',
    value: OPEN_ALL_DAY,
  });
  for (const text of ['Olá', '1', 'sim', 'José Núñez García', '2', 'Meu salário não foi pago.', 'Construtora Horizonte Ltda', 'none', 'yes']) {
    await call(page, server, adminToken, 'simulator.clientSend', { from: '5511987654321', name: 'José', text });
  }

  // The company writes in through the simulator's chat panel, as a person would.
  await signedInAs(page, server, 'admin');
  await page.goto(`${server.url}/#/simulator`);
  await page.getByLabel('Phone (international digits)').fill('551130000000');
  await page.getByLabel('Name on WhatsApp (optional)').fill('Horizonte');
  await page.getByRole('button', { name: 'Add client' }).click();
  const chat = page.getByTestId('sim-messages');
  const composer = page.getByLabel('Message from Horizonte');
  const say = async (text: string, expected: RegExp) => {
    await composer.fill(text);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(chat).toContainText(expected);
  };
  await say('Hello', /1\. New matter/);
  await say('1', /Do you agree\? Reply YES or NO/);
  await say('yes', /What is your full name\?/);
  await say('Construtora Horizonte S.A.', /Which area/);
  await say('5', /what happened/);
  await say('A former employee says we owe him wages.', /other party/);
  await say('Garcia, Jose Nunez', /deadline/);
  await say('none', /Please check your details/);
  await say('yes', /registered with reference \*2026-0002\*/);
  await expect(chat).toContainText('intake-2026-0002.pdf');
  await expect(chat).not.toContainText('José Núñez');
  await snap(page, 'bot-simulator-intake');

  // The assistant sees the intake in the inbox, takes over and replies.
  const assistant = await newPage(browser);
  await signedInAs(assistant, server, 'assistant', { displayName: 'Marta Reis' });
  await assistant.goto(`${server.url}/#/inbox`);
  const row = assistant.getByTestId('conversations').getByRole('button', { name: /Construtora Horizonte S\.A\./ });
  await expect(row).toContainText('Intake 2026-0002');
  await row.click();
  const thread = assistant.getByTestId('thread');
  await expect(thread.getByTestId('intake-card')).toContainText('Intake 2026-0002');
  await expect(thread).not.toContainText('Possible conflict');
  await thread.getByRole('button', { name: 'Take over' }).click();
  await expect(thread).toContainText('With staff');
  await assistant.getByLabel('Reply to Construtora Horizonte S.A.').fill('Good morning, this is Marta. A lawyer will call you today.');
  await thread.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(thread.getByTestId('messages')).toContainText('— Marta Reis');
  await snap(assistant, 'bot-inbox-thread');

  // The reply reaches the client in the simulator, and the bot stays quiet.
  await expect(chat).toContainText('Good morning, this is Marta. A lawyer will call you today.');
  await say('Thank you!', /Thank you!/);
  const bubbles = await chat.locator('.sim-bubble').count();
  await expect(thread.getByTestId('messages')).toContainText('Thank you!');
  await assistant.waitForTimeout(1000);
  await expect(chat.locator('.sim-bubble')).toHaveCount(bubbles);

  // A lawyer sees the possible conflict and clears it.
  const lawyer = await newPage(browser);
  await signedInAs(lawyer, server, 'lawyer', { displayName: 'Dr. Helena Costa' });
  await lawyer.goto(`${server.url}/#/matters`);
  await lawyer.getByLabel('Possible conflicts only').check();
  await lawyer.getByTestId('matters').getByRole('button', { name: /2026-0002/ }).click();
  const conflicts = lawyer.getByTestId('conflict');
  await expect(conflicts).toHaveCount(2);
  await expect(conflicts.first()).toContainText('Possible conflict');
  await snap(lawyer, 'bot-matter-conflict');
  lawyer.on('dialog', (dialog) => void dialog.accept('We act for both only in unrelated matters.'));
  const open = lawyer.locator('[data-testid="conflict"][data-cleared="no"]');
  const cleared = lawyer.locator('[data-testid="conflict"][data-cleared="yes"]');
  await open.first().getByRole('button', { name: 'Clear' }).click();
  await expect(cleared).toHaveCount(1);
  await expect(cleared).toContainText('cleared by Dr. Helena Costa');
  await expect(cleared).toContainText('We act for both only in unrelated matters.');
  await open.first().getByRole('button', { name: 'Clear' }).click();
  await expect(cleared).toHaveCount(2);
  await expect(open).toHaveCount(0);
  await snap(lawyer, 'bot-matter-cleared');

  // The lawyer saves a copy of the client's data, then an evidence export of the matter: both download,
  // and the client's history on the page lists the copy.
  const copy = lawyer.waitForEvent('download');
  await lawyer.getByRole('button', { name: 'Save a copy of their data' }).click();
  expect((await copy).suggestedFilename()).toMatch(/^data-copy-.*\.zip$/);
  await expect(lawyer.getByRole('status').filter({ hasText: 'Copy saved' })).toBeVisible();
  await expect(lawyer.getByTestId('client-data-history').locator('li[data-kind="copy"]')).toContainText("Dr. Helena Costa made a copy of the client's data");
  const files: string[] = [];
  lawyer.on('download', (d) => files.push(d.suggestedFilename()));
  await lawyer.getByRole('button', { name: 'Evidence export of this matter' }).click();
  await expect(lawyer.getByRole('status').filter({ hasText: 'Evidence export saved' })).toBeVisible();
  await expect.poll(() => files.length).toBe(2);
  expect(files.sort()).toEqual([expect.stringMatching(/^evidence-matter-2026-0002-.*\.json$/), expect.stringMatching(/^evidence-matter-2026-0002-.*\.pdf$/)]);
  await lawyer.getByTestId('client-data-history').scrollIntoViewIfNeeded();
  await snap(lawyer, 'bot-matter-client-records');
});
