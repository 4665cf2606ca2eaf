import type { Browser, Page } from '@playwright/test';
import { call, ensureAdmin, expect, OPEN_ALL_DAY, signedInAs, snap, test } from './fixtures.js';
import type { RunningServer } from '../support/server.js';

/**
 * Two members of staff at one front desk, each in a browser of their own: a
 * client asks for a person in the simulator → both are notified and see the
 * count → Ana takes it → Bruno sees "Ana is replying" and is warned before he
 * sends → Ana answers with a quick reply carrying the client's name → the
 * client receives it and the ticks turn to read → Ana resolves it; a search for
 * an accented word typed without accents finds the message.
 */

test.use({ serverEnv: { LEXDESK_WHATSAPP_SEND_PER_MINUTE: '6000', LEXDESK_WHATSAPP_SEND_BURST: '50', LEXDESK_WHATSAPP_CHAT_SPACING_MS: '0' } });

/** A browser for one member, recording the notifications the page shows. */
async function staffPage(browser: Browser, server: RunningServer): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
  await context.grantPermissions(['notifications'], { origin: server.url });
  await context.addInitScript(() => {
    const shown: { title: string; body: string }[] = [];
    (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
    class RecordingNotification {
      static permission = 'granted';
      static requestPermission = async () => 'granted';
      onclick: (() => void) | null = null;
      constructor(title: string, options?: { body?: string }) {
        shown.push({ title, body: options?.body ?? '' });
      }
      close() {}
    }
    (window as unknown as { Notification: unknown }).Notification = RecordingNotification;
  });
  return context.newPage();
}

const notifications = (page: Page) => page.evaluate(() => (window as unknown as { shownNotifications: { title: string }[] }).shownNotifications.map((n) => n.title));

test('two staff share the front desk: notified, one takes it, the other is warned, a quick reply, ticks, resolved, search', async ({ page, server, browser }) => {
  test.setTimeout(120_000);
  const adminToken = await ensureAdmin(page.request, server);
  await call(page, server, adminToken, 'botSettings.update', {
    section: 'hours',
    value: OPEN_ALL_DAY,
  });
  await call(page, server, adminToken, 'quickReplies.create', {
    title: 'Documents needed',
    texts: { en: 'Hello {client.name}, please send us the contract and your ID.' },
  });

  const ana = await staffPage(browser, server);
  await signedInAs(ana, server, 'assistant', { username: 'ana', displayName: 'Ana Reis' });
  const bruno = await staffPage(browser, server);
  await signedInAs(bruno, server, 'assistant', { username: 'bruno', displayName: 'Bruno Lima' });
  // an assistant lands on the inbox
  await expect(ana.getByRole('heading', { name: 'Inbox', level: 1 })).toBeVisible();
  await bruno.goto(`${server.url}/#/inbox`);

  // a client asks for a person
  for (const text of ['Hello', 'Zoë Martins here, I need to talk to a person about my indemnização']) {
    await call(page, server, adminToken, 'simulator.clientSend', { from: '351910000007', name: 'Zoë', text });
  }
  for (const staff of [ana, bruno]) {
    await expect.poll(() => notifications(staff)).toContain('Zoë is waiting for staff');
    await expect(staff.getByTestId('inbox-count')).toHaveText('1');
    await expect(staff).toHaveTitle(/^\(1\) /);
    await expect(staff.getByTestId('waiting')).toContainText(/waiting <?\d+ min/);
  }

  // Ana takes it and starts writing
  await ana.getByTestId('waiting').getByRole('button', { name: /Zoë/ }).click();
  const anaThread = ana.getByTestId('thread');
  await anaThread.getByRole('button', { name: 'Assign to me' }).click();
  await expect(anaThread.getByTestId('assign')).toContainText('With you');
  await ana.getByLabel('Reply to Zoë').fill('/doc');
  await expect(ana.getByTestId('quick-replies')).toContainText('Documents needed');

  // Bruno sees who has it and that she is replying, and is warned before sending
  await bruno.getByRole('button', { name: /Zoë/ }).first().click();
  const brunoThread = bruno.getByTestId('thread');
  await expect(brunoThread.getByTestId('presence')).toHaveText('Ana Reis is replying…');
  await expect(brunoThread.getByTestId('assign')).toContainText('With Ana Reis');
  await bruno.getByLabel('Reply to Zoë').fill('Hello, Bruno here.');
  await brunoThread.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(brunoThread.getByRole('alertdialog')).toContainText('Ana Reis has this conversation. Send your reply anyway?');
  await snap(bruno, 'team-inbox-warning');
  await brunoThread.getByRole('button', { name: 'Cancel' }).click();

  // Ana uses the quick reply; the client receives it with her name filled in
  await ana.getByTestId('quick-replies').getByRole('option', { name: /Documents needed/ }).click();
  await expect(ana.getByLabel('Reply to Zoë')).toHaveValue('Hello Zoë, please send us the contract and your ID.');
  await anaThread.getByRole('button', { name: 'Send', exact: true }).click();
  const staffBubble = anaThread.locator('[data-author="staff"]').last();
  await expect(staffBubble).toContainText('Hello Zoë, please send us the contract and your ID.');
  await expect(staffBubble).toHaveAttribute('data-delivery', 'delivered');
  // the client opens the chat on the phone: read
  const phone = await call<{ messages: { text: string | null }[] }>(page, server, adminToken, 'simulator.clientInbox', { from: '351910000007' });
  expect(phone.messages.map((m) => m.text).join('\n')).toContain('Hello Zoë, please send us the contract and your ID.');
  await expect(staffBubble).toHaveAttribute('data-delivery', 'read');
  await expect(staffBubble).toContainText('read ✓✓');

  // an internal note, never sent
  await anaThread.getByRole('button', { name: 'Internal note' }).click();
  await ana.getByLabel('Internal note about Zoë').fill('@bruno she may call back about the severance too');
  await anaThread.getByRole('button', { name: 'Add note' }).click();
  await expect(anaThread.getByTestId('note')).toContainText('Internal note · never sent');
  await expect.poll(() => notifications(bruno)).toContain('Ana Reis mentioned you');
  await snap(ana, 'team-inbox-thread');

  await anaThread.getByRole('button', { name: 'Resolved' }).click();
  await expect(anaThread).toContainText('resolved');
  await expect(ana.getByTestId('inbox-count')).toHaveCount(0);

  // search: the accented word typed without accents
  await ana.getByLabel('Search conversations').fill('indemnizacao');
  const results = ana.getByTestId('search-results');
  await expect(results.locator('mark')).toHaveText(['indemnização']);
  await results.getByRole('button', { name: /Zoë/ }).first().click();
  await expect(anaThread.locator('.bubble.focused')).toContainText('indemnização');
  await snap(ana, 'team-inbox-search');
});

test('the inbox fits a phone: the list, or the thread with a way back', async ({ page, server }) => {
  const adminToken = await ensureAdmin(page.request, server);
  await call(page, server, adminToken, 'simulator.clientSend', { from: '351910000008', name: 'Rui', text: 'x'.repeat(4000) });
  await page.setViewportSize({ width: 390, height: 800 });
  await signedInAs(page, server, 'assistant');
  await page.getByRole('button', { name: /Rui/ }).click();
  await expect(page.getByTestId('thread')).toBeVisible();
  await expect(page.getByRole('button', { name: /Rui/ })).toBeHidden();
  // 4,000 characters without a space wrap instead of widening the page
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(420);
  await snap(page, 'team-inbox-phone');
  await page.getByRole('button', { name: '← All conversations' }).click();
  await expect(page.getByRole('button', { name: /Rui/ })).toBeVisible();
});
