import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../support/server.js';

const CLI = join(REPO_ROOT, 'dist', 'main', 'cli', 'index.js');

function lexdesk(args: string[], dataDir: string) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dataDir, LEXDESK_DATA_DIR: dataDir },
    cwd: dataDir,
    timeout: 30_000,
  });
}

describe('lexdesk audit', () => {
  it('verify prints "intact, N rows" and exits 0, then names an edited row and exits 1', () => {
    const dataDir = tempDir();
    expect(lexdesk(['migrate'], dataDir).status).toBe(0); // rows 1 and 2: started, stopped
    const ok = lexdesk(['audit', 'verify'], dataDir);
    expect(ok.status, ok.stderr).toBe(0);
    // this run's own start is row 3: the chain it walks holds 3 rows
    expect(ok.stdout).toMatch(/^Audit trail intact: 3 rows \(through row 3, hash [0-9a-f]{16}…\)\. Checked 3 rows in \d+ ms\.\n$/);

    const db = new Database(join(dataDir, 'lexdesk.sqlite'));
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare("UPDATE audit_log SET actor_name = 'someone else' WHERE id = 2").run();
    db.close();
    const broken = lexdesk(['audit', 'verify', '--json'], dataDir);
    expect(broken.status, broken.stdout + broken.stderr).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ intact: false, brokenAt: 2, reason: 'hash' });
    const again = lexdesk(['audit', 'verify', '--from-checkpoint'], dataDir);
    expect(again.status).toBe(1);
    expect(again.stdout).toContain('BROKEN at row 2');
  });

  it('export writes the filtered rows to a file and records that it did', () => {
    const dataDir = tempDir();
    expect(lexdesk(['migrate'], dataDir).status).toBe(0);
    const file = join(dataDir, 'out.jsonl');
    const result = lexdesk(['audit', 'export', '--format', 'jsonl', '--action', 'system.', '--output', file], dataDir);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Exported 3 rows to ${file}.`);
    const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; face: string });
    expect(rows.map((r) => r.action)).toEqual(['system.started', 'system.stopped', 'system.started']);

    const db = new Database(join(dataDir, 'lexdesk.sqlite'), { readonly: true });
    const recorded = db.prepare("SELECT actor_type, face, action, details FROM audit_log WHERE action LIKE 'audit.export%' ORDER BY id").all();
    db.close();
    expect(recorded).toMatchObject([
      { actor_type: 'cli', face: 'cli', action: 'audit.export' },
      { actor_type: 'cli', face: 'cli', action: 'audit.export.delivered' },
    ]);
    expect(JSON.parse((recorded[1] as { details: string }).details)).toMatchObject({ rows: 3, format: 'jsonl' });
  });

  it('verify goes through the door as the local operator: the trail records it with face cli and the OS account', () => {
    const dataDir = tempDir();
    expect(lexdesk(['migrate'], dataDir).status).toBe(0);
    expect(lexdesk(['audit', 'verify', '--from-checkpoint'], dataDir).status).toBe(0);
    const db = new Database(join(dataDir, 'lexdesk.sqlite'), { readonly: true });
    const rows = db
      .prepare("SELECT actor_type, actor_name, actor_id, role, face, outcome, session_id, details FROM audit_log WHERE action = 'audit.verify'")
      .all() as { details: string }[];
    const verifications = db.prepare('SELECT by_type, mode, intact FROM audit_verification').all();
    db.close();
    expect(rows).toEqual([
      { actor_type: 'cli', actor_name: userInfo().username, actor_id: null, role: null, face: 'cli', outcome: 'ok', session_id: null, details: expect.any(String) },
    ]);
    expect(JSON.parse(rows[0]!.details)).toMatchObject({ input: { from: 'checkpoint' }, intact: true, mode: 'start' });
    expect(verifications).toEqual([{ by_type: 'cli', mode: 'start', intact: 1 }]);
  });

  it('refuses a bad filter or an unknown subcommand with status 2 and the usage', () => {
    const dataDir = tempDir();
    const bad = lexdesk(['audit', 'export', '--outcome', 'maybe'], dataDir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--outcome');
    expect(bad.stderr).toContain('lexdesk audit export');
    expect(lexdesk(['audit', 'frob'], dataDir).status).toBe(2);
  });
});
