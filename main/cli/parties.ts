import { basename } from 'node:path';
import type { Core } from '../core/app.js';
import { AppError } from '../core/errors.js';
import { formatPartiesReport, importParties, parseMap, previewParties, type PartiesReport } from '../core/imports/parties.js';
import { problemLine } from '../core/imports/legacy.js';
import { cliAudit, operatorName } from './operator.js';

/** `lexdesk import parties <file>`: a preview of the mapping and first rows, then the import (audited). */
export async function partiesCommand(
  core: Core,
  path: string,
  options: { dryRun: boolean; map?: string; delimiter?: string; json: boolean },
): Promise<number> {
  const map = parseMap(options.map);
  if (typeof map === 'string') {
    process.stderr.write(`lexdesk: --map: ${map}\n`);
    return 2;
  }
  const delimiter = options.delimiter === '\\t' || options.delimiter === 'tab' ? '\t' : options.delimiter;
  const file = { map, delimiter };
  const name = basename(path);
  if (!options.json) {
    const preview = await previewParties(path, name, file).catch(() => null);
    if (preview && preview.problems.every((p) => p.record !== null)) {
      process.stderr.write(`First rows of ${name} as they will be imported:\n`);
      for (const row of preview.rows) {
        process.stderr.write(`  ${row.name} — ${row.role.replace('_', ' ')}${row.matter ? `, matter ${row.matter}` : ''}${row.aliases.length ? `, also ${row.aliases.join(' / ')}` : ''}${row.taxId ? `, tax id ${row.taxId}` : ''}\n`);
      }
      for (const p of preview.problems) process.stderr.write(`  ${problemLine(p)}\n`);
    }
  }
  let report: PartiesReport | null = null;
  try {
    await cliAudit(core, options.dryRun ? 'import.parties.dryRun' : 'import.parties', async (note) => {
      report = await importParties({
        path,
        name,
        databaseFile: core.services.store.file,
        dryRun: options.dryRun,
        now: new Date(),
        actor: operatorName(),
        file,
      });
      note.target = { type: 'import', id: report.batchId !== null ? String(report.batchId) : path };
      note.details = {
        source: path,
        dryRun: options.dryRun,
        sha256: report.file?.sha256 ?? null,
        bytes: report.file?.bytes ?? null,
        imported: report.imported,
        alreadyImported: report.already,
        byRole: report.byRole,
        problems: report.problems.length + report.moreProblems,
      };
      if (!report.ok) throw new AppError('invalid_input', `${report.problems.length + report.moreProblems} problems in ${name}`);
    });
  } catch (err) {
    if (!(err instanceof AppError) || report === null) {
      process.stderr.write(`lexdesk: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
  }
  const done = report as PartiesReport | null;
  if (!done) return 1;
  process.stdout.write(options.json ? `${JSON.stringify(done, null, 2)}\n` : formatPartiesReport(done));
  return done.ok ? 0 : 1;
}
