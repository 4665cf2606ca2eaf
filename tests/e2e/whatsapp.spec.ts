import { expect, signedInAs, snap, test } from './fixtures.js';

// a server whose simulated WhatsApp has never been linked: it starts with a QR code
test.use({ serverEnv: { LEXDESK_SIMULATOR_PAIRED: 'false', LEXDESK_WHATSAPP_RECONNECT_MIN_MS: '4000' } });

test('the session screen shows the QR; pairing makes it ready; a drop shows reconnecting, then ready', async ({ page, server }) => {
  await signedInAs(page, server, 'admin');
  await page.getByRole('link', { name: 'WhatsApp', exact: true }).click();

  const state = page.getByTestId('whatsapp-state');
  await expect(state).toHaveAttribute('data-state', 'qr');
  const qr = page.getByTestId('whatsapp-qr');
  await expect(qr).toBeVisible();
  // the code is really drawn: a square with dark modules on it
  const dark = await qr.evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! < 128) n++;
    return { n, total: data.length / 4, square: canvas.width === canvas.height };
  });
  expect(dark.square).toBe(true);
  expect(dark.n / dark.total).toBeGreaterThan(0.2);
  await snap(page, 'whatsapp-qr');

  // in the simulator, clicking the code is the phone scanning it
  await qr.click();
  await expect(state).toHaveAttribute('data-state', 'ready');
  await expect(state).toHaveText('Ready');
  await expect(qr).toHaveCount(0);
  await expect(page.getByTestId('whatsapp-number')).toHaveText('+15550100000');
  await snap(page, 'whatsapp-ready');

  await page.getByRole('button', { name: 'Drop the connection' }).click();
  await expect(state).toHaveText('Reconnecting');
  await expect(page.getByText('Connection lost (simulated drop)')).toBeVisible();
  await snap(page, 'whatsapp-reconnecting');
  await expect(state).toHaveText('Ready', { timeout: 15_000 });
  await expect(page.getByTestId('whatsapp-reconnects')).toHaveText('1');
});

test('in the simulator panel a person writes as a client, and the office receives it', async ({ page, server }) => {
  await signedInAs(page, server, 'admin');
  await page.getByRole('link', { name: 'WhatsApp', exact: true }).click();
  await page.getByRole('button', { name: 'Scan the QR code' }).click();
  await expect(page.getByTestId('whatsapp-state')).toHaveAttribute('data-state', 'ready');

  await page.getByRole('link', { name: 'WhatsApp simulator' }).click();
  await page.getByLabel('Phone (international digits)').fill('55 11 98765-4321');
  await page.getByLabel('Name on WhatsApp (optional)').fill('Ana Souza');
  await page.getByRole('button', { name: 'Add client' }).click();
  await page.getByLabel('Message from Ana Souza').fill('Hello, I need help with a tenancy dispute.');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.locator('[data-direction="in"]')).toHaveText(/tenancy dispute/);
  await expect(page.getByLabel('Message from Ana Souza')).toHaveValue('');

  // a second client at the same time
  await page.getByLabel('Phone (international digits)').fill('4915112345678');
  await page.getByRole('button', { name: 'Add client' }).click();
  await page.getByLabel('Message from 4915112345678').fill('Guten Tag');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.locator('[data-direction="in"]')).toHaveText(/Guten Tag/);
  await page.getByRole('button', { name: /Ana Souza/ }).click();
  await expect(page.locator('[data-direction="in"]')).toHaveText(/tenancy dispute/);
  await snap(page, 'whatsapp-simulator');

  await page.getByRole('link', { name: 'WhatsApp', exact: true }).click();
  await expect(page.getByText(/2 received/)).toBeVisible();
});
