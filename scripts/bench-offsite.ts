/**
 * The off-site copy over SFTP against a real OpenSSH server on loopback, beside
 * OpenSSH's own `scp -r` of the same folder (the raw baseline: same server, same
 * disk, no listing, no temporary names, no verification).
 *
 *   npm run bench:offsite [-- <megabytes of backups, default 200>]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyToTarget, verifyTarget } from '../main/core/backup/offsite/engine.js';
import { SftpTarget } from '../main/core/backup/offsite/sftp-target.js';
import { startSshd } from '../tests/support/offsite.js';
import { tempDir } from '../tests/support/server.js';

const megabytes = Number(process.argv[2] ?? 200);
const sshd = await startSshd();
if ('skip' in sshd) {
  console.log(`cannot run: ${sshd.skip}`);
  process.exit(1);
}
try {
  const dir = tempDir('lexdesk-bench-offsite-');
  const backups = 4;
  const docs = 200;
  const docBytes = 100_000;
  const dbBytes = Math.max(1, Math.floor((megabytes * 1e6 - docs * docBytes) / backups));
  for (let i = 0; i < backups; i++) {
    const id = `2026120${i + 1}T023000Z-scheduled-${String(i).padStart(4, 'a')}`;
    writeFileSync(join(dir, `${id}.db.lexbak`), randomBytes(dbBytes));
    writeFileSync(join(dir, `${id}.manifest.json`), JSON.stringify({ id }));
  }
  for (let i = 0; i < docs; i++) {
    const sha = randomBytes(32).toString('hex');
    mkdirSync(join(dir, 'documents', sha.slice(0, 2)), { recursive: true });
    writeFileSync(join(dir, 'documents', sha.slice(0, 2), sha), randomBytes(docBytes));
  }
  const total = backups * dbBytes + docs * docBytes;
  const keyFile = join(tempDir('lexdesk-bench-key-'), 'id');
  writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 });

  const time = async (work: () => unknown) => {
    const t = performance.now();
    await work();
    return (performance.now() - t) / 1000;
  };
  const rate = (seconds: number) => `${(total / 1e6 / seconds).toFixed(1)} MB/s`;

  const baselineDir = join(sshd.root, 'scp');
  const scp = await time(() =>
    execFileSync('scp', ['-q', '-r', '-P', String(sshd.port), '-i', keyFile, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', dir, `${sshd.user}@127.0.0.1:${baselineDir}`]),
  );
  rmSync(baselineDir, { recursive: true, force: true });

  const remote = join(sshd.root, 'lexdesk');
  mkdirSync(remote);
  const target = new SftpTarget({ host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKey: sshd.privateKey, path: remote });
  let sent = 0;
  const first = await time(async () => (sent = (await copyToTarget(dir, target)).uploaded));
  let manifests: Record<string, string> = {};
  const nothing = await time(async () => (manifests = (await copyToTarget(dir, target)).sentManifests));
  void manifests;
  const verify = await time(() => verifyTarget(dir, target));

  console.log(`off-site copy over SFTP, ${(total / 1e6).toFixed(0)} MB in ${sent} files (${backups} backups, ${docs} documents), OpenSSH sshd on loopback`);
  console.log(`  baseline  scp -r of the folder           ${scp.toFixed(2)} s  ${rate(scp)}`);
  console.log(`  LexDesk   first copy (everything)        ${first.toFixed(2)} s  ${rate(first)}`);
  console.log(`  LexDesk   next copy, nothing new         ${nothing.toFixed(2)} s  (two listings, manifests hashed)`);
  console.log(`  LexDesk   full check (read back, SHA-256) ${verify.toFixed(2)} s  ${rate(verify)}`);
  rmSync(dir, { recursive: true, force: true });
} finally {
  await sshd.stop();
}
