import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, startServer, tempDir } from '../support/server.js';

const CLI = join(REPO_ROOT, 'dist', 'main', 'cli', 'index.js');

function lexdesk(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: tempDir(), ...env },
    cwd: tempDir(),
    timeout: 20_000,
  });
}

describe('the lexdesk command', () => {
  it('exits 2 with one line naming a bad variable', () => {
    const result = lexdesk(['serve'], { LEXDESK_PORT: 'abc' });
    expect(result.status).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('LEXDESK_PORT');
    expect(result.stdout).toBe('');
  });

  it('migrates a new data folder and exits 0', () => {
    const dataDir = tempDir();
    const result = lexdesk(['migrate'], { LEXDESK_DATA_DIR: dataDir });
    expect(result.status, result.stderr).toBe(0);
    const check = execFileSync('sqlite3', [join(dataDir, 'lexdesk.sqlite'), 'PRAGMA integrity_check;'], { encoding: 'utf8' });
    expect(check.trim()).toBe('ok');
  });

  it('a command that reads data refuses a folder without a LexDesk database: status 2, a sentence naming LEXDESK_DATA_DIR, nothing created', () => {
    const empty = tempDir();
    const missing = join(tempDir(), 'not-there');
    const commands = [
      ['audit', 'verify'],
      ['audit', 'export', '--format', 'jsonl'],
      ['backup', 'list'],
      ['backup', 'create'],
      ['backup', 'verify', 'some-backup'],
      ['backup', 'decrypt', 'some-backup', join(empty, 'plain.sqlite')],
      ['backup', 'passphrase'],
    ];
    const runs: [string, string[][]][] = [
      [empty, commands],
      [missing, commands.slice(0, 3)],
    ];
    for (const [dataDir, list] of runs) {
      for (const args of list) {
        const result = spawnSync(process.execPath, [CLI, ...args], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '', HOME: empty, LEXDESK_DATA_DIR: dataDir },
          cwd: empty,
          input: 'a passphrase nobody will use\n',
          timeout: 20_000,
        });
        const what = `${args.join(' ')} in ${dataDir}`;
        expect(result.status, `${what}: ${result.stderr}`).toBe(2);
        expect(result.stderr, what).toContain('LEXDESK_DATA_DIR');
        expect(result.stderr, what).toContain(`There is no LexDesk database in ${dataDir}.`);
        expect(result.stdout, what).toBe('');
      }
    }
    expect(readdirSync(empty)).toEqual([]);
    expect(existsSync(missing)).toBe(false);
  });

  it('rejects an unknown command with status 2 and the usage', () => {
    const result = lexdesk(['frobnicate']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Usage: lexdesk');
  });

  it('serve answers health and serves the screens, and closes the database cleanly on SIGTERM', async () => {
    const server = await startServer({ keepData: true });
    const health = await fetch(`${server.url}/api/monitoring/health`);
    expect(health.status).toBe(200);
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<div id="root">');
    const code = await server.stop('SIGTERM');
    expect(code).toBe(0);
    expect(server.output.join('\n')).toContain('LexDesk stopped');
    // a clean close checkpoints and removes the WAL
    expect(existsSync(join(server.dataDir, 'lexdesk.sqlite-wal'))).toBe(false);
  });
});
