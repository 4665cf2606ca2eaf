import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupItem, SnapshotItem } from '../../shared/contract/backup.js';
import { ManualClock } from '../../main/core/clock.js';
import { thinningPlan } from '../../main/core/backup/retention.js';
import { pruneRepository, readSnapshot, snapshotEntries, snapshotKeys } from '../../main/core/backup/snapshots.js';
import type { TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { REPO_ROOT, tempDir } from '../support/server.js';
import { addNotes, ADMIN_PASSWORD, fakeAuth, noteCount, PASSPHRASE, runBackupChild, sqlite3, startBackupCore } from '../support/backup.js';

const cores: TestCore[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.dispose().catch(() => undefined);
});

async function core(options: Parameters<typeof startBackupCore>[0] = {}): Promise<TestCore> {
  const c = await startBackupCore(options);
  cores.push(c);
  fakeAuth(c);
  await doorAs(c, 'admin').ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
  return c;
}

const origin = { face: 'cli' as const, actor: { type: 'cli' as const, name: 'test' } };
const repo = (c: TestCore | string) => join(typeof c === 'string' ? c : c.config.dataDir, 'backups', 'repo');

/** Every chunk file of the repository: name → bytes. */
function chunkFiles(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const chunks = join(dir, 'chunks');
  if (!existsSync(chunks)) return out;
  for (const prefix of readdirSync(chunks)) {
    for (const name of readdirSync(join(chunks, prefix))) out.set(name, statSync(join(chunks, prefix, name)).size);
  }
  return out;
}

function bigTable(c: TestCore, rows: number): void {
  c.services.store.sqlite.exec(
    `CREATE TABLE IF NOT EXISTS big (id INTEGER PRIMARY KEY, data BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows}) INSERT INTO big (data) SELECT randomblob(800) FROM n;`,
  );
}

async function snapshot(c: TestCore): Promise<SnapshotItem> {
  const item = await c.services.backups.snapshotIfChanged(origin);
  expect(item).not.toBeNull();
  return item!;
}

describe('snapshots', { timeout: 120_000 }, () => {
  it('write only the changed chunks: a second snapshot after a few rows adds a few chunk files, and nothing is taken when nothing changed', async () => {
    const c = await core();
    bigTable(c, 20_000); // about 16 MB
    addNotes(c, 50);
    const first = await snapshot(c);
    const afterFirst = chunkFiles(repo(c));
    // read in place: the chunks it wrote were read back and opened; the whole is checked after
    expect(first.partsCheckedAt).not.toBeNull();
    expect(first.verifiedAt).toBeNull();
    expect(first.locations).toEqual(['local']);
    expect(afterFirst.size).toBe(first.addedChunks);
    expect(afterFirst.size).toBeGreaterThan(200);

    addNotes(c, 5, 'more');
    const second = await snapshot(c);
    const afterSecond = chunkFiles(repo(c));
    const added = [...afterSecond.keys()].filter((n) => !afterFirst.has(n));
    expect(added.length).toBe(second.addedChunks);
    expect(added.length).toBeGreaterThan(0);
    expect(added.length).toBeLessThanOrEqual(8);
    const addedBytes = added.reduce((sum, n) => sum + afterSecond.get(n)!, 0);
    expect(addedBytes).toBe(second.addedBytes);
    expect(addedBytes).toBeLessThan(600 * 1024);
    // nothing changed: no new snapshot
    expect(await c.services.backups.snapshotIfChanged(origin)).toBeNull();
    const key = (await c.services.backups.currentKey())!;
    expect(await c.services.backups.snapshots.verify(second.id, key)).toBeNull();
    const listed = await doorAs(c, 'admin').ok<{ snapshots: SnapshotItem[] }>('backup.snapshots');
    expect(listed.snapshots.map((s) => s.id)).toEqual([first.id, second.id]);
    expect(listed.snapshots[1]!.verifiedAt).not.toBeNull();
    // the chunk names reveal nothing of the content, and the files hold no plain data
    const one = [...afterSecond.keys()][0]!;
    const bytes = readFileSync(join(repo(c), 'chunks', one.slice(0, 2), one));
    expect(bytes.includes(Buffer.from('SQLite format 3'))).toBe(false);
    expect(readFileSync(join(repo(c), 'snapshots', `${second.id}.snapshot`), 'utf8')).not.toContain('test_notes');
  });

  it('a snapshot read in place is the database as it was, through inserts, updates, deletes, a WAL restart, VACUUM and growth', async () => {
    const c = await core();
    const db = c.services.store.sqlite;
    const live = c.config.databaseFile;
    const key = (await c.services.backups.currentKey())!;
    const out = join(tempDir(), 'reassembled.sqlite');
    const same = async (label: string) => {
      const item = await snapshot(c);
      rmSync(out, { force: true });
      await c.services.backups.snapshots.verifyInWorker(item.id, key, { keepAs: out });
      expect(sqlite3(out, 'PRAGMA integrity_check;'), label).toBe('ok');
      expect(sqlite3(out, '.sha3sum big'), label).toBe(sqlite3(live, '.sha3sum big'));
      expect(sqlite3(out, 'SELECT count(*) || \' \' || total(length(data)) FROM big;'), label).toBe(sqlite3(live, 'SELECT count(*) || \' \' || total(length(data)) FROM big;'));
      expect(sqlite3(out, 'SELECT count(*) FROM audit_log;'), label).toBe(sqlite3(live, 'SELECT count(*) FROM audit_log;'));
      return item;
    };
    bigTable(c, 8_000);
    await same('first');
    db.prepare('UPDATE big SET data = randomblob(800) WHERE id % 997 = 0').run();
    await same('after scattered updates');
    db.prepare('INSERT INTO big (data) SELECT randomblob(3000) FROM big WHERE id < 2000').run();
    await same('after the database grew');
    db.prepare('DELETE FROM big WHERE id BETWEEN 100 AND 4000').run();
    await same('after deletes');
    // the WAL checkpointed and restarted: where the last snapshot stood is gone, every page is read
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.prepare('UPDATE big SET data = zeroblob(10) WHERE id = 5000').run();
    await same('after a WAL restart');
    db.exec('VACUUM');
    await same('after VACUUM shrank the file');
    db.prepare("UPDATE big SET data = X'00' WHERE id = 4500").run();
    await same('after a change in the shrunk file');
  });

  it('any history of writes, checkpoints and VACUUMs between snapshots: each snapshot read in place is the database at that moment', async () => {
    const c = await core();
    const db = c.services.store.sqlite;
    db.exec('CREATE TABLE prop (id INTEGER PRIMARY KEY, data BLOB)');
    db.prepare('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO prop (data) SELECT randomblob(700) FROM n').run();
    const key = (await c.services.backups.currentKey())!;
    const live = c.config.databaseFile;
    const out = join(tempDir(), 'prop.sqlite');
    type Step =
      | { op: 'insert'; rows: number; size: number }
      | { op: 'update'; ids: number[]; size: number }
      | { op: 'delete'; from: number; count: number }
      | { op: 'checkpoint'; mode: 'PASSIVE' | 'RESTART' | 'TRUNCATE' }
      | { op: 'vacuum' };
    // mostly small, scattered changes (a few pages each), now and then a checkpoint or a VACUUM
    const step = fc.oneof(
      { weight: 3, arbitrary: fc.record({ op: fc.constant('insert' as const), rows: fc.integer({ min: 1, max: 300 }), size: fc.integer({ min: 1, max: 6000 }) }) },
      { weight: 4, arbitrary: fc.record({ op: fc.constant('update' as const), ids: fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 6 }), size: fc.integer({ min: 0, max: 300 }) }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), from: fc.integer({ min: 1, max: 3000 }), count: fc.integer({ min: 0, max: 40 }) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('checkpoint' as const), mode: fc.constantFrom('PASSIVE' as const, 'RESTART' as const, 'TRUNCATE' as const) }) },
      { weight: 1, arbitrary: fc.constant({ op: 'vacuum' as const }) },
    );
    const apply = (s: Step) => {
      if (s.op === 'insert') db.prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) INSERT INTO prop (data) SELECT randomblob(?) FROM n`).run(s.rows, s.size);
      if (s.op === 'update') for (const id of s.ids) db.prepare('UPDATE prop SET data = randomblob(?) WHERE id = ?').run(s.size, id);
      if (s.op === 'delete') db.prepare('DELETE FROM prop WHERE id BETWEEN ? AND ?').run(s.from, s.from + s.count);
      if (s.op === 'checkpoint') db.pragma(`wal_checkpoint(${s.mode})`);
      if (s.op === 'vacuum') db.exec('VACUUM');
    };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(step, { minLength: 1, maxLength: 3 }), { minLength: 3, maxLength: 6 }), async (rounds) => {
        for (const round of rounds) {
          for (const s of round) apply(s);
          const taken = await c.services.backups.snapshotIfChanged(origin);
          const id = taken?.id ?? (await c.services.backups.snapshots.heads()).at(-1)!.id;
          rmSync(out, { force: true });
          await c.services.backups.snapshots.verifyInWorker(id, key, { keepAs: out });
          expect(sqlite3(out, '.sha3sum prop'), JSON.stringify(round)).toBe(sqlite3(live, '.sha3sum prop'));
        }
      }),
      { numRuns: 5 },
    );
  });

  it('a piece of the repository that went missing is written again by the next snapshot, so the snapshots do not stop', async () => {
    const c = await core();
    bigTable(c, 4_000);
    // a short log of its own: the next snapshot reads only the pages changed since this one
    c.services.store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    addNotes(c, 1);
    const first = await snapshot(c);
    const key = (await c.services.backups.currentKey())!;
    const keys = snapshotKeys(key.key, key.keyId);
    const namesOf = async (id: string) => snapshotEntries(repo(c), keys, (await readSnapshot(repo(c), keys, id)).body).map((e) => e.name);
    // a piece in the middle of the big table: the next change (new rows of another table) leaves it as it is
    const gone = (await namesOf(first.id))[20]!;
    rmSync(join(repo(c), 'chunks', gone.slice(0, 2), gone));
    addNotes(c, 3);
    const second = await snapshot(c);
    expect((await namesOf(second.id))[20]).toBe(gone);
    expect(chunkFiles(repo(c)).has(gone)).toBe(true);
    expect(await c.services.backups.snapshots.verify(second.id, key)).toBeNull();
    expect(await c.services.backups.snapshots.verify(first.id, key)).toBeNull();
  });

  it('a piece changed in a few places is written as the blocks that differ from its base, one step deep, and the snapshots still reassemble whole', async () => {
    const c = await core();
    const db = c.services.store.sqlite;
    bigTable(c, 20_000); // about 16 MB, 250 pieces
    // a short log of its own: the next snapshots read only the pages changed since
    db.pragma('wal_checkpoint(TRUNCATE)');
    const first = await snapshot(c);
    const key = (await c.services.backups.currentKey())!;
    const keys = snapshotKeys(key.key, key.keyId);
    const entriesOf = async (id: string) => snapshotEntries(repo(c), keys, (await readSnapshot(repo(c), keys, id)).body);
    const live = c.config.databaseFile;
    const out = join(tempDir(), 'delta.sqlite');
    const same = async (id: string) => {
      rmSync(out, { force: true });
      await c.services.backups.snapshots.verifyInWorker(id, key, { keepAs: out });
      return sqlite3(out, '.sha3sum big');
    };

    // 40 rows of random bytes changed in place, far apart: 40 pieces change, each in a page or two
    const ids = Array.from({ length: 40 }, (_, i) => 1 + i * 499);
    const update = db.prepare('UPDATE big SET data = randomblob(800) WHERE id = ?');
    for (const id of ids) update.run(id);
    const second = await snapshot(c);
    const entries = await entriesOf(second.id);
    const deltas = entries.filter((e) => e.base !== null);
    expect(deltas.length).toBeGreaterThanOrEqual(30);
    // whole pieces would be at least 40 × 64 KiB of random bytes; the blocks that changed are a small part of that
    expect(second.addedBytes).toBeLessThan(40 * 12 * 1024);
    expect(await same(second.id)).toBe(sqlite3(live, '.sha3sum big'));
    // each delta's base is the whole piece the first snapshot had in that place
    const firstEntries = await entriesOf(first.id);
    for (const e of deltas) {
      const at = entries.indexOf(e);
      expect(e.base).toBe(firstEntries[at]!.name);
      expect(readFileSync(join(repo(c), 'chunks', e.name.slice(0, 2), e.name)).subarray(0, 4).toString()).toBe('LXD1');
      expect(readFileSync(join(repo(c), 'chunks', e.base!.slice(0, 2), e.base!)).subarray(0, 4).toString()).toBe('LXC1');
    }

    // the same pieces changed again: the new deltas are over the same whole bases, never over a delta
    for (const id of ids) update.run(id + 1);
    const third = await snapshot(c);
    for (const e of (await entriesOf(third.id)).filter((x) => x.base !== null)) {
      expect(firstEntries.some((f) => f.name === e.base)).toBe(true);
    }
    expect(await same(third.id)).toBe(sqlite3(live, '.sha3sum big'));

    // a piece rewritten almost whole is written whole, and becomes the base of what follows
    db.prepare('UPDATE big SET data = randomblob(800) WHERE id BETWEEN 2000 AND 2200').run();
    const fourth = await snapshot(c);
    const fourthEntries = await entriesOf(fourth.id);
    expect(fourthEntries.filter((e, i) => e.base === null && e.name !== firstEntries[i]?.name).length).toBeGreaterThanOrEqual(2);
    expect(await same(fourth.id)).toBe(sqlite3(live, '.sha3sum big'));

    // thinning away the snapshot that wrote the bases keeps the bases later deltas need
    const pruned = await pruneRepository({ repoDir: repo(c), key: key.key, keyId: key.keyId, remove: [first.id, second.id] });
    expect(pruned.manifests).toBe(2);
    expect(pruned.chunks).toBeGreaterThan(0);
    for (const e of (await entriesOf(third.id)).filter((x) => x.base !== null)) expect(chunkFiles(repo(c)).has(e.base!)).toBe(true);
    expect(await c.services.backups.snapshots.verify(third.id, key)).toBeNull();
    expect(await c.services.backups.snapshots.verify(fourth.id, key)).toBeNull();

    // a flipped byte in a base is found, and named, by the snapshots whose deltas stand on it
    const base = (await entriesOf(third.id)).find((x) => x.base !== null)!.base!;
    const file = join(repo(c), 'chunks', base.slice(0, 2), base);
    const bytes = readFileSync(file);
    bytes[40] = bytes[40]! ^ 0x10;
    writeFileSync(file, bytes);
    expect(await c.services.backups.snapshots.verify(third.id, key)).toContain(base);
  });

  it('a snapshot taken while the app writes is one moment of the database: every row up to one, none after', async () => {
    const c = await core();
    const db = c.services.store.sqlite;
    db.exec('CREATE TABLE seq (id INTEGER PRIMARY KEY, data BLOB)');
    const insert = db.prepare('INSERT INTO seq (data) VALUES (randomblob(2000))');
    for (let i = 0; i < 2_000; i++) insert.run();
    let writing = true;
    const writer = (async () => {
      while (writing) {
        insert.run();
        await new Promise((r) => setImmediate(r));
      }
    })();
    const item = await snapshot(c);
    writing = false;
    await writer;
    const key = (await c.services.backups.currentKey())!;
    const out = join(tempDir(), 'moment.sqlite');
    await c.services.backups.snapshots.verifyInWorker(item.id, key, { keepAs: out });
    expect(sqlite3(out, 'PRAGMA integrity_check;')).toBe('ok');
    const [count, max] = sqlite3(out, 'SELECT count(*) || \' \' || max(id) FROM seq;').split(' ').map(Number);
    expect(count).toBe(max);
    expect(count).toBeGreaterThanOrEqual(2_000);
    expect(count).toBe(item.tables.seq);
    expect(Number(sqlite3(c.config.databaseFile, 'SELECT count(*) FROM seq;'))).toBeGreaterThanOrEqual(count!);
  });

  it('a snapshot whose new parts only were checked is then reassembled and checked whole in the background', async () => {
    const c = await core({ snapshotFullCheckMs: 50 });
    addNotes(c, 30);
    const item = await snapshot(c);
    expect(item.verifiedAt).toBeNull();
    const listed = async () => (await doorAs(c, 'admin').ok<{ snapshots: SnapshotItem[] }>('backup.snapshots')).snapshots.find((s) => s.id === item.id)!;
    await expect.poll(async () => (await listed()).verifiedAt, { timeout: 30_000, interval: 100 }).not.toBeNull();
    expect((await listed()).problem).toBeNull();
  });

  it('the background check gives way: a snapshot, a backup and a restore asked while it runs all go ahead, and the check runs again after', async () => {
    const c = await core({ snapshotFullCheckMs: 1 });
    bigTable(c, 20_000);
    const admin = doorAs(c, 'admin');
    const finished: { operation: string; outcome: string }[] = [];
    c.services.events.subscribe((e) => {
      if (e.type === 'backup.finished') finished.push({ operation: e.data.operation, outcome: e.data.outcome });
    });
    /** what a restart (an update, a quit) would wait for while a background check runs */
    const waitedFor: unknown[] = [];
    /** resolves as the background check of a snapshot starts */
    const checkStarts = () =>
      new Promise<void>((resolve) => {
        const off = c.services.events.subscribe((e) => {
          if (e.type === 'backup.progress' && e.data.operation === 'verify') {
            off();
            waitedFor.push(...c.services.activity.busy());
            resolve();
          }
        });
      });

    let starts = checkStarts();
    const first = await snapshot(c);
    await starts;
    starts = checkStarts();
    addNotes(c, 5);
    const second = await snapshot(c);
    expect(second.id).not.toBe(first.id);
    await starts;
    const backup = await admin.ok<BackupItem>('backup.create');
    expect(backup.verifiedAt).not.toBeNull();
    starts = checkStarts();
    addNotes(c, 5, 'third');
    await snapshot(c);
    await starts;
    const restored = await admin.ok<{ id: string }>('backup.restore', { id: backup.id, password: ADMIN_PASSWORD });
    expect(restored.id).toBe(backup.id);
    expect(noteCount(c)).toBe(5);
    // a check that gave way to a job which checks nothing itself (a thinning) runs again once it is over
    starts = checkStarts();
    addNotes(c, 5, 'fourth');
    const fourth = await snapshot(c);
    await starts;
    await c.services.backups.thinSnapshots(origin);
    await expect
      .poll(async () => (await admin.ok<{ snapshots: SnapshotItem[] }>('backup.snapshots')).snapshots.find((s) => s.id === fourth.id)!.verifiedAt, { timeout: 30_000, interval: 100 })
      .not.toBeNull();
    // nothing the admin or the timer asked for was refused; only the background checks gave way
    expect(finished.filter((f) => f.operation !== 'verify').every((f) => f.outcome === 'ok')).toBe(true);
    expect(finished.filter((f) => f.operation === 'verify' && f.outcome === 'failed').length).toBeGreaterThanOrEqual(4);
    // the background check never holds up an update or a quit: stopping cancels it, and it runs again
    expect(waitedFor).toEqual([]);
  });

  it('a snapshot whose background check a stop cancelled is checked whole after the next start', async () => {
    const dataDir = tempDir();
    const first = await startBackupCore({ dataDir, snapshotFullCheckMs: 1 });
    fakeAuth(first);
    await doorAs(first, 'admin').ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
    bigTable(first, 20_000);
    const checkBegan = new Promise<void>((resolve) => {
      const off = first.services.events.subscribe((e) => {
        if (e.type === 'backup.progress' && e.data.operation === 'verify') {
          off();
          resolve();
        }
      });
    });
    const item = (await first.services.backups.snapshotIfChanged(origin))!;
    await checkBegan;
    await first.stop();
    // at the default pace, the check after a start waits 5 s: before it, the snapshot is still unchecked
    const c = await core({ dataDir });
    const listed = async () => (await doorAs(c, 'admin').ok<{ snapshots: SnapshotItem[] }>('backup.snapshots')).snapshots.find((s) => s.id === item.id)!;
    expect((await listed()).verifiedAt).toBeNull();
    await expect.poll(async () => (await listed()).verifiedAt, { timeout: 30_000, interval: 100 }).not.toBeNull();
    expect((await listed()).problem).toBeNull();
  });

  it('restore at a time between two snapshots brings back the older state, with a safety backup first', async () => {
    const clock = new ManualClock('2026-11-30T10:00:00Z');
    const c = await core({ clock });
    addNotes(c, 100);
    const older = await snapshot(c);
    clock.set('2026-11-30T11:00:00Z');
    addNotes(c, 40, 'later');
    const newer = await snapshot(c);
    expect(noteCount(c)).toBe(140);

    const admin = doorAs(c, 'admin');
    const resolved = await admin.ok<{ resolved: SnapshotItem }>('backup.snapshots', { at: '2026-11-30T10:30:00Z' });
    expect(resolved.resolved.id).toBe(older.id);
    const early = await admin.call('backup.snapshots', { at: '2026-11-30T09:00:00Z' });
    expect(early).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const bad = await admin.call('backup.restore', { at: 'yesterday-ish', password: ADMIN_PASSWORD });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

    clock.set('2026-11-30T12:00:00Z');
    const result = await admin.ok<{ id: string; preRestoreBackupId: string }>('backup.restore', { at: '2026-11-30T10:30:00Z', password: ADMIN_PASSWORD });
    expect(result.id).toBe(older.id);
    expect(noteCount(c)).toBe(100);
    // the safety backup holds the newer state, and is itself a snapshot on the timeline
    const after = await admin.ok<{ snapshots: SnapshotItem[] }>('backup.snapshots');
    expect(after.snapshots.map((s) => s.id)).toEqual([older.id, newer.id, result.preRestoreBackupId]);
    expect(after.snapshots.at(-1)!.tables.test_notes).toBe(140);
  });

  it('a flipped byte in one chunk is found and named, and a restore from it changes nothing', async () => {
    const c = await core();
    addNotes(c, 300);
    const item = await snapshot(c);
    const chunks = chunkFiles(repo(c));
    const victim = [...chunks.keys()].sort()[0]!;
    const file = join(repo(c), 'chunks', victim.slice(0, 2), victim);
    const bytes = readFileSync(file);
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0x01;
    writeFileSync(file, bytes);
    addNotes(c, 3, 'after');

    const key = (await c.services.backups.currentKey())!;
    const problem = await c.services.backups.snapshots.verify(item.id, key);
    expect(problem).toContain(victim);
    const listed = await doorAs(c, 'admin').ok<{ snapshots: SnapshotItem[] }>('backup.snapshots');
    expect(listed.snapshots[0]).toMatchObject({ id: item.id, verifiedAt: null, restorable: false });
    expect(listed.snapshots[0]!.problem).toContain(victim);

    const refused = await doorAs(c, 'admin').call('backup.restore', { id: item.id, password: ADMIN_PASSWORD });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect((refused as { error: { message: string } }).error.message).toContain('Nothing was changed');
    expect((refused as { error: { message: string } }).error.message).toContain(victim);
    expect(noteCount(c)).toBe(303);
  });

  it('old .lexbak backups stay listed and restorable beside the snapshots', async () => {
    const c = await core();
    addNotes(c, 120);
    const backup = await doorAs(c, 'admin').ok<BackupItem>('backup.create');
    // the backup is also a snapshot; without the repository the .lexbak file alone restores
    expect((await c.services.backups.snapshots.list()).map((s) => s.id)).toEqual([backup.id]);
    rmSync(repo(c), { recursive: true, force: true });
    addNotes(c, 7, 'after');
    const restored = await doorAs(c, 'admin').ok<{ id: string }>('backup.restore', { id: backup.id, password: ADMIN_PASSWORD });
    expect(restored.id).toBe(backup.id);
    expect(noteCount(c)).toBe(120);
  });

  it('thinning with a controlled clock keeps every recent one, one an hour, a day, a month; the chunks only removed ones used go', async () => {
    const clock = new ManualClock('2026-06-01T08:00:00Z');
    const c = await core({ clock });
    const taken: SnapshotItem[] = [];
    const times = ['2026-06-01T08:00:00Z', '2026-06-01T08:20:00Z', '2026-06-01T08:40:00Z', '2026-06-20T09:00:00Z', '2026-06-20T09:15:00Z', '2026-06-21T09:00:00Z'];
    for (const [i, at] of times.entries()) {
      clock.set(at);
      addNotes(c, 30, `batch ${i}`);
      taken.push(await snapshot(c));
    }
    const before = chunkFiles(repo(c));
    clock.set('2026-06-21T10:00:00Z');
    const result = await c.services.backups.thinSnapshots(origin);
    // 1 June is older than 14 days: one a day (08:40 stays); the 20th is younger than 48 h: both stay
    expect(result.removed.sort()).toEqual([taken[0]!.id, taken[1]!.id].sort());
    const left = (await c.services.backups.snapshots.list()).map((s) => s.id);
    expect(left).toEqual([taken[2]!.id, taken[3]!.id, taken[4]!.id, taken[5]!.id]);
    const after = chunkFiles(repo(c));
    expect(after.size).toBe(before.size - result.chunks);
    // every remaining snapshot still verifies whole
    const key = (await c.services.backups.currentKey())!;
    for (const id of left) expect(await c.services.backups.snapshots.verify(id, key)).toBeNull();
  });
});

describe('thinningPlan', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const rules = { keepAllHours: 48, hourlyDays: 14, retentionDays: 30, monthlyMonths: 12 };
  const at = (hoursAgo: number) => ({ id: `h${hoursAgo}`, createdAt: new Date(now.getTime() - hoursAgo * 3_600_000).toISOString() });

  it('keeps all for 48 h, the newest of each hour to 14 days, of each day to the retention, of each month to a year', () => {
    const all = [0.1, 1, 1.5, 47, 49, 49.25, 49.5, 24 * 20, 24 * 20 + 0.5, 24 * 20 + 1, 24 * 100, 24 * 101, 24 * 400].map(at);
    const removed = new Set(thinningPlan(all, now, rules));
    for (const kept of ['h0.1', 'h1', 'h1.5', 'h47']) expect(removed.has(kept), kept).toBe(false);
    // 49, 49.25, 49.5 hours ago: as many hours as there are distinct hours (the newest of each)
    const recentHour = ['h49', 'h49.25', 'h49.5'].filter((id) => !removed.has(id));
    expect(recentHour.length).toBeGreaterThanOrEqual(1);
    expect(recentHour.length).toBeLessThanOrEqual(2);
    expect(['h480', 'h480.5', 'h481'].filter((id) => !removed.has(id)).length).toBe(1);
    expect(removed.has('h9600')).toBe(true);
    expect(removed.has('h2400') && removed.has('h2424')).toBe(false);
    expect(thinningPlan([at(24 * 400)], now, rules)).toEqual([]); // the newest is never removed
  });
});

describe('a kill -9', { timeout: 180_000 }, () => {
  it('in the middle of a snapshot leaves the repository readable, and the next snapshot completes', async () => {
    const dataDir = tempDir();
    const first = await startBackupCore({ dataDir });
    fakeAuth(first);
    await doorAs(first, 'admin').ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
    addNotes(first, 50);
    const good = await first.services.backups.snapshotIfChanged(origin);
    await first.stop();
    sqlite3(
      join(dataDir, 'lexdesk.sqlite'),
      'CREATE TABLE big (id INTEGER PRIMARY KEY, data BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000) INSERT INTO big (data) SELECT randomblob(1000) FROM n;',
    );
    const { killed, lines } = await runBackupChild([dataDir, 'snapshot'], (l) => l.step === 'compressing' && (l.percent ?? 0) > 40);
    expect(killed).toBe(true);
    expect(lines.some((l) => 'done' in l)).toBe(false);
    expect(readdirSync(join(repo(dataDir), 'snapshots')).filter((n) => !n.startsWith('.'))).toEqual([`${good!.id}.snapshot`]);
    expect(chunkFiles(repo(dataDir)).size).toBeGreaterThan(good!.addedChunks); // the kill landed after some new chunks

    const next = await startBackupCore({ dataDir });
    cores.push(next);
    const key = (await next.services.backups.currentKey())!;
    expect(await next.services.backups.snapshots.verify(good!.id, key)).toBeNull();
    const item = await next.services.backups.snapshotIfChanged(origin);
    expect(item).not.toBeNull();
    expect(item!.partsCheckedAt).not.toBeNull();
    expect(await next.services.backups.snapshots.verify(item!.id, key)).toBeNull();
    expect(item!.tables.big).toBe(60_000);
  });

  it('in the middle of pruning (manifests gone, chunks not yet) loses no remaining snapshot, and the next thinning finishes', async () => {
    const dataDir = tempDir();
    const clock = new ManualClock('2026-01-05T09:00:00Z');
    const first = await startBackupCore({ dataDir, clock });
    fakeAuth(first);
    await doorAs(first, 'admin').ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      clock.set(new Date(Date.parse('2026-01-05T09:00:00Z') + i * 3_600_000));
      addNotes(first, 200, `round ${i}`);
      ids.push((await first.services.backups.snapshotIfChanged(origin))!.id);
    }
    await first.stop();
    const before = chunkFiles(repo(dataDir)).size;
    // the child's clock is today's: the three January snapshots share a month, the newest stays
    const { killed } = await runBackupChild([dataDir, 'thin'], (l) => l.step === 'pruning', { PRUNE_PAUSE: '1' });
    expect(killed).toBe(true);
    expect(readdirSync(join(repo(dataDir), 'snapshots')).filter((n) => !n.startsWith('.'))).toEqual([`${ids[2]}.snapshot`]);
    expect(chunkFiles(repo(dataDir)).size).toBe(before);

    const next = await startBackupCore({ dataDir });
    cores.push(next);
    const key = (await next.services.backups.currentKey())!;
    expect(await next.services.backups.snapshots.verify(ids[2]!, key)).toBeNull();
    const result = await next.services.backups.thinSnapshots(origin);
    expect(result.chunks).toBeGreaterThan(0);
    expect(chunkFiles(repo(dataDir)).size).toBe(before - result.chunks);
    expect(await next.services.backups.snapshots.verify(ids[2]!, key)).toBeNull();
  });
});
