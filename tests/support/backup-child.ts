/**
 * A LexDesk core in a child process, for the crash tests: it runs one backup or
 * restore and prints each progress step as a JSON line, so that the test can
 * SIGKILL it at a chosen moment. With HOOK=<point>, a restore stops dead between
 * two file moves (and says so) until it is killed.
 *
 *   node --import tsx tests/support/backup-child.ts <dataDir> backup
 *   node --import tsx tests/support/backup-child.ts <dataDir> restore <id>
 *   node --import tsx tests/support/backup-child.ts <dataDir> snapshot
 *   node --import tsx tests/support/backup-child.ts <dataDir> thin      (PRUNE_PAUSE=1: stops between manifests and chunks)
 */
import { createCore } from '../../main/core/app.js';
import { loadConfig } from '../../main/core/config.js';
import { silentLogger } from '../../main/core/log.js';
import { TEST_SCRYPT } from './backup.js';
import { TEST_BACKUP_KEK } from './server.js';

const [dataDir, action, id] = process.argv.slice(2);
const hook = process.env.HOOK;
const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

const config = loadConfig({ face: 'headless', env: { LEXDESK_DATA_DIR: dataDir!, LEXDESK_WHATSAPP: 'simulator', LEXDESK_SIMULATOR_PAIRED: 'true', LEXDESK_BACKUP_KEK: TEST_BACKUP_KEK }, envFile: null });
const core = createCore(config, {
  log: silentLogger,
  backup: {
    scryptCost: TEST_SCRYPT,
    catchUpDelayMs: 3_600_000,
    ...(process.env.PRUNE_PAUSE ? { prunePauseAt: 'manifests-removed' as const } : {}),
    swapHook: async (point) => {
      if (point !== hook) return;
      say({ hook: point });
      await new Promise(() => undefined); // wait here for the SIGKILL
    },
  },
});
await core.start();
core.services.events.subscribe((event) => {
  if (event.type === 'backup.progress') say({ step: event.data.step, percent: event.data.percent, operation: event.data.operation });
});
say({ started: true });
const origin = { face: 'cli' as const, actor: { type: 'cli' as const, name: 'crash-test' } };
if (action === 'snapshot') {
  const item = await core.services.backups.snapshotIfChanged(origin);
  say({ done: item?.id ?? null });
} else if (action === 'thin') {
  const result = await core.services.backups.thinSnapshots(origin);
  say({ done: result.removed.join(',') });
} else if (action === 'backup') {
  const item = await core.services.backups.create('manual', origin);
  say({ done: item.id });
} else {
  const result = await core.services.backups.restore(id!, origin);
  say({ done: result.id });
}
await core.stop();
