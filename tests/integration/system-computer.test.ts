import { statfsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, cpus, release } from 'node:os';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComputerInfo } from '../../shared/contract/system.js';
import { APP_VERSION } from '../../main/core/version.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { tempDir } from '../support/server.js';

const require = createRequire(import.meta.url);
let core: TestCore;
let backupDir: string;

beforeAll(async () => {
  backupDir = tempDir('lexdesk-computer-backups-');
  core = await startTestCore({ env: { LEXDESK_BACKUP_DIR: backupDir } });
});
afterAll(async () => {
  await core.dispose();
});

describe('system.computer', () => {
  it('describes this machine and the versions LexDesk runs with, read once', async () => {
    const info = await doorAs(core, 'admin').ok<ComputerInfo>('system.computer');

    expect(info.cpu.cores).toBe(cpus().length);
    expect(info.cpu.model.length).toBeGreaterThan(0);
    expect(info.os.arch).toBe(arch());
    if (process.platform === 'linux') expect(info.os.kernel).toBe(release());
    expect(info.os.distro.length).toBeGreaterThan(0);

    const memory = new Database(':memory:');
    const { version: sqlite } = memory.prepare('select sqlite_version() as version').get() as { version: string };
    memory.close();
    expect(info.versions).toEqual({
      lexdesk: APP_VERSION,
      node: process.versions.node,
      electron: null,
      sqlite,
      whatsappWebJs: (require('whatsapp-web.js/package.json') as { version: string }).version,
    });

    // each folder is on the file system that holds it, with that file system's size
    for (const [folder, path] of [['data', core.config.dataDir], ['backup', backupDir]] as const) {
      const volume = info.volumes.find((v) => v.folder === folder)!;
      expect(volume.mount).not.toBeNull();
      expect(path === volume.mount || path.startsWith(volume.mount === '/' ? '/' : `${volume.mount}/`)).toBe(true);
      const fs = statfsSync(path);
      expect(volume.sizeBytes! / (fs.blocks * fs.bsize)).toBeCloseTo(1, 2);
    }

    const again = await doorAs(core, 'admin').ok<ComputerInfo>('system.computer');
    expect(again.collectedAt).toBe(info.collectedAt);
  });

  it('is for those who read monitoring: a lawyer may, an assistant is refused', async () => {
    expect((await doorAs(core, 'lawyer').call('system.computer')).ok).toBe(true);
    expect(await doorAs(core, 'assistant').call('system.computer')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await core.dispatcher.dispatch('system.computer', {}, { face: 'headless' })).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });
  });
});
