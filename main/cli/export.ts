import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../core/config.js';
import { SCHEMA_VERSION } from '../core/db/migrate.js';
import { exportAll } from '../core/imports/export.js';
import type { Logger } from '../core/log.js';
import { APP_VERSION } from '../core/version.js';
import { cliAudit, openCore } from './operator.js';

export const EXPORT_HELP = `Usage: lexdesk export all <folder>

  Writes every client, matter, note, conversation, message, document and imported
  party into <folder>/lexdesk-export-<time>/: one JSON Lines file per kind of record,
  CSV summaries (clients, matters, conversations) for a spreadsheet, the documents as
  files, and manifest.json with the size, record count and SHA-256 of every file.
  LexDesk may keep running meanwhile; the export is one consistent snapshot.
`;

/** `lexdesk export all <folder>`; returns the exit status. */
export async function exportCommand(argv: string[], config: Config, log: Logger): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean' } } });
  const [sub, folder] = positionals;
  if (sub !== 'all' || !folder || values.help) {
    process.stdout.write(EXPORT_HELP);
    return sub === 'help' || values.help ? 0 : 2;
  }
  const core = await openCore(config, log, { mayCreate: false });
  try {
    const { dir, manifest } = await cliAudit(core, 'export.all', async (note) => {
      const result = await exportAll({
        folder: resolve(folder),
        databaseFile: config.databaseFile,
        documents: core.services.documents.store,
        now: new Date(),
        appVersion: APP_VERSION,
        schemaVersion: SCHEMA_VERSION,
        progress: (line) => process.stderr.write(`${line}\n`),
      });
      note.target = { type: 'export', id: result.dir };
      note.details = { folder: result.dir, counts: result.manifest.counts, files: result.manifest.files.length };
      return result;
    });
    process.stdout.write(`Exported to ${dir}\n`);
    for (const [kind, n] of Object.entries(manifest.counts)) process.stdout.write(`  ${kind.padEnd(20)} ${n}\n`);
    process.stdout.write(`  ${'documents (files)'.padEnd(20)} ${manifest.files.filter((f) => f.path.startsWith('documents/')).length}\n`);
    process.stdout.write('manifest.json lists the SHA-256 of every file.\n');
    return 0;
  } catch (err) {
    process.stderr.write(`lexdesk: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await core.stop();
  }
}
