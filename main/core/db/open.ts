import { accessSync, closeSync, constants, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDiskFull, Store, type StoreOptions } from './store.js';

/**
 * Why LexDesk cannot open its database, as one sentence for IT and an exit status
 * of its own (README, "When something goes wrong"). Beside them: 2 a configuration
 * error, 3 a database from a newer LexDesk.
 */
export const EXIT_STATUS = {
  configuration: 2,
  schemaTooNew: 3,
  refusedAsNew: 4,
  damaged: 5,
  notADatabase: 6,
  readOnly: 7,
  unwritable: 8,
} as const;

export type DatabaseProblem = 'damaged' | 'notADatabase' | 'readOnly' | 'unwritable';

export class DatabaseOpenError extends Error {
  readonly exitStatus: number;
  constructor(
    readonly problem: DatabaseProblem | 'refusedAsNew',
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'DatabaseOpenError';
    this.exitStatus = EXIT_STATUS[problem];
  }
}

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const RESTORE_HINT = 'Restore the last good backup with `lexdesk backup restore <id>` (`lexdesk backup list` shows them)';

/** The sentence for each problem with the database file `file`. */
export function problemSentence(problem: DatabaseProblem, file: string, detail?: string): string {
  switch (problem) {
    case 'damaged':
      return `The database ${file} is damaged${detail ? ` (${detail})` : ''}; LexDesk did not start so as not to make it worse. ${RESTORE_HINT}, or put back a complete copy of the file.`;
    case 'notADatabase':
      return `The file ${file} is not a LexDesk database (it is not an SQLite file). Put the right file back, or ${RESTORE_HINT.charAt(0).toLowerCase()}${RESTORE_HINT.slice(1)}.`;
    case 'readOnly':
      return `The database ${file} is read-only (the file, or the disk it is on). Make it writable for the account that runs LexDesk (check the file's permissions and that the disk is not mounted read-only), then start LexDesk again.`;
    case 'unwritable':
      return `LexDesk cannot write in the folder ${dirname(file)} (it needs to create files beside the database). Give the account that runs LexDesk the right to write there, then start LexDesk again.`;
  }
}

function readHeader(file: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const header = Buffer.alloc(100);
    const read = readSync(fd, header, 0, 100, 0);
    return header.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** What the file's first bytes say, before SQLite reads it: not SQLite, or cut short. */
function inspectFile(file: string): { problem: DatabaseProblem; detail?: string } | null {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return null; // none yet: SQLite creates it
  }
  if (size === 0) return null;
  const header = readHeader(file);
  if (!header) return null; // unreadable: SQLite's own error says which
  if (header.length < MAGIC.length || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
    return MAGIC.subarray(0, header.length).equals(header) ? { problem: 'damaged', detail: 'the file is cut short' } : { problem: 'notADatabase' };
  }
  if (header.length < 100) return { problem: 'damaged', detail: 'the file is cut short' };
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  const pages = header.readUInt32BE(28);
  const sizeValid = header.readUInt32BE(24) === header.readUInt32BE(92) && pages > 0;
  // with no write-ahead log, every page the header counts must be in the file
  if (sizeValid && pages * pageSize > size && !existsSync(`${file}-wal`)) {
    return { problem: 'damaged', detail: `the file is cut short: ${size} of ${pages * pageSize} bytes` };
  }
  return null;
}

function writable(path: string): { ok: boolean; code?: string } {
  try {
    accessSync(path, constants.W_OK);
    return { ok: true };
  } catch (err) {
    return { ok: false, code: (err as NodeJS.ErrnoException).code };
  }
}

/** The problem an error of SQLite (or of the system) at opening means, or null when it is none of them. */
export function classifyOpenError(err: unknown, file: string): DatabaseProblem | null {
  const code = String((err as { code?: unknown })?.code ?? '');
  if (code === 'SQLITE_NOTADB') return 'notADatabase';
  if (code.startsWith('SQLITE_CORRUPT')) return 'damaged';
  const readOnly = code.startsWith('SQLITE_READONLY') || code === 'EROFS';
  if (readOnly || code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_IOERR_SHMOPEN') {
    // the file itself, or the folder where SQLite keeps its write-ahead log beside it
    if (existsSync(file) && !writable(file).ok) return 'readOnly';
    const folder = writable(dirname(file));
    if (!folder.ok) return folder.code === 'EROFS' ? 'readOnly' : 'unwritable';
    return readOnly ? 'readOnly' : 'unwritable';
  }
  return null;
}

/**
 * Opens LexDesk's database for a start, or throws DatabaseOpenError with the
 * sentence and exit status for a damaged, foreign, read-only or unwritable one.
 * A full disk is no reason not to start: LexDesk then runs degraded.
 */
export function openDatabase(options: StoreOptions): Store {
  const found = inspectFile(options.file);
  if (found) throw new DatabaseOpenError(found.problem, problemSentence(found.problem, options.file, found.detail));
  // SQLite opens a file it may not write read-only without a word, and fails only at the first write
  if (existsSync(options.file) && !writable(options.file).ok) {
    throw new DatabaseOpenError('readOnly', problemSentence('readOnly', options.file));
  }
  let store: Store | null = null;
  try {
    store = new Store(options);
    // read the schema, then take the write lock: a read-only file opens, and only fails when it is to be written
    store.sqlite.prepare('SELECT count(*) AS n FROM sqlite_master').get();
    // a write lock taken and let go changes nothing in the file (a database from a newer LexDesk stays as it is)
    try {
      store.sqlite.exec('BEGIN IMMEDIATE');
      store.sqlite.exec('ROLLBACK');
    } catch (err) {
      if (!isDiskFull(err)) throw err;
    }
    return store;
  } catch (err) {
    try {
      store?.close();
    } catch {
      // closing what did not open
    }
    const problem = classifyOpenError(err, options.file);
    if (!problem) throw err;
    throw new DatabaseOpenError(problem, problemSentence(problem, options.file), err);
  }
}

/** Files of an installation that had a database: secrets, backups, a WhatsApp session. */
export function installationTraces(folders: { secretsDir: string; backupDir: string; whatsappDir: string }): string[] {
  const traces: string[] = [];
  const nonEmpty = (dir: string) => {
    try {
      return readdirSync(dir).some((name) => !name.startsWith('.'));
    } catch {
      return false;
    }
  };
  if (nonEmpty(folders.secretsDir)) traces.push('secrets');
  if (nonEmpty(folders.backupDir)) traces.push('backups');
  if (nonEmpty(join(folders.whatsappDir, 'auth'))) traces.push('WhatsApp session');
  return traces;
}

/**
 * A missing or empty database beside an installation's secrets, backups or
 * WhatsApp session is a database lost (deleted, emptied by a sync tool), not a
 * new installation: starting as new would let anyone on the machine create an
 * administrator. Throws DatabaseOpenError (exit status 4) unless told it is new.
 */
export function refuseLostDatabase(file: string, folders: { secretsDir: string; backupDir: string; whatsappDir: string }): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    size = 0;
  }
  if (size > 0) return;
  const traces = installationTraces(folders);
  if (traces.length === 0) return;
  throw new DatabaseOpenError(
    'refusedAsNew',
    `The database ${file} is ${existsSync(file) ? 'empty' : 'missing'}, but its folder holds this installation's ${traces.join(', ')}: ` +
      'LexDesk did not start as a new installation (anyone could then create an administrator). ' +
      'Put the database back with `lexdesk backup restore <id>` (`lexdesk backup list` shows the backups), ' +
      'or, if this really is to be a new installation, start it once with `--new-installation`.',
  );
}
