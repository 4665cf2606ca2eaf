import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';

/**
 * Reading the live database's pages consistently without copying it, and knowing
 * which pages changed since a snapshot: what makes a frequent snapshot of a large
 * database cheap.
 *
 * In WAL mode a page is, for a reader whose snapshot ends at WAL frame M, the newest
 * frame ≤ M that holds it, or else the page in the database file. While that reader
 * holds its read transaction no checkpoint copies a frame beyond M into the file, so
 * the pages the WAL does not hold stay in the file as the reader sees them. To know M
 * exactly, the writer lock is taken for a moment (`BEGIN IMMEDIATE`: nobody commits
 * meanwhile), the WAL is read up to its last valid commit frame — the newest copy of
 * each page it holds kept in memory, since a WAL already checkpointed whole may be
 * restarted and overwritten as soon as the lock is released — and the reader begins
 * its transaction; then the writer lock is released and the app writes on.
 *
 * A snapshot records where it stood in the WAL (the WAL's checkpoint sequence and
 * salts, which change whenever SQLite restarts the WAL, and the frame count). The
 * next snapshot in the same WAL generation knows its changed pages: those of the
 * frames after that count. Otherwise (the WAL was checkpointed and restarted, the
 * database was replaced) every page is read and hashed again; unchanged chunks are
 * still not written twice.
 */

/** Where a snapshot stood in the database's WAL. */
export interface WalPosition {
  /** the database file's identity (a restore replaces the file) */
  ino: number;
  seq: number;
  salt1: number;
  salt2: number;
  /** valid frames up to and including the last commit the snapshot saw */
  frames: number;
  pageSize: number;
  pages: number;
}

export interface WalIndex {
  seq: number;
  salt1: number;
  salt2: number;
  pageSize: number;
  /** the last valid commit frame (1-based; 0: none) */
  frames: number;
  /** the database's size in pages after that commit (null: no commit in the WAL) */
  pages: number | null;
  /** page number of each frame, frames 1..`frames` at index 0..frames-1 */
  pageOfFrame: Uint32Array;
  /** for each page in the WAL, the file offset of its newest frame's data (≤ `frames`) */
  newest: Map<number, number>;
}

const WAL_HEADER = 32;
const FRAME_HEADER = 24;
const READ_BLOCK = 4 * 1024 * 1024;

/** SQLite's WAL checksum over `len` bytes (a multiple of 8) of `buf` at `off`, continuing from (s0, s1). */
function walChecksum(bigEndian: boolean, buf: Buffer, off: number, len: number, s0: number, s1: number): [number, number] {
  const end = off + len;
  if (bigEndian) {
    for (let i = off; i < end; i += 8) {
      s0 = (s0 + buf.readUInt32BE(i) + s1) >>> 0;
      s1 = (s1 + buf.readUInt32BE(i + 4) + s0) >>> 0;
    }
  } else {
    for (let i = off; i < end; i += 8) {
      s0 = (s0 + buf.readUInt32LE(i) + s1) >>> 0;
      s1 = (s1 + buf.readUInt32LE(i + 4) + s0) >>> 0;
    }
  }
  return [s0, s1];
}

/**
 * The valid frames of a WAL file (checksums and salts as SQLite checks them in
 * recovery), up to the last commit frame; null when there is no WAL or no valid header.
 */
export function readWal(walFile: string): WalIndex | null {
  let fd: number;
  try {
    fd = openSync(walFile, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    if (size < WAL_HEADER) return null;
    const header = Buffer.alloc(WAL_HEADER);
    readSync(fd, header, 0, WAL_HEADER, 0);
    const magic = header.readUInt32BE(0);
    if (magic !== 0x377f0682 && magic !== 0x377f0683) return null;
    const bigEndian = magic === 0x377f0683;
    const pageSize = header.readUInt32BE(8);
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return null;
    let [s0, s1] = walChecksum(bigEndian, header, 0, 24, 0, 0);
    if (s0 !== header.readUInt32BE(24) || s1 !== header.readUInt32BE(28)) return null;
    const seq = header.readUInt32BE(12);
    const salt1 = header.readUInt32BE(16);
    const salt2 = header.readUInt32BE(20);
    const frameBytes = FRAME_HEADER + pageSize;
    const maxFrames = Math.floor((size - WAL_HEADER) / frameBytes);
    const pageOfFrame = new Uint32Array(maxFrames);
    const pending = new Map<number, number>();
    const newest = new Map<number, number>();
    let frames = 0;
    let pages: number | null = null;
    const perBlock = Math.max(1, Math.floor(READ_BLOCK / frameBytes));
    const block = Buffer.alloc(perBlock * frameBytes);
    let frame = 0;
    scan: while (frame < maxFrames) {
      const count = Math.min(perBlock, maxFrames - frame);
      const want = count * frameBytes;
      let got = 0;
      while (got < want) {
        const n = readSync(fd, block, got, want - got, WAL_HEADER + frame * frameBytes + got);
        if (n === 0) break;
        got += n;
      }
      const whole = Math.floor(got / frameBytes);
      for (let k = 0; k < whole; k++) {
        const at = k * frameBytes;
        const pgno = block.readUInt32BE(at);
        if (pgno === 0 || block.readUInt32BE(at + 8) !== salt1 || block.readUInt32BE(at + 12) !== salt2) break scan;
        [s0, s1] = walChecksum(bigEndian, block, at, 8, s0, s1);
        [s0, s1] = walChecksum(bigEndian, block, at + FRAME_HEADER, pageSize, s0, s1);
        if (s0 !== block.readUInt32BE(at + 16) || s1 !== block.readUInt32BE(at + 20)) break scan;
        const index = frame + k;
        pageOfFrame[index] = pgno;
        pending.set(pgno, WAL_HEADER + index * frameBytes + FRAME_HEADER);
        const commit = block.readUInt32BE(at + 4);
        if (commit !== 0) {
          // a commit frame: the frames so far belong to committed transactions
          frames = index + 1;
          pages = commit;
          for (const [p, offset] of pending) newest.set(p, offset);
          pending.clear();
        }
      }
      if (whole < count) break;
      frame += count;
    }
    return { seq, salt1, salt2, pageSize, frames, pages, pageOfFrame: pageOfFrame.subarray(0, frames), newest };
  } finally {
    closeSync(fd);
  }
}

/** Above this the WAL's pages are not held in memory: the database is copied instead. */
const MAX_WAL_PAGES_BYTES = 64 * 1024 * 1024;

/** The newest copy of each page the WAL holds (read while no one can write). */
function walPagesOf(walFile: string, wal: WalIndex): Map<number, Buffer> {
  const all = Buffer.allocUnsafe(wal.newest.size * wal.pageSize);
  const pages = new Map<number, Buffer>();
  const fd = openSync(walFile, 'r');
  try {
    let i = 0;
    for (const [pgno, offset] of [...wal.newest].sort((a, b) => a[1] - b[1])) {
      const page = all.subarray(i * wal.pageSize, (i + 1) * wal.pageSize);
      let got = 0;
      while (got < wal.pageSize) {
        const n = readSync(fd, page, got, wal.pageSize - got, offset + got);
        if (n === 0) throw new Error('the WAL is shorter than its frames');
        got += n;
      }
      pages.set(pgno, page);
      i++;
    }
  } finally {
    closeSync(fd);
  }
  return pages;
}

/** The database as one consistent read: its pages, until `close()`. */
export interface PinnedDatabase {
  /** a read-only connection inside the read transaction the pages are read in */
  reader: Database.Database;
  position: WalPosition;
  wal: WalIndex | null;
  /** reads bytes [offset, offset + length) of the database as the reader sees it */
  read(target: Buffer, offset: number, length: number): void;
  close(): void;
}

/**
 * Pins the live database at its last commit: null when it is not in WAL mode or the
 * WAL does not agree with what SQLite reports (then the caller copies it instead).
 */
export function pinDatabase(file: string, nativeBinding: string | undefined, dbFd: number | undefined): PinnedDatabase | null {
  // closing any descriptor of the database file would drop every SQLite lock this process
  // holds on it (POSIX locks belong to the process): the file is read only through a
  // descriptor the process keeps open for good (databaseReader), never opened here
  if (dbFd === undefined || fstatSync(dbFd).ino !== statSync(file).ino) return null;
  const writer = new Database(file, { nativeBinding, fileMustExist: true });
  let reader: Database.Database | null = null;
  try {
    writer.pragma('busy_timeout = 10000');
    if (String(writer.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return null;
    let wal: WalIndex | null;
    let walPages: Map<number, Buffer> | null = null;
    let pages: number;
    let pageSize: number;
    writer.exec('BEGIN IMMEDIATE');
    try {
      pageSize = Number(writer.pragma('page_size', { simple: true }));
      wal = readWal(`${file}-wal`);
      if (wal && wal.newest.size * wal.pageSize > MAX_WAL_PAGES_BYTES) return null;
      walPages = wal && wal.frames > 0 ? walPagesOf(`${file}-wal`, wal) : null;
      reader = new Database(file, { nativeBinding, readonly: true, fileMustExist: true });
      reader.pragma('busy_timeout = 10000');
      reader.exec('BEGIN');
      // the first read starts the read transaction: from here on the reader sees this commit
      reader.prepare('SELECT count(*) FROM sqlite_master').get();
      pages = Number(reader.pragma('page_count', { simple: true }));
    } finally {
      writer.exec('ROLLBACK');
    }
    const ino = Number(statSync(file).ino);
    const consistent = wal && wal.frames > 0 ? wal.pageSize === pageSize && wal.pages === pages : statSync(file).size >= pages * pageSize;
    if (!consistent) {
      reader.close();
      reader = null;
      return null;
    }
    const pinnedReader = reader;
    const inWal = walPages;
    const readExactly = (fd: number, target: Buffer, at: number, length: number, position: number) => {
      let got = 0;
      while (got < length) {
        const n = readSync(fd, target, at + got, length - got, position + got);
        if (n === 0) throw new Error('the database file is shorter than its page count');
        got += n;
      }
    };
    return {
      reader: pinnedReader,
      wal,
      position: { ino, seq: wal?.seq ?? 0, salt1: wal?.salt1 ?? 0, salt2: wal?.salt2 ?? 0, frames: wal?.frames ?? 0, pageSize, pages },
      read(target, offset, length) {
        // runs of pages the WAL does not hold come from the file in one read
        let at = 0;
        while (at < length) {
          const pgno = Math.floor((offset + at) / pageSize) + 1;
          const page = inWal?.get(pgno);
          if (page) {
            page.copy(target, at);
            at += pageSize;
            continue;
          }
          let run = pageSize;
          while (at + run < length && !inWal?.has(pgno + run / pageSize)) run += pageSize;
          readExactly(dbFd, target, at, Math.min(run, length - at), offset + at);
          at += run;
        }
      },
      close() {
        pinnedReader.close();
      },
    };
  } catch (err) {
    reader?.close();
    throw err;
  } finally {
    writer.close();
  }
}

/**
 * The chunks (of `chunkBytes`) that may differ from the snapshot at `previous`, or
 * null when it cannot be known (another WAL generation, another file): then all.
 */
export function changedChunks(previous: WalPosition | undefined, now: PinnedDatabase, chunkBytes: number, previousChunks: number): Set<number> | null {
  const p = now.position;
  if (!previous || !now.wal) return null;
  if (previous.ino !== p.ino || previous.seq !== p.seq || previous.salt1 !== p.salt1 || previous.salt2 !== p.salt2 || previous.pageSize !== p.pageSize) return null;
  if (previous.frames > p.frames) return null;
  const pagesPerChunk = chunkBytes / p.pageSize;
  const changed = new Set<number>();
  for (let i = previous.frames; i < p.frames; i++) changed.add(Math.floor((now.wal.pageOfFrame[i]! - 1) / pagesPerChunk));
  const chunks = Math.ceil((p.pages * p.pageSize) / chunkBytes);
  // a database that grew or shrank: its last chunk is cut elsewhere, the new ones are new
  if (p.pages !== previous.pages && chunks > 0) changed.add(chunks - 1);
  for (let c = previousChunks; c < chunks; c++) changed.add(c);
  for (const c of changed) if (c >= chunks) changed.delete(c);
  return changed;
}

const kept = new Map<string, { fd: number; ino: number }>();

/**
 * A read-only descriptor of the database file for reading it in place, and how to
 * let it go. On POSIX systems it stays open for the life of the process (see
 * pinDatabase: closing one would release SQLite's locks), a new one when the file was
 * replaced (a restore), the old left open. Windows locks belong to a handle, not to
 * the process, and an open handle would stand in the way of a restore's swap: there
 * it is opened for one snapshot and closed after.
 */
export function databaseReader(file: string): { fd: number | undefined; release(): void } {
  const none = { fd: undefined, release: () => undefined };
  let ino: number;
  try {
    ino = Number(statSync(file).ino);
  } catch {
    return none;
  }
  if (process.platform === 'win32') {
    const fd = openSync(file, 'r');
    return { fd, release: () => closeSync(fd) };
  }
  const known = kept.get(file);
  if (known && known.ino === ino) return { fd: known.fd, release: () => undefined };
  const fd = openSync(file, 'r');
  kept.set(file, { fd, ino: Number(fstatSync(fd).ino) });
  return { fd, release: () => undefined };
}
