import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupItem, BackupOverview } from '../../shared/contract/backup.js';
import { BACKUP_KEY_SECRET } from '../../main/core/backup/keyring.js';
import { FileSecretStore } from '../../main/core/secrets.js';
import type { TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { tempDir } from '../support/server.js';
import { ADMIN_PASSWORD, addNotes, fakeAuth, PASSPHRASE, startBackupCore } from '../support/backup.js';

const cores: TestCore[] = [];
async function core(dataDir?: string): Promise<TestCore> {
  const c = await startBackupCore({ dataDir });
  cores.push(c);
  fakeAuth(c);
  return c;
}
afterEach(async () => {
  for (const c of cores.splice(0)) await c.dispose().catch(() => undefined);
});

async function backupsCheck(c: TestCore) {
  const report = await c.services.health.report('test');
  return report.checks.find((check) => check.name === 'backups');
}

describe('backups that need attention say so', () => {
  it('is "needs attention", not healthy, while no passphrase is set, and healthy once backups run', async () => {
    const c = await core();
    expect(await backupsCheck(c)).toMatchObject({
      status: 'degraded',
      message: 'No backup passphrase is set: LexDesk makes no backups until an admin sets one on the Backups screen.',
    });
    const admin = doorAs(c, 'admin');
    await admin.ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
    await admin.ok('backup.create');
    expect((await backupsCheck(c))?.status).toBe('ok');
  });

  it('says the backup key is gone, not "no passphrase", when the secrets went but the backups are there', async () => {
    const c = await core();
    const admin = doorAs(c, 'admin');
    await admin.ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
    await admin.ok('backup.create');
    await new FileSecretStore(join(c.config.dataDir, 'secrets')).delete(BACKUP_KEY_SECRET);
    (c.services.backups as unknown as { keys: { reload(): void } }).keys.reload();
    expect((await backupsCheck(c))?.message).toBe(
      'The backup key is gone from this computer: enter the backup passphrase on the Backups screen. LexDesk makes no backups until then.',
    );
    const refused = await admin.call('backup.create');
    expect(refused.ok ? null : refused.error.message).toMatch(/^The backup key is gone from this computer: enter the backup passphrase on the Backups screen/);
  });

  it('a damaged SQL copy goes to failed/ alone: its intact database backup stays listed and restorable', async () => {
    const c = await core();
    const admin = doorAs(c, 'admin');
    await admin.ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
    addNotes(c, 50);
    const item = await admin.ok<BackupItem>('backup.create', { sqlDump: true });
    const dir = join(c.config.dataDir, 'backups');
    const sql = join(dir, `${item.id}.sql.lexbak`);
    const bytes = readFileSync(sql);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 20) ^ 0xff, bytes.length - 20);
    writeFileSync(sql, bytes);

    const verified = await admin.ok<BackupItem>('backup.verify', { id: item.id });
    expect(verified).toMatchObject({ status: 'verified', hasSqlDump: false, restorable: true });
    expect(existsSync(join(dir, `${item.id}.db.lexbak`))).toBe(true);
    expect(existsSync(join(dir, 'failed', `${item.id}.sql.lexbak`))).toBe(true);
    const list = await admin.ok<BackupOverview>('backup.list');
    expect(list.backups.find((b) => b.id === item.id)?.status).toBe('verified');
    await admin.ok('backup.restore', { id: item.id, password: ADMIN_PASSWORD });
  });

  it('records a backup interrupted by a crash as such at the next start, in the last run and the audit trail', async () => {
    const dataDir = tempDir();
    const c = await core(dataDir);
    const admin = doorAs(c, 'admin');
    await admin.ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
    await admin.ok('backup.create');
    await c.stop();
    cores.splice(cores.indexOf(c), 1);
    // what a backup cut short by a power cut leaves: its file under a temporary name
    const started = new Date(Date.now() + 60_000);
    const id = `${started.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}-scheduled-ab12`;
    const minute = started.toISOString().slice(0, 16).replace('T', ' ');
    writeFileSync(join(dataDir, 'backups', `.${id}.db.lexbak.partial`), Buffer.alloc(4096, 7));

    const again = await core(dataDir);
    const overview = await doorAs(again, 'admin').ok<BackupOverview>('backup.list');
    expect(overview.lastRun).toMatchObject({ outcome: 'failed', id, kind: 'scheduled', message: expect.stringMatching(new RegExp(`^The backup started at ${minute} UTC was interrupted`)) });
    expect(existsSync(join(dataDir, 'backups', `.${id}.db.lexbak.partial`))).toBe(false);
    const audited = again.services.store.sqlite.prepare("SELECT outcome, target_id FROM audit_log WHERE action = 'backup.interrupted'").all();
    expect(audited).toEqual([{ outcome: 'error', target_id: id }]);
    await again.dispose();
    cores.splice(cores.indexOf(again), 1);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
