import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { sha256OfStream } from './engine.js';
import { FolderTarget } from './folder-target.js';
import { S3Target } from './s3-target.js';
import { SftpTarget } from './sftp-target.js';
import { TargetError, targetLabel, type Target, type TargetConfig, type TargetCredentials } from './target.js';

/** The adapter for a target's settings and secrets. */
export function openTarget(config: TargetConfig, credentials: TargetCredentials, extra: { hostKey?: string | null } = {}): Target {
  switch (config.kind) {
    case 'folder':
      return new FolderTarget(config.path);
    case 'sftp':
      return new SftpTarget({
        host: config.host,
        port: config.port,
        username: config.username,
        path: config.path,
        password: config.auth === 'password' ? credentials.password : undefined,
        privateKey: config.auth === 'key' ? credentials.privateKey : undefined,
        hostKey: extra.hostKey ?? null,
      });
    case 's3':
      if (!credentials.secretAccessKey) throw new TargetError(`No secret key is stored for ${targetLabel(config)}.`, false);
      return new S3Target({ ...config, secretAccessKey: credentials.secretAccessKey });
  }
}

/**
 * Connects, writes a small object, reads it back, compares and deletes it; answers
 * in one sentence for IT either way.
 */
export async function probeTarget(target: Target): Promise<{ ok: boolean; message: string; hostKey: string | null }> {
  const hostKey = () => (target instanceof SftpTarget ? target.seenHostKey : null);
  const name = `lexdesk-write-test-${randomBytes(4).toString('hex')}.txt`;
  const body = Buffer.from(`LexDesk off-site test ${new Date().toISOString()}\n`);
  let step = 'connect to';
  try {
    await target.connect();
    step = 'write a test file to';
    await target.put(name, () => Readable.from([body]), body.length);
    step = 'read the test file back from';
    const back = await sha256OfStream(await target.get(name));
    if (back !== (await sha256OfStream(Readable.from([body])))) {
      return { ok: false, message: `Connected to ${target.label}, but the test file read back differs from what was written.`, hostKey: hostKey() };
    }
    step = 'delete the test file from';
    await target.delete(name);
    const key = hostKey();
    return { ok: true, message: `Connected to ${target.label} — wrote and read back a test file${key ? ` (server host key ${key})` : ''}.`, hostKey: key };
  } catch (err) {
    const reason = err instanceof TargetError ? err.message : `Could not ${step} ${target.label}: ${(err as Error)?.message ?? String(err)}`;
    return { ok: false, message: reason, hostKey: hostKey() };
  } finally {
    await target.close().catch(() => undefined);
  }
}
