import { mkdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { tempDir } from '../support/server.js';
import { fillDisk, mountTmpfs } from '../support/tmpfs.js';
import { FAST_SENDS, OPEN_ALL_WEEK } from '../support/office.js';

/**
 * The data folder on a real 40 MB tmpfs, filled up while clients write. This
 * needs the right to mount (root, or CAP_SYS_ADMIN in a container); where the
 * machine refuses, the test is skipped and says why. The injected SQLITE_FULL of
 * faults-disk-full.test.ts covers every write path on any machine.
 */

const disk = mountTmpfs('lexdesk-tmpfs-');
const mountPoint = disk.dir;
const mounted = disk.mounted;
const refusal = disk.refusal;
const elsewhere = tempDir('lexdesk-tmpfs-side-');

const filler = join(mountPoint, 'filler.bin');
let core: TestCore | null = null;

beforeAll(() => {
  if (!mounted) return;
  const dataDir = join(mountPoint, 'data');
  mkdirSync(dataDir);
  // the simulated phone keeps its own database: it lives off the full disk, as the clients' phones do
  mkdirSync(join(elsewhere, 'whatsapp'));
  symlinkSync(join(elsewhere, 'whatsapp'), join(dataDir, 'whatsapp'));
});

afterAll(async () => {
  await core?.stop();
  disk.remove();
  rmSync(elsewhere, { recursive: true, force: true });
});

const fill = () => fillDisk(filler);

async function until(what: string, condition: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (await condition()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting until ${what}`);
}

test.skipIf(!mounted)(`a real full disk (40 MB tmpfs) ${mounted ? '' : `— skipped: this machine does not allow mounting a tmpfs (${refusal})`}`, async () => {
  core = await startTestCore({ dataDir: join(mountPoint, 'data'), env: FAST_SENDS, deps: { storage: { probeMs: 50 } } });
  const c = core;
  for (let i = 0; i < 500 && c.services.whatsapp.status().state !== 'ready'; i++) await sleep(10);
  const admin = doorAs(c, 'admin');
  await admin.ok('botSettings.update', { section: 'hours', value: { timeZone: 'Europe/Lisbon', week: OPEN_ALL_WEEK, closedDates: [] } });

  fill();
  // clients keep writing: long messages, until a write fails for lack of space
  const sent: string[] = [];
  const text = 'I would like advice about the lease of my flat. '.repeat(80);
  for (let i = 0; i < 200 && !c.services.space.full; i++) {
    const message = await admin.ok<{ id: string }>('simulator.clientSend', { from: `3519200${String(i).padStart(5, '0')}`, name: 'Client', text });
    sent.push(message.id);
    await sleep(5);
  }
  expect(c.services.space.full).toBe(true);
  expect(c.running).toBe(true);
  const health = await c.services.health.report('test');
  expect(health.checks.find((check) => check.name === 'storage')?.message).toContain('The disk is full: LexDesk cannot save new messages');
  // a few more arrive while full: not stored now
  for (let i = 0; i < 5; i++) {
    const message = await admin.ok<{ id: string }>('simulator.clientSend', { from: `3519300${String(i).padStart(5, '0')}`, name: 'Late', text: 'Hello?' });
    sent.push(message.id);
  }
  // not stored means not taken: WhatsApp and the catch-up bring them back
  expect(sent.slice(-5).filter((id) => c.services.whatsapp.ledger.get(id) === null).length).toBeGreaterThan(0);
  expect((await admin.call('whatsapp.outbox.list', {})).ok).toBe(true);
  const refused = await admin.call('botSettings.update', { section: 'hours', value: { timeZone: 'Europe/Lisbon', week: OPEN_ALL_WEEK, closedDates: [] } });
  expect(refused.ok ? 'ok' : refused.error.code).toBe('unavailable');

  // IT frees space: LexDesk carries on by itself and every message is stored, once
  unlinkSync(filler);
  await until('the disk is writable again', () => !c.services.space.full);
  await until('every message the clients sent is in the ledger', () => sent.every((id) => c.services.whatsapp.ledger.get(id) !== null));
  await c.services.bot.drained();
  const failures = c.services.store.prepare('SELECT COUNT(*) AS n FROM whatsapp_consumer_failures').get() as { n: number };
  expect(failures.n).toBe(0);
  const integrity = c.services.store.sqlite.pragma('quick_check', { simple: true });
  expect(integrity).toBe('ok');
}, 60_000);
