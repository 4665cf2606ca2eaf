import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, tempDir } from '../support/server.js';
import { E2E_ADMIN, expect, signedInAs, snap, test } from './fixtures.js';

/**
 * The served app on a data folder whose disk fills up: a real 40 MB tmpfs, which
 * needs the right to mount (root, or CAP_SYS_ADMIN in a container). Where the
 * machine refuses, the test is skipped and says why; the core's own tests cover
 * the full disk with an injected SQLITE_FULL on any machine.
 */

let refusal = '';
function mountTmpfs(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch (err) {
    refusal = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim();
    return false;
  }
}

function fill(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10, 512]) {
      const chunk = Buffer.alloc(size, 7);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

test('a full disk: every role sees the banner, a change is refused as unavailable, and all comes back once there is room', async ({ page }) => {
  const mountPoint = tempDir('lexdesk-e2e-tmpfs-');
  const mounted = mountTmpfs(mountPoint);
  test.skip(!mounted, `this machine does not allow mounting a tmpfs (${refusal})`);
  const dataDir = join(mountPoint, 'data');
  mkdirSync(dataDir);
  const server = await startServer({ dataDir, keepData: true });
  try {
    await signedInAs(page, server, 'assistant');
    const filler = join(mountPoint, 'filler.bin');
    fill(filler);

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
    execFileSync('umount', ['-l', mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  }
});
