import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, readdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, startServer, tempDir, TEST_BACKUP_KEK } from '../support/server.js';
import { PASSPHRASE, sqlite3 } from '../support/backup.js';
import { startTestCore } from '../support/core.js';

const CLI = join(REPO_ROOT, 'dist', 'main', 'cli', 'index.js');

function lexdesk(dataDir: string, args: string[], input?: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dataDir, LEXDESK_DATA_DIR: dataDir, LEXDESK_BACKUP_KEK: TEST_BACKUP_KEK },
    cwd: dataDir,
    input,
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function idOf(output: string): string {
  const match = /^(\d{8}T\d{6}Z-[a-z-]+-[0-9a-f]{4})\s/m.exec(output);
  if (!match) throw new Error(`no backup id in: ${output}`);
  return match[1]!;
}

describe('lexdesk backup (the command line)', { timeout: 120_000 }, () => {
  it('lists snapshots with their last verification and restores to a point in time with --at', async () => {
    const dataDir = tempDir();
    expect(lexdesk(dataDir, ['migrate']).status).toBe(0);
    expect(lexdesk(dataDir, ['backup', 'passphrase'], `${PASSPHRASE}\n`).status).toBe(0);
    const db = join(dataDir, 'lexdesk.sqlite');
    sqlite3(db, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('before');");
    const first = idOf(lexdesk(dataDir, ['backup', 'create']).stdout);
    sqlite3(db, "INSERT INTO notes VALUES ('after');");
    const second = idOf(lexdesk(dataDir, ['backup', 'create']).stdout);

    const list = lexdesk(dataDir, ['backup', 'list']);
    expect(list.stdout).toMatch(/Snapshots \(2;/);
    expect(list.stdout).toMatch(new RegExp(`${first}\\s.*\\slocal`));
    const json = JSON.parse(lexdesk(dataDir, ['backup', 'list', '--json']).stdout);
    expect(json.snapshots.map((s: { id: string }) => s.id)).toEqual([first, second]);
    expect(json.snapshots[0].verifiedAt).not.toBeNull();
    expect(json.snapshots[0].locations).toEqual(['local']);

    const bad = lexdesk(dataDir, ['backup', 'restore', '--at', 'last tuesday']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/is not a date and time/);
    const early = lexdesk(dataDir, ['backup', 'restore', '--at', '2020-01-01 10:00']);
    expect(early.status).toBe(1);
    expect(early.stderr).toMatch(/no snapshot that early/);

    const restored = lexdesk(dataDir, ['backup', 'restore', '--at', json.snapshots[0].createdAt]);
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stderr).toContain(`resolves to snapshot ${first}`);
    expect(sqlite3(db, 'SELECT group_concat(body) FROM notes;')).toBe('before');
    const verified = lexdesk(dataDir, ['backup', 'verify', second]);
    expect(verified.status, verified.stderr).toBe(0);
  });

  it('creates, lists, verifies and restores; a restore waits until LexDesk is stopped', async () => {
    const dataDir = tempDir();
    expect(lexdesk(dataDir, ['migrate']).status).toBe(0);
    const weak = lexdesk(dataDir, ['backup', 'passphrase'], 'password1234\n');
    expect(weak.status).toBe(1);
    expect(weak.stderr).toMatch(/commonly used password/);
    const set = lexdesk(dataDir, ['backup', 'passphrase'], `${PASSPHRASE}\n`);
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/Write the passphrase down/);

    const db = join(dataDir, 'lexdesk.sqlite');
    sqlite3(db, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('before');");
    const created = lexdesk(dataDir, ['backup', 'create', '--sql']);
    expect(created.status, created.stderr).toBe(0);
    expect(created.stderr).toMatch(/\[100%\]/);
    const id = idOf(created.stdout);
    expect(created.stdout).toContain('verified');

    const list = lexdesk(dataDir, ['backup', 'list']);
    expect(list.stdout).toContain(id);
    const json = JSON.parse(lexdesk(dataDir, ['backup', 'list', '--json']).stdout);
    expect(json.backups[0]).toMatchObject({ id, status: 'verified', hasSqlDump: true });
    const verified = lexdesk(dataDir, ['backup', 'verify', id]);
    expect(verified.status, verified.stderr).toBe(0);

    sqlite3(db, "INSERT INTO notes VALUES ('after');");
    const server = await startServer({ dataDir });
    try {
      const refused = lexdesk(dataDir, ['backup', 'restore', id]);
      expect(refused.status).toBe(4);
      expect(refused.stderr).toMatch(/LexDesk is running/);
    } finally {
      await server.stop();
    }
    const restored = lexdesk(dataDir, ['backup', 'restore', id]);
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/The data as it was before is in backup \S+-pre-restore-/);
    expect(sqlite3(db, 'SELECT group_concat(body) FROM notes;')).toBe('before');
    expect(sqlite3(db, 'PRAGMA integrity_check;')).toBe('ok');

    const plain = join(tempDir(), 'dump.sql');
    expect(lexdesk(dataDir, ['backup', 'decrypt', id, plain, '--sql']).status).toBe(0);
    const loaded = join(tempDir(), 'loaded.sqlite');
    sqlite3(loaded, `.read ${plain}`);
    expect(sqlite3(loaded, 'SELECT group_concat(body) FROM notes;')).toBe('before');

    const unknown = lexdesk(dataDir, ['backup', 'verify', 'nope-nope']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/There is no backup nope-nope/);
  });

  it('records each command in the audit trail as the local operator with face cli, through the door where there is an operation', () => {
    const dataDir = tempDir();
    expect(lexdesk(dataDir, ['migrate']).status).toBe(0);
    expect(lexdesk(dataDir, ['backup', 'passphrase'], `${PASSPHRASE}\n`).status).toBe(0);
    const created = lexdesk(dataDir, ['backup', 'create']);
    expect(created.status, created.stderr).toBe(0);
    const id = idOf(created.stdout);
    expect(lexdesk(dataDir, ['backup', 'verify', 'nope-nope']).status).toBe(1);
    const plain = join(tempDir(), 'plain.sqlite');
    expect(lexdesk(dataDir, ['backup', 'decrypt', id, plain]).status).toBe(0);

    const rows = sqlite3(
      join(dataDir, 'lexdesk.sqlite'),
      "SELECT action, actor_type, actor_name, face, outcome, coalesce(error_code, ''), coalesce(target_id, '') FROM audit_log " +
        "WHERE action IN ('backup.settings.update', 'backup.create', 'backup.verify', 'backup.decrypt') ORDER BY id;",
    );
    const me = userInfo().username;
    expect(rows.split('\n')).toEqual([
      `backup.settings.update|cli|${me}|cli|ok||`,
      `backup.create|cli|${me}|cli|ok||${id}`,
      `backup.verify|cli|${me}|cli|error|not_found|nope-nope`,
      `backup.decrypt|cli|${me}|cli|ok||${id}`,
    ]);
  });

  it('restores on a brand-new data folder with only the backup file and the passphrase', () => {
    const office = tempDir();
    lexdesk(office, ['migrate']);
    lexdesk(office, ['backup', 'passphrase'], PASSPHRASE);
    sqlite3(join(office, 'lexdesk.sqlite'), "CREATE TABLE test_people (name TEXT); INSERT INTO test_people VALUES ('Ada'), ('Grace');");
    const id = idOf(lexdesk(office, ['backup', 'create']).stdout);

    // the old computer is gone; the backup file was on an external disk
    const disk = tempDir();
    copyFileSync(join(office, 'backups', `${id}.db.lexbak`), join(disk, `${id}.db.lexbak`));
    const fresh = join(tempDir(), 'new-install');
    mkdirSync(fresh);

    const noPassphrase = lexdesk(fresh, ['backup', 'restore', join(disk, `${id}.db.lexbak`)]);
    expect(noPassphrase.status).toBe(1);
    expect(noPassphrase.stderr).toMatch(/Enter the backup passphrase/);
    const wrong = lexdesk(fresh, ['backup', 'restore', join(disk, `${id}.db.lexbak`), '--passphrase-stdin'], 'not the passphrase\n');
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/passphrase does not match/);
    // the failed attempt left the new folder as it found it: no empty database, no secrets
    expect(readdirSync(fresh)).toEqual([]);

    const restored = lexdesk(fresh, ['backup', 'restore', join(disk, `${id}.db.lexbak`), '--passphrase-stdin'], `${PASSPHRASE}\n`);
    expect(restored.status, restored.stderr).toBe(0);
    expect(sqlite3(join(fresh, 'lexdesk.sqlite'), 'SELECT group_concat(name) FROM test_people;')).toBe('Ada,Grace');
    expect(readdirSync(join(fresh, 'backups'))).toContain(`${id}.db.lexbak`);
    // the new installation keeps the key: its own backups need no passphrase again
    const next = lexdesk(fresh, ['backup', 'create']);
    expect(next.status, next.stderr).toBe(0);
  });

  it('restores the documents too, from a copy of the backup folder on another disk', async () => {
    const office = tempDir();
    lexdesk(office, ['migrate']);
    lexdesk(office, ['backup', 'passphrase'], PASSPHRASE);
    const paper = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(4096), Buffer.from('\n%%EOF\n')]);
    const before = await startTestCore({ dataDir: office, face: 'cli' });
    const row = await before.services.documents.store.ingest(paper, { fileName: 'deed.pdf', declaredType: 'application/pdf' }, { source: 'client' });
    await before.stop();
    const id = idOf(lexdesk(office, ['backup', 'create']).stdout);

    const disk = tempDir();
    cpSync(join(office, 'backups'), disk, { recursive: true });
    const fresh = join(tempDir(), 'new-install');
    mkdirSync(fresh);
    const restored = lexdesk(fresh, ['backup', 'restore', join(disk, `${id}.db.lexbak`), '--passphrase-stdin'], `${PASSPHRASE}\n`);
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stderr).toMatch(/list of documents and 1 document files/);

    const after = await startTestCore({ dataDir: fresh, face: 'cli' });
    try {
      expect((await after.services.documents.store.readAll(row.id)).data.equals(paper)).toBe(true);
    } finally {
      await after.stop();
    }
  });
});
