import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackupItem, BackupOverview } from '../../shared/contract/backup.js';
import { doorAs } from '../support/door.js';
import { REPO_ROOT, tempDir } from '../support/server.js';
import { addNotes, fakeAuth, noteCount, runBackupChild, sqlite3, startBackupCore, ADMIN_PASSWORD, PASSPHRASE } from '../support/backup.js';

describe('a crash in the middle', { timeout: 90_000 }, () => {
  it('of a backup of a large database: nothing partial is listed, and the next start removes the temporary files', async () => {
    const dataDir = tempDir();
    const first = await startBackupCore({ dataDir });
    fakeAuth(first);
    await doorAs(first, 'admin').ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
    await first.stop();
    // about 60 MB that does not compress, so the backup takes a while
    sqlite3(
      join(dataDir, 'lexdesk.sqlite'),
      'CREATE TABLE big (id INTEGER PRIMARY KEY, data BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000) INSERT INTO big (data) SELECT randomblob(1000) FROM n;',
    );

    const { lines, killed } = await runBackupChild([dataDir, 'backup'], (l) => l.step === 'compressing' && (l.percent ?? 0) > 35);
    expect(killed).toBe(true);
    expect(lines.some((l) => l.done)).toBe(false);
    const backups = join(dataDir, 'backups');
    const leftover = readdirSync(backups).filter((n) => n.endsWith('.partial'));
    expect(leftover.length).toBeGreaterThan(0); // the kill did land in the middle
    expect(readdirSync(join(dataDir, '.backup-work')).length).toBeGreaterThan(0);

    const next = await startBackupCore({ dataDir });
    try {
      const list = await doorAs(next, 'admin').ok<BackupOverview>('backup.list');
      expect(list.backups).toEqual([]);
      expect(readdirSync(backups).filter((n) => n.startsWith('.'))).toEqual([]);
      expect(readdirSync(join(dataDir, '.backup-work'))).toEqual([]);
      expect(next.services.store.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
      // and the next backup works
      fakeAuth(next);
      const item = await doorAs(next, 'admin').ok<BackupItem>('backup.create');
      expect(item.tables.big).toBe(60000);
    } finally {
      await next.stop();
    }
  });

  describe('of a restore', () => {
    async function prepared() {
      const dataDir = tempDir();
      const c = await startBackupCore({ dataDir });
      fakeAuth(c);
      const admin = doorAs(c, 'admin');
      await admin.ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
      addNotes(c, 100);
      const backup = await admin.ok<BackupItem>('backup.create');
      addNotes(c, 50, 'after the backup');
      await c.stop();
      return { dataDir, id: backup.id };
    }

    async function afterRestart(dataDir: string): Promise<number> {
      const next = await startBackupCore({ dataDir });
      try {
        expect(next.services.store.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(sqlite3(join(dataDir, 'lexdesk.sqlite'), 'PRAGMA integrity_check;')).toBe('ok');
        expect(existsSync(join(dataDir, 'restore-journal.json'))).toBe(false);
        expect(existsSync(join(dataDir, '.restore-aside'))).toBe(false);
        return noteCount(next);
      } finally {
        await next.stop();
      }
    }

    it.each(['aside-wal', 'aside-database', 'candidate-in'])(
      'killed at %s: the next start finishes it and opens the restored database',
      async (point) => {
        const { dataDir, id } = await prepared();
        const { killed, lines } = await runBackupChild([dataDir, 'restore', id], (l) => l.hook === point, { HOOK: point });
        expect(killed).toBe(true);
        expect(lines.some((l) => l.step === 'swapping')).toBe(true);
        expect(existsSync(join(dataDir, 'restore-journal.json'))).toBe(true);
        // the candidate was verified and is complete: the restore goes forward
        expect(await afterRestart(dataDir)).toBe(100);
      },
    );

    it('killed during the safety backup: the next start opens the old database, untouched', async () => {
      const { dataDir, id } = await prepared();
      const { killed } = await runBackupChild([dataDir, 'restore', id], (l) => l.step === 'safety-backup' && (l.percent ?? 0) > 40);
      expect(killed).toBe(true);
      expect(await afterRestart(dataDir)).toBe(150);
      // the half-made safety backup is not listed
      const next = await startBackupCore({ dataDir });
      try {
        const list = await doorAs(next, 'admin').ok<BackupOverview>('backup.list');
        expect(list.backups.map((b) => b.id)).toEqual([id]);
      } finally {
        await next.stop();
      }
    });

    it('killed at any of its progress steps: the next start opens the old or the restored database', async () => {
      const { dataDir, id } = await prepared();
      const steps = ['checking', 'verifying', 'pausing', 'swapping', 'migrating', 'resuming'];
      for (const step of steps) {
        const copy = tempDir();
        cpSync(dataDir, copy, { recursive: true });
        await runBackupChild([copy, 'restore', id], (l) => l.step === step);
        expect([100, 150], `killed at ${step}`).toContain(await afterRestart(copy));
      }
    }, 240_000);
  });
});
