import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupItem } from '../../shared/contract/backup.js';
import type { TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { tempDir } from '../support/server.js';
import { ADMIN_PASSWORD, fakeAuth, PASSPHRASE, startBackupCore } from '../support/backup.js';

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
  fakeAuth(c);
  const admin = doorAs(c, 'admin');
  await admin.ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
  return admin;
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const pdf = (text: string) => Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(text), randomBytes(2048), Buffer.from('\n%%EOF\n')]);

async function addDocument(c: TestCore, data: Buffer, fileName = 'contract.pdf') {
  return c.services.documents.store.ingest(data, { fileName, declaredType: 'application/pdf' }, { source: 'staff', createdBy: 'Maria' });
}

function poolFiles(backupDir: string): string[] {
  const pool = join(backupDir, 'documents');
  if (!existsSync(pool)) return [];
  return readdirSync(pool)
    .filter((d) => /^[0-9a-f]{2}$/.test(d))
    .flatMap((d) => readdirSync(join(pool, d)))
    .sort();
}

function manifestOf(backupDir: string, id: string) {
  return JSON.parse(readFileSync(join(backupDir, `${id}.manifest.json`), 'utf8'));
}

async function contentOf(c: TestCore, id: number): Promise<Buffer> {
  return (await c.services.documents.store.readAll(id)).data;
}

describe('backups include the document store', () => {
  it('copies each document once: the next backup copies only what is new, and its index and pool are encrypted', async () => {
    const c = await core();
    const admin = await setUp(c);
    const dir = join(c.config.dataDir, 'backups');
    const docs = [pdf('first'), pdf('second'), pdf('third')];
    for (const d of docs) await addDocument(c, d);
    // the same content twice is one document file
    await addDocument(c, docs[0]!, 'copy of first.pdf');

    const first = await admin.ok<BackupItem>('backup.create');
    expect(first.documents).toEqual({ count: 3, bytes: docs.reduce((n, d) => n + d.length, 0) });
    expect(poolFiles(dir)).toEqual(docs.map(sha).sort());
    expect(manifestOf(dir, first.id).documentCopies).toEqual({ added: 3, addedBytes: expect.any(Number), reused: 0, missing: 0 });
    // the pool holds the store's encrypted files byte for byte: no client paper in the clear
    for (const d of docs) {
      const copy = readFileSync(join(dir, 'documents', sha(d).slice(0, 2), sha(d)));
      expect(copy.equals(readFileSync(c.services.documents.store.pathOf(sha(d))))).toBe(true);
      expect(copy.includes(d.subarray(0, 64))).toBe(false);
    }
    const index = readFileSync(join(dir, `${first.id}.documents.lexbak`));
    expect(index.includes(Buffer.from(sha(docs[0]!)))).toBe(false);

    const fourth = pdf('fourth');
    await addDocument(c, fourth);
    const second = await admin.ok<BackupItem>('backup.create');
    expect(second.documents?.count).toBe(4);
    expect(manifestOf(dir, second.id).documentCopies).toMatchObject({ added: 1, reused: 3, missing: 0 });
    expect(poolFiles(dir)).toEqual([...docs, fourth].map(sha).sort());

    // verification decrypts every document of the index
    const verified = await admin.ok<BackupItem>('backup.verify', { id: second.id });
    expect(verified.status).toBe('verified');
  });

  it('fails verification when a document copy in the backup folder is damaged or gone', async () => {
    const c = await core();
    const admin = await setUp(c);
    const dir = join(c.config.dataDir, 'backups');
    const a = pdf('alpha');
    const b = pdf('beta');
    await addDocument(c, a);
    await addDocument(c, b);
    const item = await admin.ok<BackupItem>('backup.create');

    const copy = join(dir, 'documents', sha(a).slice(0, 2), sha(a));
    const bytes = readFileSync(copy);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 40) ^ 0x01, bytes.length - 40);
    writeFileSync(copy, bytes);
    const checked = await admin.ok<BackupItem>('backup.verify', { id: item.id });
    expect(checked.status).toBe('failed');
    expect(checked.failure).toMatch(/Document [0-9a-f]{12} in the backup folder is damaged/);

    // the damaged copy is not taken for a good one: the next backup copies the document again
    const again = await admin.ok<BackupItem>('backup.create');
    expect(manifestOf(dir, again.id).documentCopies).toMatchObject({ added: 1, reused: 1 });
    expect((await admin.ok<BackupItem>('backup.verify', { id: again.id })).status).toBe('verified');
    rmSync(join(dir, 'documents', sha(b).slice(0, 2), sha(b)));
    const gone = await admin.ok<BackupItem>('backup.verify', { id: again.id });
    expect(gone.failure).toMatch(/missing from the backup folder/);
  });

  it('a restore puts back exactly the documents the restored database names', async () => {
    const c = await core();
    const admin = await setUp(c);
    const kept = pdf('kept');
    const lost = pdf('lost by accident');
    const keptRow = await addDocument(c, kept);
    const lostRow = await addDocument(c, lost);
    const item = await admin.ok<BackupItem>('backup.create');

    // after the backup: one file lost from the store, one document added
    rmSync(c.services.documents.store.pathOf(lostRow.sha256));
    const later = pdf('came after the backup');
    const laterRow = await addDocument(c, later);
    const laterFile = c.services.documents.store.pathOf(laterRow.sha256);
    const past = new Date(Date.now() - 60_000);
    utimesSync(laterFile, past, past);

    await admin.ok('backup.restore', { id: item.id, password: ADMIN_PASSWORD });
    expect((await contentOf(c, keptRow.id)).equals(kept)).toBe(true);
    expect((await contentOf(c, lostRow.id)).equals(lost)).toBe(true);
    // the restored database does not name the later document: its file went with it
    expect(c.services.documents.store.get(laterRow.id)).toBeNull();
    expect(existsSync(laterFile)).toBe(false);
    // …and it is in the safety backup taken before the restore
    const dir = join(c.config.dataDir, 'backups');
    expect(poolFiles(dir)).toContain(laterRow.sha256);
  });

  it('refuses, changing nothing, a restore whose document copies are missing', async () => {
    const c = await core();
    const admin = await setUp(c);
    const a = pdf('alpha');
    const row = await addDocument(c, a);
    const item = await admin.ok<BackupItem>('backup.create');
    const dir = join(c.config.dataDir, 'backups');
    rmSync(join(dir, 'documents', sha(a).slice(0, 2), sha(a)));
    rmSync(c.services.documents.store.pathOf(row.sha256));
    const extra = await addDocument(c, pdf('extra'));

    const restore = await admin.call('backup.restore', { id: item.id, password: ADMIN_PASSWORD });
    expect(restore.ok ? null : restore.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/^Nothing was changed: Document [0-9a-f]{12} .*missing from the backup folder/) });
    expect(c.services.documents.store.get(extra.id)).not.toBeNull();
  });

  it('restores the documents on a new installation with the backup passphrase alone', async () => {
    const shared = tempDir();
    const office = await core({ env: { LEXDESK_BACKUP_DIR: shared } });
    const admin = await setUp(office);
    const papers = [pdf('power of attorney'), pdf('id scan')];
    const rows = [];
    for (const p of papers) rows.push(await addDocument(office, p));
    const item = await admin.ok<BackupItem>('backup.create');
    await office.dispose();
    cores.splice(cores.indexOf(office), 1);

    // another computer: its own data folder and secrets (another document key), the same backup disk
    const fresh = await core({ env: { LEXDESK_BACKUP_DIR: shared }, newInstallation: true });
    fakeAuth(fresh);
    const freshAdmin = doorAs(fresh, 'admin');
    await freshAdmin.ok('backup.restore', { id: item.id, password: ADMIN_PASSWORD, passphrase: PASSPHRASE });
    for (let i = 0; i < papers.length; i++) expect((await contentOf(fresh, rows[i]!.id)).equals(papers[i]!)).toBe(true);
    // new documents here are kept under this computer's own key, old ones stay readable
    const next = await addDocument(fresh, pdf('after the move'));
    expect((await contentOf(fresh, next.id)).length).toBeGreaterThan(0);
    rmSync(shared, { recursive: true, force: true });
  });

  it('retention removes the document copies no remaining backup names, and keeps the rest', async () => {
    const c = await core();
    const admin = await setUp(c);
    const dir = join(c.config.dataDir, 'backups');
    await admin.ok('backup.settings.update', { retentionDays: 1, keepAtLeast: 1, password: ADMIN_PASSWORD });
    const old = pdf('old');
    const oldRow = await addDocument(c, old);
    const first = await admin.ok<BackupItem>('backup.create');
    // the document goes from the office's data (deleted), and a new one comes
    c.services.store.sqlite.prepare('DELETE FROM documents WHERE id = ?').run(oldRow.id);
    const recent = pdf('recent');
    await addDocument(c, recent);
    // the first backup is old enough for retention
    const m = manifestOf(dir, first.id);
    m.createdAt = new Date(Date.now() - 5 * 86_400_000).toISOString();
    writeFileSync(join(dir, `${first.id}.manifest.json`), JSON.stringify(m));
    await admin.ok<BackupItem>('backup.create');

    expect(existsSync(join(dir, `${first.id}.db.lexbak`))).toBe(false);
    expect(existsSync(join(dir, `${first.id}.documents.lexbak`))).toBe(false);
    // the first backup's snapshot (younger than 48 hours, so not thinned) still names the old document
    expect(poolFiles(dir).sort()).toEqual([sha(old), sha(recent)].sort());
    // once that snapshot is gone too, so is the copy
    rmSync(join(dir, 'repo', 'snapshots', `${first.id}.snapshot`));
    await c.services.backups.thinSnapshots();
    expect(poolFiles(dir)).toEqual([sha(recent)]);
  });

  it('removes the copies an interrupted backup left half written, at the next start', async () => {
    const dataDir = tempDir();
    const c = await core({ dataDir });
    const admin = await setUp(c);
    await addDocument(c, pdf('a'));
    await admin.ok<BackupItem>('backup.create');
    const partialDir = join(dataDir, 'backups', 'documents', '.partial');
    mkdirSync(partialDir, { recursive: true });
    writeFileSync(join(partialDir, 'abcd.partial'), randomBytes(100));
    await c.stop();
    cores.splice(cores.indexOf(c), 1);
    const again = await core({ dataDir });
    expect(readdirSync(partialDir)).toEqual([]);
    expect(statSync(join(dataDir, 'backups', 'documents')).isDirectory()).toBe(true);
    await again.dispose();
    cores.splice(cores.indexOf(again), 1);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
