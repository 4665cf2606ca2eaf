import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type Page } from '@playwright/test';
import { call, E2E_ADMIN, ensureAdmin, expect, signedInAs, snap, test } from './fixtures.js';
import { REPO_ROOT, type RunningServer } from '../support/server.js';

/*
 * The screens' side of the desktop's front desk, through the headless face (the
 * same React screens), and the desktop app itself where an Electron binary exists.
 */

test.use({ serverEnv: { LEXDESK_WHATSAPP_SEND_PER_MINUTE: '6000', LEXDESK_WHATSAPP_SEND_BURST: '50', LEXDESK_WHATSAPP_CHAT_SPACING_MS: '0' } });

test('headless has no updater: no "Restart to update" in the top bar; the About box says so', async ({ page, server }) => {
  await signedInAs(page, server, 'admin');
  await expect(page.getByTestId('shell-health')).toContainText('System');
  await expect(page.getByTestId('restart-to-update')).toHaveCount(0);
  await page.getByRole('button', { name: 'About' }).click();
  const about = page.getByRole('dialog', { name: 'About LexDesk' });
  await expect(about.getByTestId('about-version')).toHaveText(/^\d+\.\d+\.\d+/);
  await expect(about.getByTestId('about-update-state')).toHaveText('This installation does not update itself.');
  await expect(about.getByRole('button', { name: 'Check for updates' })).toHaveCount(0);
  await snap(page, 'about');
  await page.keyboard.press('Escape');
  await expect(about).toHaveCount(0);
});

test('the address a hand-off notification opens shows that conversation', async ({ page, server }) => {
  const token = await ensureAdmin(page.request, server);
  await call(page, server, token, 'simulator.clientSend', { from: '5511955550000', name: 'Rita', text: 'hello' });
  await call(page, server, token, 'simulator.clientSend', { from: '5511955550000', name: 'Rita', text: '3' });
  let id: number | undefined;
  for (let i = 0; i < 100 && id === undefined; i++) {
    const { items } = await call<{ items: { id: number; mode: string }[] }>(page, server, token, 'inbox.list', { filter: 'waiting' });
    id = items[0]?.id;
    if (id === undefined) await page.waitForTimeout(50);
  }
  expect(id).toBeDefined();
  await signedInAs(page, server, 'assistant');
  await page.goto(`${server.url}/#/inbox?conversation=${id}`);
  await expect(page.getByTestId('messages')).toContainText('hello');
});

/**
 * The desktop app itself. Electron's binary is downloaded from outside the package
 * registry, so where it is missing this test is skipped with that reason.
 */
function electronBinary(): string | null {
  if (process.env.LEXDESK_ELECTRON_PATH) return process.env.LEXDESK_ELECTRON_PATH;
  // a normal install: node_modules/electron/path.txt names the binary under dist/. Never
  // require('electron') here: without a binary it tries to download one.
  const electronDir = join(REPO_ROOT, 'node_modules', 'electron');
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

test('desktop: the window closes into the background and the bot keeps answering a simulated client', async () => {
  const executablePath = electronBinary();
  test.skip(
    executablePath === null || !existsSync(join(REPO_ROOT, '.native', 'electron')),
    'No Electron binary here (it is downloaded from outside the package registry): set LEXDESK_ELECTRON_PATH, or run `npm start` once where it can be downloaded.',
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'lexdesk-electron-'));
  const app = await _electron.launch({
    executablePath: executablePath!,
    args: [REPO_ROOT],
    env: { ...process.env, LEXDESK_DATA_DIR: dataDir, LEXDESK_WHATSAPP: 'simulator', LEXDESK_SIMULATOR_PAIRED: 'true', LEXDESK_BCRYPT_COST: '4' },
  });
  try {
    const window = await app.firstWindow();
    await window.getByLabel('Username').fill(E2E_ADMIN.username);
    await window.getByLabel('Full name').fill(E2E_ADMIN.displayName);
    await window.getByLabel('Password', { exact: true }).fill(E2E_ADMIN.password);
    await window.getByLabel('Password again').fill(E2E_ADMIN.password);
    await window.getByRole('button', { name: 'Create administrator' }).click();
    await expect(window.getByTestId('signed-in-user')).toContainText(E2E_ADMIN.displayName);

    // the receptionist closes the window at lunch
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.close());
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.isVisible()))).toEqual([false]);

    // a client writes meanwhile; the hidden window's bridge still reaches the core
    const call = (operation: string, input: unknown) =>
      window.evaluate(([op, body]) => (window as unknown as { lexdesk: { invoke(o: string, i: unknown): Promise<unknown> } }).lexdesk.invoke(op as string, body), [operation, input] as const);
    await call('simulator.clientSend', { from: '5511944440000', name: 'Client', text: 'good afternoon' });
    await expect
      .poll(async () => ((await call('simulator.clientInbox', { from: '5511944440000' })) as { value?: { messages: unknown[] } }).value?.messages.length ?? 0)
      .toBeGreaterThan(0);
  } finally {
    // Quit would ask "Clients will get no answers…" first: the test ends the process itself
    await app.evaluate(({ app: electronApp }) => electronApp.exit(0)).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
