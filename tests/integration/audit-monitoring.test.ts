import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { NIGHTLY_VERIFICATION_PATTERN, NightlyVerification } from '../../main/core/audit/nightly.js';
import { ManualClock } from '../../main/core/clock.js';
import { silentLogger } from '../../main/core/log.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { FakeProbe } from '../support/monitoring.js';

let core: TestCore | undefined;
afterEach(async () => {
  await core?.dispose();
  core = undefined;
});

function nightlyOf(c: TestCore, options: { schedule?: boolean; catchUpDelayMs?: number } = {}): NightlyVerification {
  const { auditRecords, audit, clock } = c.services;
  return new NightlyVerification({
    records: auditRecords,
    trail: audit,
    store: () => c.services.store,
    clock,
    log: silentLogger,
    schedule: options.schedule ?? false,
    catchUpDelayMs: options.catchUpDelayMs,
  });
}

function appendSome(c: TestCore, n: number): void {
  for (let i = 0; i < n; i++) {
    c.services.audit.append({ actor: { type: 'system' }, face: 'scheduler', action: 'test.row', outcome: 'ok', details: { i } });
  }
}

describe('the audit chain as a monitoring source', () => {
  it('a nightly verification feeds the chain metric, and a changed row fires "The audit trail is broken"', async () => {
    const clock = new ManualClock(Date.now());
    core = await startTestCore({ deps: { clock, monitoring: { probe: new FakeProbe(), schedule: false } } });
    const { monitoring } = core.services;
    const tick = async () => {
      clock.advance(15_000);
      await monitoring.tick();
    };
    appendSome(core, 20);
    await tick();
    // never verified: the rule waits and the metric is not invented
    expect(await monitoring.prom.metrics()).not.toMatch(/^lexdesk_audit_chain_ok /m);

    const nightly = nightlyOf(core);
    const first = await nightly.run();
    expect(first).toMatchObject({ intact: true, mode: 'start' });
    await tick();
    expect(await monitoring.prom.metrics()).toMatch(/^lexdesk_audit_chain_ok 1$/m);
    expect(monitoring.alerts.list('firing', 10)).toEqual([]);
    // the run is in the trail, by the scheduler
    const row = core.services.store.sqlite
      .prepare("SELECT actor_type, face, details FROM audit_log WHERE action = 'audit.verify' ORDER BY id DESC LIMIT 1")
      .get() as { actor_type: string; face: string; details: string };
    expect(row).toMatchObject({ actor_type: 'system', face: 'scheduler' });
    expect(JSON.parse(row.details)).toMatchObject({ intact: true });

    // the next night starts from the checkpoint the first one left
    appendSome(core, 5);
    expect(await nightly.run()).toMatchObject({ intact: true, mode: 'checkpoint' });

    // someone edits a row behind LexDesk's back
    const attacker = new Database(core.config.databaseFile);
    attacker.exec('DROP TRIGGER audit_log_no_update');
    attacker.prepare("UPDATE audit_log SET details = '{\"i\":999}' WHERE action = 'test.row' AND id = (SELECT max(id) FROM audit_log WHERE action = 'test.row')").run();
    attacker.close();
    const broken = await nightly.run();
    expect(broken.intact).toBe(false);
    await tick();
    expect(await monitoring.prom.metrics()).toMatch(/^lexdesk_audit_chain_ok 0$/m);
    const [alert] = monitoring.alerts.list('firing', 10);
    expect(alert).toMatchObject({ ruleId: 'audit-chain-broken', severity: 'critical' });
    const health = await core.services.health.report('test');
    expect(health.status).not.toBe('ok');
  });

  it('runs every night at 03:15, and soon after start when the last verification is more than a day old', async () => {
    core = await startTestCore({ deps: { monitoring: { probe: new FakeProbe(), schedule: false } } });
    appendSome(core, 3);
    const nightly = nightlyOf(core, { schedule: true, catchUpDelayMs: 50 });
    expect(NIGHTLY_VERIFICATION_PATTERN).toBe('15 3 * * *');
    nightly.start();
    try {
      const next = nightly.nextRun()!;
      expect([next.getHours(), next.getMinutes()]).toEqual([3, 15]);
      expect(next.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
      // never verified and the trail has rows: the catch-up runs shortly after start
      await expect.poll(() => core!.services.auditRecords.lastVerification()?.intact, { timeout: 10_000 }).toBe(true);
    } finally {
      nightly.stop();
    }

    // verified a moment ago: a restart does not verify again
    const count = () => (core!.services.store.sqlite.prepare('SELECT count(*) AS n FROM audit_verification').get() as { n: number }).n;
    const before = count();
    const again = nightlyOf(core, { schedule: true, catchUpDelayMs: 10 });
    again.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    again.stop();
    expect(count()).toBe(before);
  });

  it('a verification that was walking the database a restore replaced is not stored', async () => {
    core = await startTestCore({ deps: { monitoring: { probe: new FakeProbe(), schedule: false } } });
    appendSome(core, 50);
    const nightly = nightlyOf(core);
    const running = nightly.run();
    // what the restore's pause of the writers does, while the walk is in its worker
    core.services.auditRecords.databaseReplaced();
    await expect(running).rejects.toMatchObject({ code: 'conflict' });
    expect(core.services.auditRecords.lastVerification()).toBeNull();
    // the next run, on the database now in place, is stored
    expect(await nightly.run()).toMatchObject({ intact: true });
    expect(core.services.auditRecords.chainState()).toMatchObject({ chainOk: true });
  });
});
