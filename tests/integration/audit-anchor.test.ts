import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupItem } from '../../shared/contract/backup.js';
import type { TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { tempDir } from '../support/server.js';
import { ADMIN_PASSWORD, fakeAuth, PASSPHRASE, startBackupCore } from '../support/backup.js';

/** The audit trail's head anchored outside the database (main/core/audit/anchor.ts). */

const cores: TestCore[] = [];
const dirs: string[] = [];
async function core(dataDir: string): Promise<TestCore> {
  const c = await startBackupCore({ dataDir });
  cores.push(c);
  return c;
}
async function stop(c: TestCore): Promise<void> {
  await c.stop();
  cores.splice(cores.indexOf(c), 1);
}
afterEach(async () => {
  for (const c of cores.splice(0)) await c.dispose().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function record(c: TestCore, n: number, what = 'matter.updated'): void {
  for (let i = 0; i < n; i++) c.services.audit.append({ actor: { type: 'system', name: 'test' }, face: 'cli', action: what, outcome: 'ok', details: { i } });
}

function putBack(dataDir: string, copy: string): void {
  const db = join(dataDir, 'lexdesk.sqlite');
  copyFileSync(copy, db);
  rmSync(`${db}-wal`, { force: true });
  rmSync(`${db}-shm`, { force: true });
}

describe('the audit anchor', () => {
  it('tells at start, and at every verification, that an older copy of the database lost audit rows', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const first = await core(dataDir);
    record(first, 5);
    await stop(first);
    const older = join(tempDir(), 'older.sqlite');
    dirs.push(older);
    copyFileSync(join(dataDir, 'lexdesk.sqlite'), older);

    const second = await core(dataDir);
    record(second, 20);
    await stop(second);
    // someone puts back the older copy (a sync tool, a hand restore)
    putBack(dataDir, older);

    const third = await core(dataDir);
    expect(third.services.auditRecords.chainState()).toMatchObject({ chainOk: false });
    const verification = await doorAs(third, 'admin').ok<{ intact: boolean; reason: string; message: string }>('audit.verify', { from: 'start' });
    expect(verification).toMatchObject({ intact: false, reason: 'truncated' });
    expect(verification.message).toMatch(/^The audit trail lost rows after \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC: it ends at row \d+, but row \d+ was recorded on /);
  });

  it('tells that the database was replaced by one whose row at the anchor is another', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const office = await core(dataDir);
    record(office, 10);
    await stop(office);

    // a database of another installation, with more rows than this one's anchor
    const otherDir = tempDir();
    dirs.push(otherDir);
    const other = await core(otherDir);
    record(other, 40, 'client.updated');
    await stop(other);
    putBack(dataDir, join(otherDir, 'lexdesk.sqlite'));

    const again = await core(dataDir);
    const verification = await doorAs(again, 'admin').ok<{ intact: boolean; reason: string; message: string }>('audit.verify', { from: 'start' });
    expect(verification).toMatchObject({ intact: false, reason: 'checkpoint' });
    expect(verification.message).toMatch(/^Row \d+ is not the row recorded on .*: the audit trail was replaced or rolled back\.$/);
  });

  it('a restore through LexDesk is not a rollback: the trail stays intact, and each backup records its head', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const c = await core(dataDir);
    fakeAuth(c);
    const admin = doorAs(c, 'admin');
    await admin.ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
    record(c, 5);
    const backup = await admin.ok<BackupItem>('backup.create');
    const manifest = JSON.parse(readFileSync(join(dataDir, 'backups', `${backup.id}.manifest.json`), 'utf8'));
    expect(manifest.auditHead).toMatchObject({ id: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    record(c, 30);
    expect((await admin.ok<{ intact: boolean }>('audit.verify', { from: 'start' })).intact).toBe(true);

    await admin.ok('backup.restore', { id: backup.id, password: ADMIN_PASSWORD });
    expect((await admin.ok<{ intact: boolean; message: string }>('audit.verify', { from: 'start' })).intact).toBe(true);
    await stop(c);
    const after = await core(dataDir);
    expect(after.services.auditRecords.chainState()?.chainOk ?? true).toBe(true);
  });
});
