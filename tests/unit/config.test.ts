import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, desktopDataDir, loadConfig } from '../../main/core/config.js';
import { tempDir } from '../support/server.js';

describe('configuration', () => {
  it('uses the documented defaults for headless mode', () => {
    const cwd = tempDir();
    const config = loadConfig({ face: 'headless', env: {}, envFile: null, cwd });
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(3001);
    expect(config.dataDir).toBe(join(cwd, 'data'));
    expect(config.databaseFile).toBe(join(cwd, 'data', 'lexdesk.sqlite'));
  });

  it('puts desktop data in the OS app-data folder', () => {
    expect(desktopDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toContain('LexDesk');
    expect(desktopDataDir({ XDG_CONFIG_HOME: '/home/a/.config' }, 'linux')).toBe('/home/a/.config/LexDesk');
    const config = loadConfig({ face: 'desktop', env: { XDG_CONFIG_HOME: '/x/cfg' }, envFile: null });
    if (process.platform === 'linux') expect(config.dataDir).toBe('/x/cfg/LexDesk');
  });

  it('names the variable of a bad value', () => {
    expect(() => loadConfig({ face: 'headless', env: { LEXDESK_PORT: 'abc' }, envFile: null })).toThrow(ConfigError);
    try {
      loadConfig({ face: 'headless', env: { LEXDESK_PORT: '70000' }, envFile: null });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).variable).toBe('LEXDESK_PORT');
      expect((err as Error).message).toMatch(/^LEXDESK_PORT: must be a whole number from 0 to 65535 \(got "70000"\)$/);
    }
    expect(() => loadConfig({ face: 'headless', env: { LEXDESK_LOG_LEVEL: 'loud' }, envFile: null })).toThrow(
      /LEXDESK_LOG_LEVEL/,
    );
  });

  it('reads a .env file, with the environment taking precedence', () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.env'), 'LEXDESK_PORT=4000\nLEXDESK_HOST=0.0.0.0\n');
    const fromFile = loadConfig({ face: 'headless', env: {}, cwd });
    expect(fromFile.port).toBe(4000);
    expect(fromFile.host).toBe('0.0.0.0');
    const overridden = loadConfig({ face: 'headless', env: { LEXDESK_PORT: '5000' }, cwd });
    expect(overridden.port).toBe(5000);
  });
});

describe('monitoring configuration', () => {
  it('reads the update feed: none by default, an https folder or GitHub releases, and refuses plain http elsewhere', () => {
    const feed = (value?: string) =>
      loadConfig({ face: 'desktop', env: value === undefined ? {} : { LEXDESK_UPDATE_URL: value }, envFile: null }).updateFeed;
    expect(feed()).toBeNull();
    expect(feed('')).toBeNull();
    expect(feed('https://updates.office.example/lexdesk')).toEqual({ provider: 'generic', url: 'https://updates.office.example/lexdesk/' });
    expect(feed('github:acme/lexdesk')).toEqual({ provider: 'github', owner: 'acme', repo: 'lexdesk' });
    expect(() => feed('http://updates.office.example/')).toThrow(/LEXDESK_UPDATE_URL.*https:\/\//);
  });

  it('defaults to a 15-second collector and open /metrics', () => {
    const config = loadConfig({ face: 'headless', env: {}, envFile: null, cwd: tempDir() });
    expect(config.monitoringIntervalSeconds).toBe(15);
    expect(config.metricsToken).toBeUndefined();
    expect(config.metricsAllow).toBeUndefined();
  });

  it('reads the interval, the metrics token and the allow-list', () => {
    const config = loadConfig({
      face: 'headless',
      env: {
        LEXDESK_MONITORING_INTERVAL: '30',
        LEXDESK_METRICS_TOKEN: 'x'.repeat(32),
        LEXDESK_METRICS_ALLOW: ' 10.0.0.0/8, 192.168.1.20 ,::1 , fd00::/8',
      },
      envFile: null,
    });
    expect(config.monitoringIntervalSeconds).toBe(30);
    expect(config.metricsToken).toBe('x'.repeat(32));
    expect(config.metricsAllow).toEqual(['10.0.0.0/8', '192.168.1.20', '::1', 'fd00::/8']);
  });

  it('refuses a bad interval or allow-list, and never repeats a token in the error', () => {
    expect(() => loadConfig({ face: 'headless', env: { LEXDESK_MONITORING_INTERVAL: '0' }, envFile: null })).toThrow(
      /^LEXDESK_MONITORING_INTERVAL: must be a whole number of seconds from 1 to 3600/,
    );
    for (const allow of ['10.0.0.0/33', 'lexdesk.local', '10.0.0.1/8/2', ',']) {
      expect(() => loadConfig({ face: 'headless', env: { LEXDESK_METRICS_ALLOW: allow }, envFile: null })).toThrow(
        /^LEXDESK_METRICS_ALLOW: must be a comma-separated list/,
      );
    }
    try {
      loadConfig({ face: 'headless', env: { LEXDESK_METRICS_TOKEN: 'short-secret' }, envFile: null });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).variable).toBe('LEXDESK_METRICS_TOKEN');
      expect((err as Error).message).toBe('LEXDESK_METRICS_TOKEN: must be at least 16 characters');
    }
  });
});
