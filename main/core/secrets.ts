import { chmod, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './fs.js';
import type { Logger } from './log.js';

/**
 * Where LexDesk keeps its own secrets (the JWT signing key, the backup key…):
 * never in the database, never in the renderer. Each face builds one:
 * headless reads the environment, then files in a 0700 folder; the desktop uses
 * the OS keychain (keytar) with an encrypted-file fallback (main/electron).
 *
 * Names are short kebab-case words ('jwt-secret', 'backup-key'). `kind` says
 * which backend is in use, for the log and the README's troubleshooting.
 *
 * @example
 *   const key = await getOrCreateSecret(secrets, 'jwt-secret', () => randomBytes(32).toString('base64url'));
 */
export interface SecretStore {
  readonly kind: string;
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  /** true when there was something to delete */
  delete(name: string): Promise<boolean>;
}

export class SecretStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretStoreError';
  }
}

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function assertSecretName(name: string): void {
  if (!NAME.test(name)) throw new SecretStoreError(`"${name}" is not a valid secret name (lower-case letters, digits and -).`);
}

/** The environment variable that may carry a secret: 'jwt-secret' → LEXDESK_JWT_SECRET. */
export function secretEnvVariable(name: string): string {
  return `LEXDESK_${name.toUpperCase().replace(/-/g, '_')}`;
}

/** Secrets given in the environment (read once, at start). Read-only: set and delete are refused. */
export class EnvSecretStore implements SecretStore {
  readonly kind = 'environment';
  constructor(private readonly values: Readonly<Record<string, string>>) {}

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.values, name);
  }
  async get(name: string): Promise<string | null> {
    return this.has(name) ? this.values[name]! : null;
  }
  async set(name: string): Promise<void> {
    throw new SecretStoreError(`The secret "${name}" comes from ${secretEnvVariable(name)} and cannot be changed by LexDesk.`);
  }
  async delete(name: string): Promise<boolean> {
    if (this.has(name)) {
      throw new SecretStoreError(`The secret "${name}" comes from ${secretEnvVariable(name)} and cannot be removed by LexDesk.`);
    }
    return false;
  }
}

/**
 * One file per secret in a folder only the owner can enter (0700; files 0600),
 * written to a temporary name, flushed and renamed, so a crash leaves the old
 * value or the new one. Works with Docker/Kubernetes secrets mounted as files.
 */
export class FileSecretStore implements SecretStore {
  readonly kind: string;
  constructor(
    readonly dir: string,
    private readonly log?: Logger,
  ) {
    this.kind = `file (${dir})`;
  }

  private file(name: string): string {
    assertSecretName(name);
    return join(this.dir, name);
  }

  async get(name: string): Promise<string | null> {
    const file = this.file(name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new SecretStoreError(`The secret file ${file} cannot be read: ${(err as Error).message}`);
    }
    if (process.platform !== 'win32') {
      const mode = (await stat(file)).mode & 0o077;
      if (mode !== 0) this.log?.warn({ file }, 'a secret file can be read by other users of this machine; chmod 600 it');
    }
    const value = text.replace(/\r?\n$/, '');
    return value === '' ? null : value;
  }

  async set(name: string, value: string): Promise<void> {
    const file = this.file(name);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    if (process.platform !== 'win32') await chmod(this.dir, 0o700);
    await writeFileAtomic(file, value, 0o600);
  }

  async delete(name: string): Promise<boolean> {
    const file = this.file(name);
    try {
      await rm(file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }
}

/** The environment first, then files: what headless mode uses. */
export class HeadlessSecretStore implements SecretStore {
  readonly kind: string;
  private readonly env: EnvSecretStore;
  private readonly files: FileSecretStore;

  constructor(options: { env: Readonly<Record<string, string>>; dir: string; log?: Logger }) {
    this.env = new EnvSecretStore(options.env);
    this.files = new FileSecretStore(options.dir, options.log);
    this.kind = `environment, then ${this.files.kind}`;
  }

  /** Which backend holds (or would hold) a secret, for the log. */
  sourceOf(name: string): string {
    return this.env.has(name) ? `environment variable ${secretEnvVariable(name)}` : this.files.kind;
  }

  async get(name: string): Promise<string | null> {
    return (await this.env.get(name)) ?? this.files.get(name);
  }
  async set(name: string, value: string): Promise<void> {
    if (this.env.has(name)) return this.env.set(name);
    return this.files.set(name, value);
  }
  async delete(name: string): Promise<boolean> {
    if (this.env.has(name)) return this.env.delete(name);
    return this.files.delete(name);
  }
}

/** The secret, created with `make()` and stored on first use. */
export async function getOrCreateSecret(store: SecretStore, name: string, make: () => string): Promise<{ value: string; created: boolean }> {
  const existing = await store.get(name);
  if (existing !== null) return { value: existing, created: false };
  const value = make();
  await store.set(name, value);
  // read back: another process may have won the race, or the backend may transform values
  const stored = await store.get(name);
  if (stored === null) throw new SecretStoreError(`The secret "${name}" could not be stored (${store.kind}).`);
  return { value: stored, created: true };
}
