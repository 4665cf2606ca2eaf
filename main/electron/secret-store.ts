// The desktop's secret store: the OS keychain through keytar, else a file
// encrypted with Electron's safeStorage, else (no keychain at all) a file only
// the user can read. No import of 'electron' here: the face passes safeStorage
// in, so this module is tested on plain Node with a stand-in shaped like it.
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/fs.js';
import type { Logger } from '../core/log.js';
import { keychainProtection, type KeyProtection } from '../core/backup/key-protection.js';
import { assertSecretName, FileSecretStore, type SecretStore } from '../core/secrets.js';
import { electronNativeDir } from './native.js';

/** The part of keytar this store uses (keytar's own signatures). */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/** The part of Electron's safeStorage this store uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: 'basic_text' means no keyring, i.e. no real protection */
  getSelectedStorageBackend?(): string;
}

export const KEYCHAIN_SERVICE = 'LexDesk';

/** Secrets in the OS keychain (macOS Keychain, Windows Credential Manager, libsecret on Linux). */
export class KeytarSecretStore implements SecretStore {
  readonly kind = 'OS keychain (keytar)';
  constructor(
    private readonly keytar: KeytarLike,
    private readonly service = KEYCHAIN_SERVICE,
  ) {}

  async get(name: string): Promise<string | null> {
    assertSecretName(name);
    return this.keytar.getPassword(this.service, name);
  }
  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    await this.keytar.setPassword(this.service, name, value);
  }
  async delete(name: string): Promise<boolean> {
    assertSecretName(name);
    return this.keytar.deletePassword(this.service, name);
  }
}

/** One `<name>.enc` file per secret, encrypted by safeStorage (DPAPI, Keychain key, or the Linux keyring). */
export class SafeStorageSecretStore implements SecretStore {
  readonly kind: string;
  constructor(
    private readonly safeStorage: SafeStorageLike,
    readonly dir: string,
  ) {
    this.kind = `file encrypted with Electron safeStorage (${dir})`;
  }

  private file(name: string): string {
    assertSecretName(name);
    return join(this.dir, `${name}.enc`);
  }

  async get(name: string): Promise<string | null> {
    let data: Buffer;
    try {
      data = await readFile(this.file(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return this.safeStorage.decryptString(data);
  }

  async set(name: string, value: string): Promise<void> {
    const file = this.file(name);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    if (process.platform !== 'win32') await chmod(this.dir, 0o700);
    await writeFileAtomic(file, this.safeStorage.encryptString(value), 0o600);
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

/**
 * keytar, loaded lazily (it is an optional dependency and may be missing). From
 * a source checkout the desktop uses the Electron build in .native/electron;
 * a packaged app carries that build in its own node_modules.
 */
export async function loadKeytar(appRoot: string, packaged: boolean): Promise<KeytarLike | null> {
  const require = createRequire(import.meta.url);
  const electronBuild = join(electronNativeDir(appRoot), 'keytar');
  const target = !packaged && existsSync(electronBuild) ? electronBuild : 'keytar';
  try {
    const loaded = require(target) as KeytarLike & { default?: KeytarLike };
    return loaded.default ?? loaded;
  } catch {
    return null;
  }
}

const PROBE_ACCOUNT = 'lexdesk-probe';

/**
 * Picks the desktop's secret store and logs which one: the OS keychain when
 * keytar loads and answers; else a safeStorage-encrypted file; else, where the
 * system has no keychain at all, a file readable only by the user (with a
 * warning). Every failure on the way is logged with its reason.
 */
export async function createDesktopSecretStore(deps: {
  loadKeytar: () => Promise<KeytarLike | null>;
  safeStorage: SafeStorageLike;
  dir: string;
  log: Logger;
}): Promise<SecretStore> {
  const log = deps.log.child({ component: 'secrets' });
  let keytar: KeytarLike | null = null;
  try {
    keytar = await deps.loadKeytar();
  } catch (err) {
    log.warn({ err }, 'keytar could not be loaded');
  }
  if (keytar) {
    try {
      await keytar.getPassword(KEYCHAIN_SERVICE, PROBE_ACCOUNT);
      const store = new KeytarSecretStore(keytar);
      log.info({ kind: store.kind }, `secrets are kept in the ${store.kind}`);
      return store;
    } catch (err) {
      log.warn({ reason: (err as Error).message }, 'the OS keychain does not answer; falling back to an encrypted file');
    }
  } else {
    log.warn({}, 'keytar is not installed; falling back to an encrypted file');
  }
  const backend = deps.safeStorage.getSelectedStorageBackend?.();
  if (deps.safeStorage.isEncryptionAvailable() && backend !== 'basic_text') {
    const store = new SafeStorageSecretStore(deps.safeStorage, deps.dir);
    log.info({ kind: store.kind, backend }, `secrets are kept in a ${store.kind}`);
    return store;
  }
  const store = new FileSecretStore(deps.dir, log);
  log.warn(
    { kind: store.kind, backend },
    `no keychain is available on this system: secrets are kept in a ${store.kind} protected only by file permissions`,
  );
  return store;
}

/**
 * How the desktop protects the backup key it keeps: the keychain's own protection
 * when the store is the OS keychain or a safeStorage file; otherwise (a plain 0600
 * file) none, and `fallback` decides (a key-encryption key, or memory only).
 */
export function desktopKeyProtection(store: SecretStore, fallback: KeyProtection): KeyProtection {
  return store instanceof KeytarSecretStore || store instanceof SafeStorageSecretStore ? keychainProtection(store.kind) : fallback;
}
