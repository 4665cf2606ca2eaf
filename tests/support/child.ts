import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './server.js';

const running = new Set<ChildProcess>();

/** SIGKILLs every child still running (an afterEach: a failed or timed-out test leaves none behind). */
export function killLeftChildren(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  running.clear();
}

/**
 * Runs `tests/support/<script>` (TypeScript, through tsx) with `args`. It prints one
 * JSON object a line, and `done` when it finished its work; the first line
 * `killWhen` accepts (given the lines so far) SIGKILLs it. Resolves with the lines,
 * whether the kill landed and whether it said `done`; rejects when it failed on its own.
 */
export function runKillableChild<L>(
  script: string,
  args: string[],
  killWhen: ((line: L, lines: L[]) => boolean) | null,
  env: Record<string, string> = {},
): Promise<{ lines: L[]; killed: boolean; done: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'tests', 'support', script), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    const lines: L[] = [];
    let killed = false;
    let done = false;
    let pending = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const part of parts) {
        if (part === 'done') done = true;
        if (!part.startsWith('{')) continue;
        const line = JSON.parse(part) as L;
        lines.push(line);
        if (!killed && killWhen?.(line, lines)) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      running.delete(child);
      if (killed && signal === 'SIGKILL') return resolve({ lines, killed: true, done });
      if (code === 0) return resolve({ lines, killed: false, done });
      reject(new Error(`${script} exited with ${code ?? signal}:\n${stderr}`));
    });
  });
}
