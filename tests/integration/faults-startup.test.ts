import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, cpSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, TEST_BACKUP_KEK, tempDir } from '../support/server.js';

/**
 * Start-up failures of the database, through the real command line: each is one
 * sentence saying what is wrong and what to do, with an exit status of its own
 * (README, "When something goes wrong"), never a stack trace.
 */

const CLI = join(REPO_ROOT, 'main', 'cli', 'index.ts');
const isRoot = process.getuid?.() === 0;
/** root passes permission checks: without these capabilities it meets them like any account */
const AS_ORDINARY = isRoot ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search,-fowner'] : [];
const hasSetpriv = !isRoot || spawnSync('setpriv', ['--version']).status === 0;

function lexdesk(args: string[], dataDir: string, options: { ordinary?: boolean } = {}) {
  const command = [process.execPath, '--import', 'tsx', CLI, ...args];
  const [file, ...rest] = options.ordinary && AS_ORDINARY.length > 0 ? [...AS_ORDINARY, ...command] : command;
  const result = spawnSync(file!, rest, {
    encoding: 'utf8',
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: tempDir(), LEXDESK_DATA_DIR: dataDir, LEXDESK_BACKUP_KEK: TEST_BACKUP_KEK, LEXDESK_BCRYPT_COST: '4' },
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

function expectOneSentence(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/SqliteError|\n\s+at /);
  return lines[0]!;
}

let good: string;
const folders: string[] = [];

/** A data folder of an installation that ran: database, secrets. */
function installation(): string {
  const dir = tempDir();
  folders.push(dir);
  cpSync(good, dir, { recursive: true });
  return dir;
}

beforeAll(() => {
  good = tempDir();
  const made = lexdesk(['migrate'], good);
  expect(made.status, made.stderr).toBe(0);
}, 60_000);

afterAll(() => {
  for (const dir of [good, ...folders]) rmSync(dir, { recursive: true, force: true });
});

describe('a database LexDesk cannot use stops the start with one sentence and its own exit status', () => {
  test('cut short (a truncated copy): 5', () => {
    const dir = installation();
    const file = join(dir, 'lexdesk.sqlite');
    truncateSync(file, 20_000);
    const result = lexdesk(['migrate'], dir);
    expect(result.status).toBe(5);
    const line = expectOneSentence(result.stderr);
    expect(line).toContain('is damaged');
    expect(line).toContain('lexdesk backup restore');
  });

  test('random bytes (not an SQLite file): 6', () => {
    const dir = installation();
    writeFileSync(join(dir, 'lexdesk.sqlite'), randomBytes(300_000));
    const result = lexdesk(['serve'], dir);
    expect(result.status).toBe(6);
    expect(expectOneSentence(result.stderr)).toContain('is not a LexDesk database');
  });

  test('empty, or missing, beside the installation’s secrets: 4, and --new-installation starts afresh', () => {
    const dir = installation();
    const file = join(dir, 'lexdesk.sqlite');
    writeFileSync(file, '');
    const empty = lexdesk(['user', 'create-admin', '--username', 'intruder'], dir);
    expect(empty.status).toBe(4);
    const line = expectOneSentence(empty.stderr);
    expect(line).toContain('is empty');
    expect(line).toContain('lexdesk backup restore');
    expect(line).toContain('--new-installation');
    expect(readFileSync(file).length).toBe(0);

    rmSync(file);
    const missing = lexdesk(['migrate'], dir);
    expect(missing.status).toBe(4);
    expect(expectOneSentence(missing.stderr)).toContain('is missing');

    const fresh = lexdesk(['migrate', '--new-installation'], dir);
    expect(fresh.status, fresh.stderr).toBe(0);
  });

  // skipped only as root without setpriv: root passes permission checks, so a read-only file cannot be shown to it
  test.skipIf(!hasSetpriv)('read-only file: 7', () => {
    const dir = installation();
    const file = join(dir, 'lexdesk.sqlite');
    chmodSync(file, 0o444);
    const result = lexdesk(['migrate'], dir, { ordinary: true });
    chmodSync(file, 0o644);
    expect(result.status).toBe(7);
    expect(expectOneSentence(result.stderr)).toContain('is read-only');
  });

  // skipped unless root: only root may mount the read-only tmpfs this case needs
  test.skipIf(!isRoot)('on a disk mounted read-only: 7', () => {
    const mountPoint = tempDir();
    folders.push(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', mountPoint]);
    try {
      const dir = join(mountPoint, 'data');
      mkdirSync(dir);
      cpSync(good, dir, { recursive: true });
      execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
      const result = lexdesk(['migrate'], dir);
      expect(result.status).toBe(7);
      expect(expectOneSentence(result.stderr)).toContain('is read-only');
    } finally {
      execFileSync('umount', ['-l', mountPoint]);
    }
  });

  // skipped only as root without setpriv: root writes into any folder, so an unwritable one cannot be shown to it
  test.skipIf(!hasSetpriv)('a data folder LexDesk may not write in: 8', () => {
    const dir = installation();
    copyFileSync(join(good, 'lexdesk.sqlite'), join(dir, 'lexdesk.sqlite'));
    chmodSync(dir, 0o555);
    const result = lexdesk(['migrate'], dir, { ordinary: true });
    chmodSync(dir, 0o755);
    expect(result.status).toBe(8);
    expect(expectOneSentence(result.stderr)).toContain('cannot write in the folder');
  });
});
