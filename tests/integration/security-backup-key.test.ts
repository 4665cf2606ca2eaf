// Issue #16, finding 3: the backup key lay beside the backups. Copying only
// `backups/` and `secrets/` to another machine must open nothing without the
// passphrase; the key kept here is wrapped (keychain, key-encryption key) or,
// with neither, kept in memory and asked after each restart.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupItem, BackupOverview, BackupSettings } from '../../shared/contract/backup.js';
import { BACKUP_KEY_SECRET } from '../../main/core/backup/keyring.js';
import { deriveBackupKey, keyIdOf, newScryptParams } from '../../main/core/backup/format.js';
import { memoryProtection } from '../../main/core/backup/key-protection.js';
import { FileSecretStore } from '../../main/core/secrets.js';
import { desktopKeyProtection, KeytarSecretStore, SafeStorageSecretStore } from '../../main/electron/secret-store.js';
import type { TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { ADMIN_PASSWORD, addNotes, fakeAuth, PASSPHRASE, startBackupCore, TEST_SCRYPT } from '../support/backup.js';
import { REPO_ROOT, tempDir } from '../support/server.js';

const CLI = join(REPO_ROOT, 'dist', 'main', 'cli', 'index.js');
const NO_KEK = { LEXDESK_BACKUP_KEK: '' };

let cores: TestCore[] = [];
afterEach(async () => {
  for (const c of cores) await c.dispose().catch(() => undefined);
  cores = [];
});

async function core(options: { dataDir?: string; env?: Record<string, string>; newInstallation?: boolean } = {}): Promise<TestCore> {
  const c = await startBackupCore(options);
  fakeAuth(c);
  cores.push(c);
  return c;
}

/** The folders a thief copies: the backups and the secrets, nothing else (and no key-encryption key). */
function copyBackupsAndSecrets(from: string): string {
  const to = tempDir('lexdesk-stolen-');
  cpSync(join(from, 'backups'), join(to, 'backups'), { recursive: true });
  cpSync(join(from, 'secrets'), join(to, 'secrets'), { recursive: true });
  return to;
}

function lexdesk(dataDir: string, args: string[], input = '') {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dataDir, LEXDESK_DATA_DIR: dataDir },
    cwd: dataDir,
    input,
    timeout: 60_000,
  });
}

async function backedUp(env: Record<string, string>): Promise<{ c: TestCore; item: BackupItem; key: Buffer }> {
  const c = await core({ env });
  const admin = doorAs(c, 'admin');
  await admin.ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
  addNotes(c, 20, 'client message');
  const item = await admin.ok<BackupItem>('backup.create');
  const current = await (c.services.backups as unknown as { keys: { current(): Promise<{ key: Buffer }> } }).keys.current();
  return { c, item, key: current.key };
}

describe('finding 3: what a copy of backups/ and secrets/ gives', () => {
  for (const [label, env] of [
    ['with a key-encryption key (not copied: it lives outside the data volume)', {}],
    ['with no key-encryption key (the key is kept in memory only)', NO_KEK],
  ] as const) {
    it(`${label}: lexdesk backup decrypt asks for the passphrase and writes nothing`, async () => {
      const { c, item, key } = await backedUp(env);
      const stored = readFileSync(join(c.config.dataDir, 'secrets', BACKUP_KEY_SECRET), 'utf8');
      expect(stored.includes(key.toString('base64'))).toBe(false);
      expect(stored.includes(key.toString('hex'))).toBe(false);

      const stolen = copyBackupsAndSecrets(c.config.dataDir);
      // a folder with backups and secrets but no database is a lost database unless told it is new
      expect(lexdesk(stolen, ['migrate']).status).toBe(4);
      expect(lexdesk(stolen, ['migrate', '--new-installation']).status).toBe(0);
      const out = join(stolen, 'plain.sqlite');
      const result = lexdesk(stolen, ['backup', 'decrypt', join(stolen, 'backups', `${item.id}.db.lexbak`), out]);
      // before: exit 0 and a plain SQLite file with the clients' messages
      expect(result.status, result.stdout + result.stderr).toBe(1);
      expect(result.stderr).toMatch(/Enter the backup passphrase/);
      expect(existsSync(out)).toBe(false);
      // the passphrase alone still opens it, as the README promises
      const withPassphrase = lexdesk(stolen, ['backup', 'decrypt', item.id, out, '--passphrase-stdin'], PASSPHRASE);
      expect(withPassphrase.status, withPassphrase.stderr).toBe(0);
      expect(existsSync(out)).toBe(true);
    }, 60_000);
  }
});

describe('finding 3: the key kept on this machine', () => {
  it('with a key-encryption key, is sealed with it and scheduled backups go on after a restart; another KEK cannot open it', async () => {
    const { c } = await backedUp({});
    const dataDir = c.config.dataDir;
    const stored = JSON.parse(readFileSync(join(dataDir, 'secrets', BACKUP_KEY_SECRET), 'utf8'));
    expect(stored).toMatchObject({ version: 2, keys: [{ sealed: expect.stringMatching(/^kek1\./) }] });
    await c.stop();
    cores = [];

    const again = await core({ dataDir });
    const settings = await doorAs(again, 'admin').ok<BackupSettings>('backup.settings.get');
    expect(settings).toMatchObject({ keyProtection: 'kek', keyLocked: false, keyStore: expect.stringContaining('LEXDESK_BACKUP_KEK') });
    expect((await doorAs(again, 'admin').call('backup.create')).ok).toBe(true);
    await again.stop();
    cores = [];

    const otherKek = await core({ dataDir, env: { LEXDESK_BACKUP_KEK: 'another-key-encryption-key-of-40-characters' } });
    expect(await doorAs(otherKek, 'admin').ok<BackupSettings>('backup.settings.get')).toMatchObject({ keyLocked: true });
  }, 60_000);

  it('with neither keychain nor KEK, lives in memory: after a restart backups pause, the screen and an alert say so, the passphrase resumes them', async () => {
    const { c } = await backedUp(NO_KEK);
    const dataDir = c.config.dataDir;
    const stored = JSON.parse(readFileSync(join(dataDir, 'secrets', BACKUP_KEY_SECRET), 'utf8'));
    expect(stored.keys[0].sealed).toBeUndefined();
    await c.stop();
    cores = [];

    const restarted = await core({ dataDir, env: NO_KEK });
    const admin = doorAs(restarted, 'admin');
    expect(await admin.ok<BackupOverview>('backup.list')).toMatchObject({ passphraseSet: true, keyLocked: true });
    expect(await admin.ok<BackupSettings>('backup.settings.get')).toMatchObject({ keyProtection: 'memory', keyLocked: true });
    const refused = await admin.call('backup.create');
    expect(refused.ok ? null : refused.error).toMatchObject({ code: 'conflict', details: { reason: 'key_locked' }, message: expect.stringMatching(/enter the backup passphrase/) });
    // the alert: the "backup failed" rule fires with the reason, and the health check is degraded
    const health = await restarted.services.backups.health();
    expect(health).toMatchObject({ status: 'degraded', message: expect.stringMatching(/paused/) });
    await restarted.services.monitoring.tick();
    const alerts = restarted.services.store.sqlite.prepare("SELECT rule_id, message FROM monitoring_alerts WHERE resolved_at IS NULL").all() as { rule_id: string; message: string }[];
    expect(alerts).toEqual(expect.arrayContaining([expect.objectContaining({ rule_id: 'backup-failed', message: expect.stringMatching(/paused/) })]));

    const wrong = await admin.call('backup.unlock', { passphrase: 'not the passphrase at all' });
    expect(wrong.ok ? null : wrong.error).toMatchObject({ code: 'invalid_input', details: { reason: 'wrong_passphrase' } });
    expect(await admin.ok<BackupSettings>('backup.unlock', { passphrase: PASSPHRASE })).toMatchObject({ keyLocked: false });
    expect((await admin.call('backup.create')).ok).toBe(true);
    // the unlock is in the audit trail, without the passphrase
    const trail = JSON.stringify(restarted.services.store.sqlite.prepare("SELECT * FROM audit_log WHERE action LIKE 'backup.unlock%'").all());
    expect(trail).toContain('backup.unlock');
    expect(trail).not.toContain(PASSPHRASE);
  }, 60_000);

  it('a ring an older LexDesk wrote in clear is rewritten sealed at once, and its backups stay readable', async () => {
    const dataDir = tempDir();
    const kdf = newScryptParams(TEST_SCRYPT);
    const key = await deriveBackupKey(PASSPHRASE, kdf);
    const v1 = { version: 1, current: keyIdOf(key), keys: [{ keyId: keyIdOf(key), kdf, key: key.toString('base64'), createdAt: '2026-01-01T00:00:00.000Z' }] };
    await new FileSecretStore(join(dataDir, 'secrets')).set(BACKUP_KEY_SECRET, JSON.stringify(v1));
    const c = await core({ dataDir, newInstallation: true });
    const admin = doorAs(c, 'admin');
    const item = await admin.ok<BackupItem>('backup.create');
    const stored = readFileSync(join(dataDir, 'secrets', BACKUP_KEY_SECRET), 'utf8');
    expect(stored.includes(key.toString('base64'))).toBe(false);
    expect(JSON.parse(stored).keys[0].sealed).toMatch(/^kek1\./);
    expect(await admin.ok<BackupItem>('backup.verify', { id: item.id })).toMatchObject({ status: 'verified' });
  }, 60_000);

  it('the desktop trusts the OS keychain and safeStorage to protect it, and a plain file not at all', () => {
    const keytar = new KeytarSecretStore({ getPassword: async () => null, setPassword: async () => undefined, deletePassword: async () => true });
    const safe = new SafeStorageSecretStore({ isEncryptionAvailable: () => true, encryptString: (t) => Buffer.from(t), decryptString: (b) => b.toString() }, tempDir());
    expect(desktopKeyProtection(keytar, memoryProtection).kind).toBe('keychain');
    expect(desktopKeyProtection(safe, memoryProtection).kind).toBe('keychain');
    expect(desktopKeyProtection(new FileSecretStore(tempDir()), memoryProtection).kind).toBe('memory');
  });
});
