import { existsSync, readdirSync, rmSync } from 'node:fs';
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { BackupItem, BackupOverview, SnapshotItem } from '../../shared/contract/backup.js';
import { formatBytes } from '../../shared/format.js';
import type { ApiError } from '../../shared/errors.js';
import type { Core } from '../core/app.js';
import { POOL_DIR } from '../core/backup/documents.js';
import { DATABASE_SUFFIX, DOCUMENTS_SUFFIX } from '../core/backup/folder.js';
import type { Config } from '../core/config.js';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { callDoor, cliAudit, cliOrigin, openCore, refusalLine } from './operator.js';

export const BACKUP_HELP = `Usage: lexdesk backup <command>

  create [--sql] [--passphrase-stdin]    back up now (copy, compress, encrypt, verify); prints the id
                                         (the passphrase only where this machine keeps no copy of the key)
  list [--json]                          the backups and the snapshots in the backup folder, with when
                                         each snapshot was last verified and where copies of it are
  verify <id> [--passphrase-stdin]       decrypt, open and check a backup or a snapshot again
  restore <id|file> [--passphrase-stdin] replace the database with a backup (stop LexDesk first);
                                         a file outside the backup folder is copied into it first
  restore --at "2026-12-01 14:45"        the same with the newest snapshot at or before that time
                                         (local time of this machine, or ISO 8601 with a zone)
  decrypt <id|file> <out> [--sql] [--passphrase-stdin]
                                         write the plain database (or with --sql the SQL text) to <out>
  passphrase                             set the backup passphrase (read from stdin, or asked twice)
  fetch --from <sftp://…|s3://…|folder> [--to <folder>]
                                         download the backups from the off-site copy (a new machine);
                                         lexdesk backup fetch --help says more

The passphrase is needed only when this machine does not hold the backup's key
(a new installation): pipe it in, e.g. \`printf %s "$PASS" | lexdesk backup restore <id> --passphrase-stdin\`.
`;

/** Exit status when LexDesk is running and a restore would pull the database from under it. */
export const EXIT_IN_USE = 4;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks without echoing what is typed (a terminal), or reads stdin (a pipe). */
async function askSecret(question: string): Promise<string> {
  if (!process.stdin.isTTY) return readStdin();
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const output = rl as unknown as { _writeToOutput?: (s: string) => void };
  process.stderr.write(question);
  output._writeToOutput = () => undefined;
  const answer = await new Promise<string>((done) => rl.question('', done));
  rl.close();
  process.stderr.write('\n');
  return answer;
}

/** True when another process (a running LexDesk) has the database open. */
export function databaseInUse(file: string, nativeBinding?: string): boolean {
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true, timeout: 0, nativeBinding });
  } catch {
    return false; // no database yet
  }
  try {
    // an exclusive lock cannot be had while another connection (WAL mode) holds the file
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return false;
  } catch (err) {
    return (err as { code?: string }).code === 'SQLITE_BUSY' || (err as { code?: string }).code === 'SQLITE_LOCKED';
  } finally {
    db.close();
  }
}

function progressPrinter(core: Core): () => void {
  let last = '';
  return core.services.events.subscribe((event) => {
    if (event.type !== 'backup.progress') return;
    const line = `[${String(Math.floor(event.data.percent)).padStart(3)}%] ${event.data.label}`;
    if (line !== last) process.stderr.write(`${line}\n`);
    last = line;
  });
}

/** A backup named by id, or a file anywhere: copied into the backup folder, so it is listed and kept. */
async function resolveBackup(core: Core, arg: string): Promise<string> {
  if (!arg.endsWith(DATABASE_SUFFIX) && !arg.includes('/') && !arg.includes('\\')) return arg;
  const file = resolve(arg);
  const id = basename(file).slice(0, -DATABASE_SUFFIX.length);
  const folder = core.services.backups.destination().dir;
  if (dirname(file) !== resolve(folder)) {
    await stat(file).catch(() => {
      throw new AppError('not_found', `There is no file ${file}.`);
    });
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const target = join(folder, basename(file));
    const exists = await stat(target).then(() => true, () => false);
    if (!exists) {
      await copyFile(file, target);
      process.stderr.write(`Copied ${basename(file)} into ${folder}.\n`);
    }
    const copied = await copyDocumentsBeside(dirname(file), id, folder);
    if (copied > 0) process.stderr.write(`Copied the backup's list of documents and ${copied - 1} document files into ${folder}.\n`);
  }
  return id;
}

/**
 * A backup's documents travel beside its file: its index (`<id>.documents.lexbak`)
 * and the pool (`documents/ab/<sha256>`). Copies what the destination lacks; returns
 * how many files were copied.
 */
async function copyDocumentsBeside(from: string, id: string, to: string): Promise<number> {
  const index = `${id}${DOCUMENTS_SUFFIX}`;
  if (!(await stat(join(from, index)).then(() => true, () => false))) return 0;
  let copied = 0;
  const copyMissing = async (source: string, target: string) => {
    if (await stat(target).then(() => true, () => false)) return;
    await copyFile(source, target);
    copied++;
  };
  await copyMissing(join(from, index), join(to, index));
  const pool = join(from, POOL_DIR);
  for (const prefix of await readdir(pool).catch(() => [] as string[])) {
    if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
    await mkdir(join(to, POOL_DIR, prefix), { recursive: true, mode: 0o700 });
    for (const name of await readdir(join(pool, prefix))) {
      if (/^[0-9a-f]{64}$/.test(name)) await copyMissing(join(pool, prefix, name), join(to, POOL_DIR, prefix, name));
    }
  }
  return copied;
}

function printSnapshot(s: SnapshotItem, offsite?: BackupOverview['offsite']): void {
  const locations = offsite?.ids.includes(s.id) ? [...s.locations, 'off-site'] : s.locations;
  const at = new Date(s.createdAt);
  const local = `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')} ${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
  const verified = s.problem ? `FAILED (${s.problem})` : s.verifiedAt
      ? s.verifiedAt.slice(0, 16).replace('T', ' ') + ' UTC'
      : s.partsCheckedAt
        ? `new parts checked ${s.partsCheckedAt.slice(0, 16).replace('T', ' ')} UTC, full check pending`
        : 'not yet';
  process.stdout.write(`${s.id}  ${local}  ${s.kind}  ${formatBytes(s.addedBytes)}  ${verified}  ${locations.join(',')}\n`);
}

function printItem(item: BackupItem, offsite?: BackupOverview['offsite']): void {
  const where = offsite ? `  ${offsite.ids.includes(item.id) ? 'local + off-site' : 'local only'}` : '';
  process.stdout.write(
    `${item.id}  ${item.kind}  ${item.status}${item.failure ? ` (${item.failure})` : ''}  ${formatBytes(item.sizeBytes)}  schema ${item.schemaVersion}${where}\n`,
  );
}

/** A thrown error as one line: the backup service's errors are sentences that say what to do. */
function fail(err: unknown): number {
  process.stderr.write(`lexdesk: ${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
}

/** The door's refusal of an operation as one line. */
function refused(error: ApiError): number {
  process.stderr.write(`lexdesk: ${refusalLine(error)}\n`);
  return 1;
}

/**
 * `lexdesk backup …`; returns the exit status. `list`, `create` and `verify` are
 * the operations of the Backups screen, through the door as the local operator;
 * `restore` (with LexDesk stopped, no password to ask), `decrypt` and
 * `passphrase` call the backup service and record themselves with cliAudit.
 */
export async function backupCommand(argv: string[], config: Config, log: Logger): Promise<number> {
  if (argv[0] === 'fetch') {
    const { fetchCommand } = await import('./offsite-fetch.js');
    return fetchCommand(argv.slice(1), config, {
      env: process.env,
      readSecret: askSecret,
      out: (line) => process.stdout.write(line),
      err: (line) => process.stderr.write(line),
    });
  }
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'passphrase-stdin': { type: 'boolean' },
      json: { type: 'boolean' },
      sql: { type: 'boolean' },
      at: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const [sub, arg, out] = positionals;
  if (!sub || values.help || sub === 'help') {
    process.stdout.write(BACKUP_HELP);
    return sub ? 0 : 2;
  }
  if (!['list', 'passphrase', 'create', 'verify', 'restore', 'decrypt'].includes(sub)) {
    process.stderr.write(`lexdesk: unknown backup command "${sub}"\n\n${BACKUP_HELP}`);
    return 2;
  }
  if (sub === 'restore' && values.at !== undefined && arg) {
    process.stderr.write('lexdesk: give either a backup or --at, not both\n');
    return 2;
  }
  if (sub !== 'create' && sub !== 'list' && sub !== 'passphrase' && !arg && !(sub === 'restore' && values.at !== undefined)) {
    process.stderr.write(`lexdesk: say which backup: lexdesk backup ${sub} <id>\n`);
    return 2;
  }
  if (sub === 'decrypt' && !out) {
    process.stderr.write('lexdesk: say where to write the plain copy: lexdesk backup decrypt <id> <out>\n');
    return 2;
  }
  let passphrase: string | undefined;
  if (sub === 'passphrase') {
    const first = await askSecret('New backup passphrase: ');
    const second = process.stdin.isTTY ? await askSecret('Again: ') : first;
    if (first !== second) {
      process.stderr.write('lexdesk: the two passphrases differ; nothing was changed.\n');
      return 1;
    }
    passphrase = first;
  } else if (values['passphrase-stdin']) {
    passphrase = await readStdin();
  }
  if (sub === 'restore' && databaseInUse(config.databaseFile)) {
    process.stderr.write(
      'lexdesk: LexDesk is running (the database is open in another program). Stop it first, or restore from the Backups screen.\n',
    );
    return EXIT_IN_USE;
  }

  // a restore may be the first thing a new installation does; every other command needs the database
  // a restore is how a lost database comes back: it may start in a folder that holds backups and secrets
  // a restore onto a new installation that fails must leave the folder as it found it: no empty
  // database, no secrets, no copied files that would make the next start refuse to begin as new
  const leftBehind = sub === 'restore' && !existsSync(config.databaseFile) ? entriesOf(config.dataDir) : null;
  const core = await openCore(config, log, { mayCreate: sub === 'restore', newInstallation: sub === 'restore' });
  const stopPrinting = progressPrinter(core);
  let status = 1;
  try {
    status = await runCommand();
    return status;
  } finally {
    stopPrinting();
    await core.stop();
    if (leftBehind && status !== 0) {
      for (const name of entriesOf(config.dataDir)) if (!leftBehind.has(name)) rmSync(join(config.dataDir, name), { recursive: true, force: true });
    }
  }

  async function runCommand(): Promise<number> {
    try {
      switch (sub) {
        case 'list': {
          const result = await callDoor(core, 'backup.list', {});
          if (!result.ok) return refused(result.error);
          const overview = result.value as BackupOverview;
          const snapshotsResult = await callDoor(core, 'backup.snapshots', {});
          if (!snapshotsResult.ok) return refused(snapshotsResult.error);
          const { snapshots } = snapshotsResult.value as { snapshots: SnapshotItem[] };
          if (values.json) {
            process.stdout.write(`${JSON.stringify({ ...overview, snapshots }, null, 2)}\n`);
            return 0;
          }
          process.stdout.write(`Backup folder: ${overview.destination}${overview.destinationProblem ? ` (${overview.destinationProblem})` : ''}\n`);
          if (overview.backups.length === 0) process.stdout.write('No backups yet. Make one with `lexdesk backup create`.\n');
          if (overview.offsite) {
            process.stdout.write(`Off-site copy: ${overview.offsite.label} (${overview.offsite.at ? `last complete copy ${overview.offsite.at}` : 'not copied yet'})\n`);
          }
          for (const item of overview.backups) printItem(item, overview.offsite);
          if (snapshots.length > 0) {
            process.stdout.write(`\nSnapshots (${snapshots.length}; restore one with \`lexdesk backup restore --at "YYYY-MM-DD HH:MM"\`):\n`);
            process.stdout.write('id  taken (local time)  kind  added  last verified  locations\n');
            for (const s of snapshots) printSnapshot(s, overview.offsite);
          }
          if (overview.overdue) process.stdout.write(`Warning: the last good backup is ${overview.lastGoodAt ? `from ${overview.lastGoodAt}` : 'missing'}.\n`);
          return 0;
        }
        case 'create': {
          // no keychain and no key-encryption key here: the passphrase opens the key for this run
          if (passphrase !== undefined && (await core.services.backups.getSettings()).keyLocked) {
            const unlocked = await callDoor(core, 'backup.unlock', { passphrase });
            if (!unlocked.ok) return refused(unlocked.error);
          }
          const result = await callDoor(core, 'backup.create', { sqlDump: values.sql });
          if (!result.ok) return refused(result.error);
          printItem(result.value as BackupItem);
          return 0;
        }
        case 'verify': {
          const snapshot = await core.services.backups.snapshots.has(arg!);
          if (snapshot && !(await core.services.backups.hasBackupFile(arg!))) {
            const problem = await cliAudit(core, 'backup.verify', async (note) => {
              note.target = { type: 'backup', id: arg! };
              const found = await core.services.backups.verifySnapshot(arg!, passphrase);
              note.details = { snapshot: true, problem: found };
              return found;
            });
            process.stdout.write(problem ? `Snapshot ${arg} FAILED verification: ${problem}\n` : `Snapshot ${arg} verified: every chunk decrypts, the database opens and passes the integrity check, the row counts match.\n`);
            return problem ? 1 : 0;
          }
          const result = await callDoor(core, 'backup.verify', { id: await resolveBackup(core, arg!), passphrase });
          if (!result.ok) return refused(result.error);
          const item = result.value as BackupItem;
          printItem(item);
          return item.status === 'failed' ? 1 : 0;
        }
        case 'passphrase': {
          const settings = await cliAudit(core, 'backup.settings.update', async (note) => {
            note.details = { changed: [], passphraseChanged: true };
            return core.services.backups.updateSettings({ passphrase }, cliOrigin());
          });
          process.stdout.write(`The backup passphrase is set; this machine keeps the key in ${settings.keyStore}. Write the passphrase down somewhere safe: without it, backups cannot be restored on another machine.\n`);
          return 0;
        }
        case 'restore': {
          const result = await cliAudit(core, 'backup.restore', async (note) => {
            const id = values.at !== undefined ? await core.services.backups.resolvePointInTime(values.at) : await resolveBackup(core, arg!);
            if (values.at !== undefined) process.stderr.write(`${values.at} resolves to snapshot ${id}.\n`);
            note.target = { type: 'backup', id };
            const restored = await core.services.backups.restore(id, cliOrigin(), { passphrase });
            note.details = { preRestoreBackupId: restored.preRestoreBackupId, schemaFrom: restored.schemaFrom, sessionsEnded: restored.sessionsEnded };
            return restored;
          });
          process.stdout.write(
            `Restored ${result.id} (schema ${result.schemaFrom} → ${result.schemaTo}). The data as it was before is in backup ${result.preRestoreBackupId}.\n`,
          );
          return 0;
        }
        case 'decrypt': {
          const target = resolve(out!);
          const { id, header } = await cliAudit(core, 'backup.decrypt', async (note) => {
            const id = await resolveBackup(core, arg!);
            note.target = { type: 'backup', id };
            note.details = { content: values.sql ? 'sql' : 'database', output: target };
            return { id, header: await core.services.backups.decrypt(id, target, { passphrase, sql: values.sql }) };
          });
          process.stdout.write(`Wrote ${header.content === 'sql' ? 'the SQL text' : 'the database'} of ${id} to ${target}.\n`);
          return 0;
        }
      }
      return 2;
    } catch (err) {
      return fail(err);
    }
  }
}

/** The names in a folder (none when it does not exist). */
function entriesOf(dir: string): Set<string> {
  try {
    return new Set(readdirSync(dir));
  } catch {
    return new Set();
  }
}
