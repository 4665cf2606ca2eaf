import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { AuditFilter, ExportFormat, type ExportTicket, type Verification } from '../../shared/contract/audit.js';
import type { ApiError } from '../../shared/errors.js';
import { saveExportTo } from '../core/audit/export.js';
import type { Config } from '../core/config.js';
import { createHeadlessLogger } from '../headless/logger.js';
import { callDoor, openCore, refusalLine } from './operator.js';

export const AUDIT_HELP = `Usage:
  lexdesk audit verify [--from-checkpoint] [--json]
      Walks the audit trail's hash chain. Prints "intact, N rows" and exits 0, or names
      the first row that does not match and exits 1. --from-checkpoint starts at the
      last intact verification (quick); rows cut from the end are noticed either way.
  lexdesk audit export [--format csv|jsonl] [--output FILE] [filters]
      Writes the rows, oldest first, to FILE (or to standard output).
      Filters: --actor USER|bot|system|cli|anonymous  --action NAME|PREFIX.  --outcome ok|denied|invalid|error
               --from TIME  --to TIME  --contains TEXT  --target-type TYPE  --target-id ID
`;

interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

function usage(io: Io, message: string): number {
  io.err.write(`lexdesk audit: ${message}\n\n${AUDIT_HELP}`);
  return 2;
}

function refused(io: Io, error: ApiError): number {
  io.err.write(`lexdesk audit: ${refusalLine(error)}\n`);
  return 1;
}

/**
 * `lexdesk audit …`: verification and export for IT, through the door
 * (`audit.verify`, `audit.export`) as the local operator, like the Audit screen.
 */
export async function auditCommand(argv: string[], config: Config, io: Io = { out: process.stdout, err: process.stderr }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        'from-checkpoint': { type: 'boolean' },
        json: { type: 'boolean' },
        format: { type: 'string' },
        output: { type: 'string', short: 'o' },
        actor: { type: 'string' },
        action: { type: 'string' },
        outcome: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        contains: { type: 'string' },
        'target-type': { type: 'string' },
        'target-id': { type: 'string' },
      },
    });
  } catch (err) {
    return usage(io, (err as Error).message);
  }
  const { values, positionals } = parsed;
  const [sub] = positionals;
  if (sub !== 'verify' && sub !== 'export') return usage(io, sub ? `unknown command "${sub}"` : 'say verify or export');

  let filter: AuditFilter = {};
  let format: ExportFormat = 'csv';
  if (sub === 'export') {
    const checked = AuditFilter.safeParse({
      actor: values.actor,
      action: values.action,
      outcome: values.outcome,
      from: values.from,
      to: values.to,
      contains: values.contains,
      target: values['target-type'] ? { type: values['target-type'], id: values['target-id'] } : undefined,
    });
    if (!checked.success) {
      const issues = checked.error.issues.map((i) => `--${i.path.join('.') || 'filter'}: ${i.message}`).join('; ');
      return usage(io, issues);
    }
    filter = checked.data;
    const f = ExportFormat.safeParse(values.format ?? 'csv');
    if (!f.success) return usage(io, '--format must be csv or jsonl');
    format = f.data;
  }

  const level = process.env.LEXDESK_LOG_LEVEL ? config.logLevel : 'warn';
  const core = await openCore(config, createHeadlessLogger(level, process.stderr), { mayCreate: false });
  try {
    if (sub === 'verify') {
      const result = await callDoor(core, 'audit.verify', { from: values['from-checkpoint'] ? 'checkpoint' : 'start' });
      if (!result.ok) return refused(io, result.error);
      const verification = result.value as Verification;
      if (values.json) io.out.write(`${JSON.stringify(verification)}\n`);
      else if (verification.intact) {
        const through = verification.throughHash ? ` (through row ${verification.throughId}, hash ${verification.throughHash.slice(0, 16)}…)` : '';
        io.out.write(`Audit trail intact: ${verification.rows} rows${through}. Checked ${verification.checked} rows in ${verification.ms} ms.\n`);
      } else {
        io.out.write(`Audit trail BROKEN at row ${verification.brokenAt} (${verification.reason}): ${verification.message}\n`);
      }
      return verification.intact ? 0 : 1;
    }

    const result = await callDoor(core, 'audit.export', { ...filter, format });
    if (!result.ok) return refused(io, result.error);
    const download = core.services.auditRecords.exports.take((result.value as ExportTicket).exportId)!;
    if (values.output !== undefined && values.output !== '-') {
      await saveExportTo(download, values.output);
      io.err.write(`Exported ${download.rows()} rows to ${values.output}.\n`);
    } else {
      await pipeline(download.stream, io.out, { end: false });
    }
    return 0;
  } finally {
    await core.stop();
  }
}
