import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Writing files so that a crash, a power cut or a full disk at any instant leaves
 * the old content or the new one under the file's name, never half of it: the
 * content goes to a partial file beside it, is flushed to the disk, and is renamed
 * over the name (atomic on one disk); then the folder is flushed, so the rename
 * itself survives a power cut. A partial file is removed when the write fails.
 */

/** Writes `content` to `file` atomically (mode 0600 by default); creates the folder when missing. */
export async function writeFileAtomic(file: string, content: string | Buffer, mode = 0o600): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.${randomBytes(4).toString('hex')}.partial`;
  try {
    const handle = await open(partial, 'wx', mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  await syncDir(dirname(file));
}

/**
 * Streams `source` to `target` through `<target>.partial`, renamed to `target` once
 * all of it is on the disk. A stream that fails or is destroyed leaves no file.
 */
export async function streamToFileAtomic(source: Readable, target: string, mode = 0o600): Promise<void> {
  const partial = `${target}.partial`;
  try {
    await pipeline(source, createWriteStream(partial, { mode, flush: true }));
    await rename(partial, target);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  await syncDir(dirname(target));
}

/** Flushes a file's content to the disk (before something else names it, a journal for one). */
export async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries (renames) to the disk; a no-op where folders cannot be opened (Windows). */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // some filesystems (network shares) refuse fsync on a folder; the rename still happened
  } finally {
    await handle?.close();
  }
}
