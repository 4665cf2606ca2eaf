import { afterEach, describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../shared/events.js';
import { ManualClock } from '../../main/core/clock.js';
import type { AlertChange } from '../../main/core/monitoring/index.js';
import type { WhatsAppSnapshot } from '../../main/core/monitoring/sources.js';
import { createUser } from '../support/auth.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { FakeProbe, RecordingNotifier } from '../support/monitoring.js';
import { tempDir } from '../support/server.js';

let core: TestCore | undefined;
afterEach(async () => {
  await core?.dispose();
  core = undefined;
});

async function setup(options: { dataDir?: string } = {}) {
  const clock = new ManualClock('2026-03-02T08:00:00Z');
  const probe = new FakeProbe();
  const notifier = new RecordingNotifier();
  core = await startTestCore({ dataDir: options.dataDir, deps: { clock, notifier, monitoring: { probe, schedule: false } } });
  const monitoring = core.services.monitoring;
  const events: ServerEvent[] = [];
  core.services.events.subscribe((event) => events.push(event));
  const changes: AlertChange[] = [];
  monitoring.onAlert((change) => changes.push(change));
  /** one collector tick every 15 s of fake time */
  const ticks = async (n: number) => {
    for (let i = 0; i < n; i++) {
      clock.advance(15_000);
      await monitoring.tick();
    }
  };
  return { core, clock, probe, notifier, monitoring, events, changes, ticks };
}

const alertEvents = (events: ServerEvent[]) =>
  events.filter((e) => e.type === 'monitoring.alert').map((e) => (e.data as { ruleId: string; state: string }));

describe('alert rules', () => {
  it('high CPU fires after 5 minutes, once, with one notification, and resolves once', async () => {
    const { monitoring, probe, notifier, events, changes, ticks, clock } = await setup();
    await ticks(2);
    probe.reading.cpuPercent = 97;
    await ticks(1); // the condition starts holding here
    const started = clock.now().getTime();
    await ticks(19); // 4 min 45 s later: still pending
    expect(monitoring.alerts.list('firing', 10)).toEqual([]);
    expect(notifier.shown).toEqual([]);
    await ticks(1); // 5 minutes
    expect(clock.now().getTime() - started).toBe(300_000);
    const [alert] = monitoring.alerts.list('firing', 10);
    expect(alert).toMatchObject({ ruleId: 'cpu-high', state: 'firing', severity: 'warning', value: 97, threshold: 90 });
    expect(alert!.message).toContain('97%');
    expect(notifier.shown).toEqual([{ title: 'High CPU use', body: alert!.message, severity: 'warning' }]);

    await ticks(40); // still high: nothing new
    expect(monitoring.alerts.list('all', 10)).toHaveLength(1);
    expect(notifier.shown).toHaveLength(1);

    probe.reading.cpuPercent = 30;
    await ticks(3);
    const all = monitoring.alerts.list('all', 10);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ state: 'resolved', resolvedAt: new Date(started + 300_000 + 41 * 15_000).toISOString() });
    expect(notifier.shown).toHaveLength(1);
    expect(alertEvents(events)).toEqual([
      expect.objectContaining({ ruleId: 'cpu-high', state: 'firing' }),
      expect.objectContaining({ ruleId: 'cpu-high', state: 'resolved' }),
    ]);
    expect(changes.map((c) => c.type)).toEqual(['fired', 'resolved']);
    // and the audit trail has both, for the same alert
    const trail = core!.services.store.sqlite
      .prepare("SELECT action, target_id, details FROM audit_log WHERE action LIKE 'monitoring.alert.%' ORDER BY id")
      .all() as { action: string; target_id: string; details: string }[];
    expect(trail.map((r) => [r.action, r.target_id])).toEqual([
      ['monitoring.alert.fired', String(alert!.id)],
      ['monitoring.alert.resolved', String(alert!.id)],
    ]);
    expect(JSON.parse(trail[0]!.details)).toMatchObject({ rule: 'cpu-high', value: 97, threshold: 90 });
  });

  it('a dip below the threshold restarts the duration', async () => {
    const { monitoring, probe, ticks } = await setup();
    probe.reading.cpuPercent = 95;
    await ticks(15);
    probe.reading.cpuPercent = 50;
    await ticks(1);
    probe.reading.cpuPercent = 95;
    await ticks(15);
    expect(monitoring.alerts.list('all', 10)).toEqual([]);
    await ticks(6);
    expect(monitoring.alerts.list('firing', 10)).toHaveLength(1);
  });

  it('low disk space on the backup volume fires at once and names the folder', async () => {
    const { monitoring, probe, notifier, ticks } = await setup();
    monitoring.registerSource('backup', () => ({
      lastSuccessAt: '2026-03-02T07:00:00Z',
      lastDurationSeconds: 12,
      lastFailed: false,
      failures: 0,
      folder: '/somewhere/backups',
    }));
    probe.freePercent.backup = 1.5; // 1.5 GB of 100
    await ticks(1);
    expect(probe.requests.at(-1)!.volumes.map((v) => v.name)).toEqual(['data', 'backup']);
    const firing = monitoring.alerts.list('firing', 10);
    expect(firing.map((a) => a.ruleId).sort()).toEqual(['disk-free-percent', 'disk-free-space']);
    expect(firing.every((a) => a.severity === 'critical')).toBe(true);
    expect(firing.find((a) => a.ruleId === 'disk-free-space')!.message).toContain('the backup folder');
    expect(notifier.shown).toHaveLength(2);
  });

  it('event-loop delay fires from the real histogram when the loop is blocked', async () => {
    const { monitoring, ticks } = await setup();
    await doorAs(core!, 'admin').ok('monitoring.rules.update', { id: 'eventloop-delay', threshold: 100, forSeconds: 0 });
    await ticks(1);
    // the histogram's first wake-up after a window starts only sets its reference
    await new Promise((resolve) => setTimeout(resolve, 120));
    const until = Date.now() + 250;
    while (Date.now() < until) {
      // block the loop for a quarter of a second
    }
    await new Promise((resolve) => setTimeout(resolve, 120));
    await ticks(1);
    expect(monitoring.alerts.list('firing', 10).map((a) => a.ruleId)).toEqual(['eventloop-delay']);
  });

  it('turning a rule off resolves its alert; a restart does not fire it again', async () => {
    const dataDir = tempDir();
    const first = await setup({ dataDir });
    first.probe.reading.memoryAvailableBytes = 0.5e9; // 97 % in use
    await first.ticks(21);
    expect(first.monitoring.alerts.list('firing', 10).map((a) => a.ruleId)).toEqual(['memory-high']);
    await core!.stop();

    // same database, new process: the open alert is still the one, and stays single
    const second = await setup({ dataDir });
    second.probe.reading.memoryAvailableBytes = 0.5e9;
    await second.ticks(30);
    expect(second.monitoring.alerts.list('all', 10)).toHaveLength(1);
    expect(second.notifier.shown).toEqual([]);

    await doorAs(core!, 'admin').ok('monitoring.rules.update', { id: 'memory-high', enabled: false });
    await second.ticks(1);
    expect(second.monitoring.alerts.list('firing', 10)).toEqual([]);
    expect(second.changes.map((c) => c.type)).toEqual(['resolved']);
  });

  it('a notifier that throws does not stop the alert from being stored', async () => {
    const clock = new ManualClock('2026-03-02T08:00:00Z');
    const probe = new FakeProbe();
    core = await startTestCore({
      deps: {
        clock,
        notifier: { notify: () => Promise.reject(new Error('no notification service')) },
        monitoring: { probe, schedule: false },
      },
    });
    probe.freePercent.data = 0.5;
    clock.advance(15_000);
    await core.services.monitoring.tick();
    expect(core.services.monitoring.alerts.list('firing', 10)).toHaveLength(2);
  });
});

describe('alert rules on other capabilities’ sources (fake sources)', () => {
  const whatsapp = (over: Partial<WhatsAppSnapshot> = {}): WhatsAppSnapshot => ({
    enabled: true,
    state: 'ready',
    ready: true,
    received: 0,
    sent: 0,
    failed: 0,
    reconnects: 0,
    outboxDepth: 0,
    outboxFailed: 0,
    ...over,
  });

  it('WhatsApp not ready fires after 5 minutes, and not at all while WhatsApp is not set up', async () => {
    const { monitoring, ticks, notifier } = await setup();
    let snapshot = whatsapp({ enabled: false, ready: false, state: 'not linked' });
    monitoring.registerSource('whatsapp', () => snapshot);
    await ticks(40);
    expect(monitoring.alerts.list('all', 10)).toEqual([]);

    snapshot = whatsapp({ ready: false, state: 'disconnected' });
    await ticks(20);
    expect(monitoring.alerts.list('all', 10)).toEqual([]);
    await ticks(1);
    const [alert] = monitoring.alerts.list('firing', 10);
    expect(alert).toMatchObject({ ruleId: 'whatsapp-not-ready', severity: 'critical' });
    expect(alert!.message).toContain('disconnected');
    expect(notifier.shown).toHaveLength(1);

    snapshot = whatsapp();
    await ticks(1);
    expect(monitoring.alerts.list('firing', 10)).toEqual([]);
  });

  it('failed outbox messages fire and clear with the outbox', async () => {
    const { monitoring, ticks } = await setup();
    let failed = 0;
    monitoring.registerSource('whatsapp', () => whatsapp({ outboxFailed: failed }));
    await ticks(2);
    failed = 3;
    await ticks(1);
    const [alert] = monitoring.alerts.list('firing', 10);
    expect(alert).toMatchObject({ ruleId: 'outbox-failed', value: 3 });
    expect(alert!.message).toContain('3 WhatsApp messages could not be sent');
    failed = 0;
    await ticks(1);
    expect(monitoring.alerts.list('firing', 10)).toEqual([]);
  });

  it('a last good backup older than 26 hours fires; a failed backup fires until one succeeds', async () => {
    const { monitoring, ticks, clock } = await setup();
    const backup = {
      lastSuccessAt: new Date(clock.now().getTime() - 25 * 3_600_000) as Date | null,
      lastDurationSeconds: 30,
      lastFailed: false,
      failures: 0,
    };
    monitoring.registerSource('backup', () => ({ ...backup }));
    await ticks(1);
    expect(monitoring.alerts.list('all', 10)).toEqual([]);
    await ticks(240); // one hour later: 26 h and 1 min
    expect(monitoring.alerts.list('firing', 10).map((a) => a.ruleId)).toEqual(['backup-stale']);

    backup.lastFailed = true;
    backup.failures = 1;
    await ticks(1);
    expect(monitoring.alerts.list('firing', 10).map((a) => a.ruleId).sort()).toEqual(['backup-failed', 'backup-stale']);

    backup.lastFailed = false;
    backup.lastSuccessAt = clock.now();
    await ticks(1);
    expect(monitoring.alerts.list('firing', 10)).toEqual([]);
  });

  it('with no backup ever, the age counts from the first start', async () => {
    const { monitoring, ticks, clock } = await setup();
    monitoring.registerSource('backup', () => ({ lastSuccessAt: null, lastDurationSeconds: null, lastFailed: false, failures: 0 }));
    await ticks(1);
    clock.advance(26 * 3_600_000 - 30_000); // 15 s short of 26 hours after the first start
    await ticks(1);
    expect(monitoring.alerts.list('all', 10)).toEqual([]);
    await ticks(2);
    const [alert] = monitoring.alerts.list('firing', 10);
    expect(alert).toMatchObject({ ruleId: 'backup-stale' });
    expect(alert!.message).toContain('no good backup yet');
  });

  it('a burst of failed sign-ins fires; the same number spread over hours does not', async () => {
    const { monitoring, ticks } = await setup();
    let failures = 0;
    monitoring.registerSource('signin', () => ({ failures, lockouts: 0 }));
    // 30 failures, one every 4 minutes: never more than 4 in 15 minutes
    for (let i = 0; i < 30; i++) {
      failures += 1;
      await ticks(16);
    }
    expect(monitoring.alerts.list('all', 10)).toEqual([]);
    // then 11 within two minutes
    for (let i = 0; i < 11; i++) {
      failures += 1;
      await ticks(1);
    }
    const [alert] = monitoring.alerts.list('firing', 10);
    expect(alert).toMatchObject({ ruleId: 'signin-burst', value: 11 });
    // quiet for 16 minutes: resolved
    await ticks(64);
    expect(monitoring.alerts.list('firing', 10)).toEqual([]);
  });

  it('real failed sign-ins, counted from the audit trail’s security events, raise the burst alert', async () => {
    const { monitoring, ticks } = await setup();
    const user = await createUser(core!, { role: 'lawyer' });
    await ticks(1);
    for (let i = 0; i < 11; i++) {
      const result = await core!.dispatcher.dispatch('auth.login', { username: user.username, password: 'wrong password here' }, {
        face: 'headless',
        address: '192.0.2.10',
      });
      expect(result.ok).toBe(false);
    }
    await ticks(1);
    const [alert] = monitoring.alerts.list('firing', 10);
    expect(alert).toMatchObject({ ruleId: 'signin-burst', value: 11 });
    expect((await monitoring.dashboard()).signin).toMatchObject({ failures: 11, lockouts: 1, failuresLast15Minutes: 11 });
  });

  it('a broken audit chain fires at once with a critical notification', async () => {
    const { monitoring, ticks, notifier } = await setup();
    let chainOk = true;
    monitoring.registerSource('audit', () => ({ chainOk, checkedAt: new Date() }));
    await ticks(2);
    chainOk = false;
    await ticks(1);
    expect(monitoring.alerts.list('firing', 10).map((a) => a.ruleId)).toEqual(['audit-chain-broken']);
    expect(notifier.shown).toEqual([expect.objectContaining({ title: 'The audit trail is broken', severity: 'critical' })]);
  });

  it('a source that throws counts as absent and changes nothing', async () => {
    const { monitoring, ticks } = await setup();
    monitoring.registerSource('audit', () => {
      throw new Error('verification in progress');
    });
    await ticks(3);
    expect(monitoring.alerts.list('all', 10)).toEqual([]);
    const rules = await doorAs(core!, 'admin').ok<{ rules: { id: string; state: string }[] }>('monitoring.rules.list');
    expect(rules.rules.find((r) => r.id === 'audit-chain-broken')!.state).toBe('no_data');
  });

  it('health reports the degraded check with the alert behind it, without details in public', async () => {
    const { monitoring, probe, ticks } = await setup();
    probe.freePercent.data = 3;
    await ticks(1);
    const report = await core!.services.health.report('x');
    expect(report.status).toBe('degraded');
    expect(report.checks.find((c) => c.name === 'disk')).toEqual({
      name: 'disk',
      status: 'degraded',
      message: 'Disk almost full.',
    });
    const details = await monitoring.healthDetails();
    const disk = details.checks.find((c) => c.name === 'disk')!;
    expect(disk.alerts.map((a) => a.title)).toEqual(['Disk almost full']);
    expect(disk.alerts[0]!.message).toContain('3%');
  });
});
