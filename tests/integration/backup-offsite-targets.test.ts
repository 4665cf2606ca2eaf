import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyToTarget, fetchFromTarget, localObjects, verifyTarget } from '../../main/core/backup/offsite/engine.js';
import { FolderTarget } from '../../main/core/backup/offsite/folder-target.js';
import { S3Target } from '../../main/core/backup/offsite/s3-target.js';
import { SftpTarget } from '../../main/core/backup/offsite/sftp-target.js';
import { probeTarget } from '../../main/core/backup/offsite/targets.js';
import type { Target } from '../../main/core/backup/offsite/target.js';
import { tempDir } from '../support/server.js';
import { startS3, startSshd, type RunningS3, type RunningSshd } from '../support/offsite.js';

const FAST_RETRY = { attempts: 3, backoffMs: 20 };

/** A backup folder as the backup service leaves it: two backups, the document pool, and what must never travel. */
function backupFolder(): { dir: string; ids: string[] } {
  const dir = tempDir('lexdesk-offsite-src-');
  const ids = ['20261130T023000Z-scheduled-aaaa', '20261201T023000Z-scheduled-bbbb'];
  for (const id of ids) {
    writeFileSync(join(dir, `${id}.db.lexbak`), randomBytes(300_000));
    writeFileSync(join(dir, `${id}.documents.lexbak`), randomBytes(2_000));
    writeFileSync(join(dir, `${id}.manifest.json`), JSON.stringify({ id, verifiedAt: '2026-12-01T02:31:00.000Z' }));
  }
  for (let i = 0; i < 3; i++) {
    const sha = randomBytes(32).toString('hex');
    mkdirSync(join(dir, 'documents', sha.slice(0, 2)), { recursive: true });
    writeFileSync(join(dir, 'documents', sha.slice(0, 2), sha), randomBytes(50_000));
  }
  // a backup being written, one set aside as failed, and someone's own file
  writeFileSync(join(dir, '.20261201T030000Z-manual-cccc.db.lexbak.partial'), randomBytes(1000));
  mkdirSync(join(dir, 'failed'));
  writeFileSync(join(dir, 'failed', '20261129T023000Z-scheduled-dddd.db.lexbak'), randomBytes(1000));
  writeFileSync(join(dir, 'notes.txt'), 'the office printer is on the second floor');
  return { dir, ids };
}

let sshd: RunningSshd | null = null;
let sshdSkip = '';
let s3: RunningS3 | null = null;

beforeAll(async () => {
  const started = await startSshd();
  if ('skip' in started) sshdSkip = started.skip;
  else sshd = started;
  s3 = await startS3();
}, 30_000);

afterAll(async () => {
  await sshd?.stop();
  await s3?.stop();
});

interface Kind {
  name: string;
  make(): Target;
  skip(): string | null;
}

const kinds: Kind[] = [
  { name: 'another folder', make: () => new FolderTarget(tempDir('lexdesk-offsite-dst-')), skip: () => null },
  {
    name: 'SFTP (OpenSSH sshd on loopback)',
    make: () => {
      const root = join(sshd!.root, randomBytes(4).toString('hex'));
      mkdirSync(root);
      return new SftpTarget({ host: '127.0.0.1', port: sshd!.port, username: sshd!.user, privateKey: sshd!.privateKey, path: root, hostKey: sshd!.hostKey });
    },
    skip: () => (sshd ? null : sshdSkip),
  },
  {
    name: 'S3 (s3rver, path-style)',
    make: () =>
      new S3Target({
        endpoint: s3!.endpoint,
        region: 'us-east-1',
        bucket: s3!.bucket,
        prefix: `office-${randomBytes(3).toString('hex')}/lexdesk`,
        pathStyle: true,
        accessKeyId: s3!.accessKeyId,
        secretAccessKey: s3!.secretAccessKey,
      }),
    skip: () => null,
  },
];

describe.each(kinds)('off-site target: $name', (kind) => {
  it('answers the connection test with a sentence, and leaves nothing behind', async (ctx) => {
    if (kind.skip()) return ctx.skip(kind.skip()!);
    const target = kind.make();
    const result = await probeTarget(target);
    expect(result.message).toMatch(/^Connected to .+ — wrote and read back a test file/);
    expect(result.ok).toBe(true);
    await target.connect();
    expect(await target.list()).toEqual([]);
    expect(await target.listPartials()).toEqual([]);
    await target.close();
  });

  it('copies the backup folder: only backup objects, never a temporary or failed file, and only what is missing the second time', async (ctx) => {
    if (kind.skip()) return ctx.skip(kind.skip()!);
    const { dir, ids } = backupFolder();
    const target = kind.make();
    const first = await copyToTarget(dir, target, { retry: FAST_RETRY });
    const names = first.remote.map((o) => o.name).sort();
    expect(names).toEqual((await localObjects(dir)).map((o) => o.name).sort());
    expect(names).toHaveLength(9);
    expect(names.some((n) => n.includes('partial') || n.startsWith('failed') || n === 'notes.txt')).toBe(false);
    expect(first.uploaded).toBe(9);

    // a new backup: only its files go
    const id = '20261202T023000Z-manual-eeee';
    writeFileSync(join(dir, `${id}.db.lexbak`), randomBytes(10_000));
    writeFileSync(join(dir, `${id}.manifest.json`), '{}');
    const second = await copyToTarget(dir, target, { retry: FAST_RETRY, sentManifests: first.sentManifests });
    expect(second.uploaded).toBe(2);

    // a manifest rewritten with the same size (a later verification) is sent again
    const manifest = join(dir, `${ids[0]}.manifest.json`);
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('02:31', '04:59'));
    const third = await copyToTarget(dir, target, { retry: FAST_RETRY, sentManifests: second.sentManifests });
    expect(third.uploaded).toBe(1);

    // local pruning removed the oldest backup: so does the target, and nothing else
    for (const suffix of ['.db.lexbak', '.documents.lexbak', '.manifest.json']) rmSync(join(dir, `${ids[0]}${suffix}`));
    const fourth = await copyToTarget(dir, target, { retry: FAST_RETRY, sentManifests: third.sentManifests });
    expect(fourth.deleted).toBe(3);
    expect(fourth.uploaded).toBe(0);
    await target.connect();
    const there = (await target.list()).map((o) => o.name);
    await target.close();
    expect(there.some((n) => n.startsWith(ids[0]!))).toBe(false);
    expect(there).toContain(`${ids[1]}.db.lexbak`);

    // a folder unplugged and empty: nothing is deleted off-site
    const empty = tempDir('lexdesk-offsite-empty-');
    const held = await copyToTarget(empty, target, { retry: FAST_RETRY });
    expect(held.deleted).toBe(0);
    expect(held.deletionsHeld).toMatch(/holds no backup/);
  });

  it('verification reads objects back and names one whose byte was flipped on the target', async (ctx) => {
    if (kind.skip()) return ctx.skip(kind.skip()!);
    const { dir } = backupFolder();
    const target = kind.make();
    await copyToTarget(dir, target, { retry: FAST_RETRY });
    const clean = await verifyTarget(dir, target, { retry: FAST_RETRY });
    expect(clean.problems).toEqual([]);
    expect(clean.checked).toBe(9);

    // flip one byte of a document's copy on the target, through the target itself
    const victim = (await localObjects(dir)).find((o) => o.name.startsWith('documents/'))!;
    const bytes = readFileSync(victim.file);
    bytes[1234] = bytes[1234]! ^ 0xff;
    await target.connect();
    await target.put(victim.name, () => Readable.from([bytes]), bytes.length);
    await target.close();

    const found = await verifyTarget(dir, target, { retry: FAST_RETRY });
    expect(found.problems).toEqual([{ name: victim.name, problem: expect.stringMatching(/differs/) }]);
    // a sample check always includes the files named before
    const sample = await verifyTarget(dir, target, { retry: FAST_RETRY, sample: 0, include: [victim.name] });
    expect(sample.problems.map((p) => p.name)).toEqual([victim.name]);

    // the next copy sends it again, and the check passes
    await copyToTarget(dir, target, { retry: FAST_RETRY, resend: [victim.name] });
    expect((await verifyTarget(dir, target, { retry: FAST_RETRY })).problems).toEqual([]);
  });

  it('fetches the backup set into an empty folder, byte for byte', async (ctx) => {
    if (kind.skip()) return ctx.skip(kind.skip()!);
    const { dir, ids } = backupFolder();
    const target = kind.make();
    await copyToTarget(dir, target, { retry: FAST_RETRY });
    const to = join(tempDir('lexdesk-offsite-fetch-'), 'backups');
    const fetched = await fetchFromTarget(target, to, { retry: FAST_RETRY });
    expect(fetched.downloaded).toBe(9);
    expect(fetched.backups).toEqual([...ids].reverse());
    for (const object of await localObjects(dir)) {
      expect(readFileSync(join(to, ...object.name.split('/'))).equals(readFileSync(object.file)), object.name).toBe(true);
    }
    expect(readdirSync(to).some((n) => n.endsWith('.partial'))).toBe(false);
    const again = await fetchFromTarget(target, to, { retry: FAST_RETRY });
    expect(again.skipped).toBeGreaterThanOrEqual(7);
    expect(existsSync(join(to, 'notes.txt'))).toBe(false);
  });
});

describe('off-site target errors a person can act on', () => {
  it('SFTP: a wrong password, a wrong host key, nothing listening', async (ctx) => {
    if (!sshd) return ctx.skip(sshdSkip);
    const base = { host: '127.0.0.1', port: sshd.port, username: sshd.user, path: sshd.root };
    const wrong = await probeTarget(new SftpTarget({ ...base, password: 'not the password' }));
    expect(wrong.ok).toBe(false);
    expect(wrong.message).toBe(`127.0.0.1 refused the password for user ${sshd.user}.`);
    const impostor = await probeTarget(new SftpTarget({ ...base, privateKey: sshd.privateKey, hostKey: 'SHA256:somethingelse' }));
    expect(impostor.ok).toBe(false);
    expect(impostor.message).toContain(`showed a different host key (${sshd.hostKey})`);
    const missing = await probeTarget(new SftpTarget({ ...base, privateKey: sshd.privateKey, path: join(sshd.root, 'nope') }));
    expect(missing.message).toMatch(/the folder .*nope cannot be used there/);
    const closed = await probeTarget(new SftpTarget({ ...base, port: 1, privateKey: sshd.privateKey }));
    expect(closed.message).toBe('Nothing answers on 127.0.0.1 port 1 (connection refused). Is the SSH service running there?');
  });

  // s3rver checks the access key id but not SigV4 signatures, so a wrong secret cannot be refused here
  it('S3: an unknown access key, a missing bucket', async () => {
    const base = { endpoint: s3!.endpoint, region: 'us-east-1', prefix: '', pathStyle: true, accessKeyId: s3!.accessKeyId };
    const wrong = await probeTarget(new S3Target({ ...base, accessKeyId: 'NOSUCHKEY', bucket: s3!.bucket, secretAccessKey: 'wrong' }));
    expect(wrong.ok).toBe(false);
    expect(wrong.message).toMatch(/refused the access key NOSUCHKEY for bucket lexdesk-offsite/);
    const missing = await probeTarget(new S3Target({ ...base, bucket: 'no-such-bucket', secretAccessKey: s3!.secretAccessKey }));
    expect(missing.message).toMatch(/There is no bucket no-such-bucket/);
  });
});
