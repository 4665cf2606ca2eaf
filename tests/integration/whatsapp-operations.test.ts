import { afterEach, describe, expect, it } from 'vitest';
import type { WhatsAppStatus } from '../../shared/contract/whatsapp.js';
import { EVENT_ACCESS, type ServerEvent } from '../../shared/events.js';
import { systemClock } from '../../main/core/clock.js';
import { silentLogger } from '../../main/core/log.js';
import { LINK_STATES, Supervisor } from '../../main/core/whatsapp/supervisor.js';
import type { Transport } from '../../main/core/whatsapp/transport.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';

let core: TestCore | null = null;
afterEach(async () => {
  await core?.dispose();
  core = null;
});

async function until<T>(fn: () => T | Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the WhatsApp operations through the door', () => {
  it('shows the QR to an admin, pairs, and a client message is stored and answered', async () => {
    core = await startTestCore({ env: { LEXDESK_SIMULATOR_PAIRED: 'false', LEXDESK_WHATSAPP_CHAT_SPACING_MS: '0' } });
    const admin = doorAs(core, 'admin');
    const status = await until(
      () => admin.ok<WhatsAppStatus>('whatsapp.status'),
      (s) => s.state === 'qr',
    );
    expect(status.qr).toMatch(/^lexdesk-simulator:/);
    expect(status.transport).toBe('simulator');

    // an assistant may see the state but never the QR
    const assistant = await doorAs(core, 'assistant').ok<WhatsAppStatus>('whatsapp.status');
    expect(assistant.state).toBe('qr');
    expect(assistant.qr).toBeNull();

    expect(await admin.ok('simulator.pair')).toEqual({ state: 'ready' });
    const sent = await admin.ok<{ id: string; delivered: boolean }>('simulator.clientSend', {
      from: '5511987654321',
      name: 'Ana',
      text: 'Hello',
    });
    expect(sent.delivered).toBe(true);
    expect(core.services.whatsapp.ledger.get(sent.id)).toMatchObject({ from: '5511987654321', pushName: 'Ana', text: 'Hello' });

    core.services.whatsapp.outbox.enqueue({ chatId: '5511987654321@c.us', text: 'Welcome to the office' });
    const inbox = await until(
      () => admin.ok<{ messages: { text: string | null }[] }>('simulator.clientInbox', { from: '5511987654321' }),
      (v) => v.messages.length === 1,
    );
    expect(inbox.messages[0]!.text).toBe('Welcome to the office');
  });
});

describe('what the WhatsApp link tells the rest of LexDesk', () => {
  it('pushes state changes and the QR as events, and keeps a stats snapshot for monitoring', async () => {
    // no monitoring collector here: it reads stats() too, and the outbox counts are cached for a second
    core = await startTestCore({ env: { LEXDESK_SIMULATOR_PAIRED: 'false' }, deps: { monitoring: { schedule: false } } });
    const seen: ServerEvent[] = [];
    core.services.events.subscribe((event) => seen.push(event));
    const whatsapp = core.services.whatsapp;
    await until(() => whatsapp.status().state, (s) => s === 'qr');
    whatsapp.simulator!.pair();
    await whatsapp.restart();
    await until(() => whatsapp.status().state, (s) => s === 'ready');

    const states = seen.filter((e) => e.type === 'whatsapp.state').map((e) => (e.data as { state: string }).state);
    expect(states).toEqual(expect.arrayContaining(['starting', 'qr', 'authenticated', 'ready']));
    expect(states.at(-1)).toBe('ready');
    const qrs = seen.filter((e) => e.type === 'whatsapp.qr').map((e) => (e.data as { qr: string | null }).qr);
    expect(qrs.some((qr) => qr?.startsWith('lexdesk-simulator:'))).toBe(true);
    expect(qrs.at(-1)).toBeNull();
    // the QR goes only to those who may link the number
    expect(EVENT_ACCESS['whatsapp.qr']).toBe('whatsapp.manage');
    expect(EVENT_ACCESS['whatsapp.state']).toBe('whatsapp.read');

    whatsapp.simulator!.clientSend('5511987654321', null, 'hi');
    whatsapp.outbox.enqueue({ chatId: '5511987654321@c.us', text: 'one' });
    whatsapp.outbox.enqueue({ chatId: '5511987654321@c.us', text: 'two' });
    const stats = whatsapp.stats();
    expect(stats).toMatchObject({
      transport: 'simulator',
      state: 'ready',
      up: 1,
      stateCode: LINK_STATES.indexOf('ready'),
      inboundStored: 1,
      queueDepth: 2,
      failedInOutbox: 0,
      enabled: true,
      browserPid: null,
    });
    expect(stats.lastInboundAt).toEqual(expect.any(Number));
  });
});

describe('reconnection back-off', () => {
  it('doubles from the minimum up to the maximum, jittered to 50–100 %', () => {
    const make = (random: number) =>
      new Supervisor({
        transport: {} as Transport,
        clock: systemClock,
        log: silentLogger,
        reconnect: { minMs: 1000, maxMs: 60_000 },
        watchdog: { intervalMs: 1000, timeoutMs: 1000 },
        random: () => random,
        onState() {},
        onMessage() {},
        onReady() {},
      });
    const high = make(1);
    const low = make(0);
    expect([0, 1, 2, 3, 6, 7, 40].map((n) => high.backoff(n))).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000, 60_000]);
    expect([0, 1, 2, 6].map((n) => low.backoff(n))).toEqual([500, 1000, 2000, 30_000]);
  });
});
