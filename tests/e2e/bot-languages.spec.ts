import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { call, ensureAdmin, expect, OPEN_ALL_DAY, SCREENSHOT_DIR, signedInAs, snap, test } from './fixtures.js';
import type { RunningServer } from '../support/server.js';

/**
 * Languages from end to end: the admin offers Spanish and Portuguese, edits a
 * Spanish text in the texts form (a wrong placeholder is refused in words, the
 * preview shows WhatsApp's bold), exports and imports a language as JSON; a
 * Spanish-speaking client is answered in Spanish; an assistant switches the
 * client to Portuguese and the bot's next message is in Portuguese; a lawyer
 * sees the deadline as a date with the days left and tells the client of a
 * status change.
 */

test.use({ serverEnv: { LEXDESK_WHATSAPP_SEND_PER_MINUTE: '6000', LEXDESK_WHATSAPP_SEND_BURST: '50', LEXDESK_WHATSAPP_CHAT_SPACING_MS: '0' } });

test('the admin offers languages and edits a Spanish text; the client is answered in it; staff switch the client’s language', async ({
  page,
  server,
  browser,
}, testInfo) => {
  test.setTimeout(90_000);
  const adminToken = await ensureAdmin(page.request, server);
  await call(page, server, adminToken, 'botSettings.update', {
    section: 'hours',
    value: OPEN_ALL_DAY,
  });

  await signedInAs(page, server, 'admin');
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Bot settings' }).click();

  const behaviour = page.getByRole('article', { name: 'Behaviour' });
  await behaviour.getByRole('checkbox', { name: 'Spanish' }).check();
  await behaviour.getByRole('checkbox', { name: 'Brazilian Portuguese' }).check();
  await behaviour.getByRole('button', { name: 'Save behaviour' }).click();
  await expect(behaviour.getByRole('status')).toHaveText('Saved');

  // the privacy notice has a box per offered language
  const notice = page.getByRole('article', { name: 'Privacy notice' });
  await expect(notice.getByLabel('In Spanish')).toBeVisible();

  const texts = page.getByRole('article', { name: 'Bot texts' });
  await texts.getByLabel('Language of the texts').selectOption('es');
  await expect(texts).toContainText('Every text exists in Spanish.');
  const greeting = texts.getByLabel(/^Greeting greeting$/);
  await greeting.fill('*¡Hola{clientName}!* Somos {ofice}.');
  await expect(texts.getByText('This text uses {ofice}, which LexDesk does not fill in here')).toBeVisible();
  await texts.getByRole('button', { name: 'Save bot texts' }).click();
  await expect(texts.getByRole('alert')).toContainText('The text “Greeting” in Spanish uses {ofice}');
  await greeting.fill('*¡Hola{clientName}!* Le escribe el asistente de {office}.');
  const preview = texts.getByRole('complementary', { name: 'Preview' });
  await expect(preview.locator('strong')).toHaveText('¡Hola Ana!');
  await expect(preview).toContainText('Le escribe el asistente de');
  await texts.getByRole('button', { name: 'Save bot texts' }).click();
  await expect(texts.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await snap(page, 'bot-texts-form');
  await texts.getByLabel('Language of the texts').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'bot-texts-form-view.png') });

  // export for a translator, import the translation back
  const download = page.waitForEvent('download');
  await texts.getByRole('button', { name: 'Export Spanish as JSON' }).click();
  const file = join(testInfo.outputDir, 'es.json');
  await (await download).saveAs(file);
  const exported = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  expect(exported.greeting).toBe('*¡Hola{clientName}!* Le escribe el asistente de {office}.');
  expect(exported['intake.ask_name']).toContain('nombre completo');
  exported['intake.ask_name'] = 'Para empezar, escríbanos su nombre y apellidos.';
  writeFileSync(file, JSON.stringify({ ...exported, 'no.such.text': 'x' }));
  await texts.getByLabel('Import Spanish texts from a JSON file').setInputFiles(file);
  await expect(texts.getByText(/1 text changed from es\.json; check them and save\. Left out, because LexDesk has no such texts: no\.such\.text/)).toBeVisible();
  await texts.getByRole('button', { name: 'Save bot texts' }).click();
  await expect(texts.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();

  // a client from Spain is answered in Spanish, with the office's own greeting
  for (const text of ['Hola', 'quiero abrir un caso', 'sí', 'Lucía Fernández', '1', 'Mi exmarido no paga la pensión de los niños.', 'ninguno', 'el próximo viernes', 'sí']) {
    await call(page, server, adminToken, 'simulator.clientSend', { from: '34612345678', name: 'Lucía', text });
  }

  const assistant = await (await browser.newContext({ viewport: { width: 1300, height: 900 } })).newPage();
  await signedInAs(assistant, server, 'assistant');
  await assistant.goto(`${server.url}/#/inbox`);
  await assistant.getByTestId('conversations').getByRole('button', { name: /Lucía Fernández/ }).click();
  const thread = assistant.getByTestId('thread');
  await expect(thread.getByTestId('messages')).toContainText('¡Hola!* Le escribe el asistente de');
  await expect(thread.getByTestId('messages')).toContainText('Para empezar, escríbanos su nombre y apellidos.');
  const language = thread.getByLabel('Language the bot speaks with this client');
  await expect(language).toHaveValue('es');
  await language.selectOption('pt-BR');
  await expect(language).toHaveValue('pt-BR');
  await call(page, server, adminToken, 'simulator.clientSend', { from: '34612345678', name: 'Lucía', text: 'menu' });
  await expect(thread.getByTestId('messages')).toContainText('Como podemos ajudar? Responda com um número');
  await snap(assistant, 'bot-inbox-language');

  // the lawyer sees the deadline as a date with the days left, and tells the client of the status
  const lawyer = await (await browser.newContext({ viewport: { width: 1300, height: 900 } })).newPage();
  await signedInAs(lawyer, server, 'lawyer');
  await lawyer.goto(`${server.url}/#/matters`);
  await lawyer.getByTestId('matters').getByRole('button', { name: /Lucía Fernández/ }).click();
  const deadline = lawyer.getByTestId('deadline');
  await expect(deadline).toContainText(/in \d+ days|tomorrow|today/);
  await expect(deadline).toContainText('the client wrote “el próximo viernes”');
  const matter = lawyer.getByTestId('matter');
  await matter.getByLabel('Status').selectOption('active');
  await matter.getByLabel('Tell the client on WhatsApp (in Brazilian Portuguese)').check();
  await matter.getByRole('button', { name: 'Save status' }).click();
  await expect(matter.getByRole('status')).toHaveText('Saved, and the client was told');
  await snap(lawyer, 'bot-matter-deadline');
  await expect
    .poll(async () => (await call<{ messages: { text: string | null }[] }>(page, server, adminToken, 'simulator.clientInbox', { from: '34612345678' })).messages.map((m) => m.text).join('\n'))
    .toContain('Atualização do seu caso');
});
