import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';
import type { Role } from '../../shared/permissions.js';
import { REPO_ROOT, startServer, type RunningServer } from '../support/server.js';

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'screens');

/** Saves what the user sees under test-results/screens/<name>.png. */
export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/**
 * Each test gets its own headless LexDesk on an ephemeral port with an empty data
 * folder. `test.use({ serverEnv: { LEXDESK_…: '…' } })` adds settings for a file or group.
 */
export const test = base.extend<{ server: RunningServer; serverEnv: Record<string, string> }>({
  serverEnv: [{}, { option: true }],
  server: async ({ serverEnv }, use) => {
    const server = await startServer({ env: serverEnv });
    await use(server);
    await server.stop();
  },
});

export { expect } from '@playwright/test';

/** The first administrator every test server gets from `signedInAs` / `ensureAdmin`. */
export const E2E_ADMIN = { username: 'admin', displayName: 'Office Admin', password: 'Harbor lantern quartz 73 ample' };
/** The password `signedInAs` gives the other accounts it creates. */
export const E2E_PASSWORD = 'Velvet compass orchard 58 drum';

export interface E2EAccount {
  username: string;
  displayName: string;
  password: string;
  role: Role;
}

async function rpc<T>(request: APIRequestContext, server: RunningServer, name: string, body: unknown, token?: string): Promise<T> {
  const response = await request.post(`${server.url}/api/rpc/${name}`, {
    data: body,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const json = (await response.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
  if (!json.ok) throw new Error(`${name}: ${json.error?.code}: ${json.error?.message}`);
  return json.value as T;
}

const admins = new WeakMap<RunningServer, Promise<void>>();

/**
 * Makes sure the server has its first administrator (E2E_ADMIN), created over
 * HTTP from loopback exactly as the first-run screen would. Returns an admin
 * access token for further set-up calls.
 */
export async function ensureAdmin(request: APIRequestContext, server: RunningServer): Promise<string> {
  if (!admins.has(server)) {
    admins.set(
      server,
      (async () => {
        const status = await rpc<{ needsSetup: boolean }>(request, server, 'auth.status', {});
        if (status.needsSetup) await rpc(request, server, 'auth.setup', E2E_ADMIN);
      })(),
    );
  }
  await admins.get(server);
  const grant = await rpc<{ accessToken: string }>(request, server, 'auth.login', {
    username: E2E_ADMIN.username,
    password: E2E_ADMIN.password,
  });
  return grant.accessToken;
}

/**
 * An account with `role` (the first administrator for 'admin'; otherwise a new
 * account created by the administrator, with its temporary password already
 * changed to E2E_PASSWORD), signed in on `page`: the refresh cookie lands in
 * the page's browser context, then the app opens and resumes the session as it
 * would after a reload. With `{ via: 'screen' }` it types into the sign-in
 * screen instead. Resolves once the app shell shows the user.
 *
 *   test('a lawyer sees matters', async ({ page, server }) => {
 *     await signedInAs(page, server, 'lawyer');
 *     await page.getByRole('link', { name: 'Matters' }).click();
 *   });
 */
export async function signedInAs(
  page: Page,
  server: RunningServer,
  role: Role,
  options: { username?: string; displayName?: string; via?: 'http' | 'screen' } = {},
): Promise<E2EAccount> {
  const request = page.context().request;
  const adminToken = await ensureAdmin(request, server);
  let account: E2EAccount;
  if (role === 'admin' && !options.username) {
    account = { ...E2E_ADMIN, role: 'admin' };
  } else {
    const username = options.username ?? `${role}-${Math.random().toString(36).slice(2, 8)}`;
    const displayName = options.displayName ?? `Test ${role}`;
    const created = await rpc<{ temporaryPassword: string }>(request, server, 'users.create', { username, displayName, role }, adminToken);
    const first = await rpc<{ accessToken: string }>(request, server, 'auth.login', { username, password: created.temporaryPassword });
    await rpc(request, server, 'auth.changePassword', { current: created.temporaryPassword, next: E2E_PASSWORD }, first.accessToken);
    account = { username, displayName, password: E2E_PASSWORD, role };
  }
  if (options.via === 'screen') {
    await page.goto(server.url);
    await page.getByLabel('Username').fill(account.username);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  } else {
    // the same request context as the page: the httpOnly refresh cookie is the browser's now
    await rpc(request, server, 'auth.login', { username: account.username, password: account.password });
    await page.goto(server.url);
  }
  await expect(page.getByTestId('signed-in-user')).toContainText(account.displayName);
  return account;
}

/**
 * Calls an operation over HTTP as `token` and returns its value; throws with the
 * error otherwise. For setting the scene of a test (settings, simulated clients).
 */
export async function call<T>(page: Page, server: RunningServer, token: string, name: string, input: unknown): Promise<T> {
  const response = await page.request.post(`${server.url}/api/rpc/${name}`, { data: input, headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
  if (!body.ok) throw new Error(`${name}: ${body.error?.code}: ${body.error?.message}`);
  return body.value as T;
}

/** The office open around the clock (UTC), so that no test meets the out-of-hours notice. */
export const OPEN_ALL_DAY = {
  timeZone: 'UTC',
  week: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ open: '00:00', close: '23:59' }]])),
  closedDates: [],
};
