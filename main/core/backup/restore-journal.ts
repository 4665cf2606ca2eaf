import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { syncDir, writeFileAtomic } from '../fs.js';

/**
 * Swapping the live database for a restored one, so that a crash at any instant
 * leaves either the old database or the restored one, never a mix.
 *
 * Before it touches the live files, the restore writes a journal naming the
 * verified candidate file (in the data folder, on the same disk as the database,
 * so renames are atomic). Then it moves the live files (-wal and -shm first, the
 * database last) into an aside folder and renames the candidate into place.
 * At the next start, `recoverInterruptedRestore` reads the journal and finishes
 * the swap (the candidate is present and verified) or puts the old files back.
 * A stale -wal is never left next to a database it does not belong to.
 */

export const JOURNAL_NAME = 'restore-journal.json';
export const ASIDE_DIR = '.restore-aside';
const SIDE_FILES = ['-wal', '-shm'] as const;

export const RestoreJournal = z.object({
  version: z.literal(1),
  id: z.string(),
  startedAt: z.string(),
  phase: z.enum(['ready', 'swapped', 'rolling-back']),
  database: z.string(),
  candidate: z.string(),
  aside: z.string(),
});
export type RestoreJournal = z.infer<typeof RestoreJournal>;

export function journalFile(dataDir: string): string {
  return join(dataDir, JOURNAL_NAME);
}

export function asideDir(dataDir: string): string {
  return join(dataDir, ASIDE_DIR);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function moveIfPresent(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

export async function writeJournal(dataDir: string, journal: RestoreJournal): Promise<void> {
  await writeFileAtomic(journalFile(dataDir), JSON.stringify(journal));
}

export async function readJournal(dataDir: string): Promise<RestoreJournal | null> {
  let text: string;
  try {
    text = await readFile(journalFile(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return RestoreJournal.parse(JSON.parse(text));
}

/** A hook between the steps of a swap, for tests that stop the process at the worst moment. */
export type StepHook = (point: 'aside-wal' | 'aside-database' | 'candidate-in') => Promise<void> | void;

/** Moves the live files aside and the candidate in; safe to run again after a crash. */
export async function swapIn(dataDir: string, journal: RestoreJournal, hook?: StepHook): Promise<void> {
  const { database, candidate, aside } = journal;
  const dir = dirname(database);
  await mkdir(aside, { recursive: true, mode: 0o700 });
  const asideOf = (suffix: string) => join(aside, `${basename(database)}${suffix}`);
  if (await exists(candidate)) {
    for (const suffix of SIDE_FILES) {
      if (await exists(asideOf(suffix))) await rm(`${database}${suffix}`, { force: true });
      else await moveIfPresent(`${database}${suffix}`, asideOf(suffix));
    }
    await hook?.('aside-wal');
    if (!(await exists(asideOf('')))) await moveIfPresent(database, asideOf(''));
    else await rm(database, { force: true });
    await syncDir(aside);
    await hook?.('aside-database');
    // nothing of the old database may stay next to the new one
    for (const suffix of SIDE_FILES) await rm(`${database}${suffix}`, { force: true });
    await rename(candidate, database);
    await syncDir(dir);
    await hook?.('candidate-in');
  }
  await writeJournal(dataDir, { ...journal, phase: 'swapped' });
}

/** Puts the old files back (the restored database is removed); safe to run again after a crash. */
export async function rollBack(dataDir: string, journal: RestoreJournal): Promise<void> {
  const { database, aside } = journal;
  await writeJournal(dataDir, { ...journal, phase: 'rolling-back' });
  const asideOf = (suffix: string) => join(aside, `${basename(database)}${suffix}`);
  if (await exists(asideOf(''))) {
    for (const suffix of ['', ...SIDE_FILES]) await rm(`${database}${suffix}`, { force: true });
    for (const suffix of [...SIDE_FILES, '']) await moveIfPresent(asideOf(suffix), `${database}${suffix}`);
    await syncDir(dirname(database));
  }
  await finish(dataDir, journal);
}

/** Removes the old files, the candidate and the journal (last). */
export async function finish(dataDir: string, journal: RestoreJournal): Promise<void> {
  await rm(journal.aside, { recursive: true, force: true });
  await rm(journal.candidate, { force: true });
  await rm(journalFile(dataDir), { force: true });
  await syncDir(dataDir);
}

export type RecoveryOutcome = { outcome: 'none' } | { outcome: 'finished' | 'rolled-back'; id: string };

/**
 * Run at start, before the database is opened: completes or undoes a restore that
 * a crash interrupted. The pre-restore safety backup holds the old data either way.
 */
export async function recoverInterruptedRestore(dataDir: string, databaseFile: string): Promise<RecoveryOutcome> {
  let journal: RestoreJournal | null;
  try {
    journal = await readJournal(dataDir);
  } catch {
    // a journal that cannot be read was never completely written: nothing was moved
    await rm(journalFile(dataDir), { force: true });
    journal = null;
  }
  if (!journal) {
    if (await exists(join(asideDir(dataDir), basename(databaseFile)))) {
      // the journal is removed last, so old files without a journal are leftovers of a finished restore
    }
    await rm(asideDir(dataDir), { recursive: true, force: true });
    return { outcome: 'none' };
  }
  if (journal.database !== databaseFile) {
    throw new Error(`The restore journal in ${dataDir} names another database (${journal.database}); move it away to start.`);
  }
  if (journal.phase === 'rolling-back') {
    await rollBack(dataDir, journal);
    return { outcome: 'rolled-back', id: journal.id };
  }
  if (journal.phase === 'ready') {
    if (await exists(journal.candidate)) {
      await swapIn(dataDir, journal);
    } else if (!(await exists(databaseFile))) {
      await rollBack(dataDir, journal);
      return { outcome: 'rolled-back', id: journal.id };
    }
  }
  await finish(dataDir, journal);
  return { outcome: 'finished', id: journal.id };
}
