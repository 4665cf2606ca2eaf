import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/**
 * The backup key-encryption key of the tests' servers and cores, as the shipped
 * stack has one (docker-compose.yml mounts it): the backup key kept on the machine
 * is sealed with it and survives restarts. Tests of a machine without one set
 * LEXDESK_BACKUP_KEK to '' (README, "Where secrets live").
 */
export const TEST_BACKUP_KEK = 'test-backup-kek-0123456789abcdefghijklmnop';

export interface RunningServer {
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** every line the server printed */
  output: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function tempDir(prefix = 'lexdesk-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Starts `lexdesk serve` (the built dist/) as a child process on an ephemeral
 * loopback port with its own data folder, and resolves once it listens.
 */
export async function startServer(
  options: { env?: Record<string, string>; dataDir?: string; keepData?: boolean } = {},
): Promise<RunningServer> {
  const dataDir = options.dataDir ?? tempDir();
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'main', 'cli', 'index.js'), 'serve'], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dataDir,
      LEXDESK_DATA_DIR: dataDir,
      LEXDESK_HOST: '127.0.0.1',
      LEXDESK_PORT: '0',
      LEXDESK_LOG_LEVEL: 'info',
      // bcrypt cost 8 (~20 ms) keeps sign-in quick in tests; production uses 12
      LEXDESK_BCRYPT_COST: '8',
      // the WhatsApp simulator, already linked, unless a test says otherwise
      LEXDESK_WHATSAPP: 'simulator',
      LEXDESK_SIMULATOR_PAIRED: 'true',
      LEXDESK_BACKUP_KEK: TEST_BACKUP_KEK,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${output.join('\n')}`)), 20_000);
    let pending = '';
    const onData = (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        output.push(line);
        const match = /LexDesk listening on (http:\/\/[^\s"]+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output.join('\n')}`));
    });
  });
  return {
    url,
    dataDir,
    child,
    output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill(signal);
      const code = await exited;
      if (!options.keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
