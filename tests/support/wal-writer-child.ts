// A LexDesk core in a child process that a test SIGKILLs: it records `count`
// audit entries (each its own transaction, so its write-ahead log holds them
// uncheckpointed), prints "written", and waits to be killed.
//   node --import tsx tests/support/wal-writer-child.ts <dataDir> <count> <label>
import { writeSync } from 'node:fs';
import { createCore } from '../../main/core/app.js';
import { loadConfig } from '../../main/core/config.js';
import { silentLogger } from '../../main/core/log.js';

const [dataDir, countArg, label] = process.argv.slice(2);
const config = loadConfig({
  face: 'headless',
  env: { LEXDESK_DATA_DIR: dataDir!, LEXDESK_WHATSAPP: 'simulator', LEXDESK_BACKUP_KEK: 'test-backup-kek-0123456789abcdefghijklmnop' },
  envFile: null,
});
const core = createCore(config, { log: silentLogger, withoutBot: true, monitoring: { schedule: false } });
await core.start();
// a checkpoint that is not SQLite's choice would make the log's content depend on timing
core.services.store.sqlite.pragma('wal_autocheckpoint = 0');
for (let i = 0; i < Number(countArg); i++) {
  core.services.audit.append({ actor: { type: 'system', name: 'wal-writer' }, face: 'headless', action: `test.${label}`, outcome: 'ok', details: { i } });
}
writeSync(1, 'written\n');
setInterval(() => undefined, 60_000);
