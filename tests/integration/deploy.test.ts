import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/server.js';

describe('the docker compose stack for IT', () => {
  it('is a valid compose file once the required secrets are set', () => {
    const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, GRAFANA_ADMIN_PASSWORD: 'a-long-grafana-password' },
    });
    expect(result.status, result.stderr).toBe(0);
  });

  it('refuses to start Grafana without an admin password', () => {
    const env = { ...process.env };
    delete env.GRAFANA_ADMIN_PASSWORD;
    const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: REPO_ROOT, encoding: 'utf8', env });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('GRAFANA_ADMIN_PASSWORD');
  });

  it('ships a Prometheus configuration that promtool accepts, scraping LexDesk’s /metrics', () => {
    const result = spawnSync('promtool', ['check', 'config', 'build/prometheus.yml'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    const config = readFileSync(join(REPO_ROOT, 'build', 'prometheus.yml'), 'utf8');
    expect(config).toContain('metrics_path: /metrics');
    expect(config).toContain("targets: ['lexdesk:3001']");
  });

  it('wires the app, Prometheus, Grafana and the proxy together', () => {
    const out = execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, GRAFANA_ADMIN_PASSWORD: 'a-long-grafana-password' },
    });
    for (const service of ['lexdesk:', 'prometheus:', 'grafana:', 'proxy:']) expect(out).toContain(service);
    expect(out).toContain('LEXDESK_DATA_DIR: /data');
  });
});
