import type { Readable } from 'node:stream';
import type { TargetConfig } from '../../../../shared/contract/offsite.js';

export type { TargetConfig, TargetCredentials } from '../../../../shared/contract/offsite.js';

/**
 * Where the off-site copy of the backup folder goes. An object is a file of the
 * backup folder named by its path inside it, with '/' between folders
 * ("20261201T023000Z-scheduled-1a2b.db.lexbak", "documents/ab/ab12…"). Objects are
 * immutable once written, so a name and a size say whether the target has one.
 *
 * Every adapter makes `put` atomic: until the whole object is stored, nothing is
 * visible under its name (a folder and SFTP write a temporary name and rename it;
 * S3 stores an object only once its upload completed). Temporary names begin with
 * a dot and end with `.partial`; `list` never returns them.
 */
export interface RemoteObject {
  name: string;
  size: number;
}

export interface Target {
  /** for messages and the log: "sftp://nas.local:22/backups", never a credential */
  readonly label: string;
  connect(): Promise<void>;
  close(): Promise<void>;
  /** every object (never a temporary one) */
  list(): Promise<RemoteObject[]>;
  /** temporary objects left by an interrupted upload */
  listPartials(): Promise<string[]>;
  /** both in one walk */
  scan(): Promise<{ objects: RemoteObject[]; partials: string[] }>;
  /** null when there is no such object */
  stat(name: string): Promise<RemoteObject | null>;
  /** `body(start, end)`: the bytes [start, end) of the object (all of it without arguments), a fresh stream each call */
  put(name: string, body: (start?: number, end?: number) => Readable, size: number): Promise<void>;
  get(name: string): Promise<Readable>;
  delete(name: string): Promise<void>;
}

/** A target that could not be used, in a sentence for IT ("…refused the password"). */
export class TargetError extends Error {
  constructor(
    message: string,
    /** a network fault or a timeout: worth trying again */
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'TargetError';
  }
}

export function targetLabel(config: TargetConfig): string {
  switch (config.kind) {
    case 'folder':
      return config.path;
    case 'sftp':
      return `sftp://${config.host}:${config.port}${config.path.startsWith('/') ? '' : '/'}${config.path}`;
    case 's3': {
      const where = config.endpoint ? ` at ${config.endpoint}` : '';
      return `s3://${config.bucket}/${config.prefix}${where}`;
    }
  }
}

/** Object names the copy handles: paths inside the backup folder, no '..', no temporary names. */
export function isObjectName(name: string): boolean {
  if (name.length === 0 || name.length > 500) return false;
  return name.split('/').every((part) => part.length > 0 && part !== '.' && part !== '..' && !part.startsWith('.') && !part.endsWith('.partial'));
}

export function partialName(name: string, token: string): string {
  const cut = name.lastIndexOf('/');
  return `${name.slice(0, cut + 1)}.${name.slice(cut + 1)}.${token}.partial`;
}

export function isPartialName(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base.startsWith('.') && base.endsWith('.partial');
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
  'ENOTCONN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_GENERIC_CLIENT',
]);

/** A network fault (worth a retry) rather than a refusal (a wrong password, a missing bucket). */
export function isTransient(err: unknown): boolean {
  if (err instanceof TargetError) return err.transient;
  const e = err as { code?: string; name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.code && TRANSIENT_CODES.has(e.code)) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 408 || status === 429)) return true;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return true;
  return /ECONNRESET|socket hang up|No response|Not connected|connection lost|ended|closed|timed out|premature/i.test(e?.message ?? '');
}
