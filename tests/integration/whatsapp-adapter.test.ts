import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../main/core/config.js';
import { silentLogger } from '../../main/core/log.js';
import { isAlive, killOrphanedBrowser } from '../../main/core/whatsapp/process-tree.js';
import { WwebjsTransport } from '../../main/core/whatsapp/wwebjs.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { FakeFactory, fakeChat, type FakeClient, message, spawnBrowserTree } from '../support/fake-wwebjs.js';
import { tempDir } from '../support/server.js';

const FAST = {
  LEXDESK_WHATSAPP: 'whatsapp-web',
  LEXDESK_WHATSAPP_RECONNECT_MIN_MS: '20',
  LEXDESK_WHATSAPP_RECONNECT_MAX_MS: '100',
  LEXDESK_WHATSAPP_WATCHDOG_MS: '50',
  LEXDESK_WHATSAPP_WATCHDOG_TIMEOUT_MS: '150',
  LEXDESK_WHATSAPP_CHAT_SPACING_MS: '0',
};

let core: TestCore | null = null;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await core?.dispose();
  core = null;
  for (const fn of cleanups.splice(0)) fn();
});

async function until<T>(fn: () => T, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = fn();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** the nth Client the adapter made, once it was initialized */
async function started(factory: FakeFactory, n: number, ms = 5000): Promise<FakeClient> {
  return (await until(() => factory.clients[n], (c) => !!c?.initialized, ms))!;
}

async function coreWithFake(factory: FakeFactory) {
  const dataDir = tempDir();
  const config = loadConfig({ face: 'headless', env: { LEXDESK_DATA_DIR: dataDir, ...FAST }, envFile: null });
  const transport = new WwebjsTransport(config.whatsapp, silentLogger, factory, { findBrowser: () => '/usr/bin/chromium' });
  core = await startTestCore({ dataDir, env: FAST, deps: { whatsappTransport: transport, withoutBot: true } });
  return { core, transport, state: () => core!.services.whatsapp.status() };
}

function groupOf(pid: number): number[] {
  const out = execFileSync('ps', ['-A', '-o', 'pid=,pgid='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter(([, pgid]) => pgid === pid)
    .map(([p]) => p!);
}

describe('the whatsapp-web.js adapter against a fake Client', () => {
  it('goes qr → ready → message → disconnected → reconnect, catching up on what came in meanwhile', async () => {
    const factory = new FakeFactory();
    const { core, state } = await coreWithFake(factory);
    const whatsapp = core.services.whatsapp;

    const first = await started(factory, 0);
    // LocalAuth inside the data folder, the pinned WhatsApp Web version, a headless browser
    expect(first.options).toMatchObject({
      authDir: join(core.config.dataDir, 'whatsapp', 'auth'),
      webVersion: core.config.whatsapp.webVersion,
      webVersionCache: { type: 'local', path: join(core.config.dataDir, 'whatsapp', 'web-cache') },
      puppeteer: { executablePath: '/usr/bin/chromium', headless: true },
    });
    expect(state().state).toBe('starting');

    first.emit('qr', '2@QR-PAYLOAD');
    expect(state()).toMatchObject({ state: 'qr', qr: '2@QR-PAYLOAD' });
    first.emit('authenticated');
    expect(state()).toMatchObject({ state: 'authenticated', qr: null });
    first.info = { wid: { user: '15550001111' } };
    first.emit('ready');
    expect(state()).toMatchObject({ state: 'ready', number: '15550001111' });

    const hello = message({ id: 'false_5511987654321@c.us_AAA', from: '5511987654321@c.us', body: 'Hello', notifyName: 'Ana' });
    first.emit('message', hello);
    first.emit('message', hello); // the library sometimes repeats itself
    first.emit('message', message({ id: 'false_123-456@g.us_G1', from: '123-456@g.us', body: 'group chatter' }));
    first.emit('message', message({ id: 'true_5511987654321@c.us_ME', from: '5511987654321@c.us', body: 'mine', fromMe: true }));
    expect(whatsapp.ledger.get(hello.id._serialized)).toMatchObject({
      chatId: '5511987654321@c.us',
      from: '5511987654321',
      pushName: 'Ana',
      text: 'Hello',
    });
    const stored = core.services.store.sqlite.prepare('SELECT wa_id FROM whatsapp_inbound').all();
    expect(stored).toEqual([{ wa_id: hello.id._serialized }]);
    expect(whatsapp.stats()).toMatchObject({ inboundStored: 1, inboundDuplicates: 1 });

    // a client known to WhatsApp only by a privacy id: the number behind it is looked up
    first.lids['98765432101234@lid'] = '4915112345678@c.us';
    first.emit('message', message({ id: 'false_98765432101234@lid_L1', from: '98765432101234@lid', body: 'Hallo' }));
    const viaLid = await until(() => whatsapp.ledger.get('false_98765432101234@lid_L1'), (m) => m !== null);
    expect(viaLid).toMatchObject({ chatId: '98765432101234@lid', from: '4915112345678' });

    whatsapp.outbox.enqueue({ chatId: '5511987654321@c.us', text: 'Welcome' });
    await until(() => first.sent.length, (n) => n === 1);
    expect(first.sent[0]).toMatchObject({ chatId: '5511987654321@c.us', content: 'Welcome' });

    // the link drops; while it is down, the client writes again
    first.emit('disconnected', 'NAVIGATION');
    expect(state().state).toBe('reconnecting');
    const second = await started(factory, 1);
    expect(first.destroyed).toBe(true);
    const whileAway = message({
      id: 'false_5511987654321@c.us_BBB',
      from: '5511987654321@c.us',
      body: 'Are you there?',
      timestamp: hello.timestamp + 5,
    });
    second.chats = [fakeChat('5511987654321@c.us', [hello, whileAway])];
    // the old client is detached: whatever it still emits is ignored
    first.emit('message', message({ id: 'false_5511987654321@c.us_OLD', from: '5511987654321@c.us', body: 'ghost' }));
    second.info = { wid: { user: '15550001111' } };
    second.emit('ready');
    expect(state()).toMatchObject({ state: 'ready', reconnects: 1 });
    await until(() => whatsapp.ledger.get(whileAway.id._serialized), (m) => m !== null);
    expect(whatsapp.ledger.get('false_5511987654321@c.us_OLD')).toBeNull();
    expect(whatsapp.stats().inboundStored).toBe(3);

    // unlinked on the phone: no reconnection
    second.emit('disconnected', 'LOGOUT');
    await until(() => state().state, (s) => s === 'logged_out');
    await new Promise((r) => setTimeout(r, 200));
    expect(factory.clients).toHaveLength(2);
  });

  it('kills the whole browser process tree when the Client hangs, and starts again', async () => {
    const factory = new FakeFactory(() => {
      const tree = spawnBrowserTree('fake-browser');
      cleanups.push(() => {
        try {
          process.kill(-tree.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      });
      return tree;
    });
    const { state } = await coreWithFake(factory);
    const first = await started(factory, 0);
    first.emit('ready');
    const leader = first.pupBrowser!.process()!.pid!;
    const tree = await until(() => groupOf(leader), (pids) => pids.length >= 3);

    first.hung = true;
    await until(() => state().state, (s) => s === 'reconnecting', 3000);
    expect(state().reason).toMatch(/stopped answering/);
    await until(() => tree.filter(isAlive), (alive) => alive.length === 0, 3000);

    const second = await started(factory, 1, 3000);
    second.emit('ready');
    expect(state()).toMatchObject({ state: 'ready', reconnects: 1 });
  });

  it('restarts a Client that keeps reporting a bad state (the listener died silently)', async () => {
    const factory = new FakeFactory();
    const { state } = await coreWithFake(factory);
    const first = await started(factory, 0);
    first.emit('ready');
    first.state = 'TIMEOUT';
    await until(() => factory.clients.length, (n) => n === 2, 3000);
    expect(state().reason).toMatch(/TIMEOUT/);
  });

  it('does not reconnect a banned number, and says why', async () => {
    const factory = new FakeFactory();
    const { state } = await coreWithFake(factory);
    const first = await started(factory, 0);
    first.emit('ready');
    first.emit('disconnected', 'TOS_BLOCK');
    await until(() => state().state, (s) => s === 'failed');
    expect(state().reason).toMatch(/blocked/);
    await new Promise((r) => setTimeout(r, 200));
    expect(factory.clients).toHaveLength(1);
  });

  it('treats a refused saved session as logged out', async () => {
    const factory = new FakeFactory();
    const { state } = await coreWithFake(factory);
    const first = await started(factory, 0);
    first.emit('auth_failure', 'session expired');
    await until(() => state().state, (s) => s === 'logged_out');
    expect(state().reason).toMatch(/Link the number again/);
  });

  it('reports a missing browser clearly and offers no simulator operations', async () => {
    core = await startTestCore({ env: { LEXDESK_WHATSAPP: 'whatsapp-web', LEXDESK_CHROMIUM_PATH: '/nowhere/chrome' } });
    const admin = doorAs(core, 'admin');
    const status = await until(() => core!.services.whatsapp.status(), (s) => s.state === 'failed');
    expect(status.reason).toMatch(/LEXDESK_CHROMIUM_PATH.*\/nowhere\/chrome/);
    const pair = await admin.call('simulator.pair');
    expect(pair).toEqual({ ok: false, error: { code: 'not_found', message: expect.stringContaining('simulator.pair') } });
    const health = await core.services.health.report('x');
    expect(health.checks.find((c) => c.name === 'whatsapp')).toMatchObject({ status: 'down' });
  });
});

describe('orphaned browsers', () => {
  it('kills a browser an earlier run left on the profile, and clears its stale lock', async () => {
    const dir = tempDir();
    const profile = join(dir, 'auth', 'session');
    mkdirSync(profile, { recursive: true });
    const orphan = spawnBrowserTree(`--user-data-dir=${profile}`);
    const bystander = spawnBrowserTree('--user-data-dir=/somewhere/else');
    cleanups.push(() => {
      for (const p of [orphan, bystander]) {
        try {
          process.kill(-p.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      }
    });
    const tree = await until(() => groupOf(orphan.pid!), (pids) => pids.length >= 3);
    symlinkSync(`${hostname()}-${orphan.pid}`, join(profile, 'SingletonLock'));

    expect(await killOrphanedBrowser(dir, profile)).toEqual([orphan.pid]);
    await until(() => tree.filter(isAlive), (alive) => alive.length === 0, 3000);
    expect(existsSync(join(profile, 'SingletonLock'))).toBe(false);
    expect(isAlive(bystander.pid!)).toBe(true);

    // a lock naming a process that is not a browser on this profile is not acted on
    mkdirSync(profile, { recursive: true });
    symlinkSync(`${hostname()}-${bystander.pid}`, join(profile, 'SingletonLock'));
    expect(await killOrphanedBrowser(dir, profile)).toEqual([]);
    expect(isAlive(bystander.pid!)).toBe(true);
  });
});
