import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupItem, BackupOverview, BackupSettings } from '../../shared/contract/backup.js';
import type { ServerEvent } from '../../shared/events.js';
import { SCHEMA_VERSION } from '../../main/core/db/migrate.js';
import { ManualClock } from '../../main/core/clock.js';
import { BACKUP_KEY_SECRET } from '../../main/core/backup/keyring.js';
import { FileSecretStore } from '../../main/core/secrets.js';
import type { TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { signedInAs } from '../support/auth.js';
import { tempDir } from '../support/server.js';
import {
  ADMIN_PASSWORD,
  addNotes,
  decryptIndependently,
  fakeAuth,
  noteCount,
  PASSPHRASE,
  sqlite3,
  startBackupCore,
  writeDecrypted,
} from '../support/backup.js';

const cores: TestCore[] = [];
async function core(options: Parameters<typeof startBackupCore>[0] = {}): Promise<TestCore> {
  const c = await startBackupCore(options);
  cores.push(c);
  return c;
}
afterEach(async () => {
  for (const c of cores.splice(0)) await c.dispose().catch(() => undefined);
});

async function setUp(c: TestCore) {
  const auth = fakeAuth(c);
  const admin = doorAs(c, 'admin');
  await admin.ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
  return { admin, auth };
}

function backupDir(c: TestCore): string {
  return join(c.config.dataDir, 'backups');
}

describe('backups', () => {
  it('makes a verified, encrypted backup that the sqlite3 shell opens once decrypted with the passphrase alone', async () => {
    const c = await core();
    const { admin } = await setUp(c);
    addNotes(c, 500);
    const item = await admin.ok<BackupItem>('backup.create');
    expect(item).toMatchObject({ kind: 'manual', status: 'verified', schemaVersion: SCHEMA_VERSION, keyAvailable: true, restorable: true });
    expect(item.tables.test_notes).toBe(500);
    expect(item.verifiedAt).not.toBeNull();

    const file = join(backupDir(c), `${item.id}.db.lexbak`);
    const bytes = readFileSync(file);
    // nothing of the office's data is readable in the file
    expect(bytes.includes(Buffer.from('and on two lines'))).toBe(false);
    expect(bytes.includes(Buffer.from('SQLite format 3'))).toBe(false);

    const plain = join(tempDir(), 'restored.sqlite');
    const header = writeDecrypted(file, PASSPHRASE, plain);
    expect(header.manifest.id).toBe(item.id);
    expect(sqlite3(plain, 'PRAGMA integrity_check;')).toBe('ok');
    expect(sqlite3(plain, 'SELECT count(*) FROM test_notes;')).toBe('500');
    expect(sqlite3(plain, 'PRAGMA user_version;')).toBe(String(SCHEMA_VERSION));

    const manifest = JSON.parse(readFileSync(join(backupDir(c), `${item.id}.manifest.json`), 'utf8'));
    expect(manifest).toMatchObject({ id: item.id, kind: 'manual', appVersion: c.services.version, schemaVersion: SCHEMA_VERSION });
    expect(manifest.files.database.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.files.database.bytes).toBe(bytes.length);

    const list = await admin.ok<BackupOverview>('backup.list');
    expect(list.backups.map((b) => b.id)).toEqual([item.id]);
    expect(list).toMatchObject({ passphraseSet: true, overdue: false, destinationProblem: null, lastRun: { outcome: 'ok', id: item.id } });
  });

  it('writes a SQL copy that the sqlite3 shell loads with the same row counts', async () => {
    const c = await core();
    const { admin } = await setUp(c);
    addNotes(c, 300);
    c.services.store.sqlite.exec(`CREATE TABLE test_odd ("we""ird" TEXT, n INTEGER, big INTEGER, g INTEGER GENERATED ALWAYS AS (n * 2) VIRTUAL)`);
    c.services.store.sqlite
      .prepare('INSERT INTO test_odd ("we""ird", n, big) VALUES (?, ?, ?)')
      .run('cr\rlf\r\nnul-free \\n literal', 21, 9007199254740993n);
    const item = await admin.ok<BackupItem>('backup.create', { sqlDump: true });
    expect(item.hasSqlDump).toBe(true);

    const { header, plain } = decryptIndependently(join(backupDir(c), `${item.id}.sql.lexbak`), PASSPHRASE);
    expect(header.content).toBe('sql');
    const loaded = join(tempDir(), 'from-dump.sqlite');
    const sqlFile = `${loaded}.sql`;
    writeFileSync(sqlFile, plain);
    expect(plain.toString('utf8').split('\n').at(-2)).toBe('COMMIT;');
    sqlite3(loaded, `.read ${sqlFile}`);
    expect(sqlite3(loaded, 'PRAGMA integrity_check;')).toBe('ok');
    for (const [table, count] of Object.entries(item.tables)) {
      expect(sqlite3(loaded, `SELECT count(*) FROM "${table.replaceAll('"', '""')}";`), table).toBe(String(count));
    }
    expect(sqlite3(loaded, 'SELECT hex("we""ird"), big, g FROM test_odd;')).toBe(
      `${Buffer.from('cr\rlf\r\nnul-free \\n literal').toString('hex').toUpperCase()}|9007199254740993|42`,
    );
    expect(sqlite3(loaded, 'SELECT body FROM test_notes WHERE id = 1;')).toBe(`note 0: it's "quoted"\nand on two lines`);
    // the triggers come back too (the audit trail's append-only ones, the bot's search indexes)
    const triggers = (c.services.store.sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger'").get() as { n: number }).n;
    expect(triggers).toBeGreaterThanOrEqual(2);
    expect(sqlite3(loaded, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger';")).toBe(String(triggers));
    expect(sqlite3(loaded, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'audit_log_no_%';")).toBe('2');
  });

  it('refuses a backup with one flipped byte, leaving the live database untouched', async () => {
    const c = await core();
    const { admin } = await setUp(c);
    addNotes(c, 200);
    const item = await admin.ok<BackupItem>('backup.create');
    addNotes(c, 5, 'after');
    const file = join(backupDir(c), `${item.id}.db.lexbak`);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(file, bytes);

    const restore = await admin.call('backup.restore', { id: item.id, password: ADMIN_PASSWORD });
    expect(restore.ok).toBe(false);
    if (restore.ok) return;
    expect(restore.error.code).toBe('conflict');
    expect(restore.error.message).toMatch(/^Nothing was changed: .*(checksum|damaged)/);
    expect(noteCount(c)).toBe(205);

    const verified = await admin.ok<BackupItem>('backup.verify', { id: item.id });
    expect(verified.status).toBe('failed');
    expect(verified.failure).toMatch(/checksum|damaged/);
    // kept aside, with the reason, and shown as failed
    expect(existsSync(join(backupDir(c), 'failed', `${item.id}.db.lexbak`))).toBe(true);
    const list = await admin.ok<BackupOverview>('backup.list');
    expect(list.backups.find((b) => b.id === item.id)).toMatchObject({ status: 'failed', restorable: false });
  });

  it('refuses a flipped byte even without the manifest, by the authentication tag alone', async () => {
    const c = await core();
    const { admin } = await setUp(c);
    addNotes(c, 200);
    const item = await admin.ok<BackupItem>('backup.create');
    rmSync(join(backupDir(c), `${item.id}.manifest.json`));
    const file = join(backupDir(c), `${item.id}.db.lexbak`);
    const bytes = readFileSync(file);
    bytes[bytes.length - 100]! ^= 0x80;
    writeFileSync(file, bytes);
    const listed = (await admin.ok<BackupOverview>('backup.list')).backups.find((b) => b.id === item.id);
    expect(listed?.status).toBe('unverified');
    const restore = await admin.call('backup.restore', { id: item.id, password: ADMIN_PASSWORD });
    expect(restore.ok ? null : restore.error.message).toMatch(/damaged|altered|cut short/);
    expect(noteCount(c)).toBe(200);
  });

  it('refuses a truncated backup with a clear error, leaving the live database untouched', async () => {
    const c = await core();
    const { admin } = await setUp(c);
    addNotes(c, 2000);
    const item = await admin.ok<BackupItem>('backup.create');
    const file = join(backupDir(c), `${item.id}.db.lexbak`);
    truncateSync(file, Math.floor(readFileSync(file).length * 0.6));
    const restore = await admin.call('backup.restore', { id: item.id, password: ADMIN_PASSWORD });
    expect(restore.ok ? null : restore.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/incomplete/) });
    expect(noteCount(c)).toBe(2000);
    expect(c.services.store.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('refuses a wrong passphrase for a backup whose key this machine does not have', async () => {
    const c = await core();
    const { admin } = await setUp(c);
    addNotes(c, 50);
    const item = await admin.ok<BackupItem>('backup.create');
    // the machine forgets the key (a new installation, a wiped keychain)
    await new FileSecretStore(join(c.config.dataDir, 'secrets')).delete(BACKUP_KEY_SECRET);
    (c.services.backups as unknown as { keys: { reload(): void } }).keys.reload();
    addNotes(c, 1, 'later');

    const without = await admin.call('backup.restore', { id: item.id, password: ADMIN_PASSWORD });
    expect(without.ok ? null : without.error).toMatchObject({ code: 'invalid_input', details: { reason: 'passphrase_needed' } });
    const wrong = await admin.call('backup.restore', { id: item.id, password: ADMIN_PASSWORD, passphrase: 'not the right one at all' });
    expect(wrong.ok ? null : wrong.error).toMatchObject({
      code: 'invalid_input',
      message: 'The backup passphrase does not match this backup.',
      details: { reason: 'wrong_passphrase' },
    });
    expect(noteCount(c)).toBe(51);

    // with the right one, it restores, and the machine keeps the key for next time
    await admin.ok('backup.restore', { id: item.id, password: ADMIN_PASSWORD, passphrase: PASSPHRASE });
    expect(noteCount(c)).toBe(50);
    expect((await admin.ok<BackupSettings>('backup.settings.get')).passphraseSet).toBe(true);
  });

  it('restores through the door: verify, safety backup, writers paused, files swapped, sessions ended, progress at each step', async () => {
    const c = await core();
    const { admin, auth } = await setUp(c);
    addNotes(c, 100);
    const item = await admin.ok<BackupItem>('backup.create');
    addNotes(c, 40, 'after the backup');
    const pauses: string[] = [];
    c.services.writers.register({ name: 'outbox', pause: async () => void pauses.push('pause'), resume: () => void pauses.push('resume') });
    const events: ServerEvent[] = [];
    c.services.events.subscribe((e) => events.push(e));

    const wrong = await admin.call('backup.restore', { id: item.id, password: 'not my password' });
    expect(wrong.ok ? null : wrong.error).toMatchObject({ code: 'invalid_input', details: { issues: [{ path: 'password' }] } });
    expect(noteCount(c)).toBe(140);

    const result = await admin.ok<{ preRestoreBackupId: string; schemaFrom: number; sessionsEnded: number }>('backup.restore', {
      id: item.id,
      password: ADMIN_PASSWORD,
    });
    expect(noteCount(c)).toBe(100);
    expect(result).toMatchObject({ schemaFrom: SCHEMA_VERSION, sessionsEnded: 3 });
    expect(auth.ended).toEqual([{ keep: { userId: 'test-admin', sessionId: 'session-admin' } }]);
    expect(pauses).toEqual(['pause', 'resume']);

    // the safety backup holds what was there before, and is listed like the rest
    const list = await admin.ok<BackupOverview>('backup.list');
    const safety = list.backups.find((b) => b.id === result.preRestoreBackupId)!;
    expect(safety).toMatchObject({ kind: 'pre-restore', status: 'verified' });
    expect(safety.tables.test_notes).toBe(140);

    const steps = events.filter((e) => e.type === 'backup.progress').map((e) => (e.data as { step: string }).step);
    const order = ['checking', 'verifying', 'safety-backup', 'pausing', 'swapping', 'migrating', 'resuming', 'done'];
    expect([...new Set(steps)].filter((s) => order.includes(s))).toEqual(order);
    const percents = events.filter((e) => e.type === 'backup.progress' && (e.data as { operation: string }).operation === 'restore').map((e) => (e.data as { percent: number }).percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ type: 'backup.finished', data: { operation: 'restore', outcome: 'ok', id: item.id } });

    // the restored database records the restore; the old one's record is in the safety backup
    const audit = c.services.store.sqlite.prepare("SELECT action FROM audit_log WHERE action LIKE 'backup.%' ORDER BY id").all() as { action: string }[];
    expect(audit.map((r) => r.action)).toContain('backup.restored');
    expect(c.services.store.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(existsSync(join(c.config.dataDir, 'restore-journal.json'))).toBe(false);
    expect(readdirSync(join(c.config.dataDir, '.backup-work'))).toEqual([]);
  });

  it('with real sign-in: asks the admin password again, counts wrong ones, and ends every other session', async () => {
    const c = await core();
    const admin = await signedInAs(c, 'admin');
    const lawyer = await signedInAs(c, 'lawyer');
    await admin.ok('backup.settings.update', { passphrase: PASSPHRASE, password: admin.user.password });
    addNotes(c, 30);
    const item = await admin.ok<BackupItem>('backup.create');
    addNotes(c, 3, 'later');

    const wrong = await admin.call('backup.restore', { id: item.id, password: 'Not the admin password 42' });
    expect(wrong.ok ? null : wrong.error).toMatchObject({ code: 'invalid_input', details: { issues: [{ path: 'password' }] } });
    const failures = c.services.store.sqlite.prepare('SELECT failed_attempts FROM users WHERE id = ?').get(admin.user.id) as { failed_attempts: number };
    expect(failures.failed_attempts).toBe(1);
    expect(noteCount(c)).toBe(33);

    const ended: string[] = [];
    c.services.events.subscribe((e) => {
      if (e.type === 'auth.session.ended') ended.push(e.data.sessionId);
    });
    const result = await admin.ok<{ sessionsEnded: number }>('backup.restore', { id: item.id, password: admin.user.password });
    expect(noteCount(c)).toBe(30);
    expect(result.sessionsEnded).toBe(1);
    expect(ended).toEqual([lawyer.sessionId]);
    expect(await lawyer.call('auth.sessions.list')).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    // the restoring admin carries on
    expect((await admin.ok<BackupOverview>('backup.list')).backups.length).toBe(2);
  });

  it('answers other calls with "locked" while a restore has the database closed', async () => {
    const c = await core();
    const { admin } = await setUp(c);
    addNotes(c, 10);
    const item = await admin.ok<BackupItem>('backup.create');
    let during: unknown = null;
    c.services.writers.register({
      name: 'probe',
      pause: () => undefined,
      // the restored database is open again by the time writers resume
      resume: () => void (during = noteCount(c)),
    });
    let locked: unknown = null;
    let duringSwap: Promise<unknown> | null = null;
    c.services.events.subscribe((e) => {
      if (e.type === 'backup.progress' && e.data.step === 'migrating' && !duringSwap) {
        try {
          void c.services.store;
        } catch (err) {
          locked = err;
        }
        // a call through the door at that moment gets a clear answer, not a crash
        duringSwap = doorAs(c, 'admin').call('system.info');
      }
    });
    await admin.ok('backup.restore', { id: item.id, password: ADMIN_PASSWORD });
    expect(locked).toMatchObject({ code: 'locked', message: expect.stringMatching(/being restored/) });
    expect(await duringSwap).toMatchObject({ ok: false, error: { code: 'locked', message: expect.stringMatching(/being restored/) } });
    expect(during).toBe(10);
  });

  it('puts the old database back when the file swap fails half-way, and keeps working', async () => {
    const c = await core({
      swapHook: (point) => {
        if (point === 'aside-database') throw Object.assign(new Error('the disk went away'), { code: 'EIO' });
      },
    });
    const { admin } = await setUp(c);
    addNotes(c, 10);
    const item = await admin.ok<BackupItem>('backup.create');
    addNotes(c, 5, 'later');
    const result = await admin.call('backup.restore', { id: item.id, password: ADMIN_PASSWORD });
    expect(result.ok ? null : result.error).toMatchObject({ code: 'internal', message: expect.stringMatching(/^Nothing was changed: .*the disk went away/) });
    expect(noteCount(c)).toBe(15);
    expect(c.services.store.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(existsSync(join(c.config.dataDir, 'restore-journal.json'))).toBe(false);
    addNotes(c, 1, 'still writable');
    expect(noteCount(c)).toBe(16);
  });

  it('brings an older backup up to the current schema, and refuses one from a newer LexDesk', async () => {
    const dataDir = tempDir();
    const first = await startBackupCore({ dataDir });
    const { admin } = await setUp(first);
    addNotes(first, 25);
    await first.stop();
    // this database as an older LexDesk left it: without the audit migration
    sqlite3(join(dataDir, 'lexdesk.sqlite'), "DROP TABLE audit_log; DELETE FROM kysely_migration WHERE name = '0003_audit'; PRAGMA user_version = 1;");
    void admin;

    // starting the current version makes a pre-migration backup first
    const c = await core({ dataDir });
    const door = doorAs(c, 'admin');
    fakeAuth(c);
    const list = await door.ok<BackupOverview>('backup.list');
    const pre = list.backups.find((b) => b.kind === 'pre-migration')!;
    expect(pre).toMatchObject({ status: 'verified', schemaVersion: 1 });
    expect(pre.tables.audit_log).toBeUndefined();

    addNotes(c, 5, 'new');
    const result = await door.ok<{ schemaFrom: number; schemaTo: number }>('backup.restore', { id: pre.id, password: ADMIN_PASSWORD });
    expect(result).toMatchObject({ schemaFrom: 1, schemaTo: SCHEMA_VERSION });
    expect(noteCount(c)).toBe(25);
    expect(c.services.store.sqlite.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);

    // a backup whose manifest says it comes from a newer schema is refused before anything changes
    const newer = await door.ok<BackupItem>('backup.create');
    const manifestFile = join(backupDir(c), `${newer.id}.manifest.json`);
    const db = join(tempDir(), 'future.sqlite');
    writeDecrypted(join(backupDir(c), `${newer.id}.db.lexbak`), PASSPHRASE, db);
    const future = await import('../../main/core/backup/jobs.js');
    const key = await (c.services.backups as unknown as { keys: { current(): Promise<{ key: Buffer; kdf: never; keyId: string }> } }).keys.current();
    sqlite3(db, `PRAGMA user_version = ${SCHEMA_VERSION + 1};`);
    rmSync(join(backupDir(c), `${newer.id}.db.lexbak`));
    rmSync(manifestFile);
    const id = `${newer.id.slice(0, 16)}-manual-ffff`;
    await future.createBackup({
      databaseFile: db,
      workDir: tempDir(),
      databasePartial: join(backupDir(c), `${id}.db.lexbak`),
      key: key.key,
      kdf: key.kdf,
      manifest: { id, createdAt: new Date().toISOString(), kind: 'manual', appVersion: '9.9.9' },
    });
    const items = (await door.ok<BackupOverview>('backup.list')).backups;
    expect(items.find((b) => b.id === id)).toMatchObject({ status: 'unverified', restorable: false, schemaVersion: SCHEMA_VERSION + 1 });
    const refused = await door.call('backup.restore', { id, password: ADMIN_PASSWORD });
    expect(refused.ok ? null : refused.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/newer LexDesk/) });
    expect(noteCount(c)).toBe(25);
  });

  it('keeps 30 days and at least N good backups, and never removes the newest good one', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const c = await core({ clock });
    const { admin } = await setUp(c);
    await admin.ok('backup.settings.update', { retentionDays: 30, keepAtLeast: 3 });
    const made: string[] = [];
    for (let day = 0; day < 10; day++) {
      made.push((await admin.ok<BackupItem>('backup.create')).id);
      clock.advance(5 * 86_400_000); // one every 5 days: day 0, 5, … 45
    }
    // now: day 50. Retention ran after each backup; what is left is every backup of the last 30 days
    const ids = (await admin.ok<BackupOverview>('backup.list')).backups.map((b) => b.id);
    // the backup of day 45 ran at day 45 (cutoff day 15): days 15..45 kept = the last 7
    expect(ids).toEqual(made.slice(3).reverse());

    // a month with the computer off: retention keeps the newest 3 even though all are old
    clock.advance(200 * 86_400_000);
    const removed = await c.services.backups.applyRetention();
    expect(removed).toHaveLength(4);
    const left = (await admin.ok<BackupOverview>('backup.list')).backups;
    expect(left.map((b) => b.id)).toEqual(made.slice(7).reverse());

    // and never the newest good one, even with keepAtLeast 1 and a failed newer one
    await admin.ok('backup.settings.update', { keepAtLeast: 1 });
    await c.services.backups.applyRetention();
    expect((await admin.ok<BackupOverview>('backup.list')).backups.map((b) => b.id)).toEqual([made[9]]);
    const overview = await admin.ok<BackupOverview>('backup.list');
    expect(overview.overdue).toBe(true);
  });

  it('catches up at start when the last good backup is older than a day', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const dataDir = tempDir();
    const first = await startBackupCore({ dataDir, clock });
    const { admin } = await setUp(first);
    const old = await admin.ok<BackupItem>('backup.create');
    await first.stop();

    clock.advance(3 * 86_400_000); // the desktop was off for three days
    const c = await core({ dataDir, clock, catchUpDelayMs: 10 });
    const finished = await new Promise<ServerEvent>((resolve) => {
      const off = c.services.events.subscribe((e) => {
        if (e.type === 'backup.finished') {
          off();
          resolve(e);
        }
      });
    });
    expect(finished.data).toMatchObject({ operation: 'backup', outcome: 'ok' });
    const list = await doorAs(c, 'admin').ok<BackupOverview>('backup.list');
    expect(list.backups.map((b) => b.kind)).toEqual(['scheduled', 'manual']);
    expect(list.backups[1]!.id).toBe(old.id);
    expect(list.overdue).toBe(false);
    const audit = c.services.store.sqlite.prepare("SELECT actor_type, face, details FROM audit_log WHERE action = 'backup.created' ORDER BY id DESC LIMIT 1").get() as Record<string, string>;
    expect(audit).toMatchObject({ actor_type: 'system', face: 'scheduler' });
    expect(JSON.parse(audit.details!)).toMatchObject({ kind: 'scheduled', reason: 'catch-up' });
  });

  it('a scheduled backup that finds a restore running is made once the restore is over, never skipped', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const dataDir = tempDir();
    const first = await startBackupCore({ dataDir, clock });
    const { admin: before } = await setUp(first);
    addNotes(first, 20);
    const old = await before.ok<BackupItem>('backup.create');
    await first.stop();

    clock.advance(3 * 86_400_000);
    let catchUpDue!: () => void;
    const catchUpPassed = new Promise<void>((resolve) => (catchUpDue = resolve));
    // the restore holds its swap until the catch-up has come and found it running
    const c = await core({ dataDir, clock, catchUpDelayMs: 200, retryScheduledMs: 50, swapHook: (point) => (point === 'aside-wal' ? catchUpPassed : undefined) });
    fakeAuth(c);
    const admin = doorAs(c, 'admin');
    const finished: { operation: string; outcome: string; id: string | null }[] = [];
    c.services.events.subscribe((e) => {
      if (e.type === 'backup.finished') finished.push(e.data);
    });
    const restoring = admin.ok<{ id: string; preRestoreBackupId: string }>('backup.restore', { id: old.id, password: ADMIN_PASSWORD });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(finished.filter((f) => f.operation === 'backup')).toEqual([]);
    catchUpDue();
    const restored = await restoring;
    await expect.poll(() => finished.filter((f) => f.operation === 'backup').length, { timeout: 20_000 }).toBe(1);
    expect(finished.map((f) => `${f.operation} ${f.outcome}`)).toEqual(['restore ok', 'backup ok']);
    const list = await admin.ok<BackupOverview>('backup.list');
    expect(list.backups.map((b) => b.kind).sort()).toEqual(['manual', 'pre-restore', 'scheduled']);
    expect(list.backups.some((b) => b.id === restored.preRestoreBackupId)).toBe(true);
    const audit = c.services.store.sqlite.prepare("SELECT details FROM audit_log WHERE action = 'backup.created' ORDER BY id DESC LIMIT 1").get() as { details: string };
    expect(JSON.parse(audit.details)).toMatchObject({ kind: 'scheduled', reason: 'catch-up' });
  });

  it('does not catch up when the last good backup is recent', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const dataDir = tempDir();
    const first = await startBackupCore({ dataDir, clock });
    const { admin } = await setUp(first);
    await admin.ok<BackupItem>('backup.create');
    await first.stop();
    clock.advance(3_600_000);
    const c = await core({ dataDir, clock, catchUpDelayMs: 10 });
    await new Promise((r) => setTimeout(r, 300));
    expect((await doorAs(c, 'admin').ok<BackupOverview>('backup.list')).backups).toHaveLength(1);
  });

  it('reports an unreachable destination clearly, raises an alert, and keeps running', async () => {
    const c = await core();
    const { admin } = await setUp(c);
    const alerts: string[] = [];
    c.services.backups.useAlerts({ raise: (a) => alerts.push(a.key), clear: () => undefined });
    const external = join(tempDir(), 'usb-disk');
    mkdirSync(external);
    await admin.ok('backup.settings.update', { destination: external });
    rmSync(external, { recursive: true }); // the disk is unplugged

    const result = await admin.call('backup.create');
    expect(result.ok ? null : result.error).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/cannot be reached: it does not exist\. Is the disk or network share connected\?/),
    });
    expect(existsSync(external)).toBe(false); // a chosen folder is never created on the wrong disk
    expect(alerts).toEqual(expect.arrayContaining(['backup.destination', 'backup.failed']));
    const list = await admin.ok<BackupOverview>('backup.list');
    expect(list.destinationProblem).toMatch(/does not exist/);
    expect(list.lastRun).toMatchObject({ outcome: 'failed' });
    expect((await c.services.health.report('x')).checks.find((k) => k.name === 'backups')?.status).toBe('degraded');
    expect(c.services.store.ping()).toBe(true);
  });

  it('refuses a destination it cannot write, and a relative one', async () => {
    const c = await core();
    const { admin } = await setUp(c);
    const relative = await admin.call('backup.settings.update', { destination: 'backups2' });
    expect(relative.ok ? null : relative.error).toMatchObject({ code: 'invalid_input', details: { issues: [{ path: 'destination' }] } });
    if (process.getuid?.() !== 0) {
      const readOnly = join(tempDir(), 'ro');
      mkdirSync(readOnly);
      chmodSync(readOnly, 0o500);
      const refused = await admin.call('backup.settings.update', { destination: readOnly });
      expect(refused.ok ? null : refused.error.message).toMatch(/cannot be written|not allowed/);
    }
  });

  it('takes its folder from LEXDESK_BACKUP_DIR when IT sets it, and the screen cannot change it', async () => {
    const dir = join(tempDir(), 'it-backups');
    const c = await core({ env: { LEXDESK_BACKUP_DIR: dir } });
    const { admin } = await setUp(c);
    const item = await admin.ok<BackupItem>('backup.create');
    expect(existsSync(join(dir, `${item.id}.db.lexbak`))).toBe(true);
    expect(await admin.ok<BackupSettings>('backup.settings.get')).toMatchObject({ destination: dir, destinationSource: 'environment' });
    const change = await admin.call('backup.settings.update', { destination: tempDir() });
    expect(change.ok ? null : change.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('LEXDESK_BACKUP_DIR') });
  });

  it('asks for a strong passphrase and the admin password before setting it; never keeps it in the database or beside the backups', async () => {
    const c = await core();
    fakeAuth(c);
    const admin = doorAs(c, 'admin');
    const before = await admin.call('backup.create');
    expect(before.ok ? null : before.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/passphrase first/) });
    const weak = await admin.call('backup.settings.update', { passphrase: 'password1234', password: ADMIN_PASSWORD });
    expect(weak.ok ? null : weak.error).toMatchObject({ code: 'invalid_input', details: { issues: [{ path: 'passphrase' }] } });
    const noPassword = await admin.call('backup.settings.update', { passphrase: PASSPHRASE });
    expect(noPassword.ok ? null : noPassword.error).toMatchObject({ code: 'invalid_input', details: { issues: [{ path: 'password' }] } });
    const set = await admin.ok<BackupSettings>('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
    expect(set).toMatchObject({ passphraseSet: true, keyStore: expect.stringContaining('file'), keyProtection: 'kek', keyLocked: false });
    const item = await admin.ok<BackupItem>('backup.create');

    const stored = readFileSync(join(c.config.dataDir, 'secrets', BACKUP_KEY_SECRET), 'utf8');
    // the key kept on this machine is sealed (here with the tests' key-encryption key), never in clear
    expect(JSON.parse(stored).keys[0]).toMatchObject({ sealed: expect.stringMatching(/^kek1\./) });
    const current = await (c.services.backups as unknown as { keys: { current(): Promise<{ key: Buffer }> } }).keys.current();
    const key = current.key.toString('base64');
    const everywhere = [
      Buffer.from(stored),
      readFileSync(c.config.databaseFile),
      ...readdirSync(backupDir(c), { recursive: true, encoding: 'utf8' })
        .map((n) => join(backupDir(c), n))
        .filter((f) => statSync(f).isFile())
        .map((f) => readFileSync(f)),
    ];
    for (const bytes of everywhere) {
      expect(bytes.includes(Buffer.from(key, 'base64'))).toBe(false);
      expect(bytes.includes(Buffer.from(key))).toBe(false);
      expect(bytes.includes(Buffer.from(PASSPHRASE))).toBe(false);
    }
    void item;
  });

  it('lets only the admin see or touch backups', async () => {
    const c = await core();
    await setUp(c);
    for (const role of ['lawyer', 'assistant'] as const) {
      const door = doorAs(c, role);
      for (const [name, input] of [
        ['backup.list', {}],
        ['backup.create', {}],
        ['backup.verify', { id: 'x1234567' }],
        ['backup.restore', { id: 'x1234567', password: ADMIN_PASSWORD }],
        ['backup.settings.get', {}],
        ['backup.settings.update', { retentionDays: 1 }],
      ] as const) {
        const result = await door.call(name, input);
        expect(result.ok ? null : result.error.code, `${role} ${name}`).toBe('forbidden');
      }
    }
  });

  it('changing the passphrase keeps older backups restorable on this machine', async () => {
    const c = await core();
    const { admin } = await setUp(c);
    addNotes(c, 7);
    const first = await admin.ok<BackupItem>('backup.create');
    await admin.ok('backup.settings.update', { passphrase: 'a completely different long phrase', password: ADMIN_PASSWORD });
    const second = await admin.ok<BackupItem>('backup.create');
    const headerOf = (id: string) => {
      const bytes = readFileSync(join(backupDir(c), `${id}.db.lexbak`));
      return JSON.parse(bytes.subarray(20, 20 + bytes.readUInt32BE(16)).toString('utf8')) as { keyId: string };
    };
    expect(headerOf(first.id).keyId).not.toBe(headerOf(second.id).keyId);
    addNotes(c, 1, 'x');
    await admin.ok('backup.restore', { id: first.id, password: ADMIN_PASSWORD });
    expect(noteCount(c)).toBe(7);
  });

  it('refuses a second job while one runs', async () => {
    const c = await core();
    const { admin } = await setUp(c);
    addNotes(c, 3000);
    const [a, b] = await Promise.all([admin.call('backup.create'), admin.call('backup.create')]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    const refused = a.ok ? b : a;
    expect(refused.ok ? null : refused.error).toMatchObject({ code: 'conflict', message: 'A backup is already running. Wait for it to finish.' });
  });

  it('reads the SQL copy back by gunzip of the decrypted bytes (plain .sql.gz inside)', async () => {
    const c = await core();
    const { admin } = await setUp(c);
    const item = await admin.ok<BackupItem>('backup.create', { sqlDump: true });
    const bytes = readFileSync(join(backupDir(c), `${item.id}.sql.lexbak`));
    expect(() => gunzipSync(bytes)).toThrow();
    expect(decryptIndependently(join(backupDir(c), `${item.id}.sql.lexbak`), PASSPHRASE).plain.toString().startsWith('PRAGMA foreign_keys=OFF;')).toBe(true);
  });
});
