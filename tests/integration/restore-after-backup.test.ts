import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupItem } from '../../shared/contract/backup.js';
import { nextReference } from '../../main/core/bot/records.js';
import type { TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { ADMIN_PASSWORD, fakeAuth, PASSPHRASE, startBackupCore } from '../support/backup.js';
import { FAST_SENDS, OPEN_ALL_WEEK } from '../support/office.js';

/**
 * What a restore does to what happened after the backup (the rule in
 * main/core/backup/after-restore.ts), through the WhatsApp simulator: clients'
 * messages received since are handled once, the replies already on their phones are
 * not sent again, and matter references never go backwards.
 */


const cores: TestCore[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.dispose().catch(() => undefined);
});

async function office(): Promise<TestCore> {
  const c = await startBackupCore({ env: FAST_SENDS });
  cores.push(c);
  for (let i = 0; i < 500 && c.services.whatsapp.status().state !== 'ready'; i++) await sleep(10);
  fakeAuth(c);
  const admin = doorAs(c, 'admin');
  await admin.ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
  await admin.ok('botSettings.update', { section: 'hours', value: { timeZone: 'Europe/Lisbon', week: OPEN_ALL_WEEK, closedDates: [] } });
  return c;
}

async function settled(c: TestCore): Promise<void> {
  for (let i = 0; i < 600; i++) {
    await c.services.bot.drained();
    if (c.services.whatsapp.outbox.depth() === 0 && !(await hasBacklog(c))) return;
    await sleep(10);
  }
  throw new Error('the bot and the outbox did not settle');
}

async function hasBacklog(c: TestCore): Promise<boolean> {
  const progress = c.services.whatsapp.ledger.progressOf('bot') ?? 0;
  const newest = (c.services.store.sqlite.prepare('SELECT max(seq) AS seq FROM whatsapp_inbound').get() as { seq: number | null }).seq ?? 0;
  return progress < newest;
}

/** A client's phone: what it sends, and everything the office sent to it (as the simulated phone shows it). */
function phone(c: TestCore, number: string) {
  const simulator = c.services.whatsapp.simulator!;
  const admin = doorAs(c, 'admin');
  return {
    send: (text: string) => simulator.clientSend(number, 'Client', text),
    received: async () =>
      (await admin.ok<{ messages: { text: string | null; fileName: string | null }[] }>('simulator.clientInbox', { from: number })).messages.map(
        (m) => m.text ?? m.fileName,
      ),
  };
}

describe('after a restore, what came after the backup', () => {
  it('handles once the messages clients sent after the backup, and does not send the replies already sent again', async () => {
    const c = await office();
    const admin = doorAs(c, 'admin');
    const ana = phone(c, '351911000001');
    ana.send('Hello');
    await settled(c);
    const backup = await admin.ok<BackupItem>('backup.create');

    // after the backup: a new client writes, and Ana answers the menu
    const bruno = phone(c, '351911000002');
    bruno.send('Good morning');
    await sleep(5);
    ana.send('3');
    await settled(c);
    const brunoBefore = await bruno.received();
    const anaBefore = await ana.received();
    expect(brunoBefore.length).toBeGreaterThan(0);

    await admin.ok('backup.restore', { id: backup.id, password: ADMIN_PASSWORD });
    await settled(c);

    // the catch-up stored Bruno's message again and the bot handled it: he is a conversation again
    const conversations = c.services.store.sqlite.prepare("SELECT count(*) AS n FROM conversations WHERE whatsapp = '351911000002'").get() as { n: number };
    expect(conversations.n).toBe(1);
    expect(await hasBacklog(c)).toBe(false);
    // and nobody got the same replies twice
    expect(await bruno.received()).toEqual(brunoBefore);
    expect(await ana.received()).toEqual(anaBefore);

    // the conversation carries on from where it is: the next message gets its own answer
    bruno.send('1');
    await settled(c);
    expect((await bruno.received()).length).toBeGreaterThan(brunoBefore.length);
  });

  it('the handling survives a restart right after the restore', async () => {
    const c = await office();
    const admin = doorAs(c, 'admin');
    const backup = await admin.ok<BackupItem>('backup.create');
    const carla = phone(c, '351911000003');
    await c.services.whatsapp.pause();
    // arrives while LexDesk cannot store it: WhatsApp keeps it for the catch-up
    carla.send('Are you open today?');
    c.services.whatsapp.resume();
    await settled(c);
    const replies = await carla.received();
    expect(replies.length).toBeGreaterThan(0);

    await admin.ok('backup.restore', { id: backup.id, password: ADMIN_PASSWORD });
    await settled(c);
    await c.stop();
    await c.start();
    for (let i = 0; i < 500 && c.services.whatsapp.status().state !== 'ready'; i++) await sleep(10);
    await settled(c);
    const inbound = c.services.store.sqlite.prepare("SELECT count(*) AS n FROM whatsapp_inbound WHERE chat_id LIKE '351911000003%'").get() as { n: number };
    expect(inbound.n).toBe(1);
    expect(await hasBacklog(c)).toBe(false);
    expect(await carla.received()).toEqual(replies);
  });

  it('never hands out a matter reference twice: references issued after the backup stay taken', async () => {
    const c = await office();
    const admin = doorAs(c, 'admin');
    const now = new Date();
    const first = nextReference(c.services.store, now, 'Europe/Lisbon');
    const backup = await admin.ok<BackupItem>('backup.create');
    const told = [nextReference(c.services.store, now, 'Europe/Lisbon'), nextReference(c.services.store, now, 'Europe/Lisbon')];

    await admin.ok('backup.restore', { id: backup.id, password: ADMIN_PASSWORD });
    const next = nextReference(c.services.store, now, 'Europe/Lisbon');
    expect([first, ...told]).not.toContain(next);
    expect(Number(next.split('-')[1])).toBe(Number(told[1]!.split('-')[1]) + 1);
  });
});
