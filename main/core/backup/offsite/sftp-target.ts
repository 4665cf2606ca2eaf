import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import SftpClient from 'ssh2-sftp-client';
import { isObjectName, isPartialName, partialName, TargetError, type RemoteObject, type Target } from './target.js';

const CHUNK = 1024 * 1024;
/** objects from this size resume where a dropped connection left them */
export const RESUME_FROM = 8 * 1024 * 1024;

export interface SftpOptions {
  host: string;
  port: number;
  username: string;
  path: string;
  password?: string;
  privateKey?: string;
  /** "SHA256:…" of the server's host key; when given, any other key is refused */
  hostKey?: string | null;
  readyTimeoutMs?: number;
}

/** The host key's fingerprint as `ssh-keygen -l` prints it. */
export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** A folder on an SSH server (a NAS, a server at another office), with a password or a private key. */
export class SftpTarget implements Target {
  readonly label: string;
  private client: SftpClient | null = null;
  private readonly made = new Set<string>();
  private readonly streams = new Set<Readable>();
  /** the temporary file of a large upload the connection dropped in the middle of, by object name: the next attempt goes on with it */
  private readonly cutOff = new Map<string, string>();
  /** the host key the server showed on the last connection */
  seenHostKey: string | null = null;

  constructor(private readonly options: SftpOptions) {
    this.label = `sftp://${options.host}:${options.port}${options.path.startsWith('/') ? '' : '/'}${options.path}`;
  }

  private get root(): string {
    return this.options.path.replace(/\/+$/, '') || '/';
  }

  private remote(name: string): string {
    return posix.join(this.root, name);
  }

  async connect(): Promise<void> {
    await this.close();
    const client = new SftpClient('lexdesk-offsite');
    const { options } = this;
    if (!options.password && !options.privateKey) throw new TargetError(`No password or private key is stored for ${this.label}.`, false);
    try {
      await client.connect({
        host: options.host,
        port: options.port,
        username: options.username,
        password: options.password,
        privateKey: options.privateKey,
        readyTimeout: options.readyTimeoutMs ?? 15_000,
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          this.seenHostKey = fingerprintOf(key);
          return !options.hostKey || options.hostKey === this.seenHostKey;
        },
      });
    } catch (err) {
      await client.end().catch(() => undefined);
      throw this.explain(err);
    }
    this.client = client;
    try {
      const info = await client.stat(this.root);
      if (!info.isDirectory) throw new TargetError(`${this.label} is a file on the server, not a folder.`, false);
    } catch (err) {
      await this.close();
      if (err instanceof TargetError) throw err;
      throw new TargetError(`Connected to ${this.options.host}, but the folder ${this.root} cannot be used there: ${messageOf(err)}`, isNetwork(err));
    }
  }

  private explain(err: unknown): TargetError {
    const message = messageOf(err);
    const { host, port, username } = this.options;
    if (/verification failed|host key|hostVerifier/i.test(message) || (this.options.hostKey && this.seenHostKey && this.seenHostKey !== this.options.hostKey)) {
      return new TargetError(
        `${host} showed a different host key (${this.seenHostKey ?? 'unknown'}) from the one recorded (${this.options.hostKey}). If the server was reinstalled, test the connection again to record the new key; otherwise something is pretending to be it.`,
        false,
      );
    }
    if (/All configured authentication methods failed|authentication/i.test(message)) {
      return new TargetError(`${host} refused the ${this.options.privateKey ? 'private key' : 'password'} for user ${username}.`, false);
    }
    if (/ECONNREFUSED/.test(message)) return new TargetError(`Nothing answers on ${host} port ${port} (connection refused). Is the SSH service running there?`, true);
    if (/ENOTFOUND|EAI_AGAIN/.test(message)) return new TargetError(`The name ${host} cannot be found (DNS).`, true);
    if (/Timed out|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/i.test(message)) return new TargetError(`${host} port ${port} did not answer in time (${message}).`, true);
    if (/privateKey|Cannot parse/i.test(message)) return new TargetError(`The private key for ${host} cannot be read: ${message}`, false);
    return new TargetError(`Could not connect to ${this.label}: ${message}`, isNetwork(err));
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.made.clear();
    // a read stream closes its remote handle after the last byte: let it, briefly
    const open = [...this.streams].map((s) => new Promise<void>((done) => {
      if (s.destroyed && s.closed) return done();
      const timer = setTimeout(done, 2000);
      s.once('close', () => {
        clearTimeout(timer);
        done();
      });
    }));
    await Promise.all(open);
    this.streams.clear();
    if (client) await client.end().catch(() => undefined);
  }

  private sftp(): SftpClient {
    if (!this.client) throw new TargetError(`Not connected to ${this.label}.`, true);
    return this.client;
  }

  private async walk(): Promise<{ objects: RemoteObject[]; partials: string[] }> {
    const objects: RemoteObject[] = [];
    const partials: string[] = [];
    const client = this.sftp();
    const visit = async (dir: string, prefix: string): Promise<void> => {
      const folders: [string, string][] = [];
      for (const entry of await client.list(dir)) {
        const name = `${prefix}${entry.name}`;
        if (entry.type === 'd') {
          if (!entry.name.startsWith('.')) folders.push([posix.join(dir, entry.name), `${name}/`]);
        } else if (entry.type === '-') {
          if (isPartialName(name)) partials.push(name);
          else if (isObjectName(name)) objects.push({ name, size: entry.size });
        }
      }
      // the pool has up to 256 folders: a few listed at once, not one round trip after the other
      for (let i = 0; i < folders.length; i += 8) await Promise.all(folders.slice(i, i + 8).map(([path, sub]) => visit(path, sub)));
    };
    await visit(this.root, '');
    return { objects, partials };
  }

  scan(): Promise<{ objects: RemoteObject[]; partials: string[] }> {
    return this.walk();
  }

  async list(): Promise<RemoteObject[]> {
    return (await this.walk()).objects;
  }

  async listPartials(): Promise<string[]> {
    return (await this.walk()).partials;
  }

  async stat(name: string): Promise<RemoteObject | null> {
    try {
      const info = await this.sftp().stat(this.remote(name));
      return info.isFile ? { name, size: info.size } : null;
    } catch (err) {
      if (isNetwork(err)) throw err;
      return null;
    }
  }

  private async ensureDir(dir: string): Promise<void> {
    if (dir === this.root || this.made.has(dir)) return;
    const exists = await this.sftp().exists(dir);
    if (exists !== 'd') await this.sftp().mkdir(dir, true);
    this.made.add(dir);
  }

  async put(name: string, body: (start?: number, end?: number) => Readable, size: number): Promise<void> {
    const client = this.sftp();
    const final = this.remote(name);
    const resumable = size >= RESUME_FROM;
    let temp = resumable ? this.cutOff.get(name) : undefined;
    let start = 0;
    if (temp) {
      // the server wrote what reached it in order: go on from there, one block back to be safe
      const there = await client.stat(temp).catch(() => null);
      if (there && there.size <= size) start = Math.max(0, Math.floor(there.size / CHUNK) - 1) * CHUNK;
      else temp = undefined;
    }
    temp ??= this.remote(partialName(name, randomBytes(4).toString('hex')));
    await this.ensureDir(posix.dirname(final));
    try {
      // large writes in flight: the default (32 KiB, one at a time) manages about 2 MB/s on a LAN
      const writeStreamOptions = { highWaterMark: CHUNK, ...(start > 0 ? { flags: 'r+', start } : {}) };
      await client.put(body(start, size), temp, { writeStreamOptions } as SftpClient.TransferOptions);
      const written = await client.stat(temp);
      if (written.size !== size) throw new TargetError(`${name} arrived on ${this.options.host} with ${written.size} bytes of ${size}.`, true);
      // OpenSSH's posix-rename replaces an existing object in one step
      await client.posixRename(temp, final);
      this.cutOff.delete(name);
    } catch (err) {
      if (resumable && isNetwork(err)) {
        // kept for the next attempt (the copy removes what is left over once it is done)
        this.cutOff.set(name, temp);
        throw err;
      }
      this.cutOff.delete(name);
      await client.delete(temp, true).catch(() => undefined);
      throw err;
    }
  }

  async get(name: string): Promise<Readable> {
    const client = this.sftp();
    const path = this.remote(name);
    await client.stat(path);
    const stream = client.createReadStream(path, { highWaterMark: CHUNK }) as unknown as Readable;
    // the reader listens for errors while it reads; one from closing the handle once it is done must not go unheard
    stream.on('error', () => undefined);
    this.streams.add(stream);
    stream.once('close', () => this.streams.delete(stream));
    return stream;
  }

  async delete(name: string): Promise<void> {
    await this.sftp().delete(this.remote(name), true);
  }
}

function messageOf(err: unknown): string {
  return (err as Error)?.message ?? String(err);
}

function isNetwork(err: unknown): boolean {
  return /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|No SFTP connection|Not connected|connection|socket|ended/i.test(messageOf(err));
}
