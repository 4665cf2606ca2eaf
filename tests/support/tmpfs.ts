import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { tempDir } from './server.js';

/**
 * A real small disk for the full-disk tests: a 40 MB tmpfs. Mounting needs the
 * right to (root, or CAP_SYS_ADMIN in a container); where the machine refuses,
 * `refusal` says why, for the test's skip reason.
 */
export interface Tmpfs {
  dir: string;
  mounted: boolean;
  refusal: string;
  /** unmounts (lazily: a process may still hold a file) and removes the mount point */
  remove(): void;
}

export function mountTmpfs(prefix: string, size = '40m'): Tmpfs {
  const dir = tempDir(prefix);
  let mounted = false;
  let refusal = '';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    mounted = true;
  } catch (err) {
    refusal = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim();
  }
  return {
    dir,
    mounted,
    refusal,
    remove() {
      if (mounted) execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes `file` until the disk it is on has not one block left. */
export function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10, 512]) {
      const chunk = Buffer.alloc(size, 7);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}
