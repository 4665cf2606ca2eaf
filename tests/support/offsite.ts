import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { tempDir } from './server.js';

export const SSHD = '/usr/sbin/sshd';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

export interface RunningSshd {
  port: number;
  user: string;
  /** the client's private key (OpenSSH format) */
  privateKey: string;
  /** the server's host key fingerprint, "SHA256:…" */
  hostKey: string;
  /** an empty folder on the "server" for the target */
  root: string;
  stop(): Promise<void>;
}

/**
 * A real OpenSSH server on loopback: its own host key, its own config on a free
 * port, the built-in SFTP subsystem, public-key sign-in for the current user from
 * a temporary authorized_keys. Returns a reason instead when it cannot start here.
 */
export async function startSshd(): Promise<RunningSshd | { skip: string }> {
  if (!existsSync(SSHD)) return { skip: `${SSHD} is not installed (Debian package openssh-server)` };
  const dir = tempDir('lexdesk-sshd-');
  const keygen = (file: string) => spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { encoding: 'utf8' });
  for (const file of ['host_ed25519', 'client_ed25519']) {
    const made = keygen(join(dir, file));
    if (made.status !== 0) return { skip: `ssh-keygen failed: ${made.stderr}` };
  }
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_ed25519.pub')), { mode: 0o600 });
  const fingerprint = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'host_ed25519.pub')], { encoding: 'utf8' }).stdout.split(' ')[1] ?? '';
  const root = join(dir, 'remote');
  mkdirSync(root);
  // sshd wants its privilege-separation folder even when it runs as one user
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin yes',
      'StrictModes no',
      'UsePAM no',
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  // ready when the port answers
  const deadline = Date.now() + 10_000;
  for (;;) {
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (open) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      return { skip: `sshd did not start: ${stderr.trim() || `exit ${child.exitCode}`}` };
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return {
    port,
    user: userInfo().username,
    privateKey: readFileSync(join(dir, 'client_ed25519'), 'utf8'),
    hostKey: fingerprint,
    root,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export interface RunningS3 {
  endpoint: string;
  bucket: string;
  /** where s3rver keeps the objects on disk */
  directory: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

/** s3rver (an S3 implementation in Node) on a loopback port, with one bucket. */
export async function startS3(bucket = 'lexdesk-offsite'): Promise<RunningS3> {
  const S3rver = createRequire(import.meta.url)('s3rver') as new (options: Record<string, unknown>) => {
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  };
  const directory = tempDir('lexdesk-s3-');
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket }] });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    directory,
    // s3rver's own credentials; it checks every request's signature with them
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    stop: () => server.close(),
  };
}

export interface FaultyProxy {
  port: number;
  /** connections reset so far */
  resets: number;
  /** bytes sent upstream so far, over every connection */
  forwarded: number;
  /**
   * reset the next `count` connections that carry `afterBytes` upstream (an upload,
   * not a listing); with scope 'total', the connection on which everything sent
   * through the proxy passes `afterBytes`
   */
  resetNext(count: number, afterBytes: number, scope?: 'connection' | 'total'): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a server that can cut connections with a reset in the
 * middle of an upload (the office's line dropping), as the client sees it.
 */
export async function startFaultyProxy(targetPort: number): Promise<FaultyProxy> {
  let pending = 0;
  let threshold = 0;
  let total = false;
  const sockets = new Set<Socket>();
  const proxy: FaultyProxy = {
    port: 0,
    resets: 0,
    forwarded: 0,
    resetNext(count, afterBytes, scope = 'connection') {
      pending = count;
      threshold = afterBytes;
      total = scope === 'total';
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server.close(done));
    },
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    let sent = 0;
    client.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (pending > 0 && (total ? proxy.forwarded + chunk.length : sent) >= threshold) {
        pending--;
        if (total) threshold = Number.POSITIVE_INFINITY;
        proxy.resets++;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      proxy.forwarded += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!client.destroyed) client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  proxy.port = (server.address() as AddressInfo).port;
  return proxy;
}
