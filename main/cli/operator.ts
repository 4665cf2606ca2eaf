import { existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { OperationName } from '../../shared/contract/index.js';
import type { ApiError, ErrorCode, InputIssue, Result } from '../../shared/errors.js';
import type { Core } from '../core/app.js';
import type { AuditFace } from '../core/audit/trail.js';
import { journalFile } from '../core/backup/restore-journal.js';
import type { Origin } from '../core/backup/ports.js';
import type { Config } from '../core/config.js';
import { OUTCOME_BY_CODE, type AuditNote, type Outcome } from '../core/dispatch.js';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/log.js';

/**
 * How a command reaches the core: as the local operator (the operating-system
 * account running `lexdesk`, acting as IT), through the door where the contract
 * has an operation, and with `cliAudit` where it does not.
 */

const FACE = 'cli' satisfies AuditFace;

/** The operating-system account running this command; "cli" where there is no user database (some containers). */
export function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'cli';
  }
}

/** The operator as the backup service records who did something. */
export function cliOrigin(): Origin {
  return { face: FACE, actor: { type: 'cli', name: operatorName() } };
}

/** A command that reads data was pointed at a folder without a LexDesk database. */
export class NoDatabaseError extends Error {
  constructor(dataDir: string) {
    super(
      `There is no LexDesk database in ${dataDir}. Set LEXDESK_DATA_DIR to the data folder of this LexDesk ` +
        '(the folder that holds lexdesk.sqlite), or create a new one there with `lexdesk migrate`.',
    );
    this.name = 'NoDatabaseError';
  }
}

/** True when the data folder holds a database, or a restore that the next start will finish. */
function holdsDatabase(config: Config): boolean {
  if (existsSync(journalFile(config.dataDir))) return true;
  try {
    return statSync(config.databaseFile).isFile();
  } catch {
    return false;
  }
}

/**
 * Starts the core for one command, as the local operator. Only the commands that
 * set a folder up (`serve`, `migrate`, `user create-admin`, a restore onto a new
 * installation) may create the database; every other one throws NoDatabaseError
 * first, so a mistyped LEXDESK_DATA_DIR does not leave an empty database behind.
 */
export async function openCore(config: Config, log: Logger, options: { mayCreate: boolean; newInstallation?: boolean }): Promise<Core> {
  if (!options.mayCreate && !holdsDatabase(config)) throw new NoDatabaseError(config.dataDir);
  // loaded here, not at the top: `lexdesk version` and `help` need none of the core
  const { createCore } = await import('../core/app.js');
  const core = createCore(config, { log, localOperator: operatorName(), newInstallation: options.newInstallation });
  await core.start();
  return core;
}

/** An operation of the contract through the door, as the local operator: validated, authorised, audited like any other. */
export function callDoor(core: Core, operation: OperationName, input: unknown): Promise<Result<unknown>> {
  return core.dispatcher.dispatch(operation, input, { face: FACE });
}

/** The door's refusal as one line for a person: its sentence, and which fields when the input was not valid. */
export function refusalLine(error: ApiError): string {
  const issues = (error.details as { issues?: InputIssue[] } | undefined)?.issues ?? [];
  return error.message + issues.map((issue) => ` (${issue.path || 'input'}: ${issue.message})`).join('');
}

/**
 * Runs a command that has no operation in the contract (a restore with LexDesk
 * stopped, decrypting a backup, setting the passphrase, the first administrator)
 * and writes its audit record as the door would for an operation: the operator,
 * face `cli`, the outcome and error code, and what `work` notes as target and
 * details. The error, if any, is thrown on after it is recorded.
 *
 *   await cliAudit(core, 'backup.decrypt', async (note) => { note.target = { type: 'backup', id }; … });
 */
export async function cliAudit<T>(core: Core, action: string, work: (note: AuditNote) => Promise<T>): Promise<T> {
  const note: AuditNote = {};
  const record = (outcome: Outcome, errorCode?: ErrorCode) => {
    try {
      core.services.audit.append({
        actor: cliOrigin().actor,
        face: FACE,
        action,
        target: note.target,
        outcome,
        errorCode,
        details: note.details,
      });
    } catch (err) {
      core.services.log.error({ err, action }, 'could not write the audit record');
    }
  };
  try {
    const value = await work(note);
    record('ok');
    return value;
  } catch (err) {
    const code: ErrorCode = err instanceof AppError ? err.code : 'internal';
    record(OUTCOME_BY_CODE[code], code);
    throw err;
  }
}
