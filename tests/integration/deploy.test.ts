import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { LOG_CATEGORIES } from '../../main/headless/logger.js';
import { parseLogQL } from '../support/logql.js';
import { REPO_ROOT, tempDir } from '../support/server.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** What IT fills in after `cp .env.production .env`. */
const FILLED: Record<string, string> = {
  GRAFANA_ADMIN_PASSWORD: 'a-long-grafana-password',
  ALERT_EMAIL_TO: 'it@office.example',
  ALERT_EMAIL_FROM: 'LexDesk <lexdesk@office.example>',
  ALERT_SMTP_SMARTHOST: 'smtp.office.example:587',
};

/**
 * The deployment as README describes it, in a folder of its own: docker-compose.yml
 * and `.env`, a copy of .env.production with `fill` set (compose reads `.env` both
 * for `${...}` and as the app's env_file).
 */
function deployment(fill: Record<string, string>): string {
  const dir = tempDir('lexdesk-compose-');
  folders.push(dir);
  copyFileSync(join(REPO_ROOT, 'docker-compose.yml'), join(dir, 'docker-compose.yml'));
  let env = readFileSync(join(REPO_ROOT, '.env.production'), 'utf8');
  for (const [key, value] of Object.entries(fill)) {
    expect(env, `.env.production lists ${key}`).toMatch(new RegExp(`^#?${key}=`, 'm'));
    env = env.replace(new RegExp(`^#?${key}=.*$`, 'm'), `${key}=${value}`);
  }
  writeFileSync(join(dir, '.env'), env);
  return dir;
}

const compose = (dir: string, args: string[]) =>
  spawnSync('docker-compose', ['-f', 'docker-compose.yml', ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });

describe('the docker compose stack for IT', () => {
  // the backup key's key-encryption key stays outside every volume a copy of the data would take
  it('the compose file mounts the KEK from outside every volume and puts the backups on their own volume', () => {
    const result = compose(deployment(FILLED), ['config']);
    expect(result.status, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toContain('LEXDESK_BACKUP_KEK_FILE: /run/secrets/backup-kek');
    expect(out).toMatch(/backup-kek:\n\s+file: .*\/secrets\/backup-kek/);
    expect(out).toContain('LEXDESK_BACKUP_DIR: /backups');
    expect(out).toContain('- lexdesk-backups:/backups');
    expect(out).toContain('- lexdesk-data:/data');
    expect(out).toMatch(/secrets:\n\s+- source: backup-kek/);
    // no volume is mounted where the KEK is read from
    expect(out).not.toMatch(/- [a-z-]+:\/run\/secrets/);
  });

  it('is a valid compose file with .env made from .env.production and its required settings filled in', () => {
    const result = compose(deployment(FILLED), ['config', '-q']);
    expect(result.status, result.stderr).toBe(0);
  });

  it('refuses to start without the Grafana password or the alert e-mail settings, naming what is missing', () => {
    for (const missing of ['GRAFANA_ADMIN_PASSWORD', 'ALERT_EMAIL_TO', 'ALERT_SMTP_SMARTHOST']) {
      const result = compose(deployment({ ...FILLED, [missing]: '' }), ['config', '-q']);
      expect(result.status, missing).not.toBe(0);
      expect(result.stderr).toContain(missing);
    }
  });

  it('wires LexDesk, NGINX, Prometheus, Alertmanager, Grafana, Loki and Promtail together', () => {
    const out = execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: deployment(FILLED), encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    const stack = parseYaml(out) as { services: Record<string, { image?: string; environment?: Record<string, string>; volumes?: unknown[]; ports?: unknown[] }> };
    expect(Object.keys(stack.services).sort()).toEqual(['alertmanager', 'grafana', 'lexdesk', 'loki', 'prometheus', 'promtail', 'proxy']);
    expect(stack.services.proxy!.image).toMatch(/^nginx:/);
    expect(JSON.stringify(stack.services.proxy!.volumes)).toContain('/etc/nginx/nginx.conf');
    // only the proxy is published
    for (const [name, service] of Object.entries(stack.services)) if (name !== 'proxy') expect(service.ports, name).toBeUndefined();
    expect(stack.services.lexdesk!.environment).toMatchObject({ LEXDESK_DATA_DIR: '/data', LEXDESK_TRUST_PROXY: '172.28.0.10', LEXDESK_BACKUP_DIR: '/backups' });
    expect(stack.services.alertmanager!.environment).toMatchObject({ ALERT_EMAIL_TO: 'it@office.example' });
    expect(stack.services.grafana!.environment!.GF_SERVER_ROOT_URL).toBe('https://lexdesk.localhost/grafana/');
    // NGINX reaches the services at their fixed addresses
    const nginx = readFileSync(join(REPO_ROOT, 'build', 'nginx', 'nginx.conf'), 'utf8');
    expect(nginx).toContain('server 172.28.0.5:3001;');
    expect(out).toContain('ipv4_address: 172.28.0.5');
    expect(out).toContain('ipv4_address: 172.28.0.10');
  });
});

describe('Prometheus and Alertmanager', () => {
  const PROMETHEUS = join(REPO_ROOT, 'build', 'prometheus');
  const run = (command: string, args: string[], cwd = PROMETHEUS, env: Record<string, string> = {}) =>
    spawnSync(command, args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });

  it('ships a configuration that promtool accepts, scraping LexDesk and loading the alert rules', () => {
    const result = run('promtool', ['check', 'config', 'prometheus.yml']);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('1 rule files found');
    const config = parseYaml(readFileSync(join(PROMETHEUS, 'prometheus.yml'), 'utf8')) as Record<string, unknown>;
    expect(config.rule_files).toEqual(['alerts.yml']);
    expect(JSON.stringify(config.alerting)).toContain('alertmanager:9093');
    expect(JSON.stringify(config.scrape_configs)).toContain('lexdesk:3001');
  });

  it('has the alert rules IT depends on, valid for promtool check rules', () => {
    const result = run('promtool', ['check', 'rules', 'alerts.yml']);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    const rules = parseYaml(readFileSync(join(PROMETHEUS, 'alerts.yml'), 'utf8')) as { groups: { rules: { alert: string }[] }[] };
    expect(rules.groups.flatMap((g) => g.rules.map((r) => r.alert)).sort()).toEqual(
      ['LexDeskAuditChainBroken', 'LexDeskBackupTooOld', 'LexDeskDiskAlmostFull', 'LexDeskDiskFull', 'LexDeskDown', 'LexDeskEventLoopDelay', 'LexDeskNoBackupYet', 'LexDeskOutboxFailed', 'LexDeskWhatsAppNotReady'],
    );
  });

  it('passes its promtool unit tests: each alert fires when it should, and only then', () => {
    const result = run('promtool', ['test', 'rules', 'alerts.test.yml']);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    // every alert has a test
    const tests = readFileSync(join(PROMETHEUS, 'alerts.test.yml'), 'utf8');
    const rules = readFileSync(join(PROMETHEUS, 'alerts.yml'), 'utf8');
    for (const [, alert] of rules.matchAll(/- alert: (\w+)/g)) expect(tests, alert).toContain(`alertname: ${alert}`);
  });

  it('a broken rule file would fail the unit tests (the check bites)', () => {
    const dir = tempDir('lexdesk-rules-');
    folders.push(dir);
    writeFileSync(join(dir, 'alerts.yml'), readFileSync(join(PROMETHEUS, 'alerts.yml'), 'utf8').replace('for: 10m\n        labels:\n          severity: critical', 'for: 30m\n        labels:\n          severity: critical'));
    copyFileSync(join(PROMETHEUS, 'alerts.test.yml'), join(dir, 'alerts.test.yml'));
    const result = run('promtool', ['test', 'rules', 'alerts.test.yml'], dir);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('LexDeskWhatsAppNotReady');
  });

  it('renders the Alertmanager configuration from .env and amtool accepts it', () => {
    const dir = tempDir('lexdesk-alertmanager-');
    folders.push(dir);
    const password = 'p"a\\s&s|w$rd';
    const rendered = join(dir, 'alertmanager.yml');
    const env = { ...FILLED, ALERT_SMTP_USERNAME: 'lexdesk', ALERT_SMTP_PASSWORD: password };
    const render = run('sh', [join(REPO_ROOT, 'build', 'alertmanager', 'render-config.sh'), join(REPO_ROOT, 'build', 'alertmanager', 'alertmanager.yml'), rendered], dir, env);
    expect(render.status, render.stderr).toBe(0);
    const check = run('amtool', ['check-config', rendered], dir);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('1 receivers');
    const config = parseYaml(readFileSync(rendered, 'utf8')) as { global: Record<string, string>; receivers: { email_configs: { to: string }[] }[] };
    expect(config.global.smtp_auth_password).toBe(password);
    expect(config.global.smtp_smarthost).toBe('smtp.office.example:587');
    expect(config.global.smtp_from).toBe('LexDesk <lexdesk@office.example>');
    expect(config.receivers[0]!.email_configs[0]!.to).toBe('it@office.example');
  });

  it('refuses to render without the recipient, naming the setting', () => {
    const dir = tempDir('lexdesk-alertmanager-');
    folders.push(dir);
    const render = run('sh', [join(REPO_ROOT, 'build', 'alertmanager', 'render-config.sh'), join(REPO_ROOT, 'build', 'alertmanager', 'alertmanager.yml'), join(dir, 'out.yml')], dir, { ...FILLED, ALERT_EMAIL_TO: '' });
    expect(render.status).not.toBe(0);
    expect(render.stderr).toContain('ALERT_EMAIL_TO');
  });
});

describe('Loki, Promtail and the logs dashboard', () => {
  const GRAFANA = join(REPO_ROOT, 'build', 'grafana');

  it('ships Loki and Promtail configurations (valid YAML; Loki itself does not run here)', () => {
    const loki = parseYaml(readFileSync(join(REPO_ROOT, 'build', 'loki', 'loki.yml'), 'utf8')) as Record<string, any>;
    expect(loki.server.http_listen_port).toBe(3100);
    expect(loki.schema_config.configs[0].schema).toBe('v13');
    expect(loki.limits_config.retention_period).toBe('2160h');
    const promtail = parseYaml(readFileSync(join(REPO_ROOT, 'build', 'loki', 'promtail.yml'), 'utf8')) as Record<string, any>;
    expect(promtail.clients[0].url).toBe('http://loki:3100/loki/api/v1/push');
    const job = promtail.scrape_configs[0];
    expect(job.relabel_configs[0]).toMatchObject({ regex: 'lexdesk|proxy', action: 'keep' });
    expect(job.pipeline_stages.at(-1).labels).toEqual({ category: null, level: null });
  });

  it('provisions the Loki datasource beside Prometheus', () => {
    const loki = parseYaml(readFileSync(join(GRAFANA, 'provisioning', 'datasources', 'loki.yml'), 'utf8')) as { datasources: Record<string, unknown>[] };
    expect(loki.datasources[0]).toMatchObject({ type: 'loki', uid: 'lexdesk-loki', url: 'http://loki:3100' });
  });

  it('every query of the "LexDesk logs" dashboard is LogQL of the right shape, on labels Promtail sets', () => {
    const dashboard = JSON.parse(readFileSync(join(GRAFANA, 'dashboards', 'lexdesk-logs.json'), 'utf8')) as {
      uid: string;
      title: string;
      panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[];
    };
    expect(dashboard.title).toBe('LexDesk logs');
    const titles = dashboard.panels.map((p) => p.title);
    expect(titles).toEqual(expect.arrayContaining(['Errors', 'Security events', 'WhatsApp reconnects']));
    for (const panel of dashboard.panels) {
      expect(panel.datasource.uid, panel.title).toBe('lexdesk-loki');
      for (const { expr } of panel.targets) {
        const query = parseLogQL(expr);
        for (const matcher of query.selector) {
          expect(['service', 'category', 'level'], `${panel.title}: ${matcher.label}`).toContain(matcher.label);
          if (matcher.label === 'category') expect(LOG_CATEGORIES).toContain(matcher.value);
          if (matcher.label === 'service') expect(['lexdesk', 'proxy']).toContain(matcher.value);
        }
      }
    }
  });

  it('the LogQL check refuses what Loki would refuse', () => {
    expect(() => parseLogQL('{service="lexdesk"')).toThrow();
    expect(() => parseLogQL('{service=lexdesk}')).toThrow(/quoted/);
    expect(() => parseLogQL('{level=~".*"}')).toThrow(/empty/);
    expect(() => parseLogQL('sum(count_over_time({service="lexdesk"}))')).toThrow();
    expect(() => parseLogQL('{service="lexdesk"} |= "a" | status >= x')).toThrow();
    expect(() => parseLogQL('{service="lexdesk", level=~"(error"}')).toThrow();
    expect(parseLogQL('sum by (category) (count_over_time({service="lexdesk", level=~"error|fatal"} [5m]))').metric).toMatchObject({ by: ['category'], range: '5m' });
  });
});
