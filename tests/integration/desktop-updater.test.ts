import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { UpdateStatus } from '../../shared/contract/updates.js';
import type { BusyWith } from '../../main/core/activity.js';
import { silentLogger } from '../../main/core/log.js';
import { parseUpdateFeed } from '../../main/core/update-feed.js';
import { CHECK_EVERY_MS, QUIET_POLL_MS, UpdateController, type Timers } from '../../main/electron/updater.js';
import { ADMIN_PASSWORD, fakeAuth, PASSPHRASE, startBackupCore } from '../support/backup.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { nodeDebUpdater, UpdateFolder } from '../support/update-server.js';

/*
 * The update logic in Node: the real electron-updater (its .deb updater, with an
 * installed app's adapter and Node's HTTP) against a local folder serving
 * latest-linux.yml and the package, under our schedule and our gate. Only the
 * last step, running the installer, is replaced: it would replace this process.
 */

/** Timers the test moves by hand: what is scheduled, and when. */
class ManualTimers implements Timers {
  pending: { id: number; fn: () => void; ms: number }[] = [];
  private next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.push({ id, fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((t) => t.id !== handle);
  }
  delays(): number[] {
    return this.pending.map((t) => t.ms);
  }
  /** Runs the timer due after `ms` (the only one there should be). */
  fire(ms: number): void {
    const timer = this.pending.find((t) => t.ms === ms);
    if (!timer) throw new Error(`no timer of ${ms} ms (have ${this.delays().join(', ')})`);
    this.clearTimeout(timer.id);
    timer.fn();
  }
}

const folders: UpdateFolder[] = [];
let core: TestCore | undefined;
afterEach(async () => {
  for (const folder of folders.splice(0)) await folder.stop();
  await core?.dispose();
  core = undefined;
});

async function setup(options: { busy?: () => BusyWith[]; feed?: 'none' } = {}) {
  const folder = new UpdateFolder();
  folders.push(folder);
  const url = await folder.start();
  const { updater, cacheDir, configFile } = nodeDebUpdater('0.1.0');
  const installs: { silent?: boolean; runAfter?: boolean }[] = [];
  // the one step not run: the installer would replace this very process
  updater.quitAndInstall = (silent?: boolean, runAfter?: boolean) => void installs.push({ silent, runAfter });
  const timers = new ManualTimers();
  const changes: UpdateStatus[] = [];
  let lastCheck: string | null = null;
  const stops: number[] = [];
  const controller = new UpdateController({
    updater,
    version: '0.1.0',
    feed: options.feed === 'none' ? null : parseUpdateFeed(url),
    supported: true,
    busy: options.busy ?? (() => []),
    beforeInstall: async () => void stops.push(1),
    onChange: (status) => changes.push(status),
    lastCheck: { get: () => lastCheck, set: (at) => (lastCheck = at) },
    now: () => new Date('2026-12-01T09:00:00Z'),
    timers,
    log: silentLogger,
    firstCheckAfterMs: 1000,
    configFile,
  });
  const until = async (state: UpdateStatus['state']) => {
    for (let i = 0; i < 500 && controller.status().state !== state; i++) await sleep(10);
    expect(controller.status().state).toBe(state);
  };
  return { folder, controller, timers, changes, installs, stops, cacheDir, until };
}

describe('desktop updates', () => {
  it('checks a moment after start, downloads in the background, and offers "Restart to update"', async () => {
    const { controller, timers, folder, cacheDir, until, changes } = await setup();
    controller.start();
    expect(timers.delays()).toEqual([1000]);
    expect(folder.requests).toEqual([]);
    timers.fire(1000);
    await until('ready');
    expect(folder.requests).toEqual(['/updates/latest-linux.yml', `/updates/${folder.fileName}`]);
    expect(existsSync(join(cacheDir, 'pending', folder.fileName))).toBe(true);
    expect(controller.status()).toMatchObject({
      state: 'ready',
      currentVersion: '0.1.0',
      availableVersion: '0.2.0',
      channel: 'latest',
      feed: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/updates\/$/),
      lastCheckAt: '2026-12-01T09:00:00.000Z',
    });
    expect(changes.map((c) => c.state)).toEqual(expect.arrayContaining(['checking', 'downloading', 'ready']));
    // and the next check is six hours on
    await sleep(10);
    expect(timers.delays()).toEqual([CHECK_EVERY_MS]);
  });

  it('checks every 6 hours, and says when it is up to date', async () => {
    const { controller, timers, folder, until } = await setup();
    folder.version = '0.1.0';
    controller.start();
    timers.fire(1000);
    await until('up-to-date');
    await sleep(10);
    expect(controller.status().nextCheckAt).toBe(new Date(Date.parse('2026-12-01T09:00:00Z') + CHECK_EVERY_MS).toISOString());
    folder.version = '0.3.0';
    timers.fire(CHECK_EVERY_MS);
    await until('ready');
    expect(controller.status().availableVersion).toBe('0.3.0');
    expect(folder.requests.filter((r) => r.endsWith('.yml'))).toHaveLength(2);
  });

  it('a download whose sha512 does not match is refused, never offered', async () => {
    const { controller, timers, folder, until } = await setup();
    folder.claimedSha512 = 'A'.repeat(86) + '==';
    controller.start();
    timers.fire(1000);
    await until('error');
    expect(controller.status().message).toMatch(/sha512/i);
    expect(await controller.install()).toMatchObject({ state: 'error' });
  });

  it('never installs during a backup: the install waits, then happens by itself once it is quiet', async () => {
    let busy: BusyWith[] = [{ kind: 'backup', message: 'A backup is running.' }];
    const { controller, timers, installs, stops, until } = await setup({ busy: () => busy });
    controller.start();
    timers.fire(1000);
    await until('ready');
    const waiting = await controller.install();
    expect(waiting).toMatchObject({ state: 'waiting', message: 'The update installs as soon as this is done: A backup is running.' });
    expect(installs).toEqual([]);
    expect(stops).toEqual([]);
    // still busy at the next look (a staff reply now)
    busy = [{ kind: 'reply', message: 'A reply from staff is still being sent.' }];
    timers.fire(QUIET_POLL_MS);
    await sleep(10);
    expect(installs).toEqual([]);
    busy = [];
    timers.fire(QUIET_POLL_MS);
    await until('installing');
    await sleep(10);
    // the core stopped first, then the installer ran, relaunching LexDesk
    expect(stops).toEqual([1]);
    expect(installs).toEqual([{ silent: false, runAfter: true }]);
    expect(timers.delays()).toEqual([]);
  });

  it('with no feed configured nothing is asked of the network', async () => {
    const { controller, timers, folder } = await setup({ feed: 'none' });
    controller.start();
    expect(timers.delays()).toEqual([]);
    expect(await controller.check()).toMatchObject({ state: 'unconfigured', feed: null });
    expect(folder.requests).toEqual([]);
  });

  it('the gate reads the core: a backup running, and staff replies still in the outbox', async () => {
    core = await startTestCore({ face: 'desktop', env: { LEXDESK_WHATSAPP_SEND_PER_MINUTE: '1', LEXDESK_WHATSAPP_SEND_BURST: '1' } });
    const activity = core.services.activity;
    expect(activity.busy()).toEqual([]);
    // a staff reply is queued (the link's pace holds it back)
    const outbox = core.services.whatsapp.outbox;
    outbox.enqueue({ chatId: '5511900000051@c.us', text: 'first', dedupeKey: 'bot:1' });
    outbox.enqueue({ chatId: '5511900000051@c.us', text: 'We will call you at three.', dedupeKey: 'staff:req-1' });
    outbox.enqueue({ chatId: '5511900000052@c.us', text: 'Hello from the office.', dedupeKey: 'staff:req-2' });
    const reply = activity.busy().find((b) => b.kind === 'reply');
    expect(reply?.message).toMatch(/repl(y|ies) from staff/);
    await core.dispose();
    core = undefined;

    core = await startBackupCore({ face: 'desktop' });
    const c = core;
    fakeAuth(c);
    await doorAs(c, 'admin').ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
    const seen: BusyWith[][] = [];
    const off = c.services.events.subscribe((event) => {
      if (event.type === 'backup.progress') seen.push(c.services.activity.busy());
    });
    await doorAs(c, 'admin').ok('backup.create');
    for (let i = 0; i < 500 && c.services.backups.runningJob(); i++) await sleep(10);
    off();
    expect(seen.some((busy) => busy.some((b) => b.kind === 'backup'))).toBe(true);
    expect(c.services.activity.busy()).toEqual([]);
  });

  it('headless has no updater: system.update says unsupported, and installing is refused', async () => {
    core = await startTestCore();
    const admin = doorAs(core, 'admin');
    expect(await admin.ok('system.update')).toMatchObject({ state: 'unsupported', availableVersion: null });
    expect(await admin.call('system.update.install')).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await doorAs(core, 'assistant').call('system.update.install')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
