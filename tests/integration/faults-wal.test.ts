import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import type { FaceDeps } from '../../main/core/app.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { REPO_ROOT, tempDir } from '../support/server.js';

/**
 * Write-ahead logs that are not the database's own, built by really killing a
 * LexDesk writer (SIGKILL, so its log keeps frames SQLite has not yet merged):
 * an older copy put back after a clean shutdown, and one from another
 * installation. Neither is merged; the log LexDesk's own crash left is.
 */

const CHILD = join(REPO_ROOT, 'tests', 'support', 'wal-writer-child.ts');
const folders: string[] = [];
let core: TestCore | null = null;

afterEach(async () => {
  await core?.stop();
  core = null;
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(): string {
  const dir = tempDir();
  folders.push(dir);
  return dir;
}

/** Starts a LexDesk writer that records `count` audit entries, and SIGKILLs it once they are written. */
function killedWriter(dataDir: string, count: number, label: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(count), label], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('written')) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`the writer exited on its own: ${err}`))));
  });
}

const wal = (dir: string) => join(dir, 'lexdesk.sqlite-wal');
const count = (c: TestCore, label: string) =>
  (c.services.store.prepare('SELECT COUNT(*) AS n FROM audit_log WHERE action = ?').get(`test.${label}`) as { n: number }).n;
const setAside = (dir: string) => readdirSync(dir).filter((name) => name.includes('-wal.set-aside-'));

async function start(dataDir: string, deps: Partial<FaceDeps> = {}): Promise<TestCore> {
  core = await startTestCore({ dataDir, deps: { monitoring: { schedule: false }, ...deps } });
  await core.services.databaseCheck.check();
  return core;
}

async function databaseHealth(c: TestCore) {
  return (await c.services.health.report('test')).checks.find((check) => check.name === 'database');
}

describe('write-ahead logs at start', () => {
  test('the log of LexDesk’s own crash is merged: nothing written before the kill is lost', async () => {
    const dir = folder();
    await killedWriter(dir, 50, 'one');
    expect(statSync(wal(dir)).size).toBeGreaterThan(0);
    const c = await start(dir);
    expect(count(c, 'one')).toBe(50);
    expect(setAside(dir)).toEqual([]);
    expect((await databaseHealth(c))?.status).toBe('ok');
  });

  test('a clean shutdown checkpoints and removes the log; an older copy put back is set aside, not merged', async () => {
    const dir = folder();
    await killedWriter(dir, 40, 'one');
    const older = join(folder(), 'older-wal');
    copyFileSync(wal(dir), older);

    let c = await start(dir);
    expect(count(c, 'one')).toBe(40);
    for (let i = 0; i < 30; i++) c.services.audit.append({ actor: { type: 'system' }, face: 'headless', action: 'test.two', outcome: 'ok' });
    const rowsBefore = (c.services.store.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
    await c.stop();
    core = null;
    expect(!existsSync(wal(dir)) || statSync(wal(dir)).size === 0).toBe(true);

    // a file-sync tool (or a hand restore) puts the older log back
    copyFileSync(older, wal(dir));
    c = await start(dir);
    expect(setAside(dir)).toHaveLength(1);
    expect(count(c, 'one')).toBe(40);
    expect(count(c, 'two')).toBe(30);
    // the rows of this start (system.started, the set-aside record) come on top; none went missing
    expect((c.services.store.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n).toBeGreaterThan(rowsBefore);
    expect(c.services.store.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(c.services.store.prepare("SELECT details FROM audit_log WHERE action = 'system.database.wal-set-aside'").get()).toBeDefined();
    const health = await databaseHealth(c);
    expect(health?.status).toBe('degraded');
    expect(health?.message).toContain('set aside, not merged');
    const verification = await c.services.auditRecords.verify('start', { type: 'system' });
    expect(verification.intact).toBe(true);
  });

  test('a log from another installation is set aside, not merged: none of its rows appear', async () => {
    const other = folder();
    await killedWriter(other, 60, 'other');
    const dir = folder();
    await killedWriter(dir, 20, 'mine');
    copyFileSync(wal(other), wal(dir));

    const c = await start(dir);
    expect(setAside(dir)).toHaveLength(1);
    expect(count(c, 'other')).toBe(0);
    expect(c.services.store.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((await databaseHealth(c))?.message).toContain('does not belong to this database');
  });
});

/** Overwrites the page type of an index's root page: the database opens, and quick_check finds the damage. */
function damageAnIndex(file: string): void {
  const db = new Database(file, { readonly: true });
  const { rootpage } = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'matter_notes_by_matter_id'").get() as { rootpage: number };
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.from([0x7f, 0x7f, 0x7f, 0x7f]), 0, 4, (rootpage - 1) * pageSize);
  closeSync(fd);
}

describe('PRAGMA quick_check at start and on its schedule', () => {
  for (const where of ['on the main thread (a small file)', 'in a worker (a large file)'] as const) {
    test(`a damaged database: health down for the database, the alert, and the restore offered — ${where}`, async () => {
      const dir = folder();
      let c = await start(dir);
      await c.stop();
      core = null;
      damageAnIndex(join(dir, 'lexdesk.sqlite'));

      c = await start(dir, { databaseCheck: where.startsWith('in a worker') ? { inlineMaxBytes: 0 } : {} });
      expect(c.services.databaseCheck.state).toBe('failed');
      const health = await databaseHealth(c);
      expect(health?.status).toBe('down');
      expect(health?.message).toContain('restore the last good backup');
      expect((await c.services.health.report('test')).status).toBe('down');
      await c.services.monitoring.tick();
      const alerts = await doorAs(c, 'admin').ok<{ alerts: { ruleId: string }[] }>('monitoring.alerts.list', { state: 'firing' });
      expect(alerts.alerts.map((a) => a.ruleId)).toContain('database-check-failed');
    });
  }

  test('while a large database is checked, the health says so', async () => {
    const dir = folder();
    const c = await startTestCore({ dataDir: dir, deps: { monitoring: { schedule: false }, databaseCheck: { inlineMaxBytes: 0 } } });
    core = c;
    expect((await databaseHealth(c))?.message).toBe('Checking the database…');
    await c.services.databaseCheck.check();
    expect((await databaseHealth(c))?.status).toBe('ok');
  });
});


