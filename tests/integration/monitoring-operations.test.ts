import { afterEach, describe, expect, it } from 'vitest';
import type { Alert, Dashboard, Rule } from '../../shared/contract/monitoring.js';
import type { ServerEvent } from '../../shared/events.js';
import { ManualClock } from '../../main/core/clock.js';
import type { DoorRecord } from '../../main/core/dispatch.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { signedInAs } from '../support/auth.js';
import { doorAs } from '../support/door.js';
import { FakeProbe } from '../support/monitoring.js';

let core: TestCore | undefined;
afterEach(async () => {
  await core?.dispose();
  core = undefined;
});

async function setup() {
  const clock = new ManualClock('2026-03-02T08:00:00Z');
  const probe = new FakeProbe();
  core = await startTestCore({ deps: { clock, monitoring: { probe, schedule: false } } });
  const tick = async (n = 1) => {
    for (let i = 0; i < n; i++) {
      clock.advance(15_000);
      await core!.services.monitoring.tick();
    }
  };
  return { core, clock, probe, tick };
}

describe('monitoring operations', () => {
  it('through the real door, without sign-in, every monitoring operation answers unauthenticated', async () => {
    const { core } = await setup();
    for (const name of ['monitoring.dashboard', 'monitoring.health', 'monitoring.alerts.list', 'monitoring.rules.list']) {
      const result = await core.dispatcher.dispatch(name, {}, { face: 'headless' });
      expect(result).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    }
  });

  it('through the real door, a signed-in admin acknowledges an alert and the trail records firing and acknowledging', async () => {
    const { core, tick, probe } = await setup();
    probe.freePercent.data = 1;
    await tick();
    const admin = await signedInAs(core, 'admin');
    const { alerts } = await admin.ok<{ alerts: Alert[] }>('monitoring.alerts.list', { state: 'firing' });
    expect(alerts).toHaveLength(2);
    const acked = await admin.ok<Alert>('monitoring.alerts.ack', { id: alerts[0]!.id });
    expect(acked.acknowledgedBy).toBe(admin.user.username);
    const assistant = await signedInAs(core, 'assistant');
    expect(await assistant.call('monitoring.alerts.ack', { id: alerts[1]!.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const trail = core.services.store.sqlite
      .prepare("SELECT action, actor_type, actor_name, target_id, outcome FROM audit_log WHERE action LIKE 'monitoring.%' ORDER BY id")
      .all();
    expect(trail).toEqual([
      { action: 'monitoring.alert.fired', actor_type: 'system', actor_name: 'monitoring', target_id: expect.any(String), outcome: 'ok' },
      { action: 'monitoring.alert.fired', actor_type: 'system', actor_name: 'monitoring', target_id: expect.any(String), outcome: 'ok' },
      { action: 'monitoring.alerts.list', actor_type: 'user', actor_name: admin.user.username, target_id: null, outcome: 'ok' },
      { action: 'monitoring.alerts.ack', actor_type: 'user', actor_name: admin.user.username, target_id: String(alerts[0]!.id), outcome: 'ok' },
      { action: 'monitoring.alerts.ack', actor_type: 'user', actor_name: assistant.user.username, target_id: null, outcome: 'denied' },
    ]);
  });

  it('roles: assistants see health only, lawyers read monitoring, only admins change rules', async () => {
    const { core } = await setup();
    const assistant = doorAs(core, 'assistant');
    expect((await assistant.call('monitoring.dashboard')).ok).toBe(false);
    expect(await assistant.call('monitoring.dashboard')).toMatchObject({ error: { code: 'forbidden' } });
    expect((await assistant.call('monitoring.health')).ok).toBe(true);
    const lawyer = doorAs(core, 'lawyer');
    expect((await lawyer.call('monitoring.dashboard')).ok).toBe(true);
    const rules = await lawyer.ok<{ canEdit: boolean }>('monitoring.rules.list');
    expect(rules.canEdit).toBe(false);
    expect(await lawyer.call('monitoring.rules.update', { id: 'cpu-high', threshold: 80 })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect((await doorAs(core, 'admin').ok<{ canEdit: boolean }>('monitoring.rules.list')).canEdit).toBe(true);
  });

  it('the dashboard shows the latest readings, the operations of the last interval and the alert counts', async () => {
    const { core, tick, probe } = await setup();
    const admin = doorAs(core, 'admin');
    const empty = await admin.ok<Dashboard>('monitoring.dashboard');
    expect(empty.collectedAt).toBeNull();
    expect(empty.system.cpuPercent).toBeNull();

    core.services.monitoring.registerSource('whatsapp', () => ({
      enabled: true,
      state: 'ready',
      ready: true,
      received: 7,
      sent: 5,
      failed: 1,
      reconnects: 2,
      outboxDepth: 3,
      outboxFailed: 0,
    }));
    for (let i = 0; i < 4; i++) await core.dispatcher.dispatch('system.info', {}, { face: 'desktop' });
    await core.dispatcher.dispatch('nope', {}, { face: 'desktop' });
    probe.freePercent.data = 5;
    await tick();
    const dashboard = await admin.ok<Dashboard>('monitoring.dashboard');
    expect(dashboard.collectedAt).toBe('2026-03-02T08:00:15.000Z');
    expect(dashboard.system).toMatchObject({ cpuPercent: 20, cores: 4 });
    expect(dashboard.system.memoryPercent).toBeCloseTo(40, 5);
    expect(dashboard.volumes).toEqual([{ name: 'data', freeBytes: 5e9, totalBytes: 100e9, freePercent: 5 }]);
    expect(dashboard.operations).toMatchObject({ count: 5, errors: 1 });
    expect(dashboard.operations.p50Ms).toBeGreaterThan(0);
    expect(dashboard.whatsapp).toMatchObject({ state: 'ready', outboxDepth: 3, received: 7 });
    expect(dashboard.backup).toBeNull();
    expect(dashboard.status).toBe('degraded');
    expect(dashboard.alerts).toEqual({ firing: 1, unacknowledged: 1 });
  });

  it('series: input is checked, and a range without data is empty rather than an error', async () => {
    const { core, tick } = await setup();
    const admin = doorAs(core, 'admin');
    expect(await admin.call('monitoring.series', { metric: 'nope', from: '2026-03-02T07:00:00Z' })).toMatchObject({
      error: { code: 'invalid_input' },
    });
    expect(await admin.call('monitoring.series', { metric: 'system.cpu', from: 'yesterday' })).toMatchObject({
      error: { code: 'invalid_input', details: { issues: [expect.objectContaining({ path: 'from' })] } },
    });
    expect(
      await admin.call('monitoring.series', { metric: 'system.cpu', from: '2026-03-02T08:00:00Z', to: '2026-03-02T07:00:00Z' }),
    ).toMatchObject({ error: { code: 'invalid_input' } });
    expect(
      await admin.call('monitoring.series', { metric: 'system.cpu', from: '2024-01-01T00:00:00Z', to: '2026-03-02T07:00:00Z' }),
    ).toMatchObject({ error: { code: 'invalid_input' } });
    expect(await admin.call('monitoring.series', { metric: 'system.cpu', from: '2026-03-03T08:00:00Z' })).toMatchObject({
      error: { code: 'invalid_input' },
    });
    const none = await admin.ok('monitoring.series', { metric: 'browser.memory', from: '2026-03-02T07:00:00Z' });
    expect(none).toMatchObject({ t: [], value: [], unit: 'bytes', label: 'WhatsApp browser memory' });

    await tick(8);
    const cpu = await admin.ok<{ t: number[]; value: number[]; step: number; resolution: string }>('monitoring.series', {
      metric: 'system.cpu',
      from: '2026-03-02T07:59:00Z',
      step: 15,
    });
    expect(cpu.resolution).toBe('raw');
    expect(cpu.value).toEqual([20, 20, 20, 20, 20, 20, 20, 20]);
    expect(cpu.t[0]).toBe(Date.parse('2026-03-02T08:00:15Z') / 1000);
  });

  it('alerts: list, acknowledge once with who and when, not_found for an unknown id, audited with a target', async () => {
    const { core, tick, probe, clock } = await setup();
    const records: DoorRecord[] = [];
    const events: ServerEvent[] = [];
    core.services.events.subscribe((e) => events.push(e));
    const admin = doorAs(core, 'admin', { auditor: { record: (r) => records.push(r) } });
    probe.freePercent.data = 1;
    await tick();
    const { alerts } = await admin.ok<{ alerts: Alert[] }>('monitoring.alerts.list', { state: 'firing' });
    expect(alerts.map((a) => a.ruleId).sort()).toEqual(['disk-free-percent', 'disk-free-space']);
    const target = alerts[0]!;
    clock.advance(60_000);
    const acked = await admin.ok<Alert>('monitoring.alerts.ack', { id: target.id });
    expect(acked).toMatchObject({ id: target.id, acknowledgedBy: 'test-admin', acknowledgedAt: '2026-03-02T08:01:15.000Z' });
    clock.advance(60_000);
    // acknowledging needs monitoring.manage: a lawyer reads alerts but cannot hide them
    expect(await doorAs(core, 'lawyer').call('monitoring.alerts.ack', { id: target.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const again = await doorAs(core, 'admin', { principal: { username: 'other-admin' } }).ok<Alert>('monitoring.alerts.ack', { id: target.id });
    expect(again.acknowledgedBy).toBe('test-admin');
    expect(events.filter((e) => e.type === 'monitoring.alert' && e.data.state === 'acknowledged')).toHaveLength(1);
    expect(records.at(-1)).toMatchObject({
      operation: 'monitoring.alerts.ack',
      outcome: 'ok',
      target: { type: 'alert', id: String(target.id) },
      details: { rule: target.ruleId, alreadyAcknowledged: false },
    });

    expect(await admin.call('monitoring.alerts.ack', { id: 99999 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await admin.call('monitoring.alerts.ack', { id: -1 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const all = await admin.ok<{ alerts: Alert[] }>('monitoring.alerts.list', {});
    expect(all.alerts).toHaveLength(2);
  });

  it('rules: an admin changes a threshold and duration, the change applies and is audited; bad values are refused', async () => {
    const { core, tick, probe } = await setup();
    const records: DoorRecord[] = [];
    const admin = doorAs(core, 'admin', { auditor: { record: (r) => records.push(r) } });
    const updated = await admin.ok<Rule>('monitoring.rules.update', { id: 'cpu-high', threshold: 50, forSeconds: 30 });
    expect(updated).toMatchObject({ id: 'cpu-high', threshold: 50, forSeconds: 30, enabled: true, updatedBy: 'test-admin' });
    expect(updated.defaults).toEqual({ threshold: 90, forSeconds: 300, enabled: true });
    expect(records.at(-1)).toMatchObject({
      target: { type: 'alert-rule', id: 'cpu-high' },
      details: { before: { threshold: 90, forSeconds: 300 }, after: { threshold: 50, forSeconds: 30 } },
    });

    probe.reading.cpuPercent = 60;
    await tick(2);
    expect((await admin.ok<{ rules: Rule[] }>('monitoring.rules.list')).rules.find((r) => r.id === 'cpu-high')!.state).toBe('pending');
    await tick(1);
    expect((await admin.ok<{ rules: Rule[] }>('monitoring.rules.list')).rules.find((r) => r.id === 'cpu-high')!.state).toBe('firing');

    expect(await admin.call('monitoring.rules.update', { id: 'cpu-high', threshold: 150 })).toMatchObject({
      error: { code: 'invalid_input', details: { issues: [{ path: 'threshold', message: 'must be from 1 to 100' }] } },
    });
    expect(await admin.call('monitoring.rules.update', { id: 'backup-failed', threshold: 3 })).toMatchObject({
      error: { code: 'invalid_input' },
    });
    expect(await admin.call('monitoring.rules.update', { id: 'cpu-high' })).toMatchObject({ error: { code: 'invalid_input' } });
    expect(await admin.call('monitoring.rules.update', { id: 'no-such-rule', enabled: false })).toMatchObject({
      error: { code: 'invalid_input' },
    });
    // a refused change leaves the rule as it was
    expect((await admin.ok<{ rules: Rule[] }>('monitoring.rules.list')).rules.find((r) => r.id === 'cpu-high')!.threshold).toBe(50);

    const reset = await admin.ok<Rule>('monitoring.rules.update', { id: 'cpu-high', reset: true });
    expect(reset).toMatchObject({ threshold: 90, forSeconds: 300, updatedAt: null });
    await tick(1);
    expect(core.services.monitoring.alerts.list('firing', 10)).toEqual([]);
  });

  it('the real WhatsApp link (simulator) feeds the dashboard and the message history', async () => {
    const clock = new ManualClock('2026-03-02T08:00:00Z');
    core = await startTestCore({
      env: { LEXDESK_WHATSAPP: 'simulator', LEXDESK_SIMULATOR_PAIRED: 'true' },
      deps: { clock, monitoring: { probe: new FakeProbe(), schedule: false } },
    });
    const { whatsapp, monitoring } = core.services;
    for (let i = 0; i < 100 && whatsapp.status().state !== 'ready'; i++) await new Promise((r) => setTimeout(r, 50));
    clock.advance(15_000);
    await monitoring.tick();
    whatsapp.simulator!.clientSend('5511987654321', null, 'hello');
    whatsapp.simulator!.clientSend('5511987654321', null, 'are you there?');
    for (let i = 0; i < 100 && whatsapp.stats().inboundStored < 2; i++) await new Promise((r) => setTimeout(r, 20));
    clock.advance(15_000);
    await monitoring.tick();
    const admin = doorAs(core, 'admin');
    const dashboard = await admin.ok<Dashboard>('monitoring.dashboard');
    expect(dashboard.whatsapp).toMatchObject({ state: 'ready', ready: true, received: 2 });
    const inbound = await admin.ok<{ value: number[] }>('monitoring.series', { metric: 'whatsapp.in', from: '2026-03-02T07:59:00Z', step: 15 });
    // 2 messages in a 15-second bucket: 8 a minute
    expect(inbound.value).toEqual([8]);
    expect(monitoring.alerts.list('all', 10)).toEqual([]);
  });

  it('health for staff names the checks and the alerts behind them', async () => {
    const { core, tick, probe } = await setup();
    probe.reading.cpuPercent = 99;
    await doorAs(core, 'admin').ok('monitoring.rules.update', { id: 'cpu-high', forSeconds: 0 });
    await tick();
    const health = await doorAs(core, 'assistant').ok<{ status: string; checks: { name: string; alerts: unknown[] }[] }>(
      'monitoring.health',
    );
    expect(health.status).toBe('degraded');
    // backups and the WhatsApp link report their own health; monitoring adds checks for what has none
    expect(health.checks.map((c) => c.name)).toEqual(['database', 'storage', 'system', 'disk', 'monitoring', 'signin', 'audit', 'backups', 'offsite', 'whatsapp', 'inbox']);
    expect(health.checks.find((c) => c.name === 'system')!.alerts).toEqual([
      expect.objectContaining({ title: 'High CPU use', message: expect.stringContaining('99%') }),
    ]);
  });
});
