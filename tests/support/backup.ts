import { execFileSync, spawn } from 'node:child_process';
import { createDecipheriv, createHash, createHmac, hkdfSync, scryptSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Core } from '../../main/core/app.js';
import type { Clock } from '../../main/core/clock.js';
import type { Face } from '../../main/core/config.js';
import type { StepHook } from '../../main/core/backup/restore-journal.js';
import { startTestCore, type TestCore } from './core.js';
import { REPO_ROOT } from './server.js';

/** A cheap scrypt cost for tests; the product uses N = 2^17. */
export const TEST_SCRYPT = { N: 2 ** 12, r: 8, p: 1 };
export const PASSPHRASE = 'violet tractor under marmalade';
export const ADMIN_PASSWORD = 'the admin password';

export async function startBackupCore(
  options: {
    dataDir?: string;
    clock?: Clock;
    env?: Record<string, string>;
    face?: Face;
    catchUpDelayMs?: number;
    /** how soon a scheduled backup that found another job running is tried again */
    retryScheduledMs?: number;
    swapHook?: StepHook;
    /** how often the newest snapshot read in place is checked as a whole */
    snapshotFullCheckMs?: number;
    /** start a new database although the folder already holds secrets or backups (`--new-installation`) */
    newInstallation?: boolean;
  } = {},
): Promise<TestCore> {
  return startTestCore({
    dataDir: options.dataDir,
    face: options.face,
    env: options.env,
    deps: {
      clock: options.clock,
      newInstallation: options.newInstallation,
      backup: { scryptCost: TEST_SCRYPT, catchUpDelayMs: options.catchUpDelayMs ?? 3_600_000, retryScheduledMs: options.retryScheduledMs, swapHook: options.swapHook, snapshotFullCheckMs: options.snapshotFullCheckMs },
    },
  });
}

/** Sign-in is another capability: a password check that knows one password, shaped like the real one. */
export function fakeAuth(core: Core, password = ADMIN_PASSWORD) {
  const ended: { keep: unknown }[] = [];
  core.services.backups.useAuth({
    passwords: { verify: async (_userId, given) => given === password },
    sessions: {
      endAllExcept: (keep) => {
        ended.push({ keep });
        return 3;
      },
    },
  });
  return { ended };
}

/** Some office data to back up, in a table of its own. */
export function addNotes(core: Core, count: number, prefix = 'note'): void {
  const db = core.services.store.sqlite;
  db.exec(`CREATE TABLE IF NOT EXISTS test_notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, score REAL, data BLOB) STRICT`);
  const insert = db.prepare('INSERT INTO test_notes (body, score, data) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run(`${prefix} ${i}: it's "quoted"\nand on two lines`, i / 7, Buffer.from([i % 256, 0, 255]));
  })();
}

export function noteCount(core: Core): number {
  return (core.services.store.sqlite.prepare('SELECT count(*) AS n FROM test_notes').get() as { n: number }).n;
}

export function sqlite3(file: string, sql: string): string {
  return execFileSync('sqlite3', [file, sql], { encoding: 'utf8' }).trim();
}

/**
 * Decrypts a backup file following only the format as documented in
 * main/core/backup/format.ts — node:crypto and zlib, none of LexDesk's code — so a
 * backup stays readable by anyone with the passphrase and that page.
 */
export function decryptIndependently(file: string, passphrase: string): { header: Record<string, any>; plain: Buffer } {
  const bytes = readFileSync(file);
  if (bytes.subarray(0, 16).toString('ascii') !== 'LEXDESK-BACKUP-1') throw new Error('bad magic');
  const headerLength = bytes.readUInt32BE(16);
  const encodedHeader = bytes.subarray(0, 20 + headerLength);
  const header = JSON.parse(encodedHeader.subarray(20).toString('utf8'));
  const { N, r, p, salt } = header.kdf;
  const K = scryptSync(Buffer.from(passphrase.normalize('NFKC')), Buffer.from(salt, 'base64'), 32, { N, r, p, maxmem: 512 * 1024 * 1024 });
  if (createHmac('sha256', K).update('lexdesk-backup key id').digest().subarray(0, 8).toString('hex') !== header.keyId) {
    throw new Error('wrong passphrase');
  }
  const fileKey = Buffer.from(hkdfSync('sha256', K, Buffer.from(header.fileSalt, 'base64'), 'lexdesk-backup/1 aes-256-gcm', 32));
  const aad = createHash('sha256').update(encodedHeader).digest();
  const prefix = Buffer.from(header.noncePrefix, 'base64');
  const body = bytes.subarray(encodedHeader.length);
  const sealed = 65536 + 16;
  const count = Math.ceil(body.length / sealed);
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const segment = body.subarray(i * sealed, Math.min(body.length, (i + 1) * sealed));
    const nonce = Buffer.alloc(12);
    prefix.copy(nonce, 0, 0, 7);
    nonce.writeUInt32BE(i, 7);
    nonce[11] = i === count - 1 ? 1 : 0;
    const decipher = createDecipheriv('aes-256-gcm', fileKey, nonce);
    decipher.setAAD(aad);
    decipher.setAuthTag(segment.subarray(segment.length - 16));
    parts.push(decipher.update(segment.subarray(0, segment.length - 16)), decipher.final());
  }
  return { header, plain: gunzipSync(Buffer.concat(parts)) };
}

export function writeDecrypted(file: string, passphrase: string, out: string): Record<string, any> {
  const { header, plain } = decryptIndependently(file, passphrase);
  writeFileSync(out, plain);
  return header;
}

/** A progress line of tests/support/backup-child.ts. */
export interface ChildLine {
  step?: string;
  percent?: number;
  hook?: string;
  done?: string | null;
  started?: boolean;
}

/**
 * Runs tests/support/backup-child.ts with `args` and SIGKILLs it at the first
 * line `killWhen` accepts (never, when null); resolves with the lines seen.
 */
export function runBackupChild(
  args: string[],
  killWhen: ((line: ChildLine) => boolean) | null,
  env: Record<string, string> = {},
): Promise<{ lines: ChildLine[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'tests', 'support', 'backup-child.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: ChildLine[] = [];
    let killed = false;
    let pending = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const part of parts) {
        if (!part.startsWith('{')) continue;
        const line = JSON.parse(part) as ChildLine;
        lines.push(line);
        if (!killed && killWhen?.(line)) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (!killed && code !== 0) reject(new Error(`child exited ${code ?? signal}: ${stderr}`));
      else resolve({ lines, killed: killed && signal === 'SIGKILL' });
    });
  });
}
