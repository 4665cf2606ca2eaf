import type { DoctorCheck, DoctorReport } from '../../shared/contract/system.js';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/log.js';
import { callDoor, NoDatabaseError, openCore, refusalLine } from './operator.js';

const MARK: Record<DoctorCheck['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

/** The report as IT reads it in a terminal: one line per check, the fix under each one that is not ok. */
export function formatDoctor(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.title.length));
  const lines = ['LexDesk doctor: is this installation ready?', ''];
  for (const check of report.checks) {
    lines.push(`  ${MARK[check.status]}  ${check.title.padEnd(width)}  ${check.detail}`);
    if (check.fix) lines.push(`        ${' '.repeat(width)}  Fix: ${check.fix}`);
  }
  const fails = report.checks.filter((c) => c.status === 'fail').length;
  const warns = report.checks.filter((c) => c.status === 'warn').length;
  lines.push('', fails > 0 ? `Not ready: ${fails} to fix, ${warns} to look at.` : warns > 0 ? `Ready, with ${warns} to look at.` : 'Ready.');
  return `${lines.join('\n')}\n`;
}

/**
 * `lexdesk doctor [--json]`: the production checklist (main/core/system/doctor.ts)
 * through the door as the local operator. Exit 1 when any line fails, 0 otherwise.
 */
export async function doctorCommand(args: string[], config: Config, log: Logger, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const json = args.includes('--json');
  let report: DoctorReport;
  try {
    const core = await openCore(config, log, { mayCreate: false });
    try {
      const result = await callDoor(core, 'system.doctor', {});
      if (!result.ok) {
        process.stderr.write(`lexdesk: ${refusalLine(result.error)}\n`);
        return 1;
      }
      report = result.value as DoctorReport;
    } finally {
      await core.stop();
    }
  } catch (err) {
    if (!(err instanceof NoDatabaseError)) throw err;
    report = {
      ready: false,
      checkedAt: new Date().toISOString(),
      checks: [{ id: 'database', title: 'Database', status: 'fail', detail: err.message, fix: 'Point LEXDESK_DATA_DIR at the data folder, or start LexDesk once (lexdesk serve) to create it.' }],
    };
  }
  out.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctor(report));
  return report.ready ? 0 : 1;
}
