import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeSystemProbe, ProcTreeMeter } from '../../main/core/monitoring/probe.js';
import { tempDir } from '../support/server.js';

describe('the system probe (this machine)', () => {
  it('reads CPU from the second reading on, memory, the volumes of the folders and the database files', async () => {
    const dir = tempDir();
    const database = join(dir, 'lexdesk.sqlite');
    writeFileSync(database, Buffer.alloc(8192));
    writeFileSync(`${database}-wal`, Buffer.alloc(1000));
    const probe = new NodeSystemProbe();
    const request = {
      volumes: [
        { name: 'data' as const, path: dir },
        // a backup folder that does not exist yet: its nearest existing parent's volume
        { name: 'backup' as const, path: join(dir, 'not', 'yet', 'there') },
      ],
      databaseFile: database,
      browserPid: null,
    };
    const first = await probe.read(request);
    expect(first.cpuPercent).toBeNull();
    expect(first.processCpuPercent).toBeNull();
    const until = Date.now() + 100;
    while (Date.now() < until) {
      // some CPU for the second reading to see
    }
    const second = await probe.read(request);
    expect(second.cpuPercent).toBeGreaterThan(0);
    expect(second.cpuPercent).toBeLessThanOrEqual(100);
    expect(second.processCpuPercent).toBeGreaterThan(0);
    expect(second.cores).toBeGreaterThanOrEqual(1);
    expect(second.memoryAvailableBytes).toBeGreaterThan(0);
    expect(second.memoryAvailableBytes).toBeLessThan(second.memoryTotalBytes);
    expect(second.processRssBytes).toBeGreaterThan(10e6);
    expect(second.volumes.map((v) => v.name)).toEqual(['data', 'backup']);
    expect(second.volumes[0]!.freeBytes).toBeGreaterThan(0);
    expect(second.volumes[0]!.freeBytes).toBeLessThanOrEqual(second.volumes[0]!.totalBytes);
    expect(second.databaseBytes).toBe(8192);
    expect(second.walBytes).toBe(1000);
    expect(second.browser).toBeNull();
  });
});

describe.runIf(process.platform === 'linux')('the process-tree meter (Linux /proc; the browser of WhatsApp)', () => {
  it('adds up a process and its children, and sees their CPU', async () => {
    // a parent that starts a busy child, as Chromium starts its renderers
    const parent = spawn(
      process.execPath,
      [
        '-e',
        `const c = require('child_process').spawn(process.execPath, ['-e', 'const e = Date.now() + 20000; while (Date.now() < e) {}'], { stdio: 'ignore' });
         c.on('spawn', () => process.stdout.write('ready\\n'));
         process.on('SIGTERM', () => { c.kill(); process.exit(0); });
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    try {
      // once the child runs (however slow the machine is to start it)
      await new Promise<void>((resolve) => parent.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
      const meter = new ProcTreeMeter();
      const first = await meter.read(parent.pid!, 1);
      expect(first).toMatchObject({ processes: 2, cpuPercent: null });
      expect(first!.memoryBytes).toBeGreaterThan(20e6);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const second = await meter.read(parent.pid!, 1);
      expect(second!.processes).toBe(2);
      // the busy child spins on one core (less of it on a crowded machine, never nothing)
      expect(second!.cpuPercent).toBeGreaterThan(10);
    } finally {
      parent.kill('SIGTERM');
    }
    expect(await new ProcTreeMeter().read(999_999_999, 1)).toBeNull();
  });
});
