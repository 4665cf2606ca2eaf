import { arch, cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../main/core/clock.js';
import { silentLogger } from '../../main/core/log.js';
import { Computer, type MachineSource } from '../../main/core/system/info.js';

const now = { version: '9.9.9', sqlite: '3.0.0', folders: { data: '/srv/lexdesk/data', backup: '/media/usb/backups' } };

function source(overrides: Partial<MachineSource> = {}): MachineSource & { reads: number } {
  const counted = {
    reads: 0,
    async osInfo() {
      counted.reads++;
      return { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', codename: 'bookworm', kernel: '6.1.0', arch: 'x64' };
    },
    async cpu() {
      return { manufacturer: 'AMD', brand: 'EPYC', cores: 8, physicalCores: 4 };
    },
    async fsSize() {
      return [
        { fs: '/dev/sda1', type: 'ext4', size: 500e9, mount: '/' },
        { fs: '/dev/sdb1', type: 'ext4', size: 2e12, mount: '/srv' },
        { fs: '/dev/sdc1', type: 'vfat', size: 64e9, mount: '/media/usb' },
      ];
    },
    async blockDevices() {
      return [
        { name: 'sdb1', device: '/dev/sdb', physical: 'SSD', model: 'Fast disk', removable: false },
        { name: 'sdc1', device: '/dev/sdc', physical: 'HDD', model: 'Stick', removable: true },
      ];
    },
    ...overrides,
  };
  return counted;
}

describe('the computer LexDesk runs on', () => {
  it('puts each folder on the deepest file system that holds it, with its disk', async () => {
    const computer = new Computer({ log: silentLogger, clock: new ManualClock(), source: source() });
    const info = await computer.describe(now);
    expect(info.os).toEqual({ platform: 'linux', distro: 'Debian GNU/Linux', release: '12', codename: 'bookworm', kernel: '6.1.0', arch: 'x64' });
    expect(info.cpu).toEqual({ model: 'AMD EPYC', cores: 8, physicalCores: 4 });
    expect(info.volumes).toEqual([
      { folder: 'data', mount: '/srv', fsType: 'ext4', sizeBytes: 2e12, kind: 'SSD', model: 'Fast disk', removable: false },
      { folder: 'backup', mount: '/media/usb', fsType: 'vfat', sizeBytes: 64e9, kind: 'HDD', model: 'Stick', removable: true },
    ]);
  });

  it('reads the machine once, however often it is asked', async () => {
    const counted = source();
    const computer = new Computer({ log: silentLogger, clock: new ManualClock(), source: counted });
    const first = await computer.describe(now);
    const second = await computer.describe({ ...now, version: '9.9.10' });
    expect(counted.reads).toBe(1);
    expect(second.collectedAt).toBe(first.collectedAt);
    expect(second.versions.lexdesk).toBe('9.9.10');
  });

  it('answers with what Node knows when systeminformation fails', async () => {
    const broken = source({
      osInfo: () => Promise.reject(new Error('no /etc/os-release')),
      cpu: () => Promise.reject(new Error('no lscpu')),
      fsSize: () => Promise.reject(new Error('no df')),
      blockDevices: () => Promise.reject(new Error('no lsblk')),
    });
    const computer = new Computer({ log: silentLogger, clock: new ManualClock(), source: broken });
    const info = await computer.describe(now);
    expect(info.os.arch).toBe(arch());
    expect(info.cpu.cores).toBe(cpus().length);
    expect(info.cpu.model.length).toBeGreaterThan(0);
    expect(info.volumes.map((v) => v.mount)).toEqual([null, null]);
  });
});
