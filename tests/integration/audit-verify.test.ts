import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditPage, Verification } from '../../shared/contract/audit.js';
import type { ServerEvent } from '../../shared/events.js';
import { doorAuditor } from '../../main/core/audit/trail.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { tempDir } from '../support/server.js';

let core: TestCore | undefined;
afterEach(async () => {
  if (core?.running) await core.stop();
  core = undefined;
});

async function open(dataDir: string) {
  core = await startTestCore({ dataDir });
  const c = core;
  return {
    core: c,
    admin: doorAs(c, 'admin', { auditor: doorAuditor(c.services.audit) }),
    ticks: (n: number) => {
      for (let i = 0; i < n; i++) c.services.audit.append({ actor: { type: 'system' }, face: 'scheduler', action: 'test.tick', outcome: 'ok', details: { i } });
    },
  };
}

/** What an attacker with the file can do: drop the triggers, then change or delete rows. */
function tamper(file: string, sql: string, ...params: unknown[]) {
  const db = new Database(file);
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  db.prepare(sql).run(...params);
  db.close();
}

describe('audit.verify', () => {
  it('reports "intact, N rows", keeps a checkpoint, and from it hashes only the rows added since', async () => {
    const dataDir = tempDir();
    const { core, admin, ticks } = await open(dataDir);
    ticks(30);
    const events: ServerEvent[] = [];
    core.services.events.subscribe((e) => events.push(e));

    const full = await admin.ok<Verification>('audit.verify', {});
    expect(full).toMatchObject({ intact: true, mode: 'start', rows: 31, checked: 31, throughId: 31, brokenAt: null, message: 'Intact: 31 rows.' });
    expect(full.by).toEqual({ type: 'user', name: 'test-admin' });
    expect(events.at(-1)).toMatchObject({ type: 'audit.verified', data: { intact: true, rows: 31 } });

    ticks(5); // and the verify call above left its own row: 32
    const quick = await admin.ok<Verification>('audit.verify', { from: 'checkpoint' });
    expect(quick).toMatchObject({ intact: true, mode: 'checkpoint', rows: 37, checked: 6, throughId: 37 });

    const integrity = await admin.ok('audit.integrity', {});
    expect(integrity).toMatchObject({ last: { intact: true, throughId: 37 }, lastRowId: 38, rowsSince: 1 });
    // each verification is on record, with what it found
    const recorded = (await admin.ok<AuditPage>('audit.search', { action: 'audit.verify' })).rows;
    expect(recorded.map((r) => r.details)).toEqual([
      expect.objectContaining({ intact: true, mode: 'checkpoint', throughId: 37 }),
      expect.objectContaining({ intact: true, mode: 'start', throughId: 31 }),
    ]);
  });

  it('names the row whose details an attacker changed, with the triggers dropped', async () => {
    const dataDir = tempDir();
    let { core, ticks } = await open(dataDir);
    ticks(10);
    const file = core.config.databaseFile;
    await core.stop();
    tamper(file, "UPDATE audit_log SET details = replace(details, '\"i\":4', '\"i\":9') WHERE id = 6");
    ({ core } = await open(dataDir));
    const admin = doorAs(core, 'admin');
    expect(await admin.ok('audit.verify', {})).toMatchObject({
      intact: false,
      brokenAt: 6,
      reason: 'hash',
      rows: 5,
      message: 'Row 6 was changed after it was written.',
    });
    expect(await admin.ok('audit.integrity', {})).toMatchObject({ last: { intact: false, brokenAt: 6 } });
  });

  it('notices a row deleted from the middle', async () => {
    const dataDir = tempDir();
    let { core, ticks } = await open(dataDir);
    ticks(10);
    const file = core.config.databaseFile;
    await core.stop();
    tamper(file, 'DELETE FROM audit_log WHERE id = 7');
    ({ core } = await open(dataDir));
    expect(await doorAs(core, 'admin').ok('audit.verify', {})).toMatchObject({ intact: false, brokenAt: 8, reason: 'gap', message: 'Row 7 is missing.' });
  });

  it('notices rows cut from the end after a checkpoint, from the start and from the checkpoint', async () => {
    const dataDir = tempDir();
    let { core, admin, ticks } = await open(dataDir);
    ticks(20);
    expect(await admin.ok('audit.verify', {})).toMatchObject({ intact: true, throughId: 21 }); // the checkpoint
    const file = core.config.databaseFile;
    await core.stop();
    // cut rows 17 and up; the next start appends its row 17 after row 16, so what is
    // left is a perfectly linked chain: only the checkpoint knows rows went missing
    tamper(file, 'DELETE FROM audit_log WHERE id >= 17');
    ({ core } = await open(dataDir));
    // the anchor outside the database already told at start (its own rows follow the start's)
    expect(core.services.auditRecords.chainState()).toMatchObject({ chainOk: false });
    const door = doorAs(core, 'admin', { auditor: doorAuditor(core.services.audit) });
    const fromStart = await door.ok<Verification>('audit.verify', { from: 'start' });
    expect(fromStart).toMatchObject({ intact: false, reason: 'truncated' });
    expect(fromStart.brokenAt).toBe(fromStart.rows + 1);
    expect(fromStart.rows).toBeLessThan(21);
    expect(fromStart.message).toMatch(new RegExp(`^Rows ${fromStart.brokenAt} to 21, verified on \\d{4}-\\d\\d-\\d\\d, are missing from the end of the trail\\.$`));
    // a broken result is no checkpoint, and after one even a quick run walks from the start
    expect(await door.ok('audit.verify', { from: 'checkpoint' })).toMatchObject({
      intact: false,
      mode: 'start',
      reason: 'truncated',
      brokenAt: (fromStart.brokenAt ?? 0) + 1,
    });
  });

  it('from a checkpoint, still catches a change to the checkpoint row itself', async () => {
    const dataDir = tempDir();
    let { core, admin, ticks } = await open(dataDir);
    ticks(8);
    await admin.ok('audit.verify', {}); // checkpoint at row 9
    const file = core.config.databaseFile;
    await core.stop();
    tamper(file, "UPDATE audit_log SET details = replace(details, '\"i\":7', '\"i\":1') WHERE id = 9");
    ({ core } = await open(dataDir));
    expect(await doorAs(core, 'admin').ok('audit.verify', { from: 'checkpoint' })).toMatchObject({
      intact: false,
      reason: 'checkpoint',
      brokenAt: 9,
    });
  });

  it('is refused to a lawyer', async () => {
    const { core } = await open(tempDir());
    expect(await doorAs(core, 'lawyer').call('audit.verify', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
