import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupItem, BackupOverview, OffsiteStatus } from '../../shared/contract/index.js';
import { doorAuditor } from '../../main/core/audit/trail.js';
import { ManualClock } from '../../main/core/clock.js';
import { addNotes, ADMIN_PASSWORD, fakeAuth, PASSPHRASE, sqlite3, TEST_SCRYPT } from '../support/backup.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { FakeProbe } from '../support/monitoring.js';
import { startSshd, type RunningSshd } from '../support/offsite.js';
import { REPO_ROOT, tempDir, TEST_BACKUP_KEK } from '../support/server.js';

const CLI = join(REPO_ROOT, 'dist', 'main', 'cli', 'index.js');

function lexdesk(dataDir: string, args: string[], input?: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dataDir, LEXDESK_DATA_DIR: dataDir, LEXDESK_BACKUP_KEK: TEST_BACKUP_KEK, ...env },
    cwd: dataDir,
    input,
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let sshd: RunningSshd | null = null;
let skip = '';
beforeAll(async () => {
  const started = await startSshd();
  if ('skip' in started) skip = started.skip;
  else sshd = started;
}, 30_000);
afterAll(async () => {
  await sshd?.stop();
});

async function officeCore(clock?: ManualClock): Promise<TestCore> {
  const core = await startTestCore({
    deps: {
      clock,
      backup: { scryptCost: TEST_SCRYPT, catchUpDelayMs: 3_600_000 },
      offsite: { schedule: false, retry: { attempts: 3, backoffMs: 20 } },
      monitoring: { probe: new FakeProbe(), schedule: false },
    },
  });
  fakeAuth(core);
  await doorAs(core, 'admin').ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
  return core;
}

describe('the off-site copy, from the Backups screen’s operations to a new machine', { timeout: 120_000 }, () => {
  it('SFTP with a private key: set, test, copy now; the key stays in the secret store; a new machine restores with only the passphrase', async (ctx) => {
    if (!sshd) return ctx.skip(skip);
    const core = await officeCore();
    const admin = doorAs(core, 'admin', { auditor: doorAuditor(core.services.audit) });
    const remote = join(sshd.root, `office-${randomBytes(3).toString('hex')}`);
    mkdirSync(remote);
    try {
      addNotes(core, 250, 'client file');
      const doc = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(40_000), Buffer.from('\n%%EOF\n')]);
      await core.services.documents.store.ingest(doc, { fileName: 'engagement.pdf', declaredType: 'application/pdf' }, { source: 'staff', createdBy: 'Maria' });
      const backup = await admin.ok<BackupItem>('backup.create');

      const none = await admin.ok<OffsiteStatus>('backup.offsite.get');
      expect(none).toMatchObject({ target: null, label: null, lagging: false, backupsThere: [] });
      expect(await core.services.offsite.health()).toEqual({ status: 'ok', message: 'No off-site copy is set up.' });

      const target = { kind: 'sftp', host: '127.0.0.1', port: sshd.port, username: sshd.user, path: remote, auth: 'key' } as const;
      // a receptionist cannot; the admin can
      expect((await doorAs(core, 'assistant').call('backup.offsite.set', { target, credentials: { privateKey: sshd.privateKey } })).ok).toBe(false);
      const set = await admin.ok<OffsiteStatus>('backup.offsite.set', { target, credentials: { privateKey: sshd.privateKey } });
      expect(set).toMatchObject({ label: `sftp://127.0.0.1:${sshd.port}${remote}`, stored: { privateKey: true, password: false }, lastSuccessAt: null });
      expect((await core.services.offsite.health()).status).toBe('degraded');

      const tested = await admin.ok<{ ok: boolean; message: string }>('backup.offsite.test');
      expect(tested.message).toBe(`Connected to sftp://127.0.0.1:${sshd.port}${remote} — wrote and read back a test file (server host key ${sshd.hostKey}).`);
      // trying another server does not hand it the stored key
      const elsewhere = await admin.ok<{ ok: boolean; message: string }>('backup.offsite.test', { target: { ...target, host: 'localhost' } });
      expect(elsewhere).toMatchObject({ ok: false, message: `No password or private key is stored for sftp://localhost:${sshd.port}${remote}.` });
      // the host key is now recorded, and enforced
      expect((await admin.ok<OffsiteStatus>('backup.offsite.get')).hostKey).toBe(sshd.hostKey);

      const copied = await admin.ok<OffsiteStatus>('backup.offsite.copyNow', { verify: 'full' });
      expect(copied.lastCopy).toMatchObject({ ok: true, deleted: 0 });
      expect(copied.lastCopy!.uploaded).toBeGreaterThanOrEqual(4);
      expect(copied.lastVerify).toMatchObject({ ok: true, full: true, problems: [] });
      expect(copied.backupsThere).toEqual([backup.id]);
      expect(copied.lagging).toBe(false);
      expect(copied.running).toBeNull();
      expect(await core.services.offsite.health()).toMatchObject({ status: 'ok' });
      expect(readdirSync(remote)).toContain(`${backup.id}.db.lexbak`);

      // where each backup exists
      const list = await admin.ok<BackupOverview>('backup.list');
      expect(list.offsite).toMatchObject({ label: set.label, ids: [backup.id] });

      // the key is in the secret store only: not in the settings, the state, the audit trail
      const secretsDir = core.config.secretsDir;
      expect(readFileSync(join(secretsDir, 'offsite-private-key'), 'utf8')).toBe(sshd.privateKey);
      const keyLine = sshd.privateKey.split('\n')[1]!;
      for (const file of ['offsite-settings.json', 'offsite-state.json', 'backup-settings.json']) {
        const path = join(core.config.dataDir, file);
        if (existsSync(path)) expect(readFileSync(path, 'utf8'), file).not.toContain(keyLine);
      }
      const audit = JSON.stringify(core.services.store.sqlite.prepare('SELECT * FROM audit_log').all());
      expect(audit).toContain('backup.offsite.set');
      expect(audit).not.toContain(keyLine);
      for (const entry of readdirSync(remote, { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) expect(readFileSync(join(entry.parentPath, entry.name), 'latin1')).not.toContain(keyLine);
      }
    } finally {
      await core.dispose();
    }

    // a brand-new machine: an empty data folder, the key file of the server and the passphrase
    const fresh = tempDir('lexdesk-new-machine-');
    const keyFile = join(tempDir('lexdesk-key-'), 'id_ed25519');
    writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 });
    const fetched = lexdesk(fresh, ['backup', 'fetch', '--from', `sftp://${sshd.user}@127.0.0.1:${sshd.port}${remote}`, '--identity', keyFile, '--host-key', sshd.hostKey]);
    expect(fetched.status, fetched.stderr).toBe(0);
    expect(fetched.stdout).toMatch(/^Fetched \d+ files/m);
    expect(fetched.stdout).toMatch(/Restore the newest with: printf %s "\$PASSPHRASE" \| lexdesk backup restore \S+ --passphrase-stdin/);
    expect(existsSync(join(fresh, 'lexdesk.sqlite'))).toBe(false);
    const id = /^ {2}(\S+)$/m.exec(fetched.stdout)![1]!;
    const restored = lexdesk(fresh, ['backup', 'restore', id, '--passphrase-stdin'], PASSPHRASE);
    expect(restored.status, restored.stderr).toBe(0);
    const db = join(fresh, 'lexdesk.sqlite');
    expect(sqlite3(db, 'SELECT count(*) FROM test_notes;')).toBe('250');
    expect(sqlite3(db, 'PRAGMA integrity_check;')).toBe('ok');
    expect(sqlite3(db, 'SELECT file_name FROM documents;')).toBe('engagement.pdf');

    // a wrong host key is refused with the reason, and nothing is fetched
    const impostor = lexdesk(tempDir(), ['backup', 'fetch', '--from', `sftp://${sshd.user}@127.0.0.1:${sshd.port}${remote}`, '--identity', keyFile, '--host-key', 'SHA256:other']);
    expect(impostor.status).toBe(1);
    expect(impostor.stderr).toMatch(/showed a different host key/);
  });

  it('the check decrypts the snapshot parts it reads back: a chunk damaged before it was copied (the same on both sides) is named', async () => {
    const core = await officeCore();
    const admin = doorAs(core, 'admin');
    try {
      addNotes(core, 50);
      await admin.ok('backup.create');
      const repoDir = join(core.services.backups.destination().dir, 'repo', 'chunks');
      const prefix = readdirSync(repoDir)[0]!;
      const name = readdirSync(join(repoDir, prefix)).find((n) => !n.startsWith('.'))!;
      const file = join(repoDir, prefix, name);
      const bytes = readFileSync(file);
      bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0x01;
      writeFileSync(file, bytes);
      const share = tempDir('lexdesk-nas-');
      await admin.ok('backup.offsite.set', { target: { kind: 'folder', path: share } });
      await admin.ok('backup.offsite.copyNow');
      expect(readFileSync(join(share, 'repo', 'chunks', prefix, name)).equals(bytes)).toBe(true);

      const checked = await core.services.offsite.verify(true);
      expect(checked.lastVerify).toMatchObject({
        ok: false,
        problems: [{ name: `repo/chunks/${prefix}/${name}`, problem: expect.stringMatching(/does not decrypt/) }],
      });
      expect(checked.lastVerify!.checked).toBeGreaterThan(1);
    } finally {
      await core.dispose();
    }
  });

  it('another folder: a byte flipped on the target is named by the check, raised as an alert and in health, and mended by the next copy', async () => {
    const clock = new ManualClock(Date.now());
    const core = await officeCore(clock);
    const admin = doorAs(core, 'admin');
    try {
      addNotes(core, 50);
      await admin.ok('backup.create');
      const share = tempDir('lexdesk-nas-');
      await admin.ok('backup.offsite.set', { target: { kind: 'folder', path: share } });
      await admin.ok('backup.offsite.copyNow');

      const db = readdirSync(share).find((n) => n.endsWith('.db.lexbak'))!;
      const bytes = readFileSync(join(share, db));
      bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0x01;
      writeFileSync(join(share, db), bytes);

      const checked = await core.services.offsite.verify(true);
      expect(checked.lastVerify).toMatchObject({ ok: false, problems: [{ name: db, problem: expect.stringMatching(/differs/) }] });
      expect(checked.lastVerify!.message).toContain(db);
      expect(await core.services.offsite.health()).toMatchObject({ status: 'degraded', message: expect.stringContaining(db) });
      await core.services.monitoring.tick();
      const firing = core.services.monitoring.alerts.list('firing', 10);
      expect(firing.map((a) => a.ruleId)).toContain('offsite-verify-failed');
      expect(firing.find((a) => a.ruleId === 'offsite-verify-failed')!.message).toContain(db);

      // the timer's next round sends it again and checks again
      await core.services.offsite.tick();
      const mended = await admin.ok<OffsiteStatus>('backup.offsite.get');
      expect(mended.lastVerify).toMatchObject({ ok: true });
      expect(readFileSync(join(share, db)).equals(readFileSync(join(core.services.backups.destination().dir, db)))).toBe(true);
      clock.advance(15_000);
      await core.services.monitoring.tick();
      expect(core.services.monitoring.alerts.list('firing', 10).map((a) => a.ruleId)).not.toContain('offsite-verify-failed');

      // three days without a copy (the share is gone): "3 days old", alert and health
      execFileSync('rm', ['-rf', share]);
      clock.advance(3 * 86_400_000);
      const failed = await admin.call('backup.offsite.copyNow');
      expect(failed.ok).toBe(false);
      const status = await admin.ok<OffsiteStatus>('backup.offsite.get');
      expect(status.lagging).toBe(true);
      expect(status.lastCopy).toMatchObject({ ok: false, message: expect.stringMatching(/does not exist/) });
      expect(await core.services.offsite.health()).toMatchObject({ status: 'degraded', message: expect.stringMatching(/^The off-site copy is 3 days old\./) });
      await core.services.monitoring.tick();
      const stale = core.services.monitoring.alerts.list('firing', 10).find((a) => a.ruleId === 'offsite-stale');
      expect(stale?.message).toMatch(/The off-site copy at .+ is 3 days old, older than 48 h\./);
    } finally {
      await core.dispose();
    }
  });

  it('a secret store that cannot be read makes "Copy now" say so in words, never a server error, and nothing is lost', async () => {
    const core = await officeCore();
    const admin = doorAs(core, 'admin');
    try {
      addNotes(core, 10);
      await admin.ok('backup.create');
      const share = tempDir('lexdesk-nas-');
      await admin.ok('backup.offsite.set', { target: { kind: 'folder', path: share } });
      // the secret file is something that cannot be read (a folder in its place)
      mkdirSync(join(core.config.secretsDir, 'offsite-password'), { recursive: true });
      const refused = await admin.call('backup.offsite.copyNow', {});
      expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', details: { reason: 'offsite_target' } } });
      expect((refused as { error: { message: string } }).error.message).toContain('cannot be opened');
      expect((await admin.ok<OffsiteStatus>('backup.offsite.get')).label).toBeTruthy();
      // once it can be read again, the copy goes through
      rmSync(join(core.config.secretsDir, 'offsite-password'), { recursive: true });
      await admin.ok('backup.offsite.copyNow', {});
      expect(readdirSync(share).some((n) => n.endsWith('.db.lexbak'))).toBe(true);
    } finally {
      await core.dispose();
    }
  });
});
