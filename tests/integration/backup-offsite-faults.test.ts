import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyToTarget, localObjects, verifyTarget } from '../../main/core/backup/offsite/engine.js';
import { S3Target } from '../../main/core/backup/offsite/s3-target.js';
import { SftpTarget } from '../../main/core/backup/offsite/sftp-target.js';
import { REPO_ROOT, tempDir } from '../support/server.js';
import { startFaultyProxy, startS3, startSshd, type RunningS3, type RunningSshd } from '../support/offsite.js';

const CHILD = join(REPO_ROOT, 'tests', 'support', 'offsite-child.ts');

/** A backup folder with files large enough for an upload to be caught in the middle. */
function bigFolder(megabytes: number[]): string {
  const dir = tempDir('lexdesk-offsite-big-');
  const sha = randomBytes(32).toString('hex');
  mkdirSync(join(dir, 'documents', sha.slice(0, 2)), { recursive: true });
  writeFileSync(join(dir, 'documents', sha.slice(0, 2), sha), randomBytes(200_000));
  megabytes.forEach((mb, i) => {
    const id = `2026120${i + 1}T023000Z-scheduled-${String(i).padStart(4, 'a')}`;
    writeFileSync(join(dir, `${id}.manifest.json`), JSON.stringify({ id }));
    writeFileSync(join(dir, `${id}.db.lexbak`), randomBytes(mb * 1024 * 1024));
  });
  return dir;
}

/** Every file under a folder, by its path inside it. */
function filesUnder(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else out.push(relative(root, path).split('\\').join('/'));
    }
  };
  visit(root);
  return out.sort();
}

/** Each object under its final name on the server is byte for byte the local one. */
function expectNothingCorrupt(local: string, remote: string): string[] {
  const finals = filesUnder(remote).filter((name) => !name.split('/').pop()!.startsWith('.'));
  for (const name of finals) {
    expect(readFileSync(join(remote, name)).equals(readFileSync(join(local, name))), `${name} on the target`).toBe(true);
  }
  return finals;
}

let sshd: RunningSshd | null = null;
let skip = '';
let s3: RunningS3 | null = null;

/** The local S3 server's bucket, under `prefix`; `endpoint` left to the caller (straight, or through a proxy). */
const s3Options = (prefix: string) => ({ region: 'us-east-1', bucket: s3!.bucket, prefix, pathStyle: true, accessKeyId: s3!.accessKeyId, secretAccessKey: s3!.secretAccessKey });

/** Read straight from the S3 server (not through the proxy): the bucket holds the folder's three objects, each whole. */
async function expectWholeInBucket(dir: string, prefix: string): Promise<void> {
  const check = await verifyTarget(dir, new S3Target({ ...s3Options(prefix), endpoint: s3!.endpoint }));
  expect(check.problems).toEqual([]);
  expect(check.checked).toBe(3);
}

beforeAll(async () => {
  const started = await startSshd();
  if ('skip' in started) skip = started.skip;
  else sshd = started;
  s3 = await startS3();
}, 30_000);

afterAll(async () => {
  await sshd?.stop();
  await s3?.stop();
});

describe('the off-site copy survives the network and the process dying', { timeout: 120_000 }, () => {
  it('SFTP: the connection reset in the middle of an upload — the copy connects again and finishes, nothing corrupt', async (ctx) => {
    if (!sshd) return ctx.skip(skip);
    const dir = bigFolder([2, 2]);
    const proxy = await startFaultyProxy(sshd.port);
    try {
      const remote = join(sshd.root, 'reset');
      mkdirSync(remote);
      // the first two connections are cut once 1.5 MB went up: in the middle of the first database file
      proxy.resetNext(2, 1_500_000);
      const target = new SftpTarget({ host: '127.0.0.1', port: proxy.port, username: sshd.user, privateKey: sshd.privateKey, path: remote });
      const result = await copyToTarget(dir, target, { retry: { attempts: 5, backoffMs: 50 } });
      expect(proxy.resets).toBe(2);
      expect(result.retries).toBe(2);
      expect(result.uploaded).toBe(5);
      const finals = expectNothingCorrupt(dir, remote);
      expect(finals).toEqual((await localObjects(dir)).map((o) => o.name).sort());
      expect(filesUnder(remote).filter((n) => n.endsWith('.partial'))).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('SFTP: a large file cut off by a reset goes on from where it stopped, not from its start', async (ctx) => {
    if (!sshd) return ctx.skip(skip);
    const dir = bigFolder([24]);
    const size = statSync(join(dir, readdirSync(dir).find((n) => n.endsWith('.db.lexbak'))!)).size;
    const proxy = await startFaultyProxy(sshd.port);
    try {
      const remote = join(sshd.root, 'resume');
      mkdirSync(remote);
      proxy.resetNext(1, 13 * 1024 * 1024, 'total');
      const target = new SftpTarget({ host: '127.0.0.1', port: proxy.port, username: sshd.user, privateKey: sshd.privateKey, path: remote });
      const result = await copyToTarget(dir, target, { retry: { attempts: 5, backoffMs: 50 } });
      expect(proxy.resets).toBe(1);
      expect(result.retries).toBe(1);
      // starting the file again would send 13 MB + all of it again
      expect(proxy.forwarded).toBeGreaterThan(size);
      expect(proxy.forwarded).toBeLessThan(size + 6 * 1024 * 1024);
      expectNothingCorrupt(dir, remote);
      expect(filesUnder(remote).filter((n) => n.endsWith('.partial'))).toEqual([]);
      expect(filesUnder(remote).length).toBe(3);
    } finally {
      await proxy.close();
    }
  });

  it('S3: the connection reset in the middle of a PutObject — retried with a fresh body, the bucket holds whole objects only', async () => {
    const dir = bigFolder([2]);
    const proxy = await startFaultyProxy(Number(new URL(s3!.endpoint).port));
    try {
      proxy.resetNext(1, 1_000_000);
      const target = new S3Target({ ...s3Options('reset'), endpoint: `http://127.0.0.1:${proxy.port}` });
      const result = await copyToTarget(dir, target, { retry: { attempts: 5, backoffMs: 50 } });
      expect(proxy.resets).toBe(1);
      expect(result.retries).toBeGreaterThanOrEqual(1);
      await expectWholeInBucket(dir, 'reset');
    } finally {
      await proxy.close();
    }
  });

  it('S3: a large file goes up in parts; the connection reset in the middle sends only the parts not stored yet, and the bucket holds it whole', async () => {
    const dir = bigFolder([24]);
    const size = statSync(join(dir, readdirSync(dir).find((n) => n.endsWith('.db.lexbak'))!)).size;
    const proxy = await startFaultyProxy(Number(new URL(s3!.endpoint).port));
    const partBytes = 5 * 1024 * 1024;
    try {
      // cut after about two and a half parts went through
      proxy.resetNext(1, 13 * 1024 * 1024, 'total');
      const target = new S3Target({ ...s3Options('parts'), endpoint: `http://127.0.0.1:${proxy.port}`, multipartFrom: 8 * 1024 * 1024, partBytes });
      const result = await copyToTarget(dir, target, { retry: { attempts: 5, backoffMs: 50 } });
      expect(proxy.resets).toBe(1);
      expect(result.retries).toBeGreaterThanOrEqual(1);
      // starting the file again would send 13 MB + all 24 MB; going on sends at most the part that was cut, again
      expect(proxy.forwarded).toBeGreaterThan(size);
      expect(proxy.forwarded).toBeLessThan(size + 1.5 * partBytes);
      await expectWholeInBucket(dir, 'parts');
    } finally {
      await proxy.close();
    }
  });

  it('SFTP: kill -9 during the copy — no partial object under a final name, and the next run completes', async (ctx) => {
    if (!sshd) return ctx.skip(skip);
    const dir = bigFolder([12, 12, 12]);
    const remote = join(sshd.root, 'killed');
    mkdirSync(remote);
    const keyFile = join(tempDir('lexdesk-key-'), 'id');
    writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 });
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(sshd.port), sshd.user, keyFile, remote], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    // wait until a database file is being written under its temporary name, well into it
    const deadline = Date.now() + 60_000;
    let caught = '';
    while (!caught && Date.now() < deadline) {
      const partial = filesUnder(remote).find((n) => n.endsWith('.db.lexbak.partial') || /\.db\.lexbak\.[0-9a-f]{8}\.partial$/.test(n));
      if (partial && statSync(join(remote, partial)).size > 2 * 1024 * 1024) caught = partial;
      else await new Promise((done) => setTimeout(done, 5));
    }
    child.kill('SIGKILL');
    await exited;
    expect(caught, output).not.toBe('');
    expect(output).not.toContain('done');

    // what the killed run left: whole objects under final names, the half-written one only under its temporary name
    const finalsBefore = expectNothingCorrupt(dir, remote);
    expect(finalsBefore).not.toContain(caught.replace(/^(.*\/)?\.(.+)\.[0-9a-f]{8}\.partial$/, '$1$2'));
    expect(filesUnder(remote)).toContain(caught);

    const target = new SftpTarget({ host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKey: sshd.privateKey, path: remote });
    const result = await copyToTarget(dir, target);
    expect(result.partialsRemoved).toBeGreaterThanOrEqual(1);
    // what is missing, and the manifests again (this run has no record of having sent them)
    const manifests = finalsBefore.filter((n) => n.endsWith('.manifest.json')).length;
    expect(result.uploaded).toBe(7 - finalsBefore.length + manifests);
    expect(filesUnder(remote)).toEqual((await localObjects(dir)).map((o) => o.name).sort());
    expectNothingCorrupt(dir, remote);
    expect((await verifyTarget(dir, target)).problems).toEqual([]);
  });
});
