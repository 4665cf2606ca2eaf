import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, startServer, tempDir, TEST_BACKUP_KEK } from '../support/server.js';
import { PASSPHRASE, sqlite3 } from '../support/backup.js';

const CLI = join(REPO_ROOT, 'dist', 'main', 'cli', 'index.js');
const FIXTURE = join(REPO_ROOT, 'tests', 'fixtures', 'legacy');

function node(dataDir: string, args: string[], input?: string) {
  const result = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dataDir, LEXDESK_DATA_DIR: dataDir, LEXDESK_BACKUP_KEK: TEST_BACKUP_KEK },
    cwd: dataDir,
    input,
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
const lexdesk = (dataDir: string, args: string[], input?: string) => node(dataDir, [CLI, ...args], input);

describe('lexdesk import and export (the command line)', { timeout: 300_000 }, () => {
  it('imports the old folder (dry run, import, again, through scripts/migrate-data.js), audits it, imports parties and exports everything', async () => {
    const dataDir = tempDir();
    expect(lexdesk(dataDir, ['migrate']).status).toBe(0);
    const noKey = lexdesk(dataDir, ['import', 'legacy', FIXTURE, '--country-code', '55']);
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toMatch(/passphrase/i);
    expect(lexdesk(dataDir, ['backup', 'passphrase'], `${PASSPHRASE}\n`).status).toBe(0);
    const db = join(dataDir, 'lexdesk.sqlite');

    const dry = lexdesk(dataDir, ['import', 'legacy', FIXTURE, '--dry-run', '--country-code', '55']);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Dry run of the import');
    expect(dry.stdout).toContain('attorney → lawyer');
    expect(dry.stdout).toMatch(/clients\s+4 to import/);
    expect(sqlite3(db, 'SELECT count(*) FROM clients')).toBe('0');

    const first = lexdesk(dataDir, ['import', 'legacy', FIXTURE, '--country-code', '+55']);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('Done: every record is in LexDesk.');
    expect(first.stdout).toMatch(/Backup before the import: \S+-pre-import-/);
    expect(sqlite3(db, 'SELECT count(*) FROM clients')).toBe('4');

    const again = node(dataDir, [join(REPO_ROOT, 'scripts', 'migrate-data.js'), FIXTURE, '--country-code', '55']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain('Already imported: 19');
    expect(sqlite3(db, 'SELECT count(*) FROM conversation_messages')).toBe('6');

    // the audit trail holds the counts and the files' hashes
    const details = sqlite3(db, "SELECT details FROM audit_log WHERE action = 'import.legacy' AND outcome = 'ok' ORDER BY at LIMIT 1");
    const clientsHash = createHash('sha256').update(readFileSync(join(FIXTURE, 'clients.json'))).digest('hex');
    expect(JSON.parse(details)).toMatchObject({ counts: { clients: 4, messages: 6 }, files: expect.arrayContaining([expect.objectContaining({ name: 'clients.json', sha256: clientsHash })]) });

    const bad = lexdesk(dataDir, ['import', 'legacy', join(REPO_ROOT, 'tests', 'fixtures', 'legacy-bad'), '--country-code', '55']);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('cases.json #2: clientId 88 is not in clients.json');
    expect(bad.stdout).toContain('nothing was imported');
    expect(sqlite3(db, "SELECT outcome || ' ' || error_code FROM audit_log WHERE action = 'import.legacy' ORDER BY at DESC LIMIT 1")).toBe('invalid invalid_input');

    const csv = join(tempDir(), 'parties.csv');
    writeFileSync(csv, 'Nome;Papel;Processo\nAcme Ltda;adverse party;2019-114\n');
    const parties = lexdesk(dataDir, ['import', 'parties', csv]);
    expect(parties.status, parties.stderr).toBe(0);
    expect(parties.stderr).toContain('Acme Ltda — adverse party, matter 2019-114');
    expect(parties.stdout).toMatch(/1 parties imported/);

    const out = tempDir();
    const exported = lexdesk(dataDir, ['export', 'all', out]);
    expect(exported.status, exported.stderr).toBe(0);
    const dir = /Exported to (\S+)/.exec(exported.stdout)![1]!;
    expect(existsSync(join(dir, 'manifest.json'))).toBe(true);
    expect(readFileSync(join(dir, 'clients.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);

    // an import while LexDesk runs on the folder is refused
    const server = await startServer({ dataDir });
    try {
      const refused = lexdesk(dataDir, ['import', 'legacy', FIXTURE]);
      expect(refused.status).toBe(4);
      expect(refused.stderr).toMatch(/LexDesk is running/);
    } finally {
      await server.stop();
    }
  });
});
