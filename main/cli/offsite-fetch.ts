import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { TargetConfig, TargetCredentials } from '../../shared/contract/offsite.js';
import { formatBytes } from '../../shared/format.js';
import { fetchFromTarget } from '../core/backup/offsite/engine.js';
import { SftpTarget } from '../core/backup/offsite/sftp-target.js';
import { openTarget } from '../core/backup/offsite/targets.js';
import { targetLabel } from '../core/backup/offsite/target.js';
import type { Config } from '../core/config.js';

export const FETCH_HELP = `Usage: lexdesk backup fetch --from <where> [--to <folder>] [options]

Downloads the backups from the off-site copy into a folder (by default this
installation's backup folder), so that \`lexdesk backup restore <id>\` can restore one.
Nothing is stored: the credentials are used for this download only.

  --from sftp://user@host[:port]/path     an SSH server; --identity <key file>, or the password
                                          from LEXDESK_OFFSITE_PASSWORD, --password-stdin or a prompt
         s3://bucket[/prefix]             an S3-compatible bucket; --endpoint <url> (not for AWS),
                                          --region <name> (default us-east-1), --path-style,
                                          --access-key <id> (or LEXDESK_OFFSITE_ACCESS_KEY_ID), the secret
                                          from LEXDESK_OFFSITE_SECRET_ACCESS_KEY, --password-stdin or a prompt
         /path/to/folder                  another folder (a NAS share, a synced folder)
  --to <folder>                           where to put the backups (created if missing)
  --host-key SHA256:…                     refuse an SSH server that shows another host key
`;

export interface FetchIo {
  env: NodeJS.ProcessEnv;
  readSecret(question: string): Promise<string>;
  out(line: string): void;
  err(line: string): void;
}

/** The target named on the command line, with the credentials it needs. */
export async function targetFromArgs(
  from: string,
  values: { identity?: string; endpoint?: string; region?: string; 'path-style'?: boolean; 'access-key'?: string; 'password-stdin'?: boolean },
  io: FetchIo,
): Promise<{ config: TargetConfig; credentials: TargetCredentials }> {
  if (from.startsWith('sftp://')) {
    const url = new URL(from);
    if (!url.username) throw new Error('Say which user: sftp://user@host/path.');
    const config: TargetConfig = {
      kind: 'sftp',
      host: url.hostname,
      port: url.port ? Number(url.port) : 22,
      username: decodeURIComponent(url.username),
      path: decodeURIComponent(url.pathname) || '/',
      auth: values.identity ? 'key' : 'password',
    };
    if (values.identity) return { config, credentials: { privateKey: await readFile(resolve(values.identity), 'utf8') } };
    const password =
      (url.password ? decodeURIComponent(url.password) : undefined) ??
      io.env.LEXDESK_OFFSITE_PASSWORD ??
      (await io.readSecret(`Password for ${config.username}@${config.host}: `));
    return { config, credentials: { password } };
  }
  if (from.startsWith('s3://')) {
    const rest = from.slice('s3://'.length);
    const cut = rest.indexOf('/');
    const bucket = cut < 0 ? rest : rest.slice(0, cut);
    const prefix = cut < 0 ? '' : rest.slice(cut + 1);
    const accessKeyId = values['access-key'] ?? io.env.LEXDESK_OFFSITE_ACCESS_KEY_ID ?? io.env.AWS_ACCESS_KEY_ID;
    if (!accessKeyId) throw new Error('Give the access key id: --access-key <id> or LEXDESK_OFFSITE_ACCESS_KEY_ID.');
    const config: TargetConfig = {
      kind: 's3',
      endpoint: values.endpoint ?? '',
      region: values.region ?? 'us-east-1',
      bucket,
      prefix,
      pathStyle: values['path-style'] ?? false,
      accessKeyId,
    };
    const secretAccessKey =
      io.env.LEXDESK_OFFSITE_SECRET_ACCESS_KEY ?? io.env.AWS_SECRET_ACCESS_KEY ?? (await io.readSecret(`Secret key for ${accessKeyId}: `));
    return { config, credentials: { secretAccessKey } };
  }
  if (!isAbsolute(from) && !from.startsWith('.')) throw new Error(`"${from}" is neither sftp://…, s3://… nor a folder.`);
  return { config: { kind: 'folder', path: resolve(from) }, credentials: {} };
}

/** `lexdesk backup fetch`; returns the exit status. Opens no database: it may be a new machine's first step. */
export async function fetchCommand(argv: string[], config: Config, io: FetchIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        identity: { type: 'string' },
        'host-key': { type: 'string' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        'path-style': { type: 'boolean' },
        'access-key': { type: 'string' },
        'password-stdin': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (err) {
    io.err(`lexdesk: ${(err as Error).message}\n\n${FETCH_HELP}`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    io.out(FETCH_HELP);
    return 0;
  }
  if (!values.from) {
    io.err(`lexdesk: say where the off-site copy is: --from sftp://… | s3://… | <folder>\n\n${FETCH_HELP}`);
    return 2;
  }
  const to = values.to ? resolve(values.to) : (config.backupDir ?? join(config.dataDir, 'backups'));
  let target;
  try {
    const { config: targetConfig, credentials } = await targetFromArgs(values.from, values, io);
    target = openTarget(targetConfig, credentials, { hostKey: values['host-key'] ?? null });
    io.err(`Fetching the backups from ${targetLabel(targetConfig)} into ${to}…\n`);
  } catch (err) {
    io.err(`lexdesk: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    let lastShown = -1;
    const result = await fetchFromTarget(target, to, {
      onProgress: (done, total) => {
        const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
        if (percent >= lastShown + 10) {
          lastShown = percent;
          io.err(`[${String(percent).padStart(3)}%] ${done} of ${total} files\n`);
        }
      },
    });
    if (target instanceof SftpTarget && target.seenHostKey) io.err(`The server's host key: ${target.seenHostKey}\n`);
    if (result.backups.length === 0) {
      io.err(`lexdesk: ${target.label} holds no backup.\n`);
      return 1;
    }
    io.out(`Fetched ${result.downloaded} files (${formatBytes(result.downloadedBytes)}; ${result.skipped} were already there) into ${to}.\n`);
    io.out(`Backups there, newest first:\n${result.backups.map((id) => `  ${id}`).join('\n')}\n`);
    const restoreArg = values.to ? join(to, `${result.backups[0]}.db.lexbak`) : result.backups[0];
    io.out(`Restore the newest with: printf %s "$PASSPHRASE" | lexdesk backup restore ${restoreArg} --passphrase-stdin\n`);
    return 0;
  } catch (err) {
    io.err(`lexdesk: fetching from ${target.label} failed: ${(err as Error)?.message ?? String(err)} Run the same command again to go on; what arrived is kept.\n`);
    return 1;
  }
}
