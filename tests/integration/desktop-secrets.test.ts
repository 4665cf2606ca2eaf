import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../main/core/log.js';
import { FileSecretStore } from '../../main/core/secrets.js';
import {
  createDesktopSecretStore,
  KeytarSecretStore,
  SafeStorageSecretStore,
  type KeytarLike,
  type SafeStorageLike,
} from '../../main/electron/secret-store.js';
import { REPO_ROOT, tempDir } from '../support/server.js';

/** Records what the store says about itself. */
function recordingLog() {
  const lines: { level: string; message: string }[] = [];
  const log: Logger = {
    debug: (_f, message) => lines.push({ level: 'debug', message }),
    info: (_f, message) => lines.push({ level: 'info', message }),
    warn: (_f, message) => lines.push({ level: 'warn', message }),
    error: (_f, message) => lines.push({ level: 'error', message }),
    child: () => log,
  };
  return { log, lines };
}

/**
 * Stands in for Electron's safeStorage (which needs the Electron binary): the
 * same methods and types; "encryption" is an AES-free reversible transform that
 * is enough to prove the file never holds the plain text.
 */
function fakeSafeStorage(options: { available?: boolean; backend?: string } = {}): SafeStorageLike {
  return {
    isEncryptionAvailable: () => options.available ?? true,
    encryptString: (text) => Buffer.from(`v10${Buffer.from(text, 'utf8').toString('base64').split('').reverse().join('')}`),
    decryptString: (data) => Buffer.from(data.toString().slice(3).split('').reverse().join(''), 'base64').toString('utf8'),
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
  };
}

const hasKeyring = existsSync('/usr/bin/dbus-run-session') && existsSync('/usr/bin/gnome-keyring-daemon');

/** Runs a script with the real keytar in a child process: under a private D-Bus with gnome-keyring, or with no bus at all. */
function runWithKeytar(body: string, withKeyring: boolean): { stdout: string; stderr: string; status: number | null } {
  const dir = tempDir();
  const script = join(dir, 'probe.mts');
  writeFileSync(
    script,
    `import { createDesktopSecretStore, loadKeytar } from ${JSON.stringify(join(REPO_ROOT, 'main/electron/secret-store.ts'))};
const lines = [];
const log = { debug() {}, info: (_f, m) => lines.push(m), warn: (_f, m) => lines.push(m), error: (_f, m) => lines.push(m), child() { return log; } };
const safeStorage = { isEncryptionAvailable: () => true, encryptString: (s) => Buffer.from(s), decryptString: (b) => b.toString(), getSelectedStorageBackend: () => 'gnome_libsecret' };
${body}
`,
  );
  const node = `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(script)}`;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: dir, LEXDESK_TEST_DIR: dir };
  const result = withKeyring
    ? spawnSync('dbus-run-session', ['--', 'sh', '-c', `eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"; ${node}`], {
        cwd: REPO_ROOT,
        env,
        encoding: 'utf8',
        timeout: 60_000,
      })
    : spawnSync('sh', ['-c', node], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

describe('the desktop secret store', () => {
  // Skipped only on a machine without gnome-keyring and D-Bus (CI installs both): there is no OS keychain to talk to.
  it.skipIf(!hasKeyring)('uses the real OS keychain through keytar when one answers (gnome-keyring on a private D-Bus)', () => {
    const result = runWithKeytar(
      `const store = await createDesktopSecretStore({ loadKeytar: () => loadKeytar(process.cwd(), true), safeStorage, dir: process.env.LEXDESK_TEST_DIR, log });
await store.set('jwt-secret', 'kept-in-the-keychain');
const got = await store.get('jwt-secret');
const deleted = await store.delete('jwt-secret');
console.log(JSON.stringify({ kind: store.kind, got, deleted, after: await store.get('jwt-secret'), lines }));`,
      true,
    );
    const out = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}');
    expect(out, result.stderr).toMatchObject({ kind: 'OS keychain (keytar)', got: 'kept-in-the-keychain', deleted: true, after: null });
    expect(out.lines).toContain('secrets are kept in the OS keychain (keytar)');
  });

  it('falls back to a safeStorage-encrypted file when keytar cannot reach a keychain (no D-Bus), and says so', () => {
    const result = runWithKeytar(
      `const store = await createDesktopSecretStore({ loadKeytar: () => loadKeytar(process.cwd(), true), safeStorage, dir: process.env.LEXDESK_TEST_DIR, log });
console.log(JSON.stringify({ kind: store.kind, lines }));`,
      false,
    );
    const out = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}');
    expect(out.kind, result.stderr).toMatch(/^file encrypted with Electron safeStorage/);
    expect(out.lines.join('\n')).toMatch(/keychain does not answer|keytar is not installed/);
  });

  it('falls back when keytar is missing, writing only ciphertext to a 0600 file', async () => {
    const dir = tempDir();
    const { log, lines } = recordingLog();
    const store = await createDesktopSecretStore({ loadKeytar: async () => null, safeStorage: fakeSafeStorage(), dir, log });
    expect(store).toBeInstanceOf(SafeStorageSecretStore);
    await store.set('jwt-secret', 'plain-secret-value');
    const file = join(dir, 'jwt-secret.enc');
    expect(readFileSync(file, 'utf8')).not.toContain('plain-secret-value');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(await store.get('jwt-secret')).toBe('plain-secret-value');
    expect(lines.map((l) => l.message).join('\n')).toMatch(/keytar is not installed[\s\S]*safeStorage/);
  });

  it('uses a keytar that answers, and never touches the fallback', async () => {
    const vault = new Map<string, string>();
    const keytar: KeytarLike = {
      getPassword: async (s, a) => vault.get(`${s}/${a}`) ?? null,
      setPassword: async (s, a, p) => void vault.set(`${s}/${a}`, p),
      deletePassword: async (s, a) => vault.delete(`${s}/${a}`),
    };
    const dir = tempDir();
    const store = await createDesktopSecretStore({ loadKeytar: async () => keytar, safeStorage: fakeSafeStorage(), dir, log: recordingLog().log });
    expect(store).toBeInstanceOf(KeytarSecretStore);
    await store.set('backup-key', 'k');
    expect(vault.get('LexDesk/backup-key')).toBe('k');
    expect(existsSync(join(dir, 'backup-key.enc'))).toBe(false);
  });

  it('with no keychain at all (safeStorage on basic_text) keeps a 0600 file and warns', async () => {
    const dir = tempDir();
    const { log, lines } = recordingLog();
    const store = await createDesktopSecretStore({
      loadKeytar: async () => ({
        getPassword: async () => {
          throw new Error('Cannot autolaunch D-Bus without X11 $DISPLAY');
        },
        setPassword: async () => undefined,
        deletePassword: async () => false,
      }),
      safeStorage: fakeSafeStorage({ backend: 'basic_text' }),
      dir,
      log,
    });
    expect(store).toBeInstanceOf(FileSecretStore);
    expect(lines.some((l) => l.level === 'warn' && /protected only by file permissions/.test(l.message))).toBe(true);
  });
});
