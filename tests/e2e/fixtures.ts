import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, type Page } from '@playwright/test';
import { REPO_ROOT, startServer, type RunningServer } from '../support/server.js';

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'screens');

/** Saves what the user sees under test-results/screens/<name>.png. */
export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Each test gets its own headless LexDesk on an ephemeral port with an empty data folder. */
export const test = base.extend<{ server: RunningServer }>({
  server: async ({}, use) => {
    const server = await startServer();
    await use(server);
    await server.stop();
  },
});

export { expect } from '@playwright/test';
