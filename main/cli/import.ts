import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../core/config.js';
import { AppError } from '../core/errors.js';
import { importLegacy, problemLine, type LegacyReport } from '../core/imports/legacy.js';
import type { Logger } from '../core/log.js';
import { databaseInUse, EXIT_IN_USE } from './backup.js';
import { cliAudit, cliOrigin, openCore, operatorName } from './operator.js';

export const IMPORT_HELP = `Usage: lexdesk import <command>

  legacy <folder> [--dry-run] [--country-code 55] [--json]
        the old bot's folder of JSON files (users, clients, cases, messages, settings).
        A verified backup is made first and the files are kept, read-only, in
        <data>/imports/<time>/; all of it is imported or none of it. Running it again
        imports nothing twice. --dry-run shows what would happen and changes nothing.
        --country-code: the office's, for numbers typed without one.
  parties <file.csv|file.json> [--dry-run] [--map column=field,…] [--delimiter ;] [--json]
        people and companies the office knew before, for the conflict check
        (name, role, matter, aliases, tax id, email, phone).
  chat <file.txt|file.zip> --client <number> [--as "Name"] [--language en|pt-BR|es] [--dry-run]
        a chat a phone exported (WhatsApp → Export chat, without or with media) into
        that client's conversation: the client's messages as received, the others as
        sent by staff, in the office's time zone; the files of a .zip go into the
        document store with their messages. --as names the client as the chat shows
        them when it cannot be told. Running it again imports nothing twice.

Stop LexDesk first: an import holds the database for its whole length.
`;

function countLine(label: string, c: { imported: number; already: number; linked: number }, dryRun: boolean): string {
  const parts = [`${c.imported} ${dryRun ? 'to import' : 'imported'}`];
  if (c.already) parts.push(`already imported: ${c.already}`);
  if (c.linked) parts.push(`${c.linked} linked to records LexDesk had`);
  return `  ${label.padEnd(14)} ${parts.join(', ')}`;
}

/** The report as a person reads it. */
export function formatLegacyReport(r: LegacyReport): string {
  const lines: string[] = [];
  lines.push(r.dryRun ? `Dry run of the import of ${r.source} (nothing was changed):` : `Import of ${r.source}:`);
  for (const f of r.files) lines.push(`  ${f.name.padEnd(14)} ${f.bytes} bytes, ${f.encoding}, sha256 ${f.sha256}`);
  lines.push('Records:');
  for (const [kind, c] of Object.entries(r.counts)) lines.push(countLine(kind, c, r.dryRun));
  lines.push(`Already imported: ${r.alreadyImported}`);
  lines.push('Roles:    ' + Object.entries(r.mapping.roles).map(([from, to]) => `${from} → ${to}`).join(', '));
  lines.push('Statuses: ' + Object.entries(r.mapping.statuses).map(([from, to]) => `${from} → ${to}`).join(', '));
  lines.push(`Passwords: ${r.mapping.passwordsKept} bcrypt hashes kept (upgraded at the next sign-in)`);
  if (r.mapping.passwordsReset.length > 0) {
    lines.push(`  not kept (plain text in the old files), an admin must reset them: ${r.mapping.passwordsReset.join(', ')}`);
  }
  if (r.mapping.areasAdded.length > 0) lines.push(`Practice areas added to the office's list: ${r.mapping.areasAdded.join(', ')}`);
  for (const note of r.notes) lines.push(`Note: ${note}`);
  if (r.keptIn) lines.push(`Original files kept in ${r.keptIn}`);
  if (r.backupId) lines.push(`Backup before the import: ${r.backupId}  (lexdesk backup restore ${r.backupId} undoes it)`);
  if (r.problems.length > 0) {
    lines.push(`Problems (${r.problems.length + r.moreProblems}) — ${r.dryRun ? 'the import would be refused' : 'nothing was imported'}:`);
    for (const p of r.problems) lines.push(`  ${problemLine(p)}`);
    if (r.moreProblems > 0) lines.push(`  … and ${r.moreProblems} more`);
  } else {
    lines.push(r.dryRun ? 'No problems: the import can run.' : 'Done: every record is in LexDesk.');
  }
  return lines.join('\n') + '\n';
}

/** What the audit trail keeps of an import: counts, the files' hashes, the backup. */
function auditDetails(r: LegacyReport): Record<string, unknown> {
  return {
    source: r.source,
    dryRun: r.dryRun,
    files: r.files.map((f) => ({ name: f.name, bytes: f.bytes, sha256: f.sha256, encoding: f.encoding })),
    counts: Object.fromEntries(Object.entries(r.counts).map(([k, c]) => [k, c.imported])),
    alreadyImported: r.alreadyImported,
    problems: r.problems.length + r.moreProblems,
    backupId: r.backupId,
    keptIn: r.keptIn,
  };
}

/** `lexdesk import …`; returns the exit status. */
export async function importCommand(argv: string[], config: Config, log: Logger): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean' },
      'country-code': { type: 'string' },
      json: { type: 'boolean' },
      map: { type: 'string' },
      delimiter: { type: 'string' },
      client: { type: 'string' },
      as: { type: 'string' },
      language: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const [sub, arg] = positionals;
  if (!sub || values.help || sub === 'help') {
    process.stdout.write(IMPORT_HELP);
    return sub ? 0 : 2;
  }
  if (sub !== 'legacy' && sub !== 'parties' && sub !== 'chat') {
    process.stderr.write(`lexdesk: unknown import command "${sub}"\n\n${IMPORT_HELP}`);
    return 2;
  }
  if (!arg) {
    process.stderr.write(`lexdesk: say what to import: lexdesk import ${sub} <${sub === 'legacy' ? 'folder' : 'file'}>\n`);
    return 2;
  }
  const countryCode = values['country-code'] ?? null;
  if (countryCode !== null && !/^\d{1,4}$/.test(countryCode.replace(/^\+/, ''))) {
    process.stderr.write('lexdesk: --country-code is the digits of the office\'s country code, e.g. 55 or 351\n');
    return 2;
  }
  if (databaseInUse(config.databaseFile)) {
    process.stderr.write('lexdesk: LexDesk is running on this data folder. Stop it first: an import holds the database while it runs.\n');
    return EXIT_IN_USE;
  }
  const core = await openCore(config, log, { mayCreate: true });
  try {
    if (sub === 'chat') {
      const { chatCommand } = await import('./chat.js');
      return await chatCommand(core, resolve(arg), { client: values.client, as: values.as, language: values.language, dryRun: values['dry-run'] === true });
    }
    if (sub === 'parties') {
      const { partiesCommand } = await import('./parties.js');
      return await partiesCommand(core, resolve(arg), { dryRun: values['dry-run'] === true, map: values.map, delimiter: values.delimiter, json: values.json === true });
    }
    let report: LegacyReport | null = null;
    try {
      await cliAudit(core, values['dry-run'] ? 'import.legacy.dryRun' : 'import.legacy', async (note) => {
        report = await importLegacy({
          folder: resolve(arg),
          dataDir: config.dataDir,
          databaseFile: config.databaseFile,
          dryRun: values['dry-run'] === true,
          countryCode: countryCode?.replace(/^\+/, '') ?? null,
          now: new Date(),
          actor: operatorName(),
          backup: async () => {
            const item = await core.services.backups.create('pre-import', cliOrigin(), { reason: `before importing ${resolve(arg)}` });
            return item.id;
          },
          documents: core.services.documents.store,
          progress: values.json ? undefined : (line) => process.stderr.write(`${line}\n`),
        });
        note.target = { type: 'import', id: report.batchId !== null ? String(report.batchId) : resolve(arg) };
        note.details = auditDetails(report);
        if (!report.ok) throw new AppError('invalid_input', `${report.problems.length + report.moreProblems} problems in the old files`);
      });
    } catch (err) {
      if (!(err instanceof AppError) || report === null) {
        process.stderr.write(`lexdesk: ${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
      }
    }
    const done = report as LegacyReport | null;
    if (!done) return 1;
    process.stdout.write(values.json ? `${JSON.stringify(done, null, 2)}\n` : formatLegacyReport(done));
    return done.ok ? 0 : 1;
  } finally {
    await core.stop();
  }
}
