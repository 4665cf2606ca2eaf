import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../main/core/config.js';
import { silentLogger } from '../../main/core/log.js';
import { findChromium } from '../../main/core/whatsapp/chromium.js';
import { isAlive, killOrphanedBrowser } from '../../main/core/whatsapp/process-tree.js';
import type { TransportEvent } from '../../main/core/whatsapp/transport.js';
import { WwebjsTransport } from '../../main/core/whatsapp/wwebjs.js';
import { REPO_ROOT, startServer, tempDir } from '../support/server.js';

let chromium: string | null = null;
try {
  chromium = findChromium(process.env.LEXDESK_CHROMIUM_PATH);
} catch {
  chromium = null;
}

/** Processes whose command line mentions `text` (the browser and its helpers name their profile). */
function processesMentioning(text: string): number[] {
  const out = execFileSync('ps', ['-A', '-o', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(text) && !line.includes('ps -A'))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter((pid) => pid !== process.pid);
}

async function until<T>(fn: () => T, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = fn();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** whatever a failed test leaves running goes: the child LexDesk, then browsers on its profile */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn().catch(() => {});
});

// The real library and a real Chromium; WhatsApp Web itself is out of reach here.
// Skipped only where no Chromium is installed (CI installs Debian's): there is no browser to launch.
describe.skipIf(!chromium)('the whatsapp-web.js adapter with a real Chromium', () => {
  it('launches a headless browser on the profile in the data folder, and stop leaves no process behind', async () => {
    const dataDir = tempDir();
    const config = loadConfig({ face: 'headless', env: { LEXDESK_DATA_DIR: dataDir, LEXDESK_CHROMIUM_PATH: chromium! }, envFile: null });
    const transport = new WwebjsTransport(config.whatsapp, silentLogger);
    cleanups.push(() => killOrphanedBrowser(join(dataDir, 'whatsapp'), join(dataDir, 'whatsapp', 'auth', 'session')).then(() => {}));
    const events: TransportEvent[] = [];
    await transport.start({ event: (e) => events.push(e), message: () => {} });
    const profile = join(dataDir, 'whatsapp', 'auth', 'session');
    const browser = await until(() => processesMentioning(profile), (pids) => pids.length > 0);
    expect(events[0]).toEqual({ type: 'starting' });

    await transport.stop();
    await until(() => browser.filter(isAlive), (alive) => alive.length === 0, 10_000);
    expect(processesMentioning(profile)).toEqual([]);
  }, 60_000);

  it('a LexDesk killed outright takes its browser with it (DevTools over a pipe)', async () => {
    const dataDir = tempDir();
    const profile = join(dataDir, 'whatsapp', 'auth', 'session');
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'tests', 'support', 'whatsapp-chromium-child.ts'), dataDir, chromium!], {
      cwd: REPO_ROOT,
      stdio: 'ignore',
    });
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await killOrphanedBrowser(join(dataDir, 'whatsapp'), profile);
    });
    const browser = await until(() => processesMentioning(profile), (pids) => pids.length >= 2);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // no stop(), no clean-up code ran: the browser sees its pipe close and exits, helpers and all
    await until(() => browser.filter(isAlive), (alive) => alive.length === 0, 15_000);
    expect(processesMentioning(profile)).toEqual([]);
  }, 60_000);

  it('kills a browser left on the profile before starting again, found by its command line when the pid file is gone', async () => {
    const dataDir = tempDir();
    const dir = join(dataDir, 'whatsapp');
    const profile = join(dir, 'auth', 'session');
    mkdirSync(profile, { recursive: true });
    // a browser on our profile that nothing of ours launched or noted (an older LexDesk, a crash mid-launch)
    const stray = spawn(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], {
      detached: true,
      stdio: 'ignore',
    });
    stray.unref();
    cleanups.push(async () => {
      await killOrphanedBrowser(dir, profile);
    });
    const orphans = await until(() => processesMentioning(profile), (pids) => pids.length >= 2);
    expect(existsSync(join(dir, 'browser.pid'))).toBe(false);

    const killed = await killOrphanedBrowser(dir, profile);
    expect(killed).toContain(stray.pid);
    await until(() => orphans.filter(isAlive), (alive) => alive.length === 0, 10_000);
    expect(processesMentioning(profile)).toEqual([]);
    expect(existsSync(join(profile, 'SingletonLock'))).toBe(false);
  }, 60_000);

  it('lexdesk serve stopped with SIGTERM while WhatsApp is starting leaves no browser behind', async () => {
    const server = await startServer({ env: { LEXDESK_WHATSAPP: 'whatsapp-web', LEXDESK_CHROMIUM_PATH: chromium! } });
    const profile = join(server.dataDir, 'whatsapp', 'auth', 'session');
    cleanups.push(async () => {
      await server.stop('SIGKILL');
      await killOrphanedBrowser(join(server.dataDir, 'whatsapp'), profile);
    });
    const browser = await until(() => processesMentioning(profile), (pids) => pids.length > 0);
    const code = await server.stop('SIGTERM');
    expect(code).toBe(0);
    await until(() => browser.filter(isAlive), (alive) => alive.length === 0, 10_000);
    expect(processesMentioning(profile)).toEqual([]);
  }, 60_000);
});
