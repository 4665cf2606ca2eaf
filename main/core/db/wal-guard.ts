import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readSync, renameSync, statSync, writeSync } from 'node:fs';

/**
 * SQLite's write-ahead log (`lexdesk.sqlite-wal`) says nothing of which database
 * it belongs to: SQLite merges whatever log lies beside the file. A log put back
 * by a file-sync tool or a hand restore, or one from another installation, then
 * silently rewrites pages of this database. So LexDesk keeps, beside the
 * database, what its own log looks like:
 *
 * - every write notes the log's header (its salts and checkpoint count change
 *   only when SQLite starts the log afresh, so the note is rewritten rarely);
 * - a clean shutdown, which checkpoints and removes the log, notes "closed".
 *
 * At start a log beside a database closed cleanly, or one whose header is not
 * the one noted (nor the next one SQLite would start), is moved aside, never
 * merged, and reported.
 */

export interface WalHeader {
  salt1: number;
  salt2: number;
  checkpoint: number;
  pageSize: number;
}

interface Note {
  state: 'open' | 'closed';
  salt1?: number;
  salt2?: number;
  checkpoint?: number;
  at: string;
}

const WAL_MAGIC = [0x377f0682, 0x377f0683];

export const walFile = (file: string) => `${file}-wal`;
export const noteFile = (file: string) => `${file}.lexdesk-wal`;

function readWalHeader(fd: number): WalHeader | null {
  const buf = Buffer.alloc(32);
  if (readSync(fd, buf, 0, 32, 0) < 32) return null;
  if (!WAL_MAGIC.includes(buf.readUInt32BE(0))) return null;
  return { pageSize: buf.readUInt32BE(8), checkpoint: buf.readUInt32BE(12), salt1: buf.readUInt32BE(16), salt2: buf.readUInt32BE(20) };
}

export function walHeaderOf(file: string): WalHeader | null {
  let fd: number;
  try {
    fd = openSync(walFile(file), 'r');
  } catch {
    return null;
  }
  try {
    return readWalHeader(fd);
  } finally {
    closeSync(fd);
  }
}

function readNote(file: string): Note | null {
  try {
    return JSON.parse(readFileSync(noteFile(file), 'utf8')) as Note;
  } catch {
    return null;
  }
}

function writeNote(file: string, note: Note): void {
  const target = noteFile(file);
  const temp = `${target}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(note));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, target);
}

/** Notes the log's header as the store writes (used by Store). */
export class WalNote {
  private fd: number | null = null;
  private last: WalHeader | null = null;

  constructor(private readonly file: string) {}

  /** At open, before any write: the database is in use (its log's header is noted at the first commit). */
  opened(): void {
    try {
      writeNote(this.file, { state: 'open', at: new Date().toISOString() });
    } catch {
      // as below
    }
  }

  /** After a commit: the header is read (32 bytes) and, when SQLite started the log afresh, noted. */
  observe(): void {
    try {
      if (this.fd === null) this.fd = openSync(walFile(this.file), 'r');
      const header = readWalHeader(this.fd);
      if (!header) return;
      const last = this.last;
      if (last && last.salt1 === header.salt1 && last.salt2 === header.salt2) return;
      writeNote(this.file, { state: 'open', salt1: header.salt1, salt2: header.salt2, checkpoint: header.checkpoint, at: new Date().toISOString() });
      this.last = header;
    } catch {
      // the note guards the next start; a failure to write it (a full disk) must not fail the write itself
    }
  }

  /** After the connection closed: a log SQLite removed means the database was closed cleanly. */
  closed(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    try {
      const wal = walFile(this.file);
      if (!existsSync(wal) || statSync(wal).size === 0) writeNote(this.file, { state: 'closed', at: new Date().toISOString() });
    } catch {
      // as above
    }
  }
}

export type WalVerdict =
  | { action: 'none' }
  | { action: 'merge' }
  | { action: 'set-aside'; reason: 'after-clean-shutdown' | 'foreign'; movedTo: string };

/**
 * Before the database is opened at start: leaves a log SQLite may merge (the one
 * this database wrote before a crash) and moves any other aside, with its -shm.
 */
export function guardWalAtStart(file: string, now: Date): WalVerdict {
  const wal = walFile(file);
  let size = 0;
  try {
    size = statSync(wal).size;
  } catch {
    return { action: 'none' };
  }
  if (size === 0) return { action: 'none' };
  const note = readNote(file);
  // an installation from before the note: nothing to compare with
  if (!note) return { action: 'merge' };
  let reason: 'after-clean-shutdown' | 'foreign' | null = null;
  if (note.state === 'closed') reason = 'after-clean-shutdown';
  else {
    const header = walHeaderOf(file);
    // noted salts (none: stopped between opening and its first write, nothing to compare with)
    if (header && note.salt1 !== undefined) {
      const same = header.salt1 === note.salt1 && header.salt2 === note.salt2;
      // SQLite restarted the log once after the last note (a crash before it was noted): salt1 goes up by one
      const next = header.salt1 === ((note.salt1 + 1) >>> 0);
      if (!same && !next) reason = 'foreign';
    }
  }
  if (!reason) return { action: 'merge' };
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const movedTo = `${wal}.set-aside-${stamp}`;
  renameSync(wal, movedTo);
  const shm = `${file}-shm`;
  if (existsSync(shm)) renameSync(shm, `${shm}.set-aside-${stamp}`);
  return { action: 'set-aside', reason, movedTo };
}
