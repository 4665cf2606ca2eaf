import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { StoreFaults } from '../../main/core/db/store.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { tempDir } from '../support/server.js';
import { FAST_SENDS, OPEN_ALL_WEEK } from '../support/office.js';

/**
 * A full disk, injected where every write of the store happens: each writing
 * statement and each commit fails with SQLite's own SqliteError SQLITE_FULL
 * ("database or disk is full"), as on a full volume. The real full volume (a
 * small tmpfs) has its own test in faults-disk-full-tmpfs.test.ts.
 */


let dataDir: string;
let core: TestCore;
let faults: StoreFaults;

async function boot(): Promise<void> {
  core = await startTestCore({ dataDir, env: FAST_SENDS, deps: { storage: { faults, probeMs: 25, resumeFreeBytes: 0 } } });
  for (let i = 0; i < 500 && core.services.whatsapp.status().state !== 'ready'; i++) await sleep(10);
  expect(core.services.whatsapp.status().state).toBe('ready');
}

async function until(what: string, condition: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (await condition()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting until ${what}`);
}

const admin = () => doorAs(core, 'admin');

async function inbox(number: string): Promise<string[]> {
  const { messages } = await admin().ok<{ messages: { text: string | null }[] }>('simulator.clientInbox', { from: number });
  return messages.map((m) => m.text ?? '');
}

async function healthOf(name: string) {
  const report = await core.services.health.report('test');
  return report.checks.find((c) => c.name === name);
}

beforeEach(async () => {
  dataDir = tempDir();
  faults = { diskFull: false };
  await boot();
  const s = core.services.bot.settings.get();
  await admin().ok('botSettings.update', { section: 'hours', value: { timeZone: 'Europe/Lisbon', week: OPEN_ALL_WEEK, closedDates: [] } });
  await admin().ok('botSettings.update', { section: 'profile', value: { ...s.profile, name: 'Silva & Partners' } });
});

afterEach(async () => {
  faults.diskFull = false;
  await core.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a full disk', () => {
  test('no crash: reads go on, writes are refused as unavailable, inbound messages wait on WhatsApp, and all resumes by itself', async () => {
    const client = '351910000001';
    await admin().ok('simulator.clientSend', { from: client, name: 'Ana', text: 'Hello' });
    await until('the bot answered', async () => (await inbox(client)).length > 0);
    const answeredBefore = (await inbox(client)).length;
    const storedBefore = core.services.whatsapp.ledger.counts.stored;

    faults.diskFull = true;
    // a client writes while the disk is full: not stored, so not handled (and no crash)
    await admin().ok('simulator.clientSend', { from: client, name: 'Ana', text: 'I need a lawyer for a lease' });
    await sleep(100);
    expect(core.services.whatsapp.ledger.counts.stored).toBe(storedBefore);
    expect(core.services.space.full).toBe(true);

    // the health says so, in the sentence the banner shows
    const storage = await healthOf('storage');
    expect(storage?.status).toBe('degraded');
    expect(storage?.message).toContain('The disk is full: LexDesk cannot save new messages');
    expect((await core.services.health.report('test')).status).toBe('degraded');

    // reads are served
    const outbox = await admin().call('whatsapp.outbox.list', {});
    expect(outbox.ok).toBe(true);
    // writes are refused with a stable code and a sentence
    const refused = await admin().call('botSettings.update', { section: 'profile', value: { ...core.services.bot.settings.get().profile, name: 'Other' } });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('unavailable');
      expect(refused.error.message).toContain('The disk is full');
      expect(refused.error.details).toEqual({ reason: 'disk_full' });
    }

    // the alert fires, though it cannot be stored yet
    await core.services.monitoring.tick();
    const alerts = await admin().ok<{ alerts: { ruleId: string; message: string; id: number }[] }>('monitoring.alerts.list', { state: 'firing' });
    const diskAlert = alerts.alerts.find((a) => a.ruleId === 'disk-full');
    expect(diskAlert?.message).toContain('The disk is full: LexDesk cannot save new messages');

    // room again: the probe sees it, the catch-up fetches what was written meanwhile, and the bot answers it
    faults.diskFull = false;
    await until('the disk is writable again', () => !core.services.space.full);
    await until('the message sent while full was stored', () => core.services.whatsapp.ledger.counts.stored > storedBefore);
    await until('the bot answered it', async () => (await inbox(client)).length > answeredBefore);
    expect((await healthOf('storage'))?.status).toBe('ok');
    await core.services.monitoring.tick();
    const after = await admin().ok<{ alerts: { ruleId: string; state: string }[] }>('monitoring.alerts.list', { state: 'all' });
    expect(after.alerts.filter((a) => a.ruleId === 'disk-full').map((a) => a.state)).toEqual(['resolved']);
    // and writes are taken again
    await admin().ok('botSettings.update', { section: 'profile', value: { ...core.services.bot.settings.get().profile, name: 'Silva & Partners LLP' } });
  });

  test('a consumer whose write fails for lack of space neither sets the message aside nor marks it handled; it resumes on it', async () => {
    const ledger = core.services.whatsapp.ledger;
    const seen: { id: string; attempt: number }[] = [];
    const consumer = ledger.consume(
      'disk-full-probe',
      (message, ctx) => {
        seen.push({ id: message.id, attempt: ctx.attempt });
        ctx.commit(() => undefined);
      },
      { from: 'now', maxAttempts: 2, retryDelayMs: 5 },
    );
    await consumer.drained();
    const start = ledger.progressOf('disk-full-probe');

    // stored, then the disk fills before the consumer commits
    ledger.record({ id: 'WA-FULL-1', chatId: '351910000002@c.us', from: '351910000002@c.us', pushName: 'Rui', timestamp: Date.now(), text: 'hi', media: null });
    faults.diskFull = true;
    await sleep(100);
    expect(ledger.progressOf('disk-full-probe')).toBe(start);
    expect(ledger.waitingForSpace).toContain('disk-full-probe');
    const store = core.services.store;
    expect(store.prepare('SELECT COUNT(*) AS n FROM whatsapp_consumer_failures').get()).toEqual({ n: 0 });

    faults.diskFull = false;
    await until('the consumer committed the message', () => ledger.progressOf('disk-full-probe')! > start!);
    await consumer.drained();
    expect(store.prepare('SELECT COUNT(*) AS n FROM whatsapp_consumer_failures').get()).toEqual({ n: 0 });
    expect(seen.filter((s) => s.id === 'WA-FULL-1').length).toBeGreaterThanOrEqual(2);
    await consumer.stop();
  });

  test('a reply whose send cannot be recorded is checked with WhatsApp once there is room, and is not sent twice', async () => {
    const client = '351910000003';
    const outbox = core.services.whatsapp.outbox;
    // the send is claimed, goes out, and then its "sent" cannot be written
    const simulator = core.services.whatsapp.simulator!;
    const original = simulator.sendText.bind(simulator);
    simulator.sendText = async (chatId, text) => {
      const id = await original(chatId, text);
      faults.diskFull = true;
      return id;
    };
    outbox.enqueue({ chatId: `${client}@c.us`, text: 'Your appointment is at 10:00.' });
    await until('the disk filled during the send', () => core.services.space.full);
    simulator.sendText = original;
    expect(outbox.list({ status: 'open' }).map((r) => r.status)).toEqual(['sending']);

    faults.diskFull = false;
    await until('the outbox emptied', () => outbox.depth() === 0);
    expect(outbox.list().map((r) => r.status)).toEqual(['sent']);
    expect((await inbox(client)).filter((t) => t === 'Your appointment is at 10:00.')).toHaveLength(1);
  });

  test('LexDesk starts while the disk is full, degraded, and carries on once there is room', async () => {
    const client = '351910000004';
    await core.stop();
    faults.diskFull = true;
    await boot();
    expect(core.running).toBe(true);
    expect(core.services.space.full).toBe(true);
    expect((await healthOf('storage'))?.status).toBe('degraded');
    expect((await admin().call('whatsapp.outbox.list', {})).ok).toBe(true);
    await admin().ok('simulator.clientSend', { from: client, name: 'Eva', text: 'Good morning' });

    faults.diskFull = false;
    await until('the disk is writable again', () => !core.services.space.full);
    await until('the bot answered the message sent while full', async () => (await inbox(client)).length > 0);
  });
});
