// Runs a dry-run legacy import in a process of its own (the memory test caps this process's heap).
import { importLegacy } from '../../main/core/imports/legacy.js';

const [databaseFile, dataDir, folder] = process.argv.slice(2) as [string, string, string];
const report = await importLegacy({
  folder,
  dataDir,
  databaseFile,
  dryRun: true,
  countryCode: '55',
  now: new Date(),
  actor: 'test',
  backup: async () => {
    throw new Error('a dry run makes no backup');
  },
});
process.stdout.write(JSON.stringify({ ok: report.ok, counts: report.counts, problems: report.problems.slice(0, 5), heapMB: process.memoryUsage().heapUsed / 1e6 }));
