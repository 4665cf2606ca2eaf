import { existsSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Answering } from '../../shared/contract/answering.js';
import type { ServerEvent } from '../../shared/events.js';
import { attentionCount, conversationMode } from '../../main/core/bot/attention.js';
import { ManualClock } from '../../main/core/clock.js';
import { silentLogger } from '../../main/core/log.js';
import type { WhatsAppSnapshot } from '../../main/core/monitoring/sources.js';
import { FrontDesk } from '../../main/electron/background.js';
import { DeskNotifier } from '../../main/electron/notifier.js';
import { watchPower } from '../../main/electron/power.js';
import { Preferences } from '../../main/electron/preferences.js';
import { WindowSessions } from '../../main/electron/sessions.js';
import { FrontDeskMenu } from '../../main/electron/tray.js';
import { createUser } from '../support/auth.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { FakeApp, FakeEvent, FakeNotification, FakePowerMonitor, FakeTray, FakeWindow } from '../support/electron-fakes.js';
import { FakeProbe } from '../support/monitoring.js';
import { tempDir } from '../support/server.js';

/*
 * The desktop face's wiring around a real core (WhatsApp simulator, the bot, the
 * door), with Electron's parts replaced by the fakes of tests/support/electron-fakes.ts.
 */

const FAST = {
  LEXDESK_WHATSAPP_SEND_PER_MINUTE: '60000',
  LEXDESK_WHATSAPP_SEND_BURST: '100',
  LEXDESK_WHATSAPP_CHAT_SPACING_MS: '0',
};
const WINDOW = 7;

let core: TestCore | undefined;
afterEach(async () => {
  await core?.dispose();
  core = undefined;
});

async function ready(c: TestCore): Promise<void> {
  for (let i = 0; i < 500 && c.services.whatsapp.status().state !== 'ready'; i++) await sleep(10);
  expect(c.services.whatsapp.status().state).toBe('ready');
}

/** What a simulated client has received from the office. */
async function received(c: TestCore, number: string): Promise<string[]> {
  const admin = doorAs(c, 'admin');
  const { messages } = await admin.ok<{ messages: { text: string | null }[] }>('simulator.clientInbox', { from: number });
  return messages.map((m) => m.text ?? '');
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Signs a staff member in in the window, as the screens would: the tokens stay in WindowSessions. */
async function signInWindow(c: TestCore, sessions: WindowSessions, role: 'admin' | 'assistant') {
  const user = await createUser(c, { role });
  const raw = await c.dispatcher.dispatch('auth.login', { username: user.username, password: user.password }, sessions.callContextFor(WINDOW));
  const answer = sessions.afterCall(WINDOW, 'auth.login', raw);
  expect(answer.ok).toBe(true);
  return user;
}

function trayFor(c: TestCore, sessions: WindowSessions) {
  const tray = new FakeTray();
  const told: string[] = [];
  const menu = new FrontDeskMenu({
    tray,
    dock: null,
    buildMenu: (template) => template,
    open: () => undefined,
    quit: () => undefined,
    call: (operation, input) => sessions.dispatchAs(WINDOW, operation, input),
    mayPause: () => sessions.viewerOf(WINDOW)?.role === 'admin',
    startAtLogin: { get: () => true, set: () => undefined },
    tell: (message) => told.push(message),
    initial: { link: c.services.whatsapp.status().state, answering: c.services.bot.answering },
  });
  c.services.events.subscribe((event) => menu.onEvent(event));
  return { tray, menu, told };
}

describe('the tray menu over the real door', () => {
  it('shows the WhatsApp state in words and follows it', async () => {
    core = await startTestCore({ face: 'desktop', env: FAST });
    await ready(core);
    const sessions = new WindowSessions(core.dispatcher);
    const { tray } = trayFor(core, sessions);
    expect(tray.item('whatsapp').label).toBe('WhatsApp: connected');
    expect(tray.toolTip).toBe('LexDesk: WhatsApp connected; the bot is answering');
    await doorAs(core, 'admin').ok('simulator.drop');
    expect(tray.item('whatsapp').label).toMatch(/^WhatsApp: (reconnecting…|connecting…)$/);
    await ready(core);
    expect(tray.item('whatsapp').label).toBe('WhatsApp: connected');
  });

  it('Pause the bot, as the admin signed in: messages are kept, not answered, and answered on Resume', async () => {
    core = await startTestCore({ face: 'desktop', env: FAST });
    await ready(core);
    const sessions = new WindowSessions(core.dispatcher);
    const admin = await signInWindow(core, sessions, 'admin');
    const { tray, menu } = trayFor(core, sessions);
    menu.refresh();
    expect(tray.item('pause')).toMatchObject({ label: 'Pause the bot', enabled: true });

    tray.click('pause');
    await until('the bot to pause', () => core!.services.bot.answering.paused);
    await until('the menu to follow', () => tray.item('pause').label === 'Resume the bot');
    expect(tray.item('bot').label).toBe(`The bot is paused (by ${admin.displayName})`);

    const door = doorAs(core, 'admin');
    await door.ok('simulator.clientSend', { from: '5511900000001', name: 'Ana', text: 'hello' });
    await until('the message to be stored', () => core!.services.whatsapp.ledger.counts.stored === 1);
    await sleep(200);
    expect(await received(core, '5511900000001')).toEqual([]);

    tray.click('pause');
    await until('the bot to answer what came while it was paused', async () => (await received(core!, '5511900000001')).length > 0);
    expect(core.services.bot.answering.paused).toBe(false);

    // both went through the door, in the audit trail under the admin's name
    const rows = core.services.store
      .prepare("SELECT action, actor_name FROM audit_log WHERE action IN ('bot.pause', 'bot.resume') ORDER BY rowid")
      .all();
    expect(rows).toEqual([
      { action: 'bot.pause', actor_name: admin.username },
      { action: 'bot.resume', actor_name: admin.username },
    ]);
  });

  it('a pause outlives a restart; an assistant may not pause, and the tray says who can', async () => {
    const dataDir = tempDir();
    core = await startTestCore({ face: 'desktop', env: FAST, dataDir });
    await doorAs(core, 'admin').ok('bot.pause');
    await core.dispose();
    core = await startTestCore({ face: 'desktop', env: FAST, dataDir });
    expect(core.services.bot.answering).toMatchObject<Partial<Answering>>({ paused: true, by: 'Test admin' });
    expect(await doorAs(core, 'assistant').call('bot.resume')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await doorAs(core, 'assistant').ok('bot.answering')).toMatchObject({ paused: true });

    const sessions = new WindowSessions(core.dispatcher);
    await signInWindow(core, sessions, 'assistant');
    const { tray } = trayFor(core, sessions);
    expect(tray.item('pause')).toMatchObject({ label: 'Resume the bot', enabled: false, sublabel: 'an administrator signed in to LexDesk can' });
    await core.dispose();
    core = undefined;
    const { rmSync } = await import('node:fs');
    rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('closing the window at lunch', () => {
  it('the window hides, the bot answers every client meanwhile, and a hand-off is a notification that opens the conversation', async () => {
    core = await startTestCore({ face: 'desktop', env: FAST });
    await ready(core);
    const c = core;
    const app = new FakeApp();
    const win = new FakeWindow();
    const desk = new FrontDesk({
      app,
      window: () => win,
      createWindow: () => win,
      core: c,
      preferences: Preferences.load(tempDir(), silentLogger),
      signedInUser: () => null,
      confirmQuit: async () => ({ quit: true, dontAskAgain: false }),
      notify: () => undefined,
      log: silentLogger,
    });
    desk.install();
    desk.manage(win);
    const sessions = new WindowSessions(c.dispatcher);
    await signInWindow(c, sessions, 'assistant');
    FakeNotification.shown = [];
    const opened: number[] = [];
    const notifier = new DeskNotifier({
      isSupported: () => true,
      create: (options) => new FakeNotification(options),
      viewer: () => sessions.viewerOf(WINDOW),
      log: silentLogger,
      modeOf: (id) => conversationMode(c.services.store, id),
      openConversation: (id) => opened.push(id),
    });
    c.services.events.subscribe((event: ServerEvent) => notifier.onEvent(event));

    expect(win.userCloses().defaultPrevented).toBe(true);
    expect(win.visible).toBe(false);

    const door = doorAs(c, 'admin');
    const clients = ['5511900000011', '5511900000012', '5511900000013'];
    for (const number of clients) await door.ok('simulator.clientSend', { from: number, name: 'Client', text: 'good afternoon' });
    for (const number of clients) await until(`an answer to ${number}`, async () => (await received(c, number)).length > 0);

    // one of them asks for a person: staff hear of it, and the badge counts it
    await door.ok('simulator.clientSend', { from: clients[0]!, name: 'Client', text: '3' });
    await until('the hand-off notification', () => FakeNotification.shown.length === 1);
    expect(attentionCount(c.services.store)).toMatchObject({ waiting: 1, total: 1 });
    FakeNotification.shown[0]!.userClicks();
    expect(opened).toHaveLength(1);
    expect(conversationMode(c.services.store, opened[0]!)).toBe('waiting');
  });

  it('Quit stops the core before the app exits: the database is closed and its WAL checkpointed', async () => {
    core = await startTestCore({ face: 'desktop', env: FAST });
    await ready(core);
    const c = core;
    const app = new FakeApp();
    const desk = new FrontDesk({
      app,
      window: () => null,
      createWindow: () => new FakeWindow(),
      core: c,
      preferences: Preferences.load(tempDir(), silentLogger),
      signedInUser: () => null,
      confirmQuit: async () => ({ quit: true, dontAskAgain: false }),
      notify: () => undefined,
      log: silentLogger,
    });
    desk.install();
    await doorAs(c, 'admin').ok('simulator.clientSend', { from: '5511900000021', name: 'Client', text: 'hi' });
    await until('an answer', async () => (await received(c, '5511900000021')).length > 0);
    expect(app.userQuits().defaultPrevented).toBe(true);
    await until('the core to stop', () => !c.running);
    await until('the app to quit', () => app.quits === 1);
    const wal = `${c.config.databaseFile}-wal`;
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
  });
});

describe('sleep and wake', () => {
  it('on resume the link is asked at once, reconnected, and what clients sent during the sleep is answered', async () => {
    core = await startTestCore({
      face: 'desktop',
      env: { ...FAST, LEXDESK_WHATSAPP_WATCHDOG_TIMEOUT_MS: '300', LEXDESK_WHATSAPP_WATCHDOG_MS: '600000' },
    });
    await ready(core);
    const c = core;
    const door = doorAs(c, 'admin');
    await door.ok('simulator.clientSend', { from: '5511900000041', name: 'Client', text: 'good morning' });
    await until('a first answer', async () => (await received(c, '5511900000041')).length > 0);
    const powerMonitor = new FakePowerMonitor();
    const shutdowns: number[] = [];
    watchPower({ powerMonitor, power: c.services.power, shutdown: async () => void shutdowns.push(1), log: silentLogger });

    powerMonitor.emit('suspend');
    expect(c.services.power.asleep).toBe(true);
    // asleep, the connection died without a word: the transport no longer answers
    const transport = c.services.whatsapp.transport;
    const probe = transport.probe.bind(transport);
    transport.probe = () => new Promise(() => undefined);
    // and a client wrote meanwhile: WhatsApp keeps it; the catch-up after the reconnect brings it in
    const simulator = c.services.whatsapp.simulator!;
    simulator.network.clientSend('5511900000042', 'Client', 'hello, anyone?');
    const reconnectsBefore = c.services.whatsapp.status().reconnects;

    powerMonitor.emit('resume');
    await until('the link to be started again', () => c.services.whatsapp.status().reconnects > reconnectsBefore);
    transport.probe = probe;
    await ready(c);
    expect(c.services.power.asleep).toBe(false);
    await until('the client who wrote during the sleep to be answered', async () => (await received(c, '5511900000042')).length > 0);
    const rows = c.services.store.prepare("SELECT action FROM audit_log WHERE action LIKE 'system.%ed' AND action != 'system.started' ORDER BY rowid").all();
    expect(rows).toEqual([{ action: 'system.suspended' }, { action: 'system.resumed' }]);

    // the OS shutting down: its event is held back (preventDefault) while LexDesk stops
    const event = new FakeEvent();
    powerMonitor.emit('shutdown', event);
    expect(event.defaultPrevented).toBe(true);
    expect(shutdowns).toEqual([1]);
  });

  it('a reconnection waiting out its back-off runs at once on resume', async () => {
    core = await startTestCore({ face: 'desktop', env: { ...FAST, LEXDESK_WHATSAPP_RECONNECT_MIN_MS: '600000', LEXDESK_WHATSAPP_RECONNECT_MAX_MS: '600000' } });
    await ready(core);
    const c = core;
    await doorAs(c, 'admin').ok('simulator.clientSend', { from: '5511900000030', name: 'Client', text: 'hello' });
    await until('a first answer', async () => (await received(c, '5511900000030')).length > 0);
    await doorAs(c, 'admin').ok('simulator.drop');
    await until('the link to wait for its retry', () => c.services.whatsapp.status().retryAt !== null);
    // a client writes while the link is down
    await doorAs(c, 'admin').ok('simulator.clientSend', { from: '5511900000031', name: 'Client', text: 'are you there?' });
    await c.services.power.changed('suspend');
    await c.services.power.changed('resume');
    await ready(c);
    await until('the catch-up to answer', async () => (await received(c, '5511900000031')).length > 0);
  });

  it('monitoring does not count the sleep as an outage: durations start again at the wake', async () => {
    const clock = new ManualClock('2026-03-02T12:00:00Z');
    core = await startTestCore({ face: 'desktop', env: FAST, deps: { clock, monitoring: { probe: new FakeProbe(), schedule: false } } });
    const c = core;
    const monitoring = c.services.monitoring;
    const down: WhatsAppSnapshot = {
      enabled: true,
      state: 'reconnecting',
      ready: false,
      received: 0,
      sent: 0,
      failed: 0,
      reconnects: 1,
      outboxDepth: 0,
      outboxFailed: 0,
      browserPid: null,
    };
    monitoring.registerSource('whatsapp', () => down);
    const tick = async (ms: number) => {
      clock.advance(ms);
      await monitoring.tick();
    };
    await tick(15_000); // not ready: pending from here
    await c.services.power.changed('suspend');
    clock.advance(2 * 3_600_000); // two hours asleep
    await c.services.power.changed('resume');
    await tick(15_000);
    expect(monitoring.alerts.list('all', 10)).toEqual([]);
    // still down five minutes after the wake: that is an outage
    for (let i = 0; i < 20; i++) await tick(15_000);
    expect(monitoring.alerts.list('firing', 10).map((a) => a.ruleId)).toEqual(['whatsapp-not-ready']);
  });
});
