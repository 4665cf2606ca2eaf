import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, startServer, tempDir, type RunningServer } from '../support/server.js';
import { dashboardQueries } from '../support/grafana.js';

const SHIPPED = join(REPO_ROOT, 'build', 'prometheus', 'prometheus.yml');

let server: RunningServer | undefined;
let prometheus: ChildProcess | undefined;
const folders: string[] = [];

afterEach(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
    prometheus.kill('SIGTERM');
    await exited;
  }
  prometheus = undefined;
  await server?.stop();
  server = undefined;
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The shipped build/prometheus/prometheus.yml, pointed at the test's LexDesk instead of the
 * compose service name and scraping every second instead of every 15.
 */
function configFromShipped(target: string, edit: (text: string) => string = (t) => t): string {
  const shipped = readFileSync(SHIPPED, 'utf8');
  expect(shipped).toContain("targets: ['lexdesk:3001']");
  return edit(shipped)
    .replace("targets: ['lexdesk:3001']", `targets: ['${target}']`)
    .replace(/scrape_interval: 15s/, 'scrape_interval: 1s');
}

async function startPrometheus(config: string): Promise<string> {
  const dir = tempDir('lexdesk-prometheus-');
  folders.push(dir);
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, config);
  // the alert rules the shipped configuration loads, beside it as in /etc/prometheus
  copyFileSync(join(REPO_ROOT, 'build', 'prometheus', 'alerts.yml'), join(dir, 'alerts.yml'));
  const check = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
  expect(check.status, check.stdout + check.stderr).toBe(0);
  const port = await freePort();
  const output: string[] = [];
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${file}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  prometheus.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/-/ready`)).ok) return base;
    } catch {
      // not listening yet
    }
    if (prometheus.exitCode !== null || Date.now() > deadline) throw new Error(`prometheus did not start:\n${output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface QueryResult {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(base: string, promql: string): Promise<QueryResult[]> {
  const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; data: { result: QueryResult[] } };
  expect(body.status).toBe('success');
  return body.data.result;
}

/** Polls until the query returns something (Prometheus scrapes every second here). */
async function eventually(base: string, promql: string, timeoutMs = 20_000): Promise<QueryResult[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await query(base, promql);
    if (result.length > 0) return result;
    if (Date.now() > deadline) throw new Error(`no result for ${promql}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('Prometheus scraping a running headless LexDesk', () => {
  it('with the shipped config: up == 1 and LexDesk’s metrics are queryable', async () => {
    server = await startServer({ env: { LEXDESK_MONITORING_INTERVAL: '1' } });
    // a little traffic through the door
    for (let i = 0; i < 3; i++) {
      await fetch(`${server.url}/api/rpc/system.info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    }
    const base = await startPrometheus(configFromShipped(new URL(server.url).host));

    const up = await eventually(base, 'up{job="lexdesk"} == 1');
    expect(up).toHaveLength(1);
    expect(up[0]!.value[1]).toBe('1');

    const build = await eventually(base, 'lexdesk_build_info');
    expect(build[0]!.metric).toMatchObject({ job: 'lexdesk', version: expect.any(String) });
    const info = await eventually(base, 'lexdesk_operation_duration_seconds_count{operation="system.info",outcome="ok"}');
    expect(Number(info[0]!.value[1])).toBe(3);
    const disk = await eventually(base, 'lexdesk_volume_free_bytes{volume="data"}');
    expect(Number(disk[0]!.value[1])).toBeGreaterThan(0);
    await eventually(base, 'nodejs_eventloop_lag_p99_seconds');
    await eventually(base, 'process_resident_memory_bytes');
    const alerts = await eventually(base, 'lexdesk_alert_firing');
    expect(alerts.length).toBeGreaterThanOrEqual(11);

    // every query of the Grafana dashboard is PromQL this Prometheus accepts
    for (const expr of dashboardQueries()) {
      const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await response.json()) as { status: string; error?: string };
      expect(body, expr).toMatchObject({ status: 'success' });
    }
    // the dashboard's latency panel, while operations keep coming
    const p95 = 'histogram_quantile(0.95, sum by (le) (rate(lexdesk_operation_duration_seconds_bucket{job="lexdesk"}[5m])))';
    let latency = Number.NaN;
    for (const deadline = Date.now() + 20_000; !(latency > 0) && Date.now() < deadline; ) {
      await fetch(`${server.url}/api/rpc/system.info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      await new Promise((resolve) => setTimeout(resolve, 250));
      latency = Number((await query(base, p95))[0]?.value[1]);
    }
    expect(latency).toBeGreaterThan(0);
    expect(latency).toBeLessThan(10);
  }, 60_000);

  it('with LEXDESK_METRICS_TOKEN and the shipped config’s token lines: up == 1, and 0 with a wrong token', async () => {
    const token = 'test-metrics-token-0123456789';
    server = await startServer({ env: { LEXDESK_METRICS_TOKEN: token } });
    const dir = tempDir('lexdesk-token-');
    folders.push(dir);
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, token);
    const uncommented = (text: string) =>
      text
        .replace('    # authorization:', '    authorization:')
        .replace('    #   type: Bearer', '      type: Bearer')
        .replace('    #   credentials_file: /etc/prometheus/lexdesk-metrics-token', `      credentials_file: ${tokenFile}`);
    const base = await startPrometheus(configFromShipped(new URL(server.url).host, uncommented));
    const up = await eventually(base, 'up{job="lexdesk"} == 1');
    expect(up).toHaveLength(1);
    await eventually(base, 'lexdesk_build_info');

    writeFileSync(tokenFile, 'not-the-token-at-all');
    // the credentials file is read at each scrape: the next ones fail
    const down = await eventually(base, 'up{job="lexdesk"} == 0');
    expect(down).toHaveLength(1);
  }, 60_000);
});
