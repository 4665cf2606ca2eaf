import type { ComputerInfo, ComputerVolume, HealthReport } from './contract/system.js';
import type { UpdateStatus } from './contract/updates.js';
import { formatBytes } from './format.js';

/* The support information: one plain text for the Overview's button and the desktop's Help menu. */

/** A health status in words. */
export const STATUS_LABEL: Record<HealthReport['status'], string> = { ok: 'Healthy', degraded: 'Degraded', down: 'Down' };

/** What each health check is called for people, on screen and in the support information. */
const CHECK_LABEL: Record<string, string> = {
  database: 'Database',
  system: 'CPU, memory, responsiveness',
  disk: 'Disk space',
  storage: 'Saving new data',
  monitoring: 'Monitoring',
  whatsapp: 'WhatsApp',
  backups: 'Backups',
  offsite: 'Off-site copy',
  signin: 'Sign-in',
  audit: 'Audit trail',
};

export function checkLabel(name: string): string {
  return CHECK_LABEL[name] ?? name;
}

export interface Installation {
  product: string;
  version: string;
  schemaVersion: number;
  mode: 'desktop' | 'headless';
}

export function describeOs(os: ComputerInfo['os']): string {
  return `${os.distro} ${os.release}${os.codename ? ` (${os.codename})` : ''}, ${os.arch}`;
}

export function describeCpu(cpu: ComputerInfo['cpu']): string {
  const physical = cpu.physicalCores && cpu.physicalCores !== cpu.cores ? ` (${cpu.physicalCores} physical)` : '';
  return `${cpu.model}, ${cpu.cores} core${cpu.cores === 1 ? '' : 's'}${physical}`;
}

/** "/ · ext4 · 250 GB · SSD", or what of it is known. */
export function describeVolume(volume: ComputerVolume | undefined): string {
  if (!volume?.mount) return 'unknown';
  const size = volume.sizeBytes === null ? null : formatBytes(volume.sizeBytes);
  return [volume.mount, volume.fsType, size, volume.kind, volume.model, volume.removable ? 'removable' : null].filter(Boolean).join(' · ');
}

export function describeVersions(versions: ComputerInfo['versions']): string {
  return [
    `LexDesk ${versions.lexdesk}`,
    versions.electron ? `Electron ${versions.electron}` : null,
    `Node ${versions.node}`,
    `SQLite ${versions.sqlite}`,
    versions.whatsappWebJs ? `whatsapp-web.js ${versions.whatsappWebJs}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

export function volumeOf(computer: ComputerInfo, folder: ComputerVolume['folder']): ComputerVolume | undefined {
  return computer.volumes.find((v) => v.folder === folder);
}

/**
 * The plain text IT pastes into a support request: versions, the computer, the
 * disks of its folders and the health checks; on the desktop also the update
 * state and the last errors of the log (their sentences only, never their
 * fields). Nothing in it is secret or about clients: no keys, no names or
 * numbers, no folder paths, only the disks they are on.
 */
export function supportText({
  installation,
  computer,
  health,
  update,
  recentErrors,
  at = new Date(),
}: {
  installation: Installation | undefined;
  computer: ComputerInfo;
  health: Pick<HealthReport, 'status' | 'checks'> | undefined;
  update?: UpdateStatus;
  recentErrors?: readonly { at: string; level: string; message: string }[];
  at?: Date;
}): string {
  const data = volumeOf(computer, 'data');
  const backup = volumeOf(computer, 'backup');
  const lines = [
    `${installation?.product ?? 'LexDesk'} support information, ${at.toISOString()}`,
    '',
    `Versions: ${describeVersions(computer.versions)}`,
    ...(installation
      ? [`Running as: ${installation.mode === 'desktop' ? 'desktop app' : 'server (headless)'}, database schema ${installation.schemaVersion}`]
      : []),
    `Operating system: ${describeOs(computer.os)}, kernel ${computer.os.kernel}`,
    `Processor: ${describeCpu(computer.cpu)}`,
    `Memory: ${formatBytes(computer.memoryBytes)}`,
    `Disk of the data folder: ${describeVolume(data)}`,
    `Disk of the backup folder: ${describeVolume(backup)}${data?.mount && data.mount === backup?.mount ? ' (the same disk)' : ''}`,
    `Computer read: ${computer.collectedAt}`,
    '',
    `Health: ${health ? STATUS_LABEL[health.status] : 'not known'}`,
    ...(health?.checks ?? []).map((c) => `  ${checkLabel(c.name)}: ${STATUS_LABEL[c.status]}${c.message ? ` (${c.message})` : ''}`),
  ];
  if (update && update.state !== 'unsupported') {
    lines.push(
      '',
      `Updates: ${update.state}${update.availableVersion ? ` (${update.availableVersion} available)` : ''}, channel ${update.channel}, ` +
        `last check ${update.lastCheckAt ?? 'never'}${update.feed ? '' : ', no update address configured'}`,
    );
  }
  if (recentErrors) {
    lines.push('', recentErrors.length === 0 ? 'Recent errors: none' : 'Recent errors:');
    for (const e of recentErrors) lines.push(`  ${e.at} ${e.level}: ${e.message}`);
  }
  return `${lines.join('\n')}\n`;
}
