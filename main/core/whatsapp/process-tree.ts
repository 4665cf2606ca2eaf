import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface ProcessInfo {
  pid: number;
  ppid: number;
  args: string;
}

/**
 * Every process with its parent and command line: from /proc on Linux (slim
 * container images have no `ps`), from `ps` on macOS and other POSIX systems.
 */
async function processTable(): Promise<ProcessInfo[]> {
  if (process.platform === 'linux' && existsSync('/proc/self/stat')) {
    const table: ProcessInfo[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replace(/\0/g, ' ').trim();
        table.push({ pid: Number(entry), ppid, args });
      } catch {
        // it ended while we looked
      }
    }
    return table;
  }
  try {
    const { stdout } = await run('ps', ['-A', '-o', 'pid=,ppid=,args='], { maxBuffer: 16 * 1024 * 1024 });
    return stdout
      .split('\n')
      .map((line) => /^\s*(\d+)\s+(\d+)\s?(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] ?? '' }));
  } catch {
    return [];
  }
}

/** Every descendant of `pid`. */
async function descendants(pid: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  for (const { pid: child, ppid } of await processTable()) {
    children.set(ppid, [...(children.get(ppid) ?? []), child]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * Kills a process and everything it started (Chromium runs a dozen helpers).
 * POSIX: SIGKILL to the process group (puppeteer starts the browser detached, as a
 * group leader) and to every descendant found by `ps`; Windows: `taskkill /T /F`.
 */
export async function killProcessTree(pid: number): Promise<void> {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return;
  if (process.platform === 'win32') {
    await run('taskkill', ['/pid', String(pid), '/T', '/F']).catch(() => {});
    return;
  }
  const tree = await descendants(pid);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // not a group leader
  }
  for (const target of [pid, ...tree]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Processes whose command line names `profileDir` as their browser profile: a
 * browser we launched, whatever became of the LexDesk that launched it (headless
 * Chromium leaves no SingletonLock, so the command line is the reliable mark).
 */
export async function browsersOnProfile(profileDir: string): Promise<number[]> {
  const flag = `--user-data-dir=${profileDir}`;
  if (process.platform === 'win32') {
    try {
      const script = `Get-CimInstance Win32_Process | Where-Object { $_.CommandLine -like '*${flag.replace(/'/g, "''")}*' } | ForEach-Object { $_.ProcessId }`;
      const { stdout } = await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], { windowsHide: true });
      return stdout.split(/\s+/).map(Number).filter((pid) => pid > 0 && pid !== process.pid);
    } catch {
      return [];
    }
  }
  return (await processTable())
    .filter((p) => p.pid !== process.pid && (p.args.includes(`${flag} `) || p.args.endsWith(flag)))
    .map((p) => p.pid);
}

/** The command line of a running process, when the platform tells (Linux /proc). */
function commandLineOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return null;
  }
}

/** Would killing `pid` kill a browser using `profileDir`? Where we cannot tell, the pid file/lock is trusted. */
function usesProfile(pid: number, profileDir: string): boolean {
  const cmd = commandLineOf(pid);
  return cmd === null ? process.platform !== 'linux' : cmd.includes(profileDir);
}

async function stillAlive(pid: number): Promise<boolean> {
  for (let i = 0; i < 20 && isAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return isAlive(pid);
}

export const BROWSER_PID_FILE = 'browser.pid';

/** Notes the browser's pid so that the next start can clean up after a crash. */
export function rememberBrowser(dir: string, pid: number | undefined): void {
  if (!pid) return;
  try {
    writeFileSync(join(dir, BROWSER_PID_FILE), String(pid), { mode: 0o600 });
  } catch {
    // best effort: the profile lock is the other way to find it
  }
}

export function forgetBrowser(dir: string): void {
  rmSync(join(dir, BROWSER_PID_FILE), { force: true });
}

/**
 * At start, before launching a browser on `profileDir`, and after stopping one: kill
 * any browser left on the profile (found by our pid file, by Chromium's
 * SingletonLock, which reads "host-pid", or by its command line), then remove
 * stale lock files so the next browser can open the profile. Returns the pids it killed.
 */
export async function killOrphanedBrowser(dir: string, profileDir: string): Promise<number[]> {
  const suspects = new Set<number>();
  const pidFile = join(dir, BROWSER_PID_FILE);
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0) suspects.add(pid);
  }
  let lockPid: number | null = null;
  let locked = false;
  try {
    const target = readlinkSync(join(profileDir, 'SingletonLock'));
    locked = true;
    const match = /^(.*)-(\d+)$/.exec(target);
    if (match && match[1] === hostname()) {
      lockPid = Number(match[2]);
      suspects.add(lockPid);
    }
  } catch {
    // no lock: no browser was using the profile
  }
  for (const pid of await browsersOnProfile(profileDir)) suspects.add(pid);
  const killed: number[] = [];
  for (const pid of suspects) {
    if (pid === process.pid || !isAlive(pid) || !usesProfile(pid, profileDir)) continue;
    await killProcessTree(pid);
    killed.push(pid);
  }
  // the lock is stale once the process it names is gone; a lock from another host is left alone
  const stale = lockPid !== null && (killed.includes(lockPid) ? !(await stillAlive(lockPid)) : !isAlive(lockPid));
  if (locked && stale) {
    for (const name of ['SingletonLock', 'SingletonSocket', 'SingletonCookie']) {
      rmSync(join(profileDir, name), { force: true });
    }
  }
  forgetBrowser(dir);
  return killed;
}
