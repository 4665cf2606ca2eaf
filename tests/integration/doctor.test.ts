// `lexdesk doctor` (the built CLI) against a folder without a database, a fresh one
// and a well-configured one, and the checklist's lines through the door.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../shared/contract/system.js';
import { createUser, signedInAs } from '../support/auth.js';
import { PASSPHRASE } from '../support/backup.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { REPO_ROOT, tempDir, TEST_BACKUP_KEK } from '../support/server.js';

const CLI = join(REPO_ROOT, 'dist', 'main', 'cli', 'index.js');
const folders: string[] = [];
let core: TestCore | null = null;

afterEach(async () => {
  await core?.dispose();
  core = null;
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const folder = (prefix: string) => {
  const dir = tempDir(prefix);
  folders.push(dir);
  return dir;
};

function lexdesk(dataDir: string, args: string[], env: Record<string, string> = {}, input?: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dataDir, LEXDESK_DATA_DIR: dataDir, LEXDESK_BACKUP_KEK: TEST_BACKUP_KEK, LEXDESK_BCRYPT_COST: '6', ...env },
    cwd: dataDir,
    input,
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const byId = (report: DoctorReport) => Object.fromEntries(report.checks.map((c) => [c.id, c]));

describe('lexdesk doctor', { timeout: 120_000 }, () => {
  it('a folder without a database: one FAIL line naming LEXDESK_DATA_DIR, exit 1', () => {
    const dataDir = folder('lexdesk-doctor-empty-');
    const result = lexdesk(dataDir, ['doctor']);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/FAIL\s+Database/);
    expect(result.stdout).toContain('LEXDESK_DATA_DIR');
  });

  it('a fresh installation is not ready: each missing piece is a line with its fix, exit 1', () => {
    const dataDir = folder('lexdesk-doctor-fresh-');
    expect(lexdesk(dataDir, ['migrate']).status).toBe(0);
    const text = lexdesk(dataDir, ['doctor']);
    expect(text.status, text.stderr).toBe(1);
    expect(text.stdout).toMatch(/FAIL\s+Backup passphrase\s+No backup passphrase is set/);
    expect(text.stdout).toMatch(/Fix: Set it on the Backups screen/);
    expect(text.stdout).toMatch(/Not ready: \d+ to fix/);

    const json = lexdesk(dataDir, ['doctor', '--json']);
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout) as DoctorReport;
    expect(report.ready).toBe(false);
    const checks = byId(report);
    expect(checks['jwt-key']).toMatchObject({ status: 'warn', fix: expect.stringContaining('LEXDESK_JWT_SECRET') });
    expect(checks['backup-passphrase']!.status).toBe('fail');
    expect(checks['backup-recent']!.status).toBe('fail');
    // the default backup folder is inside the data folder
    expect(checks['backup-volume']!.status).toBe('fail');
    expect(checks.admins).toMatchObject({ status: 'fail', fix: expect.stringContaining('create-admin') });
    expect(checks['public-url']!.status).toBe('warn');
    expect(checks.metrics!.status).toBe('ok');
    expect(checks['audit-chain']!.status).toBe('warn');
    for (const check of report.checks) {
      expect(['ok', 'warn', 'fail']).toContain(check.status);
      if (check.status !== 'ok') expect(check.fix, check.id).toMatch(/\.$/);
    }
  });

  it('a well-configured installation is ready: no FAIL, exit 0', () => {
    const dataDir = folder('lexdesk-doctor-ready-');
    const backups = folder('lexdesk-doctor-backups-');
    const env = {
      LEXDESK_JWT_SECRET: 'a-jwt-secret-from-the-secret-manager-0123456789',
      LEXDESK_BACKUP_DIR: backups,
      LEXDESK_PUBLIC_URL: 'https://lexdesk.office.example',
      LEXDESK_TRUST_PROXY: '172.28.0.10',
      LEXDESK_METRICS_ALLOW: '172.28.0.20',
    };
    expect(lexdesk(dataDir, ['user', 'create-admin', '--username', 'it.admin'], env, 'Granite meadow 19 silver fox\n').status).toBe(0);
    expect(lexdesk(dataDir, ['backup', 'passphrase'], env, `${PASSPHRASE}\n`).status).toBe(0);
    const created = lexdesk(dataDir, ['backup', 'create'], env);
    expect(created.status, created.stderr).toBe(0);
    expect(lexdesk(dataDir, ['audit', 'verify'], env).status).toBe(0);

    const result = lexdesk(dataDir, ['doctor'], env);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).not.toContain('FAIL');
    expect(result.stdout).toMatch(/^Ready/m);
    const checks = byId(JSON.parse(lexdesk(dataDir, ['doctor', '--json'], env).stdout) as DoctorReport);
    expect(checks['jwt-key']!.status).toBe('ok');
    expect(checks['backup-passphrase']!.status).toBe('ok');
    expect(checks['backup-recent']!.detail).toMatch(/^Verified/);
    expect(checks.admins!.status).toBe('ok');
    expect(checks['public-url']!.status).toBe('ok');
    expect(checks['audit-chain']!.status).toBe('ok');
    // both temporary folders are on this machine's one disk: said, not failed
    expect(['ok', 'warn']).toContain(checks['backup-volume']!.status);
  });
});

describe('the checklist through the door', () => {
  it('is for administrators only', async () => {
    core = await startTestCore();
    const lawyer = await signedInAs(core, 'lawyer');
    const refused = await lawyer.call('system.doctor');
    expect(refused.ok ? null : refused.error.code).toBe('forbidden');
    const admin = await signedInAs(core, 'admin');
    const report = await admin.ok<DoctorReport>('system.doctor');
    expect(report.checks.length).toBeGreaterThanOrEqual(10);
  });

  it('fails an administrator with a temporary password, /metrics open to a wide range, http behind a proxy and a clock off from WhatsApp’s', async () => {
    core = await startTestCore({ env: { LEXDESK_METRICS_ALLOW: '10.0.0.0/8', LEXDESK_TRUST_PROXY: '127.0.0.1', LEXDESK_PUBLIC_URL: 'http://lexdesk.office.lan' } });
    const admin = await signedInAs(core, 'admin');
    await createUser(core, { role: 'admin', username: 'new.admin', mustChangePassword: true });
    const now = Date.now();
    const insert = core.services.store.sqlite.prepare(
      "INSERT INTO whatsapp_inbound (wa_id, chat_id, sender, push_name, sent_at, body, received_at) VALUES (?, '5511@c.us', '5511', NULL, ?, 'hello', ?)",
    );
    // every message arrived five minutes before WhatsApp says it was sent: this clock is behind
    for (let i = 0; i < 3; i++) insert.run(`wa-${i}`, now - i * 1000 + 300_000, now - i * 1000);
    const checks = byId(await admin.ok<DoctorReport>('system.doctor'));
    expect(checks.admins).toMatchObject({ status: 'fail', detail: expect.stringContaining('new.admin') });
    expect(checks.metrics).toMatchObject({ status: 'fail', detail: expect.stringContaining('10.0.0.0/8') });
    expect(checks['public-url']).toMatchObject({ status: 'fail' });
    expect(checks.clock).toMatchObject({ status: 'fail', detail: expect.stringMatching(/300 s behind/) });

    core.services.store.sqlite.prepare('DELETE FROM whatsapp_inbound').run();
    for (let i = 0; i < 3; i++) insert.run(`wa-ok-${i}`, now - 2000 - i * 1000, now - i * 1000);
    expect(byId(await admin.ok<DoctorReport>('system.doctor')).clock).toMatchObject({ status: 'ok' });
  });
});
