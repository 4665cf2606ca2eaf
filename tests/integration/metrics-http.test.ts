import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from '../support/core.js';
import { serveHttp } from '../support/http.js';
import { DASHBOARD_FILE, dashboardQueries } from '../support/grafana.js';
import { REPO_ROOT } from '../support/server.js';

let core: TestCore | undefined;
let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  await core?.dispose();
  app = undefined;
  core = undefined;
});

async function start(env: Record<string, string> = {}): Promise<string> {
  core = await startTestCore({ env, deps: { monitoring: { schedule: false } } });
  const face = await serveHttp(core);
  app = face.app;
  return face.base;
}

/** Every source the other capabilities will register, so that every metric family appears. */
function registerAllSources(c: TestCore) {
  const m = c.services.monitoring;
  m.registerSource('whatsapp', () => ({
    enabled: true,
    state: 'ready',
    ready: true,
    received: 12,
    sent: 9,
    failed: 1,
    reconnects: 2,
    outboxDepth: 4,
    outboxFailed: 1,
    browserPid: process.pid,
  }));
  m.registerSource('backup', () => ({
    lastSuccessAt: new Date('2026-03-01T02:00:00Z'),
    lastDurationSeconds: 41.5,
    lastFailed: false,
    failures: 3,
    folder: c.config.dataDir,
  }));
  m.registerSource('signin', () => ({ failures: 5, lockouts: 1 }));
  m.registerSource('audit', () => ({ chainOk: true, checkedAt: '2026-03-01T03:00:00Z' }));
}

function promtool(text: string) {
  return spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
}

describe('GET /metrics', () => {
  it('serves every metric family in a form `promtool check metrics` accepts', async () => {
    const base = await start();
    registerAllSources(core!);
    // some traffic through the door: successes, refusals, bad input, a missing operation
    await fetch(`${base}/api/rpc/system.info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await fetch(`${base}/api/rpc/system.info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' });
    await fetch(`${base}/api/rpc/monitoring.dashboard`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await fetch(`${base}/api/rpc/no.such`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await core!.services.monitoring.tick();

    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    const check = promtool(text);
    expect(check.stderr + check.stdout).toBe('');
    expect(check.status).toBe(0);

    for (const line of [
      /^lexdesk_build_info\{version="[^"]+"\} 1$/m,
      /^lexdesk_operation_duration_seconds_count\{operation="system.info",face="headless",outcome="ok"\} 1$/m,
      /^lexdesk_operation_duration_seconds_count\{operation="system.info",face="headless",outcome="invalid"\} 1$/m,
      /^lexdesk_operation_errors_total\{operation="monitoring.dashboard",code="unauthenticated"\} 1$/m,
      /^lexdesk_operation_errors_total\{operation="unknown",code="not_found"\} 1$/m,
      /^lexdesk_system_cpu_ratio /m,
      /^lexdesk_volume_free_bytes\{volume="data"\} \d+/m,
      /^lexdesk_volume_free_bytes\{volume="backup"\} \d+/m,
      /^lexdesk_database_size_bytes \d+/m,
      /^lexdesk_alert_firing\{rule="cpu-high"\} 0$/m,
      /^lexdesk_whatsapp_ready 1$/m,
      /^lexdesk_whatsapp_state\{state="ready"\} 1$/m,
      /^lexdesk_whatsapp_messages_received_total 12$/m,
      /^lexdesk_whatsapp_outbox_messages 4$/m,
      /^lexdesk_whatsapp_browser_resident_memory_bytes \d+/m,
      /^lexdesk_backup_last_success_timestamp_seconds 1772330400$/m,
      /^lexdesk_backup_failures_total 3$/m,
      /^lexdesk_signin_failures_total 5$/m,
      /^lexdesk_signin_lockouts_total 1$/m,
      /^lexdesk_audit_chain_ok 1$/m,
      /^process_cpu_seconds_total /m,
      /^nodejs_eventloop_lag_p99_seconds /m,
      /^nodejs_heap_size_used_bytes /m,
    ]) {
      expect(text).toMatch(line);
    }
    // the three gauges named like counters are left out
    expect(text).not.toMatch(/^nodejs_active_(handles|requests|resources)_total/m);
  });

  it('the WhatsApp link’s and the backups’ own figures are there; a source not registered has no metrics rather than zeros', async () => {
    const base = await start();
    await fetch(`${base}/metrics`); // the backups' last good backup is looked up in the background
    await new Promise((resolve) => setTimeout(resolve, 200));
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(promtool(text).status).toBe(0);
    // the real WhatsApp service (the simulator in tests)
    expect(text).toMatch(/^lexdesk_whatsapp_ready [01]$/m);
    expect(text).toMatch(/^lexdesk_whatsapp_state\{state="[a-z_]+"\} 1$/m);
    expect(text).toMatch(/^lexdesk_whatsapp_messages_received_total 0$/m);
    // the real backup service, which has made no backup yet: no time for the last good one
    expect(text).toMatch(/^lexdesk_backup_last_failed 0$/m);
    expect(text).toContain('# TYPE lexdesk_backup_last_success_timestamp_seconds gauge');
    expect(text).not.toMatch(/^lexdesk_backup_last_success_timestamp_seconds /m);
    // the audit chain, never verified yet: its source reports nothing, so no value is invented
    expect(text).not.toMatch(/^lexdesk_audit_chain_ok /m);
    // a source that reports has its metric; one no longer registered has no metrics at all
    const unregister = core!.services.monitoring.registerSource('audit', () => ({ chainOk: true, checkedAt: null }));
    const withAudit = await (await fetch(`${base}/metrics`)).text();
    expect(promtool(withAudit).status).toBe(0);
    expect(withAudit).toMatch(/^lexdesk_audit_chain_ok 1$/m);
    unregister();
    expect(await (await fetch(`${base}/metrics`)).text()).not.toContain('lexdesk_audit_');
  });

  it('with LEXDESK_METRICS_TOKEN, answers 401 without the bearer token and 200 with it', async () => {
    const token = 'a-long-random-metrics-token-123';
    const base = await start({ LEXDESK_METRICS_TOKEN: token });
    const anonymous = await fetch(`${base}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect(await anonymous.json()).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status).toBe(401);
    const ok = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('lexdesk_build_info');
  });

  it('with LEXDESK_METRICS_ALLOW, answers only the listed addresses besides this machine itself', async () => {
    const denied = await start({ LEXDESK_METRICS_ALLOW: '10.0.0.0/8, 192.168.1.20' });
    // this machine is always allowed; through a proxy (here: a Via header) it is not this machine
    expect((await fetch(`${denied}/metrics`)).status).toBe(200);
    const response = await fetch(`${denied}/metrics`, { headers: { via: '1.1 proxy' } });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await app!.close();
    await core!.dispose();

    const allowed = await start({ LEXDESK_METRICS_ALLOW: '10.0.0.0/8,127.0.0.0/8' });
    expect((await fetch(`${allowed}/metrics`, { headers: { via: '1.1 proxy' } })).status).toBe(200);
  });
});

describe('the Grafana dashboard', () => {
  it('uses the provisioned Prometheus datasource and only metrics LexDesk serves', async () => {
    const text = readFileSync(DASHBOARD_FILE, 'utf8');
    const dashboard = JSON.parse(text) as { uid: string; panels: { datasource?: { uid: string } }[] };
    expect(dashboard.uid).toBe('lexdesk-overview');
    const datasources = readFileSync(join(REPO_ROOT, 'build', 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8');
    for (const panel of dashboard.panels) {
      if (panel.datasource) expect(datasources).toContain(`uid: ${panel.datasource.uid}`);
    }

    const base = await start();
    registerAllSources(core!);
    await core!.services.monitoring.tick();
    await fetch(`${base}/api/rpc/system.info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const served = new Set(
      [...(await (await fetch(`${base}/metrics`)).text()).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!),
    );
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(20);
    const named = new Set(queries.flatMap((q) => [...q.matchAll(/\b((?:lexdesk|nodejs|process)_[a-z0-9_]+)/g)].map((m) => m[1]!)));
    for (const metric of named) {
      const family = metric.replace(/_(bucket|count|sum)$/, '');
      expect(served.has(metric) || served.has(family), `${metric} is not served`).toBe(true);
    }
  });
});

describe('monitoring REST names and health', () => {
  it('/api/monitoring/dashboard is the monitoring.dashboard operation through the door', async () => {
    const base = await start();
    const response = await fetch(`${base}/api/monitoring/dashboard`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });

  it('/api/monitoring/health keeps status and database and lists each check without details or version', async () => {
    const base = await start();
    core!.services.monitoring.registerSource('audit', () => ({ chainOk: false, checkedAt: null }));
    await core!.services.monitoring.tick();
    const response = await fetch(`${base}/api/monitoring/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; database: string; version?: string; checks: object[] };
    expect(body).toMatchObject({ status: 'degraded', database: 'ok' });
    expect(body.version).toBeUndefined();
    expect(body.checks).toContainEqual({ name: 'audit', status: 'degraded' });
    expect(body.checks).toContainEqual({ name: 'disk', status: 'ok' });
    expect(JSON.stringify(body)).not.toContain('verification');
  });
});
