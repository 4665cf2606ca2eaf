import type { APIRequestContext } from '@playwright/test';
import type { RunningServer } from '../support/server.js';
import { ensureAdmin, expect, E2E_PASSWORD, OPEN_ALL_DAY, signedInAs, snap, test } from './fixtures.js';

/** An operation over HTTP from outside the page (another staff member's computer). */
async function rpc<T>(request: APIRequestContext, server: RunningServer, name: string, input: unknown, token?: string): Promise<T> {
  const response = await request.post(`${server.url}/api/rpc/${name}`, { data: input, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = (await response.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
  if (!body.ok) throw new Error(`${name}: ${body.error?.code}: ${body.error?.message}`);
  return body.value as T;
}

/**
 * The audit trail as the office reads it: sentences with people's and clients'
 * names, reads (views, searches) out of the way until "Show reads" is on, and the
 * person filter finding a colleague by the name the office knows them by.
 */
test('the audit screen tells what happened in sentences, hides reads until asked, and finds a person by display name', async ({ page, server, request }) => {
  const adminToken = await ensureAdmin(request, server);
  await rpc(request, server, 'botSettings.update', { section: 'hours', value: OPEN_ALL_DAY }, adminToken);

  // a client writes in; Ana Souza (an assistant) looks at the inbox and replies
  await rpc(request, server, 'simulator.clientSend', { from: '34612345678', name: 'José Núñez', text: 'Hola, necesito ayuda' }, adminToken);
  const created = await rpc<{ temporaryPassword: string }>(request, server, 'users.create', { username: 'asouza', displayName: 'Ana Souza', role: 'assistant' }, adminToken);
  const first = await rpc<{ accessToken: string }>(request, server, 'auth.login', { username: 'asouza', password: created.temporaryPassword });
  await rpc(request, server, 'auth.changePassword', { current: created.temporaryPassword, next: E2E_PASSWORD }, first.accessToken);
  const ana = (await rpc<{ accessToken: string }>(request, server, 'auth.login', { username: 'asouza', password: E2E_PASSWORD })).accessToken;
  let conversationId: number | undefined;
  await expect(async () => {
    const inbox = await rpc<{ items: { id: number }[] }>(request, server, 'inbox.list', {}, ana);
    conversationId = inbox.items[0]?.id;
    expect(conversationId).toBeDefined();
  }).toPass({ timeout: 15_000 });
  await rpc(request, server, 'inbox.reply', { conversationId, text: 'Buenos días, José. ¿En qué podemos ayudarle?' }, ana);

  await signedInAs(page, server, 'admin');
  await page.getByRole('link', { name: 'Audit' }).click();
  const table = page.getByTestId('audit-table');
  await expect(table).toBeVisible();
  // sentences, with the names the office knows
  await expect(table.locator('tr[data-action="inbox.reply"]')).toContainText('Ana Souza replied to José Núñez');
  await expect(table.locator('tr[data-action="users.create"]').first()).toContainText('Office Admin created the account of Ana Souza');
  await expect(table.locator('tr[data-action="auth.login"]').first()).toContainText('Office Admin signed in');
  await expect(table.locator('tr[data-action="auth.login"]', { hasText: 'Ana Souza signed in' }).first()).toBeVisible();
  // reads are hidden: Ana looked at the inbox, and that is not listed yet
  await expect(table.locator('tr[data-action="inbox.list"]')).toHaveCount(0);
  await snap(page, 'audit-sentences');

  const reads = page.getByRole('switch', { name: 'Show reads' });
  await expect(reads).not.toBeChecked();
  await reads.check();
  await expect(table.locator('tr[data-action="inbox.list"]').first()).toContainText('Ana Souza looked at the inbox');
  await reads.uncheck();
  await expect(table.locator('tr[data-action="inbox.list"]')).toHaveCount(0);

  // the person filter takes a display name (or the start of one of its words), not only a username
  await page.getByLabel('Person').fill('souza');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(table.locator('tr[data-action="inbox.reply"]')).toHaveCount(1);
  const sentences = await table.locator('tbody tr .audit-sentence-cell').allTextContents();
  expect(sentences.length).toBeGreaterThan(1);
  expect(sentences.every((s) => s.startsWith('Ana Souza'))).toBe(true);
  await snap(page, 'audit-person-filter');

  // the detail panel says the same sentence above the record
  await table.locator('tr[data-action="inbox.reply"]').click();
  await expect(page.getByTestId('audit-detail-sentence')).toHaveText('Ana Souza replied to José Núñez');
});
