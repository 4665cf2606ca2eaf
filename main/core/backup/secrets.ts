import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where the cached backup key lives: the same shape as the core's secret store
 * (keychain on the desktop, environment or files in headless mode) so the face's
 * store plugs in as is. Never the database, never the backup folder.
 */
export interface SecretStore {
  readonly kind: string;
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<boolean>;
}

/** Secrets in memory only: tests, and a CLI run given the passphrase on stdin. */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory';
  private readonly values = new Map<string, string>();
  async get(name: string): Promise<string | null> {
    return this.values.get(name) ?? null;
  }
  async set(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }
  async delete(name: string): Promise<boolean> {
    return this.values.delete(name);
  }
}

/**
 * One file per secret in a folder only the owner can enter (0700, files 0600),
 * replaced atomically. The fallback when a face gives the core no secret store.
 */
export class FolderSecretStore implements SecretStore {
  readonly kind: string;
  constructor(readonly dir: string) {
    this.kind = `file (${dir})`;
  }
  private file(name: string): string {
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name)) throw new Error(`"${name}" is not a valid secret name`);
    return join(this.dir, name);
  }
  async get(name: string): Promise<string | null> {
    try {
      const value = (await readFile(this.file(name), 'utf8')).replace(/\r?\n$/, '');
      return value === '' ? null : value;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
  async set(name: string, value: string): Promise<void> {
    const file = this.file(name);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    if (process.platform !== 'win32') await chmod(this.dir, 0o700);
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(value, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  }
  async delete(name: string): Promise<boolean> {
    try {
      await rm(this.file(name));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }
}
