/**
 * A LexDesk core with the WhatsApp simulator and the legal bot, in a child process
 * that the soak test SIGKILLs. `burst <n>`: ten new simulated clients write to the
 * office (half of them go through the whole intake that opens a matter, the others
 * greet and pick menu items), the bot answers through the outbox, and a manual
 * backup runs meanwhile; one JSON progress line every 100 ms. `final`: no new
 * messages; it lets the catch-up, the bot and the outbox finish, makes one backup,
 * checks the audit chain and every backup listed as verified, prints the result
 * and stops cleanly.
 *
 *   node --import tsx tests/support/soak-child.ts <dataDir> burst <n>
 *   node --import tsx tests/support/soak-child.ts <dataDir> final
 */
import { writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BackupOverview } from '../../shared/contract/backup.js';
import { createCore } from '../../main/core/app.js';
import { loadConfig } from '../../main/core/config.js';
import { silentLogger } from '../../main/core/log.js';
import { ADMIN_PASSWORD, fakeAuth, PASSPHRASE, TEST_SCRYPT } from './backup.js';
import { doorAs } from './door.js';
import { TEST_BACKUP_KEK } from './server.js';

const [dataDir, mode, cycleArg] = process.argv.slice(2);
const cycle = Number(cycleArg ?? 0);
const say = (line: Record<string, unknown> | string) => writeSync(1, `${typeof line === 'string' ? line : JSON.stringify(line)}\n`);

const config = loadConfig({
  face: 'headless',
  env: {
    LEXDESK_DATA_DIR: dataDir!,
    LEXDESK_BCRYPT_COST: '4',
    LEXDESK_WHATSAPP: 'simulator',
    LEXDESK_SIMULATOR_PAIRED: 'true',
    LEXDESK_BACKUP_KEK: TEST_BACKUP_KEK,
    LEXDESK_WHATSAPP_SEND_PER_MINUTE: '60000',
    LEXDESK_WHATSAPP_SEND_BURST: '20',
    LEXDESK_WHATSAPP_CHAT_SPACING_MS: '0',
    // WhatsApp confirms a send a moment after it has the message: a kill can land in between
    LEXDESK_SIMULATOR_SEND_LATENCY_MS: '2',
  },
  envFile: null,
});
const core = createCore(config, { log: silentLogger, backup: { scryptCost: TEST_SCRYPT, catchUpDelayMs: 3_600_000 } });
await core.start();
fakeAuth(core);
const admin = doorAs(core, 'admin');
const { whatsapp, bot, backups, store } = core.services;
const simulator = whatsapp.simulator!;
const origin = { face: 'cli' as const, actor: { type: 'cli' as const, name: 'soak' } };

// the office is open all day, and backups have a passphrase (set once, by the first run)
const ALWAYS = [{ open: '00:00', close: '23:59' }];
const week = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ALWAYS]));
const hours = bot.settings.get().hours as { week: Record<string, unknown> };
if (JSON.stringify(hours.week) !== JSON.stringify(week)) {
  await admin.ok('botSettings.update', { section: 'hours', value: { timeZone: 'UTC', week, closedDates: [] } });
}
if (cycle === 1 && mode === 'burst') {
  await admin.ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
}

for (let i = 0; i < 1000 && whatsapp.status().state !== 'ready'; i++) await sleep(10);
if (whatsapp.status().state !== 'ready') throw new Error(`the simulated link is ${whatsapp.status().state}`);

const one = (sql: string) => (store.sqlite.prepare(sql).get() as { n: number }).n;
let clientMessages = 0;
let backup: 'none' | 'running' | 'done' | 'failed' = 'none';
const progress = () => ({
  clientMessages,
  stored: one('SELECT COUNT(*) AS n FROM whatsapp_inbound'),
  sent: one(`SELECT COUNT(*) AS n FROM whatsapp_outbox WHERE status = 'sent'`),
  backup,
});

/** The bot has read everything stored and the outbox is empty, several times running. */
async function settled(): Promise<void> {
  let quiet = 0;
  for (let i = 0; i < 6000 && quiet < 10; i++) {
    await whatsapp.caughtUp();
    await bot.drained();
    quiet = whatsapp.outbox.depth() === 0 ? quiet + 1 : 0;
    await sleep(50);
  }
  if (quiet < 10) throw new Error('the outbox did not empty');
}

/** longer than the soak test's latest kill (33 progress lines, 100 ms apart) */
const MIN_BURST_MS = 5_000;

if (mode === 'burst') {
  const ticker = setInterval(() => say(progress()), 100);
  const number = (i: number) => `55${String(cycle).padStart(2, '0')}9${String(10_000_000 + i).slice(-8)}`;
  const intake = ['hello', '1', 'yes', `Client ${cycle}-NAME`, '2', 'My employer has not paid me.', 'Construtora Horizonte Ltda', 'none', 'yes', 'menu', '4', '2', 'hi', '4', 'menu'];
  const browsing = ['hi', '4', 'menu', '2', 'hello', '4', 'menu', '4', '2', 'hi', 'menu', '4', '2', 'hello', '4'];
  const CLIENTS = 10;
  let running: Promise<unknown> | null = null;
  // the traffic goes on for at least MIN_BURST_MS, past the latest kill, however fast this machine is
  const started = performance.now();
  for (let round = 0; round < intake.length || performance.now() - started < MIN_BURST_MS; round++) {
    if (round === 5) {
      backup = 'running';
      running = backups.create('manual', origin).then(
        () => (backup = 'done'),
        () => (backup = 'failed'),
      );
    }
    for (let c = 0; c < CLIENTS; c++) {
      const script = c % 2 === 0 && round < intake.length ? intake : browsing;
      simulator.clientSend(number(c), `Client ${cycle}-${c}`, script[round % script.length]!.replace('NAME', String(c)));
      clientMessages++;
    }
    await sleep(60);
  }
  await running;
  await settled();
  clearInterval(ticker);
  say(progress());
  say('done');
} else {
  await settled();
  // one backup that is not interrupted, so there is always one to check beside any the kills left
  await backups.create('manual', origin);
  const audit = await admin.ok<{ intact: boolean; rows?: number }>('audit.verify', { from: 'start' });
  const list = await admin.ok<BackupOverview>('backup.list');
  const verified = list.backups.filter((b) => b.status === 'verified');
  const failedVerify: string[] = [];
  for (const item of verified) {
    try {
      const again = await backups.verify(item.id, origin);
      if (again.status !== 'verified') failedVerify.push(item.id);
    } catch {
      failedVerify.push(item.id);
    }
  }
  say({ final: { auditIntact: audit.intact, auditRows: audit.rows ?? null, backups: list.backups.length, verified: verified.length, failedVerify } });
  say('done');
}
await core.stop();
process.exit(0);
