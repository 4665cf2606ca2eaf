import { afterEach, describe, expect, it } from 'vitest';
import type { WhatsAppStatus } from '../../shared/contract/whatsapp.js';
import type { DoorRecord } from '../../main/core/dispatch.js';
import type { LedgerMessage } from '../../main/core/whatsapp/ledger.js';
import type { InboundMessage } from '../../main/core/whatsapp/transport.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { tempDir } from '../support/server.js';

let cores: TestCore[] = [];
afterEach(async () => {
  for (const core of cores.splice(0)) await core.dispose();
});

async function until<T>(fn: () => T | Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function start(dataDir = tempDir(), env: Record<string, string> = {}) {
  const core = await startTestCore({ dataDir, env: { LEXDESK_WHATSAPP_RECONNECT_MIN_MS: '30', ...env }, deps: { withoutBot: true } });
  cores.push(core);
  await until(() => core.services.whatsapp.status().state, (s) => s === 'ready');
  return core;
}

const inbound = (id: string, text: string, at = Date.now()): InboundMessage => ({
  id,
  chatId: '5511987654321@c.us',
  from: '5511987654321',
  pushName: 'Ana',
  timestamp: at,
  text,
  media: null,
});

describe('the inbound ledger', () => {
  it('stores a message once, however often WhatsApp delivers it', async () => {
    const core = await start();
    const ledger = core.services.whatsapp.ledger;
    expect(ledger.record(inbound('A', 'hello'))).toBe(true);
    expect(ledger.record(inbound('A', 'hello'))).toBe(false);
    expect(ledger.record(inbound('B', 'again'))).toBe(true);
    const rows = core.services.store.sqlite.prepare('SELECT wa_id FROM whatsapp_inbound ORDER BY seq').all();
    expect(rows).toEqual([{ wa_id: 'A' }, { wa_id: 'B' }]);
    expect(ledger.counts).toMatchObject({ stored: 2, duplicates: 1 });
  });

  it('delivers in order, and a consumer resumes after its mark when the app starts again', async () => {
    const dataDir = tempDir();
    const first = await start(dataDir);
    const ledger = first.services.whatsapp.ledger;
    for (let i = 1; i <= 5; i++) ledger.record(inbound(`m${i}`, `text ${i}`));
    const seen: string[] = [];
    const consumer = ledger.consume('bot', (message, { commit }) => {
      commit(() => seen.push(message.id));
      if (seen.length === 3) void consumer.stop();
    });
    await until(() => seen.length, (n) => n === 3);
    await consumer.stop();
    expect(ledger.progressOf('bot')).toBe(3);
    await first.dispose();
    cores = [];

    const second = await start(dataDir);
    const later: string[] = [];
    const again = second.services.whatsapp.ledger.consume('bot', (message) => {
      later.push(message.id);
    });
    await again.drained();
    expect(later).toEqual(['m4', 'm5']);
  });

  it('keeps a commit and the progress mark together: a failed commit leaves neither', async () => {
    const core = await start();
    const { ledger } = core.services.whatsapp;
    const { store } = core.services;
    store.sqlite.exec('CREATE TABLE replies (wa_id TEXT NOT NULL)');
    ledger.record(inbound('X', 'please answer'));
    let calls = 0;
    const consumer = ledger.consume(
      'bot',
      async (message, { commit, attempt }) => {
        calls++;
        await new Promise((r) => setTimeout(r, 1));
        commit(() => {
          store.sqlite.prepare('INSERT INTO replies (wa_id) VALUES (?)').run(message.id);
          core.services.whatsapp.outbox.enqueue({ chatId: message.chatId, text: `re: ${message.text}` });
          if (attempt === 1) throw new Error('disk hiccup');
        });
      },
      { retryDelayMs: 5 },
    );
    await consumer.drained();
    expect(calls).toBe(2);
    expect(store.sqlite.prepare('SELECT COUNT(*) AS n FROM replies').get()).toEqual({ n: 1 });
    expect(core.services.whatsapp.outbox.list()).toHaveLength(1);
    expect(ledger.progressOf('bot')).toBe(1);
  });

  it('sets a message aside after repeated failures and goes on with the next', async () => {
    const core = await start();
    const { ledger } = core.services.whatsapp;
    ledger.record(inbound('poison', 'boom'));
    ledger.record(inbound('fine', 'ok'));
    const handled: string[] = [];
    const consumer = ledger.consume(
      'bot',
      (message: LedgerMessage) => {
        if (message.id === 'poison') throw new Error('cannot parse');
        handled.push(message.id);
      },
      { maxAttempts: 2, retryDelayMs: 5 },
    );
    await consumer.drained();
    expect(handled).toEqual(['fine']);
    expect(core.services.store.sqlite.prepare('SELECT consumer, wa_id, error FROM whatsapp_consumer_failures').all()).toEqual([
      { consumer: 'bot', wa_id: 'poison', error: 'cannot parse' },
    ]);
    expect(ledger.counts.consumerFailures).toBe(1);
  });

  it('lets a new consumer start from now instead of the beginning', async () => {
    const core = await start();
    const { ledger } = core.services.whatsapp;
    ledger.record(inbound('old', 'before'));
    const seen: string[] = [];
    const consumer = ledger.consume('late', (m) => void seen.push(m.id), { from: 'now' });
    await consumer.drained();
    ledger.record(inbound('new', 'after'));
    await until(() => seen.length, (n) => n === 1);
    expect(seen).toEqual(['new']);
  });
});

describe('the simulator link through the door', () => {
  it('drops, shows reconnecting, comes back ready and catches up on what clients sent meanwhile', async () => {
    const core = await start(tempDir(), { LEXDESK_WHATSAPP_RECONNECT_MIN_MS: '150' });
    const admin = doorAs(core, 'admin');
    await admin.ok('simulator.clientSend', { from: '5511987654321', text: 'before the drop' });

    expect(await admin.ok('simulator.drop')).toEqual({ state: 'reconnecting' });
    const sent = await admin.ok<{ id: string; delivered: boolean }>('simulator.clientSend', {
      from: '5511987654321',
      text: 'while you were away',
    });
    expect(sent.delivered).toBe(false);
    expect(core.services.whatsapp.ledger.get(sent.id)).toBeNull();
    // a second drop while down is refused with a clear code
    expect(await admin.call('simulator.drop')).toMatchObject({ ok: false, error: { code: 'conflict' } });

    const back = await until(() => admin.ok<WhatsAppStatus>('whatsapp.status'), (s) => s.state === 'ready');
    expect(back.reconnects).toBe(1);
    await until(() => core.services.whatsapp.ledger.get(sent.id), (m) => m !== null);
    expect(core.services.whatsapp.stats().inboundStored).toBe(2);
  });

  it('lets an admin log out and link again; staff without the right are refused', async () => {
    const core = await start();
    const records: DoorRecord[] = [];
    const admin = doorAs(core, 'admin', { auditor: { record: (entry) => records.push(entry) } });
    expect(await doorAs(core, 'assistant').call('whatsapp.logout')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await doorAs(core, 'lawyer').call('simulator.clientSend', { from: '5511987654321', text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    // the real door, with no one signed in
    expect(await core.dispatcher.dispatch('whatsapp.status', {}, { face: 'headless' })).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });

    const out = await admin.ok<WhatsAppStatus>('whatsapp.logout');
    expect(out.state).toBe('logged_out');
    expect(await admin.call('simulator.pair')).toMatchObject({ ok: false, error: { code: 'conflict' } });
    await admin.ok('whatsapp.restart');
    const qr = await until(() => admin.ok<WhatsAppStatus>('whatsapp.status'), (s) => s.state === 'qr');
    expect(qr.qr).toBeTruthy();
    await admin.ok('simulator.pair');
    expect((await admin.ok<WhatsAppStatus>('whatsapp.status')).state).toBe('ready');
    // who unlinked and relinked the office number is on the record
    expect(records.filter((r) => r.operation === 'whatsapp.logout' || r.operation === 'whatsapp.restart')).toEqual([
      expect.objectContaining({ operation: 'whatsapp.logout', outcome: 'ok', target: { type: 'whatsapp', id: 'session' } }),
      expect.objectContaining({ operation: 'whatsapp.restart', outcome: 'ok', target: { type: 'whatsapp', id: 'session' } }),
    ]);
  });

  it('checks simulator input at the door', async () => {
    const core = await start();
    const admin = doorAs(core, 'admin');
    const bad = await admin.call('simulator.clientSend', { from: '+55 11 98765-4321', text: '' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    if (!bad.ok) {
      const paths = (bad.error.details as { issues: { path: string }[] }).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['from', 'text']));
    }
  });
});
