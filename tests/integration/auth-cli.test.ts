import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, startServer, tempDir } from '../support/server.js';

const CLI = join(REPO_ROOT, 'dist', 'main', 'cli', 'index.js');

function createAdmin(dataDir: string, args: string[], stdin: string) {
  return spawnSync(process.execPath, [CLI, 'user', 'create-admin', ...args], {
    input: stdin,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dataDir, LEXDESK_DATA_DIR: dataDir, LEXDESK_BCRYPT_COST: '6' },
    cwd: dataDir,
    timeout: 30_000,
  });
}

describe('lexdesk user create-admin', () => {
  it('creates the first administrator with the password from stdin; refuses a second one; the account signs in', async () => {
    const dataDir = tempDir();
    const password = 'Granite meadow 19 silver fox';
    const weak = createAdmin(dataDir, ['--username', 'it.admin'], 'letmein\n');
    expect(weak.status).toBe(1);
    expect(weak.stderr).toMatch(/at least 12 characters/);

    const made = createAdmin(dataDir, ['--username', 'it.admin', '--display-name', 'IT Admin'], `${password}\n`);
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toContain('Administrator "it.admin" created');
    expect(made.stdout + made.stderr).not.toContain(password);

    const again = createAdmin(dataDir, ['--username', 'someone.else'], `${password}\n`);
    expect(again.status).toBe(3);
    expect(again.stderr).toMatch(/already has an administrator/);

    const db = join(dataDir, 'lexdesk.sqlite');
    const rows = execFileSync('sqlite3', [db, "SELECT username, role, display_name, substr(password_hash, 1, 7) FROM users;"], { encoding: 'utf8' });
    expect(rows.trim()).toBe('it.admin|admin|IT Admin|$2b$06$');
    const audit = execFileSync('sqlite3', [db, "SELECT actor_type, face, action, outcome FROM audit_log WHERE action = 'users.createAdmin' ORDER BY id;"], {
      encoding: 'utf8',
    });
    expect(audit.trim().split('\n')).toEqual(['cli|cli|users.createAdmin|invalid', 'cli|cli|users.createAdmin|ok', 'cli|cli|users.createAdmin|error']);

    const server = await startServer({ dataDir });
    try {
      const login = await fetch(`${server.url}/api/rpc/auth.login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'IT.Admin', password }),
      });
      expect(await login.json()).toMatchObject({ ok: true, value: { user: { username: 'it.admin', role: 'admin' } } });
      // with an administrator in place, the server prints no set-up code
      expect(server.output.join('\n')).not.toMatch(/set-up code/);
    } finally {
      await server.stop();
    }
  });

  it('without --username prints the usage and exits 2', () => {
    const result = createAdmin(tempDir(), [], 'whatever\n');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('create-admin --username');
  });

  it('serve prints a one-time set-up code at first start', async () => {
    const server = await startServer();
    try {
      expect(server.output.join('\n')).toMatch(/set-up code: [A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}/);
    } finally {
      await server.stop();
    }
  });
});
