import { mkdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../support/server.js';
import { fillDisk, mountTmpfs } from '../support/tmpfs.js';
import { E2E_ADMIN, expect, signedInAs, snap, test } from './fixtures.js';

/**
 * The served app on a data folder whose disk fills up: a real 40 MB tmpfs, which
 * needs the right to mount (root, or CAP_SYS_ADMIN in a container). Where the
 * machine refuses, the test is skipped and says why; the core's own tests cover
 * the full disk with an injected SQLITE_FULL on any machine.
 */

test('a full disk: every role sees the banner, a change is refused as unavailable, and all comes back once there is room', async ({ page }) => {
  const disk = mountTmpfs('lexdesk-e2e-tmpfs-');
  const mountPoint = disk.dir;
  test.skip(!disk.mounted, `this machine does not allow mounting a tmpfs (${disk.refusal})`);
  const dataDir = join(mountPoint, 'data');
  mkdirSync(dataDir);
  const server = await startServer({ dataDir, keepData: true });
  try {
    await signedInAs(page, server, 'assistant');
    const filler = join(mountPoint, 'filler.bin');
    fillDisk(filler);

    // a change while the disk is full: refused with its code, over HTTP 503
    const refused = await page.request.post(`${server.url}/api/rpc/auth.login`, { data: { username: E2E_ADMIN.username, password: E2E_ADMIN.password } });
    expect(refused.status()).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unavailable');

    // the open screen hears of it by itself (the shell asks for the health every 15 s)
    const banner = page.getByTestId('storage-banner');
    await expect(banner).toContainText('The disk is full: LexDesk cannot save new messages', { timeout: 30_000 });
    await expect(page.getByTestId('shell-health')).toContainText('System degraded');
    await snap(page, 'disk-full-banner');

    unlinkSync(filler);
    await expect(banner).toHaveCount(0, { timeout: 40_000 });
    // (the system stays "degraded" here: 40 MB is below the free-space alert's 2 GB)
    const health = await page.request.get(`${server.url}/api/monitoring/health`);
    const report = (await health.json()) as { checks: { name: string; status: string }[] };
    expect(report.checks.find((check) => check.name === 'storage')?.status).toBe('ok');
  } finally {
    await server.stop();
    disk.remove();
  }
});
