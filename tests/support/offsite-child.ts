import { copyToTarget } from '../../main/core/backup/offsite/engine.js';
import { SftpTarget } from '../../main/core/backup/offsite/sftp-target.js';

/**
 * A separate process that copies a backup folder to an SFTP target, so that a
 * test can SIGKILL it in the middle of an upload.
 *   node --import tsx offsite-child.ts <backup dir> <port> <user> <private key file> <remote path>
 */
const [dir, port, user, keyFile, path] = process.argv.slice(2) as [string, string, string, string, string];
const { readFileSync } = await import('node:fs');
const target = new SftpTarget({ host: '127.0.0.1', port: Number(port), username: user, privateKey: readFileSync(keyFile, 'utf8'), path });
const result = await copyToTarget(dir, target, {
  onProgress: (done, total, name) => process.stdout.write(`uploading ${done}/${total} ${name}\n`),
});
process.stdout.write(`done ${result.uploaded}\n`);
