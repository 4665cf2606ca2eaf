import { readFile, stat, statfs } from 'node:fs/promises';
import { cpus, freemem, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';

export type VolumeName = 'data' | 'backup';

export interface VolumeReading {
  name: VolumeName;
  freeBytes: number;
  totalBytes: number;
}

export interface BrowserReading {
  /** share of the whole machine, like system CPU; null on the first reading */
  cpuPercent: number | null;
  memoryBytes: number;
  processes: number;
}

/** One look at the machine and at LexDesk's own process. */
export interface SystemReading {
  /** share of all cores busy since the previous reading; null on the first */
  cpuPercent: number | null;
  cores: number;
  memoryTotalBytes: number;
  memoryAvailableBytes: number;
  /** LexDesk's main process, as a share of the whole machine; null on the first reading */
  processCpuPercent: number | null;
  processRssBytes: number;
  volumes: VolumeReading[];
  databaseBytes: number | null;
  walBytes: number | null;
  browser: BrowserReading | null;
}

export interface ProbeRequest {
  volumes: { name: VolumeName; path: string }[];
  databaseFile: string;
  /** WhatsApp's Chromium, whose process tree is measured when given */
  browserPid: number | null;
}

/** Where the collector's system readings come from; tests and other faces may bring their own. */
export interface SystemProbe {
  read(request: ProbeRequest): Promise<SystemReading>;
}

interface CpuTimes {
  busy: number;
  total: number;
}

function machineCpuTimes(): CpuTimes & { cores: number } {
  let busy = 0;
  let total = 0;
  const list = cpus();
  for (const cpu of list) {
    const t = cpu.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total, cores: Math.max(1, list.length) };
}

async function fileSize(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}

/** statfs of the folder, or of its nearest existing parent (a backup folder may not exist yet). */
async function volumeOf(path: string): Promise<{ freeBytes: number; totalBytes: number } | null> {
  let current = path;
  for (;;) {
    try {
      const s = await statfs(current);
      return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
    } catch (err) {
      const parent = dirname(current);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) return null;
      current = parent;
    }
  }
}

/** Linux clock ticks per second for /proc/<pid>/stat (USER_HZ, 100 on every mainstream kernel). */
const USER_HZ = 100;

/**
 * CPU and memory of a process and its descendants, from /proc (Linux). Chromium
 * runs as a dozen processes, all children of the one whatsapp-web.js launched.
 */
export class ProcTreeMeter {
  private previous = new Map<number, number>();
  private previousAt = 0;

  async read(rootPid: number, cores: number): Promise<BrowserReading | null> {
    const pids = await this.tree(rootPid);
    if (pids.length === 0) {
      this.previous.clear();
      return null;
    }
    const now = performance.now();
    const ticks = new Map<number, number>();
    let memoryBytes = 0;
    let deltaTicks = 0;
    for (const pid of pids) {
      try {
        const stat = await readFile(`/proc/${pid}/stat`, 'latin1');
        // fields after the command name, which sits in parentheses and may contain spaces
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const used = Number(fields[11]) + Number(fields[12]); // utime + stime
        // VmRSS in kB: unlike the page count in stat, it does not depend on the page size
        const status = await readFile(`/proc/${pid}/status`, 'latin1');
        const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
        ticks.set(pid, used);
        memoryBytes += rssKb * 1024;
        deltaTicks += used - (this.previous.get(pid) ?? used);
      } catch {
        // the process ended between listing and reading
      }
    }
    const elapsedSeconds = (now - this.previousAt) / 1000;
    const first = this.previous.size === 0;
    this.previous = ticks;
    this.previousAt = now;
    const cpuPercent =
      first || elapsedSeconds <= 0 ? null : Math.max(0, (deltaTicks / USER_HZ / elapsedSeconds / cores) * 100);
    return { cpuPercent, memoryBytes, processes: ticks.size };
  }

  private async tree(rootPid: number): Promise<number[]> {
    const found: number[] = [];
    const queue = [rootPid];
    while (queue.length > 0 && found.length < 256) {
      const pid = queue.shift()!;
      let children: string;
      try {
        children = await readFile(`/proc/${pid}/task/${pid}/children`, 'latin1');
      } catch {
        if (pid === rootPid) return [];
        continue;
      }
      found.push(pid);
      for (const child of children.split(' ')) {
        const n = Number(child);
        if (Number.isInteger(n) && n > 0) queue.push(n);
      }
    }
    return found;
  }
}

/**
 * The real probe, chosen to cost next to nothing per tick: CPU from os.cpus() tick
 * counters (what systeminformation's currentLoad() computes, without the shell it
 * spawns synchronously on Linux to read /proc/stat), memory from os.freemem()
 * (MemAvailable on Linux, available physical memory on Windows; systeminformation's
 * mem() would start PowerShell on Windows), free space with one statfs() call per
 * volume (systeminformation's fsSize() runs df), LexDesk's own process from
 * process.cpuUsage(), and WhatsApp's Chromium from /proc on Linux. On macOS and
 * Windows the browser is not measured: the only ways there start a process per tick.
 */
export class NodeSystemProbe implements SystemProbe {
  private lastMachine: CpuTimes | null = null;
  private lastProcess: { usage: NodeJS.CpuUsage; at: number } | null = null;
  private readonly browserMeter = process.platform === 'linux' ? new ProcTreeMeter() : null;

  async read(request: ProbeRequest): Promise<SystemReading> {
    const machine = machineCpuTimes();
    const cpuPercent =
      this.lastMachine && machine.total > this.lastMachine.total
        ? ((machine.busy - this.lastMachine.busy) / (machine.total - this.lastMachine.total)) * 100
        : null;
    this.lastMachine = machine;

    const usage = process.cpuUsage();
    const at = performance.now();
    let processCpuPercent: number | null = null;
    if (this.lastProcess && at > this.lastProcess.at) {
      const usedMicros =
        usage.user - this.lastProcess.usage.user + (usage.system - this.lastProcess.usage.system);
      processCpuPercent = (usedMicros / 1000 / (at - this.lastProcess.at) / machine.cores) * 100;
    }
    this.lastProcess = { usage, at };

    const volumes: VolumeReading[] = [];
    for (const volume of request.volumes) {
      const reading = await volumeOf(volume.path);
      if (reading && reading.totalBytes > 0) volumes.push({ name: volume.name, ...reading });
    }

    const [databaseBytes, walBytes] = await Promise.all([
      fileSize(request.databaseFile),
      fileSize(`${request.databaseFile}-wal`),
    ]);

    const browser =
      request.browserPid && this.browserMeter ? await this.browserMeter.read(request.browserPid, machine.cores) : null;

    return {
      cpuPercent: cpuPercent === null ? null : clampPercent(cpuPercent),
      cores: machine.cores,
      memoryTotalBytes: totalmem(),
      memoryAvailableBytes: freemem(),
      processCpuPercent: processCpuPercent === null ? null : clampPercent(processCpuPercent),
      processRssBytes: process.memoryUsage.rss(),
      volumes,
      databaseBytes,
      walBytes,
      browser,
    };
  }
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, value));
}
