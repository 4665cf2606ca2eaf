/// <reference types="electron" />
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ComputerInfo } from '../../shared/contract/system.js';
import type { UpdateStatus } from '../../shared/contract/updates.js';
import { logFilesIn, RecentErrors, redactLogText, rotateLogFile } from '../../main/electron/log-files.js';
import { applicationMenu, type AppMenuActions } from '../../main/electron/menu.js';
import { supportBundle, supportInformationText, type SupportDeps } from '../../main/electron/support.js';
import { zip } from '../../main/electron/zip.js';
import { tempDir } from '../support/server.js';

const computer: ComputerInfo = {
  os: { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', codename: 'bookworm', kernel: '6.1.0', arch: 'x64' },
  cpu: { model: 'Intel Core i5', cores: 4, physicalCores: 2 },
  memoryBytes: 8 * 1024 ** 3,
  volumes: [
    { folder: 'data', mount: '/', fsType: 'ext4', sizeBytes: 250e9, kind: 'SSD', model: null, removable: false },
    { folder: 'backup', mount: '/media/backup', fsType: 'vfat', sizeBytes: 1e12, kind: 'HDD', model: null, removable: true },
  ],
  versions: { lexdesk: '0.1.0', node: '22.20.0', electron: '45.5.0', sqlite: '3.53.2', whatsappWebJs: '1.34.7' },
  collectedAt: '2026-12-01T09:00:00.000Z',
};
const update: UpdateStatus = {
  state: 'ready',
  currentVersion: '0.1.0',
  channel: 'latest',
  feed: 'https://updates.office.example/lexdesk/',
  availableVersion: '0.2.0',
  percent: 100,
  lastCheckAt: '2026-12-01T08:00:00.000Z',
  nextCheckAt: null,
  message: null,
};

function deps(logsDir: string, errors = new RecentErrors()): SupportDeps {
  return {
    information: async () => ({
      installation: { product: 'LexDesk', version: '0.1.0', schemaVersion: 7, mode: 'desktop' },
      computer,
      health: { status: 'degraded', version: '0.1.0', checks: [{ name: 'whatsapp', status: 'degraded', message: 'WhatsApp dropped and is reconnecting.' }] },
    }),
    update: () => update,
    recentErrors: () => errors.list(),
    logsDir,
    now: () => new Date('2026-12-01T10:30:00Z'),
  };
}

const CLIENT_LINE =
  '[2026-12-01 10:00:00.123] [warn] could not store an inbound WhatsApp message {"component":"whatsapp","chatId":"5511987654321@c.us","text":"My divorce hearing is on Monday","name":"Ana Souza","token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"}';

describe('support information and the support bundle', () => {
  it('the support information has versions, the OS, health, updates and the last errors, nothing about clients', async () => {
    const errors = new RecentErrors(2);
    errors.add('warn', 'one', new Date('2026-12-01T10:00:00Z'));
    errors.add('error', 'the backup folder is unreachable', new Date('2026-12-01T10:01:00Z'));
    errors.add('error', 'could not send to 5511987654321@c.us', new Date('2026-12-01T10:02:00Z'));
    const text = await supportInformationText(deps(tempDir(), errors));
    expect(text).toContain('Versions: LexDesk 0.1.0 · Electron 45.5.0 · Node 22.20.0 · SQLite 3.53.2 · whatsapp-web.js 1.34.7');
    expect(text).toContain('Operating system: Debian GNU/Linux 12 (bookworm), x64, kernel 6.1.0');
    expect(text).toContain('  WhatsApp: Degraded (WhatsApp dropped and is reconnecting.)');
    expect(text).toContain('Updates: ready (0.2.0 available), channel latest, last check 2026-12-01T08:00:00.000Z');
    expect(text).toContain('Recent errors:\n  2026-12-01T10:01:00.000Z error: the backup folder is unreachable\n  2026-12-01T10:02:00.000Z error: could not send to [chat]');
    expect(text).not.toContain('one\n');
    expect(text).not.toMatch(/5511987654321/);
  });

  it('log lines are redacted: private fields, chat ids, numbers, e-mail addresses, tokens and keys', () => {
    const line = redactLogText(CLIENT_LINE);
    expect(line).toBe(
      '[2026-12-01 10:00:00.123] [warn] could not store an inbound WhatsApp message {"component":"whatsapp","chatId":"[redacted]","text":"[redacted]","name":"[redacted]","token":"[redacted]"}',
    );
    expect(redactLogText('sent to maria@office.example from +55 11 98765 4321, key 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08')).toBe(
      'sent to [email] from [number], key [hex]',
    );
    expect(redactLogText('Authorization: Bearer abc.def-ghi')).toBe('Authorization: [credentials]');
    // what support needs stays: times, levels, versions, component names, counts
    expect(redactLogText('[2026-12-01 10:00:00.123] [info] LexDesk started {"version":"0.1.0","rows":12}')).toBe(
      '[2026-12-01 10:00:00.123] [info] LexDesk started {"version":"0.1.0","rows":12}',
    );
  });

  it('the bundle is a zip of the support information and the redacted logs, current and rotated, that unzip opens', async () => {
    const logs = tempDir();
    writeFileSync(join(logs, 'main.log'), `${CLIENT_LINE}\n[2026-12-01 10:05:00.000] [info] LexDesk started\n`);
    writeFileSync(join(logs, 'main.1.log'), '[2026-11-30 09:00:00.000] [info] older\n');
    const bundle = await supportBundle(deps(logs));
    expect(bundle.fileName).toBe('LexDesk-support-202612011030.zip');
    const file = join(tempDir(), bundle.fileName);
    writeFileSync(file, bundle.data);
    execFileSync('unzip', ['-tq', file]);
    const listing = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toEqual(['support-information.txt', 'logs/main.log', 'logs/main.1.log']);
    const log = execFileSync('unzip', ['-p', file, 'logs/main.log'], { encoding: 'utf8' });
    expect(log).toContain('"text":"[redacted]"');
    expect(log).not.toContain('divorce');
    expect(log).not.toContain('5511987654321');
    expect(execFileSync('unzip', ['-p', file, 'support-information.txt'], { encoding: 'utf8' })).toContain('LexDesk support information');
  });

  it('zip keeps UTF-8 names and any bytes', () => {
    const file = join(tempDir(), 'x.zip');
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    writeFileSync(file, zip([{ name: 'ação/é.txt', data: 'olá' }, { name: 'raw.bin', data: bytes }]));
    expect(execFileSync('unzip', ['-p', file, 'raw.bin'])).toEqual(bytes);
    // Python's zipfile reads the UTF-8 flag (Info-ZIP's listing depends on the locale)
    const names = execFileSync('python3', ['-c', 'import sys, zipfile; print("|".join(zipfile.ZipFile(sys.argv[1]).namelist()))', file], { encoding: 'utf8' });
    expect(names.trim()).toBe('ação/é.txt|raw.bin');
  });
});

describe('the log files', () => {
  it('rotate main.log to main.1.log and on, keeping four old ones', () => {
    const dir = tempDir();
    const current = join(dir, 'main.log');
    for (let round = 1; round <= 6; round++) {
      writeFileSync(current, `round ${round}\n`);
      rotateLogFile(current);
    }
    expect(existsSync(current)).toBe(false);
    expect(logFilesIn(dir).map((f) => f.slice(dir.length + 1))).toEqual(['main.1.log', 'main.2.log', 'main.3.log', 'main.4.log']);
    expect(readFileSync(join(dir, 'main.1.log'), 'utf8')).toBe('round 6\n');
    expect(readFileSync(join(dir, 'main.4.log'), 'utf8')).toBe('round 3\n');
    mkdirSync(join(dir, 'not-a-log'));
    writeFileSync(current, 'now\n');
    expect(logFilesIn(dir)[0]).toBe(current);
  });
});

describe('the application menu', () => {
  const actions = (platform: NodeJS.Platform, calls: string[] = []): AppMenuActions => ({
    platform,
    developer: false,
    about: () => calls.push('about'),
    quit: () => calls.push('quit'),
    openLogsFolder: () => calls.push('logs'),
    copySupportInformation: () => calls.push('copy'),
    exportSupportBundle: () => calls.push('bundle'),
    checkForUpdates: () => calls.push('updates'),
    startAtLogin: { get: () => true, set: (on) => calls.push(`login:${on}`) },
  });
  const find = (items: Electron.MenuItemConstructorOptions[], id: string): Electron.MenuItemConstructorOptions | undefined => {
    for (const item of items) {
      if (item.id === id) return item;
      const inner = Array.isArray(item.submenu) ? find(item.submenu, id) : undefined;
      if (inner) return inner;
    }
    return undefined;
  };
  const click = (item: Electron.MenuItemConstructorOptions | undefined, checked = false) =>
    item?.click?.({ checked } as Electron.MenuItem, undefined, {} as Electron.KeyboardEvent);

  it('has the standard Edit and Window roles, View with zoom, and Help with logs, support information and bundle', () => {
    const calls: string[] = [];
    const menu = applicationMenu(actions('win32', calls));
    expect(menu.map((m) => m.role ?? m.label)).toEqual(['File', 'editMenu', 'View', 'windowMenu', 'help']);
    const view = menu.find((m) => m.label === 'View')!.submenu as Electron.MenuItemConstructorOptions[];
    expect(view.map((v) => v.role).filter(Boolean)).toEqual(['resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen']);
    for (const id of ['logs', 'copy-support', 'support-bundle', 'about', 'check-updates', 'quit']) click(find(menu, id));
    click(find(menu, 'start-at-login'), false);
    expect(calls).toEqual(['logs', 'copy', 'bundle', 'about', 'updates', 'quit', 'login:false']);
  });

  it('on macOS puts About, updates and Quit in the app menu, and no developer tools in an installed app', () => {
    const menu = applicationMenu(actions('darwin'));
    expect(menu[0]!.label).toBe('LexDesk');
    const appItems = menu[0]!.submenu as Electron.MenuItemConstructorOptions[];
    expect(appItems.map((i) => i.id ?? i.role ?? i.type)).toEqual(
      expect.arrayContaining(['about', 'check-updates', 'start-at-login', 'hide', 'quit']),
    );
    expect(JSON.stringify(menu)).not.toContain('toggleDevTools');
    expect(JSON.stringify(applicationMenu({ ...actions('darwin'), developer: true }))).toContain('toggleDevTools');
  });
});
