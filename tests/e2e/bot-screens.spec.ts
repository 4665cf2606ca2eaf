import { expect, signedInAs, snap, test } from './fixtures.js';

test('an assistant sees the inbox with its empty state, and neither matters nor settings', async ({ page, server }) => {
  await signedInAs(page, server, 'assistant');
  const nav = page.getByRole('navigation', { name: 'Screens' });
  await expect(nav.getByRole('link', { name: 'Inbox' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Clients and matters' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Bot settings' })).toHaveCount(0);
  await nav.getByRole('link', { name: 'Inbox' }).click();
  await expect(page.getByTestId('inbox-empty')).toContainText('When a client writes to the office on WhatsApp');
  await page.getByRole('button', { name: 'Waiting for staff' }).click();
  await expect(page.getByTestId('inbox-empty')).toContainText('No conversation matches');
  await snap(page, 'bot-inbox-empty');
});

test('a lawyer sees clients and matters, empty, with what to do next', async ({ page, server }) => {
  await signedInAs(page, server, 'lawyer');
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Clients and matters' }).click();
  await expect(page.getByText('No matters yet. They are created when a client completes an intake with the bot.')).toBeVisible();
  await page.getByRole('button', { name: 'Clients', exact: true }).click();
  await expect(page.getByText('No clients yet.')).toBeVisible();
  await snap(page, 'bot-matters-empty');
});

test('the admin edits the office profile, practice areas and privacy notice in Bot settings', async ({ page, server }) => {
  await signedInAs(page, server, 'admin');
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Bot settings' }).click();

  const profile = page.getByRole('article', { name: 'Office profile' });
  await profile.getByLabel('Name').fill('Silva & Partners');
  await profile.getByLabel('Phone').fill('+351 21 000 0000');
  await profile.getByRole('button', { name: 'Save office profile' }).click();
  await expect(profile.getByRole('status')).toHaveText('Saved');

  const hours = page.getByRole('article', { name: 'Opening hours' });
  await hours.getByLabel('Time zone').fill('Mars/Olympus');
  await hours.getByRole('button', { name: 'Save opening hours' }).click();
  await expect(hours.getByRole('alert')).toContainText('not valid');
  await hours.getByLabel('Time zone').fill('Europe/Lisbon');
  await hours.getByLabel('Saturday').fill('09:00-13:00');
  await hours.getByRole('button', { name: 'Save opening hours' }).click();
  await expect(hours.getByRole('status')).toHaveText('Saved');

  const areas = page.getByRole('article', { name: 'Practice areas' });
  await areas.getByLabel('Practice areas').fill('Family\nEmployment\nImmigration');
  await areas.getByRole('button', { name: 'Save practice areas' }).click();
  await expect(areas.getByRole('status')).toHaveText('Saved');

  const notice = page.getByRole('article', { name: 'Privacy notice' });
  await expect(notice).toContainText('Version 1');
  await notice.getByLabel('Notice text').fill('{office} keeps what you send us only to handle your matter. Reply DELETE MY DATA to have it removed.');
  await notice.getByRole('button', { name: 'Publish as a new version' }).click();
  await expect(notice.getByRole('status')).toHaveText('Version 2 published');

  await page.reload();
  await expect(page.getByRole('article', { name: 'Office profile' }).getByLabel('Name')).toHaveValue('Silva & Partners');
  await expect(page.getByRole('article', { name: 'Opening hours' }).getByLabel('Saturday')).toHaveValue('09:00-13:00');
  await expect(page.getByRole('article', { name: 'Practice areas' }).getByLabel('Practice areas')).toHaveValue('Family\nEmployment\nImmigration');
  await expect(page.getByRole('article', { name: 'Privacy notice' })).toContainText('Version 2');
  await snap(page, 'bot-settings');
});
