import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Config } from '../core/config.js';
import { checkEvidence, EVIDENCE_KEY_SECRET, hmacMatches } from '../core/exports/seal.js';
import { createHeadlessLogger } from '../headless/logger.js';
import { openCore } from './operator.js';

export const EVIDENCE_HELP = `Usage:
  lexdesk evidence verify <export.json> [--pdf <export.pdf>] [--installation]
      Checks an evidence export made by LexDesk (Clients and matters → Evidence export):
      the JSON file byte for byte, its content hash and seal, and the PDF when given.
      --installation also checks, in this installation's data folder (LEXDESK_DATA_DIR),
      the office's seal key and that the audit trail still holds the row the export names.
      Prints "intact" and exits 0, or names what differs and exits 1 (2: wrong use, unreadable file).
`;

interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

export async function evidenceCommand(argv: string[], config: () => Config, io: Io = { out: process.stdout, err: process.stderr }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { pdf: { type: 'string' }, installation: { type: 'boolean' } } });
  } catch (err) {
    io.err.write(`lexdesk evidence: ${(err as Error).message}\n\n${EVIDENCE_HELP}`);
    return 2;
  }
  const [sub, file, ...rest] = parsed.positionals;
  if (sub !== 'verify' || !file || rest.length > 0) {
    io.err.write(`lexdesk evidence: say verify and one JSON file\n\n${EVIDENCE_HELP}`);
    return 2;
  }
  let json: Buffer;
  let pdf: Buffer | undefined;
  try {
    json = await readFile(file);
    if (parsed.values.pdf) pdf = await readFile(parsed.values.pdf);
  } catch (err) {
    io.err.write(`lexdesk evidence: cannot read ${(err as NodeJS.ErrnoException).path ?? file}: ${(err as Error).message}\n`);
    return 2;
  }
  const check = checkEvidence(json, pdf);
  const problems = [...check.problems];
  if (parsed.values.installation && check.file) {
    const core = await openCore(config(), createHeadlessLogger('warn', process.stderr), { mayCreate: false });
    try {
      const key = await core.services.secrets.get(EVIDENCE_KEY_SECRET);
      if (key === null) problems.push('This installation has no evidence seal key: the export was not made here.');
      else if (!hmacMatches(check.file, Buffer.from(key, 'base64'))) problems.push("The seal was not made with this office's key.");
      const head = check.file.auditHead;
      if (head) {
        const row = core.services.store.prepare('SELECT hash FROM audit_log WHERE id = ?').get(head.id) as { hash: string } | undefined;
        if (!row) problems.push(`The audit trail no longer holds row ${head.id}, the head named by the export.`);
        else if (row.hash !== head.hash) problems.push(`Audit row ${head.id} has another hash than the one the export recorded: the trail was replaced.`);
      }
    } finally {
      await core.stop();
    }
  }
  if (problems.length === 0) {
    const f = check.file!;
    const head = f.auditHead ? `; audit head row ${f.auditHead.id}` : '';
    io.out.write(`intact: ${file}${pdf ? ' and its PDF' : ''} (content SHA-256 ${f.contentSha256}, exported ${f.exportedAt} by ${f.exportedBy.name}${head})\n`);
    return 0;
  }
  io.out.write(`NOT INTACT: ${file}\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  return 1;
}
