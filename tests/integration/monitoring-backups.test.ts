import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert, Dashboard } from '../../shared/contract/monitoring.js';
import { ManualClock } from '../../main/core/clock.js';
import { ADMIN_PASSWORD, fakeAuth, PASSPHRASE, TEST_SCRYPT } from '../support/backup.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { FakeProbe } from '../support/monitoring.js';
import { tempDir } from '../support/server.js';

let core: TestCore | undefined;
afterEach(async () => {
  await core?.dispose();
  core = undefined;
});

describe('monitoring with the real backup service', () => {
  it('sees the last good backup, and a failed backup fires an alert with the reason until a backup succeeds', async () => {
    const clock = new ManualClock(Date.now());
    core = await startTestCore({
      deps: {
        clock,
        backup: { scryptCost: TEST_SCRYPT, catchUpDelayMs: 3_600_000 },
        monitoring: { probe: new FakeProbe(), schedule: false },
      },
    });
    const { monitoring } = core.services;
    fakeAuth(core);
    const admin = doorAs(core, 'admin');
    await admin.ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
    const tick = async () => {
      clock.advance(15_000);
      await monitoring.tick();
    };
    /** ticks until the background look-up of the last good backup has landed */
    const settle = async (ok: (d: Dashboard) => boolean) => {
      for (let i = 0; i < 50; i++) {
        await tick();
        const d = await admin.ok<Dashboard>('monitoring.dashboard');
        if (ok(d)) return d;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the dashboard never settled');
    };

    await admin.ok('backup.create');
    const good = await settle((d) => d.backup?.lastSuccessAt != null);
    expect(good.backup).toMatchObject({ lastFailed: false, failures: 0 });
    expect(good.backup!.ageHours).toBeLessThan(1);
    // the backup folder's volume is watched too
    expect(good.volumes.map((v) => v.name)).toEqual(['data', 'backup']);
    expect(monitoring.alerts.list('all', 10)).toEqual([]);

    // the chosen disk is unplugged: the next backup fails
    const external = join(tempDir(), 'usb-disk');
    mkdirSync(external);
    await admin.ok('backup.settings.update', { destination: external });
    rmSync(external, { recursive: true });
    expect((await admin.call('backup.create')).ok).toBe(false);
    await tick();
    const [alert] = (await admin.ok<{ alerts: Alert[] }>('monitoring.alerts.list', { state: 'firing' })).alerts;
    expect(alert).toMatchObject({ ruleId: 'backup-failed', severity: 'critical' });
    expect(alert!.message).toMatch(/cannot be reached/);

    // plugged back in: a good backup clears it
    mkdirSync(external);
    await admin.ok('backup.create');
    await tick();
    expect(monitoring.alerts.list('firing', 10)).toEqual([]);
    expect(monitoring.alerts.list('all', 10)[0]).toMatchObject({ ruleId: 'backup-failed', state: 'resolved' });
  });
});
