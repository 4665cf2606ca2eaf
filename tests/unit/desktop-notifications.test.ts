import { beforeEach, describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../shared/events.js';
import type { Role } from '../../shared/permissions.js';
import type { Principal } from '../../main/core/dispatch.js';
import { silentLogger } from '../../main/core/log.js';
import { AttentionBadge } from '../../main/electron/badge.js';
import {
  createDesktopNotifier,
  DESK_NOTICE,
  DeskNotifier,
  deskEventOf,
  LinkLossNotifier,
  type NotificationDeps,
} from '../../main/electron/notifier.js';
import { FakeApp, FakeNotification, FakeWindow } from '../support/electron-fakes.js';

const at = '2026-03-02T10:00:00.000Z';
const person = (role: Role, extra: Partial<Principal> = {}): Principal => ({
  userId: `u-${role}`,
  username: role,
  displayName: role,
  role,
  sessionId: `s-${role}`,
  ...extra,
});
const inboxChanged = (conversationId: number, reason: 'message' | 'waiting' | 'staff' | 'intake' | 'delivery'): ServerEvent => ({
  type: 'inbox.changed',
  at,
  data: { conversationId, reason },
});
const handedOff = (conversationId: number): ServerEvent => ({
  type: 'inbox.handedOff',
  at,
  data: { conversationId, displayName: 'Ana Souza', reason: 'asked', preview: 'my divorce' },
});
const wroteAgain = (conversationId: number): ServerEvent => ({
  type: 'inbox.waiting',
  at,
  data: { conversationId, displayName: 'Ana Souza', waitingSince: at, preview: 'hello?', assignedToId: null },
});

let viewer: Principal | null;
let now: number;
const deps = (): NotificationDeps => ({
  isSupported: () => true,
  create: (options) => new FakeNotification(options),
  viewer: () => viewer,
  log: silentLogger,
});

beforeEach(() => {
  FakeNotification.shown = [];
  viewer = person('assistant');
  now = 0;
});

describe('notifications for the front desk', () => {
  function notifier(modes: Record<number, 'bot' | 'waiting' | 'staff'> = {}) {
    const opened: number[] = [];
    const desk = new DeskNotifier({
      ...deps(),
      modeOf: (id) => modes[id] ?? null,
      openConversation: (id) => opened.push(id),
      now: () => now,
    });
    return { desk, opened };
  }

  it('a hand-off becomes a notification without the client’s name or words; clicking opens that conversation', () => {
    const { desk, opened } = notifier();
    desk.onEvent(handedOff(42));
    expect(FakeNotification.shown).toHaveLength(1);
    const [shown] = FakeNotification.shown;
    expect(shown!.options).toMatchObject({ title: DESK_NOTICE.handedOff.title, body: DESK_NOTICE.handedOff.body });
    shown!.userClicks();
    expect(opened).toEqual([42]);
  });

  it('a waiting client writing again is told; other changes to the inbox are not', () => {
    const { desk } = notifier({ 7: 'waiting', 8: 'bot', 9: 'staff' });
    desk.onEvent(inboxChanged(8, 'message'));
    desk.onEvent(inboxChanged(9, 'waiting'));
    desk.onEvent(inboxChanged(7, 'delivery'));
    expect(FakeNotification.shown).toEqual([]);
    desk.onEvent(wroteAgain(7));
    expect(FakeNotification.shown.map((n) => n.options.title)).toEqual([DESK_NOTICE.waiting.title]);
  });

  it('the same conversation is not announced again for five minutes', () => {
    const { desk } = notifier({ 7: 'waiting' });
    desk.onEvent(handedOff(7));
    now += 60_000;
    desk.onEvent(wroteAgain(7));
    expect(FakeNotification.shown).toHaveLength(1);
    now += 5 * 60_000;
    desk.onEvent(wroteAgain(7));
    expect(FakeNotification.shown).toHaveLength(2);
  });

  it('nothing is shown when nobody is signed in, or to someone who may not read conversations', () => {
    const { desk } = notifier();
    viewer = null;
    desk.onEvent(handedOff(1));
    viewer = person('lawyer', { allowedOperations: ['auth.changePassword'] });
    desk.onEvent(handedOff(2));
    expect(FakeNotification.shown).toEqual([]);
  });

  it('the team inbox’s inbox.handedOff and inbox.waiting map onto the two notices', () => {
    expect(deskEventOf(handedOff(5), () => null)).toEqual({ type: 'handedOff', conversationId: 5 });
    expect(deskEventOf(wroteAgain(6), () => null)).toEqual({ type: 'waiting', conversationId: 6 });
    expect(deskEventOf({ type: 'matters.changed', at, data: { matterId: 1 } }, () => 'waiting')).toBeNull();
  });
});

describe('alerts and a lost WhatsApp link, as notifications', () => {
  it('alerts reach those who read monitoring; critical ones are urgent and make a sound', () => {
    const clicks: number[] = [];
    const alerts = createDesktopNotifier({ ...deps(), onClick: () => clicks.push(1) });
    viewer = person('assistant');
    void alerts.notify({ title: 'Backup failed', body: 'The last backup failed.', severity: 'critical' });
    expect(FakeNotification.shown).toEqual([]);
    viewer = person('admin');
    void alerts.notify({ title: 'Backup failed', body: 'The last backup failed.', severity: 'critical' });
    void alerts.notify({ title: 'High CPU use', body: 'CPU 97%.', severity: 'warning' });
    expect(FakeNotification.shown.map((n) => n.options)).toEqual([
      { title: 'LexDesk: Backup failed', body: 'The last backup failed.', urgency: 'critical', silent: false },
      { title: 'LexDesk: High CPU use', body: 'CPU 97%.', urgency: 'normal', silent: true },
    ]);
    FakeNotification.shown[0]!.userClicks();
    expect(clicks).toEqual([1]);
  });

  it('WhatsApp logged out is told once to those who may link the number again', () => {
    const clicks: number[] = [];
    const loss = new LinkLossNotifier({ ...deps(), onClick: () => clicks.push(1) });
    const state = (s: 'ready' | 'logged_out'): ServerEvent => ({
      type: 'whatsapp.state',
      at,
      data: { state: s, since: at, number: null, reason: null, reconnects: 0, retryAt: null },
    });
    viewer = person('admin');
    loss.onEvent(state('ready'));
    loss.onEvent(state('logged_out'));
    loss.onEvent(state('logged_out'));
    expect(FakeNotification.shown).toHaveLength(1);
    expect(FakeNotification.shown[0]!.options).toMatchObject({ title: 'LexDesk: WhatsApp was logged out', urgency: 'critical' });
    viewer = person('assistant');
    loss.onEvent(state('ready'));
    loss.onEvent(state('logged_out'));
    expect(FakeNotification.shown).toHaveLength(1);
  });
});

describe('the count on the dock or taskbar', () => {
  function badge(platform: NodeJS.Platform, count = () => 3) {
    const app = new FakeApp();
    const win = new FakeWindow();
    const b = new AttentionBadge<string>({ platform, app, window: () => win, overlay: () => 'red-dot', count, viewer: () => viewer, log: silentLogger, debounceMs: 1 });
    return { app, win, b };
  }

  it('macOS and Linux: app.setBadgeCount with the conversations waiting for staff', () => {
    const { app, b } = badge('darwin');
    expect(b.update()).toBe(3);
    expect(app.badge).toBe(3);
    viewer = null; // signed out: nothing to show
    b.update();
    expect(app.badge).toBe(0);
  });

  it('Windows: an overlay icon on the taskbar button, removed at zero', () => {
    let waiting = 2;
    const { app, win, b } = badge('win32', () => waiting);
    b.update();
    expect(win.overlay).toEqual({ image: 'red-dot', description: '2 waiting for staff' });
    waiting = 0;
    b.update();
    expect(win.overlay).toBeNull();
    expect(app.badge).toBeUndefined();
  });

  it('follows inbox changes, a burst at a time', async () => {
    let waiting = 0;
    const { app, b } = badge('linux', () => waiting);
    b.update();
    waiting = 4;
    for (let i = 0; i < 5; i++) b.onEvent(inboxChanged(i, 'waiting'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(app.badge).toBe(4);
    b.dispose();
  });
});
