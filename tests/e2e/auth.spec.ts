import { E2E_PASSWORD, expect, signedInAs, snap, test } from './fixtures.js';

const ADMIN = { username: 'maria.admin', name: 'Maria Admin', password: 'Quiet river 42 copper kettle' };

test('first run: create the administrator, sign out, a wrong password is refused, sign in', async ({ page, server }) => {
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: 'Create the administrator' })).toBeVisible();
  await snap(page, 'auth-first-run');

  // a weak password is refused with the reason
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Full name').fill(ADMIN.name);
  await page.getByLabel('Password', { exact: true }).fill('password1234');
  await page.getByLabel('Password again').fill('password1234');
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page.getByRole('alert')).toContainText(/common|guess/i);

  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByLabel('Password again').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page.getByTestId('signed-in-user')).toContainText(ADMIN.name);
  await expect(page.getByRole('link', { name: 'Users' })).toBeVisible();

  // a reload resumes the session from the httpOnly cookie; the page itself cannot read it
  await page.reload();
  await expect(page.getByTestId('signed-in-user')).toContainText(ADMIN.name);
  expect(await page.evaluate(() => document.cookie)).toBe('');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill('Not my password at all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The username or password is not right.');
  await snap(page, 'auth-sign-in-wrong-password');

  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signed-in-user')).toContainText(ADMIN.name);
  await snap(page, 'auth-signed-in');
});

test('admin adds an assistant; the assistant sets a password, sees no Users, and is sent back to sign-in when the admin signs the device out', async ({
  page: adminPage,
  browser,
  server,
}) => {
  await signedInAs(adminPage, server, 'admin');
  await adminPage.getByRole('link', { name: 'Users' }).click();
  await expect(adminPage.getByRole('heading', { name: 'Users' })).toBeVisible();
  await adminPage.getByLabel('Username').fill('sam.assistant');
  await adminPage.getByLabel('Full name').fill('Sam Assistant');
  await adminPage.getByLabel('Role', { exact: true }).selectOption('assistant');
  await adminPage.getByRole('button', { name: 'Add staff member' }).click();
  const temporary = (await adminPage.getByTestId('temporary-password').textContent())!.trim();
  expect(temporary).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
  await expect(adminPage.locator('tr[data-user="sam.assistant"]')).toContainText('Temporary password');
  await snap(adminPage, 'auth-users');

  // the assistant, in a browser of their own
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url);
  await page.getByLabel('Username').fill('sam.assistant');
  await page.getByLabel('Password').fill(temporary);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Choose your password' })).toBeVisible();
  await page.getByLabel('Current password').fill(temporary);
  await page.getByLabel('New password', { exact: true }).fill(E2E_PASSWORD);
  await page.getByLabel('New password again').fill(E2E_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByTestId('signed-in-user')).toContainText('Sam Assistant');
  await expect(page.getByRole('link', { name: 'My devices' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Users' })).toHaveCount(0);
  // a deep link to Users does not open it either: an assistant lands on the Inbox
  await page.goto(`${server.url}/#/users`);
  await expect(page.getByRole('heading', { name: 'Inbox', level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'My devices' }).click();
  await expect(page.getByRole('table', { name: 'My devices' })).toContainText('This device');
  await snap(page, 'auth-my-devices');

  // the admin signs the assistant's device out
  await adminPage.reload();
  await adminPage.getByRole('link', { name: 'Users' }).click();
  const row = adminPage.locator('tr[data-user="sam.assistant"]');
  await row.getByRole('button', { name: /1 device/ }).click();
  const devices = adminPage.getByRole('table', { name: 'Devices of Sam Assistant' });
  await expect(devices).toBeVisible();
  await snap(adminPage, 'auth-user-devices');
  await devices.getByRole('button', { name: 'Sign out' }).click();
  await expect(adminPage.getByText('Sam Assistant is not signed in anywhere.')).toBeVisible();

  // the assistant's screen returns to sign-in by itself
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('status')).toContainText('signed out');
  await snap(page, 'auth-signed-out-by-admin');
  await context.close();
});

test('five wrong passwords lock the account and the sign-in screen says for how long', async ({ page, server }) => {
  const account = await signedInAs(page, server, 'lawyer');
  await page.getByRole('button', { name: 'Sign out' }).click();
  for (let i = 1; i <= 5; i++) {
    await page.getByLabel('Username').fill(account.username);
    await page.getByLabel('Password').fill(`wrong password number ${i}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
  }
  await expect(page.getByRole('alert')).toContainText('locked for 15 minutes');
  // even the right password is refused while locked
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText(/locked for 1[45] minutes/);
  await snap(page, 'auth-locked');
});

test('a call refused as unauthenticated (no event reached the screen) also returns it to sign-in', async ({ page, server, request }) => {
  // no event stream at all, so only the next call can tell the screen
  await page.route('**/api/events', (route) => route.abort());
  const account = await signedInAs(page, server, 'lawyer');
  // the administrator works from elsewhere (a request context with its own cookies)
  const admin = await request.post(`${server.url}/api/rpc/auth.login`, {
    data: { username: 'admin', password: 'Harbor lantern quartz 73 ample' },
  });
  const adminToken = ((await admin.json()) as { value: { accessToken: string } }).value.accessToken;
  const users = await request.post(`${server.url}/api/rpc/users.list`, {
    data: {},
    headers: { authorization: `Bearer ${adminToken}` },
  });
  const lawyer = ((await users.json()) as { value: { users: { id: string; username: string }[] } }).value.users.find(
    (u) => u.username === account.username,
  )!;
  await request.post(`${server.url}/api/rpc/users.update`, {
    data: { userId: lawyer.id, disabled: true },
    headers: { authorization: `Bearer ${adminToken}` },
  });
  await page.getByRole('link', { name: 'My devices' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('status')).toContainText('session has ended');
});

test.describe('with one-minute access tokens', () => {
  test.use({ serverEnv: { LEXDESK_ACCESS_TOKEN_MINUTES: '1' } });

  test('the screen renews its access token before it expires, without the user noticing', async ({ page, server }) => {
    await signedInAs(page, server, 'assistant');
    const renewed = await page.waitForResponse((r) => r.url().endsWith('/api/rpc/auth.refresh') && r.status() === 200, { timeout: 20_000 });
    expect(await renewed.headerValue('set-cookie')).toContain('HttpOnly');
    await page.getByRole('link', { name: 'My devices' }).click();
    await expect(page.getByRole('table', { name: 'My devices' })).toContainText('This device');
  });
});
