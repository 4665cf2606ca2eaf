import { realpath } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, cpus, platform, release, totalmem, type } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import si, { type Systeminformation } from 'systeminformation';
import type { ComputerInfo, ComputerVolume } from '../../../shared/contract/system.js';
import type { Clock } from '../clock.js';
import type { Lifecycle } from '../lifecycle.js';
import type { Logger } from '../log.js';

/**
 * The parts of systeminformation LexDesk reads. Some of them start a program
 * (lsblk, df, PowerShell), and osInfo() even runs `hostname` synchronously, so
 * they are read once and never on a call's path; the monitoring collector keeps
 * to Node's own counters for the same reason.
 */
export interface MachineSource {
  osInfo(): Promise<Pick<Systeminformation.OsData, 'platform' | 'distro' | 'release' | 'codename' | 'kernel' | 'arch'>>;
  cpu(): Promise<Pick<Systeminformation.CpuData, 'manufacturer' | 'brand' | 'cores' | 'physicalCores'>>;
  fsSize(): Promise<Pick<Systeminformation.FsSizeData, 'fs' | 'type' | 'size' | 'mount'>[]>;
  blockDevices(): Promise<Pick<Systeminformation.BlockDevicesData, 'name' | 'device' | 'physical' | 'model' | 'removable'>[]>;
}

interface Machine {
  os: ComputerInfo['os'];
  cpu: ComputerInfo['cpu'];
  filesystems: Awaited<ReturnType<MachineSource['fsSize']>>;
  devices: Awaited<ReturnType<MachineSource['blockDevices']>>;
  collectedAt: string;
}

/** Long enough for a slow PowerShell, short enough that a hung lsblk cannot hold the answer. */
const READ_TIMEOUT_MS = 15_000;
/** The machine is read this long after the start, so that it does not compete with the start itself. */
const READ_AFTER_START_MS = 2_000;

const require = createRequire(import.meta.url);

function packageVersion(name: string): string | null {
  try {
    return (require(`${name}/package.json`) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

/** What one part of systeminformation answered, or null when it failed or took too long. */
async function settle<T>(read: () => Promise<T>, what: string, log: Logger): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((done) => {
    timer = setTimeout(() => done(null), READ_TIMEOUT_MS);
    timer.unref();
  });
  try {
    const value = await Promise.race([read(), timeout]);
    if (value === null) log.warn({ what }, 'reading the computer took too long; that part is left out');
    return value;
  } catch (err) {
    log.warn({ err, what }, 'could not read part of the computer; that part is left out');
    return null;
  } finally {
    clearTimeout(timer);
  }
}

async function readMachine(source: MachineSource, log: Logger, clock: Clock): Promise<Machine> {
  const [os, cpu, filesystems, devices] = await Promise.all([
    settle(() => source.osInfo(), 'operating system', log),
    settle(() => source.cpu(), 'processor', log),
    settle(() => source.fsSize(), 'file systems', log),
    settle(() => source.blockDevices(), 'disks', log),
  ]);
  const logical = cpus();
  return {
    // Node's own answers where systeminformation has none
    os: {
      platform: os?.platform || platform(),
      distro: os?.distro || type(),
      release: os?.release || release(),
      codename: os?.codename || null,
      kernel: os?.kernel || release(),
      arch: os?.arch || arch(),
    },
    cpu: {
      model: [cpu?.manufacturer, cpu?.brand].filter(Boolean).join(' ') || logical[0]?.model.trim() || 'unknown',
      cores: cpu?.cores || logical.length,
      physicalCores: cpu?.physicalCores || null,
    },
    filesystems: filesystems ?? [],
    devices: devices ?? [],
    collectedAt: clock.now().toISOString(),
  };
}

function comparable(path: string): string {
  const slashes = path.replace(/\\/g, '/');
  const trimmed = slashes.length > 1 ? slashes.replace(/\/+$/, '') : slashes;
  return platform() === 'win32' ? trimmed.toLowerCase() : trimmed;
}

function within(path: string, mount: string): boolean {
  const p = comparable(path);
  const m = comparable(mount);
  return m === '/' || p === m || p.startsWith(`${m}/`);
}

/** The folder with its links followed; a folder that does not exist yet is where its nearest parent is. */
async function realFolder(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : resolve(await realFolder(parent), basename(absolute));
  }
}

async function volumeOf(folder: ComputerVolume['folder'], path: string, machine: Machine): Promise<ComputerVolume> {
  const real = await realFolder(path);
  const fs = machine.filesystems
    .filter((f) => f.mount && within(real, f.mount))
    .sort((a, b) => b.mount.length - a.mount.length)[0];
  const device = fs && machine.devices.find((d) => d.device === fs.fs || `/dev/${d.name}` === fs.fs || d.name === fs.fs);
  return {
    folder,
    mount: fs?.mount ?? null,
    fsType: fs?.type || null,
    sizeBytes: fs?.size ?? null,
    kind: device?.physical || null,
    model: device?.model || null,
    removable: device ? device.removable : null,
  };
}

/**
 * The computer LexDesk runs on, read once (a moment after the start, or at the
 * first question on the command line) and kept: none of it changes while
 * LexDesk runs. A part that cannot be read is left out, never an error.
 *
 *   const info = await services.computer.describe({ version, sqlite: '3.46.1', folders: { data, backup } });
 */
export class Computer implements Lifecycle {
  readonly name = 'computer';
  private machine: Promise<Machine> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: { log: Logger; clock: Clock; source?: MachineSource }) {}

  start(): void {
    this.timer = setTimeout(() => void this.read(), READ_AFTER_START_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private read(): Promise<Machine> {
    this.machine ??= readMachine(this.deps.source ?? si, this.deps.log, this.deps.clock);
    return this.machine;
  }

  async describe(now: { version: string; sqlite: string; folders: { data: string; backup: string } }): Promise<ComputerInfo> {
    const machine = await this.read();
    return {
      os: machine.os,
      cpu: machine.cpu,
      memoryBytes: totalmem(),
      volumes: [await volumeOf('data', now.folders.data, machine), await volumeOf('backup', now.folders.backup, machine)],
      versions: {
        lexdesk: now.version,
        node: process.versions.node,
        // the desktop app runs the core inside Electron's main process
        electron: process.versions.electron ?? null,
        sqlite: now.sqlite,
        whatsappWebJs: packageVersion('whatsapp-web.js'),
      },
      collectedAt: machine.collectedAt,
    };
  }
}
