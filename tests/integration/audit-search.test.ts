import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditPage, AuditRow } from '../../shared/contract/audit.js';
import { ManualClock } from '../../main/core/clock.js';
import { AuditSearch, type AuditQuery, type Position } from '../../main/core/audit/search.js';
import { doorAuditor, type AuditEntry } from '../../main/core/audit/trail.js';
import type { AuditLogTable } from '../../main/core/db/tables.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';

let core: TestCore | undefined;
afterEach(async () => {
  await core?.dispose();
  core = undefined;
});

const alice = { type: 'user', id: 'u-alice', name: 'alice', role: 'lawyer' } as const;
const bob = { type: 'user', id: 'u-bob', name: 'bob', role: 'admin' } as const;

async function coreWithClock() {
  const clock = new ManualClock('2026-03-01T08:00:00.000Z');
  core = await startTestCore({ deps: { clock } });
  return { core, clock };
}

function append(c: TestCore, entry: Partial<AuditEntry> & { action: string }) {
  return c.services.audit.append({ actor: { type: 'system' }, face: 'headless', outcome: 'ok', ...entry });
}

/** Every page of a search, following `next`, through the real door. */
async function allPages(door: ReturnType<typeof doorAs>, input: Record<string, unknown>): Promise<AuditRow[]> {
  const rows: AuditRow[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await door.ok<AuditPage>('audit.search', { ...input, ...(cursor ? { cursor } : {}) });
    rows.push(...page.rows);
    if (!page.next) return rows;
    cursor = page.next;
  }
  throw new Error('the search did not end');
}

describe('audit.search', () => {
  it('filters by actor, action name or prefix, outcome, target, time and free text, newest first', async () => {
    const { core, clock } = await coreWithClock();
    append(core, { actor: alice, action: 'matters.update', target: { type: 'matter', id: 'm-1' }, details: { note: 'Opposing counsel called' } });
    clock.advance(60_000);
    append(core, { actor: bob, action: 'users.create', target: { type: 'user', id: 'u-carol' } });
    clock.advance(60_000);
    append(core, { actor: alice, action: 'matters.get', target: { type: 'matter', id: 'm-2' }, outcome: 'denied', errorCode: 'forbidden' });
    clock.advance(60_000);
    append(core, { actor: { type: 'bot' }, face: 'bot', action: 'security.login.failed', details: { username: 'mallory' } });
    clock.advance(60_000);
    append(core, { actor: alice, action: 'matters.update', target: { type: 'matter', id: 'm-1' }, details: { note: 'deadline moved' } });

    const admin = doorAs(core, 'admin', { auditor: doorAuditor(core.services.audit) });
    const actions = async (input: Record<string, unknown>) =>
      (await admin.ok<AuditPage>('audit.search', input)).rows.map((r) => `${r.action}@${r.at.slice(11, 16)}`);

    expect(await actions({ actor: 'alice' })).toEqual(['matters.update@08:04', 'matters.get@08:02', 'matters.update@08:00']);
    expect(await actions({ actor: 'u-alice', action: 'matters.update' })).toEqual(['matters.update@08:04', 'matters.update@08:00']);
    expect(await actions({ action: 'security.' })).toEqual(['security.login.failed@08:03']);
    expect(await actions({ actor: 'bot' })).toEqual(['security.login.failed@08:03']);
    expect(await actions({ outcome: 'denied' })).toEqual(['matters.get@08:02']);
    expect(await actions({ target: { type: 'matter', id: 'm-1' } })).toEqual(['matters.update@08:04', 'matters.update@08:00']);
    expect(await actions({ target: { type: 'user' } })).toEqual(['users.create@08:01']);
    expect(await actions({ contains: 'OPPOSING counsel' })).toEqual(['matters.update@08:00']);
    // from is inclusive, to exclusive; other offsets than Z are understood
    expect(await actions({ actor: 'alice', from: '2026-03-01T08:02:00Z', to: '2026-03-01T10:04:00+02:00' })).toEqual([
      'matters.get@08:02',
    ]);
    // the search itself is on record, with its filter
    const searches = (await admin.ok<AuditPage>('audit.search', { action: 'audit.search', limit: 200 })).rows;
    expect(searches).toHaveLength(9); // the nine above; this one is recorded once it has answered
    expect(searches.some((r) => (r.details.input as Record<string, unknown>)?.contains === 'OPPOSING counsel')).toBe(true);
  });

  it('pages with a cursor without skipping or repeating rows, even when many share one timestamp', async () => {
    const { core, clock } = await coreWithClock();
    for (let i = 0; i < 60; i++) {
      if (i % 7 === 0) clock.advance(1000); // runs of rows with the same time
      append(core, { actor: i % 2 ? alice : bob, action: i % 3 ? 'matters.get' : 'clients.get', details: { i } });
    }
    const admin = doorAs(core, 'admin');
    const rows = await allPages(admin, { actor: 'alice', limit: 4 });
    const expected = (core.services.store.sqlite
      .prepare("SELECT id FROM audit_log WHERE actor_id = 'u-alice' ORDER BY at DESC, id DESC")
      .all() as { id: number }[]).map((r) => r.id);
    expect(rows.map((r) => r.id)).toEqual(expected);
    expect(expected).toHaveLength(30);
  });

  it('refuses a cursor it did not make and a page larger than 200', async () => {
    const { core } = await coreWithClock();
    const admin = doorAs(core, 'admin');
    expect(await admin.call('audit.search', { cursor: 'bm90IGEgY3Vyc29y' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/cursor/) },
    });
    expect(await admin.call('audit.search', { limit: 201 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await admin.call('audit.search', { from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
  });

  it('shows a lawyer only rows about clients and matters, refuses an assistant, and hides other rows from audit.get', async () => {
    const { core } = await coreWithClock();
    const aboutMatter = append(core, { actor: bob, action: 'matters.update', target: { type: 'matter', id: 'm-9' } });
    append(core, { actor: bob, action: 'clients.update', target: { type: 'client', id: 'c-3' } });
    const aboutUser = append(core, { actor: bob, action: 'users.update', target: { type: 'user', id: 'u-alice' } });
    append(core, { actor: { type: 'bot' }, action: 'security.lockout', details: { username: 'alice' } });

    const lawyer = doorAs(core, 'lawyer');
    const seen = await allPages(lawyer, {});
    expect(seen.map((r) => r.action)).toEqual(['clients.update', 'matters.update']);
    expect((await allPages(lawyer, { action: 'users.' })).length).toBe(0);
    expect((await allPages(lawyer, { target: { type: 'user', id: 'u-alice' } })).length).toBe(0);
    expect(await lawyer.ok('audit.get', { id: aboutMatter.id })).toMatchObject({ id: aboutMatter.id, target: { type: 'matter', id: 'm-9' } });
    expect(await lawyer.call('audit.get', { id: aboutUser.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });

    const admin = doorAs(core, 'admin');
    expect(await admin.ok('audit.get', { id: aboutUser.id })).toMatchObject({
      action: 'users.update',
      actor: { type: 'user', id: 'u-bob', name: 'bob', role: 'admin' },
      details: {},
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    const assistant = doorAs(core, 'assistant');
    expect(await assistant.call('audit.search', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await assistant.call('audit.get', { id: aboutMatter.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    for (const name of ['audit.export', 'audit.verify', 'audit.integrity', 'audit.securitySummary']) {
      expect(await lawyer.call(name, {}), name).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
  });

  it('counts security events by kind over a time range', async () => {
    const { core, clock } = await coreWithClock();
    append(core, { action: 'security.login.failed' });
    append(core, { action: 'security.login.failed' });
    clock.advance(3600_000);
    append(core, { action: 'security.lockout' });
    append(core, { action: 'securityish.thing' });
    const summary = await doorAs(core, 'admin').ok('audit.securitySummary', {});
    expect(summary).toMatchObject({
      total: 3,
      actions: [
        { action: 'security.login.failed', count: 2, lastAt: '2026-03-01T08:00:00.000Z' },
        { action: 'security.lockout', count: 1, lastAt: '2026-03-01T09:00:00.000Z' },
      ],
    });
  });
});

describe('the search plan', () => {
  // Any filter, any page size, any scan budget: following the cursors yields exactly
  // the rows a plain scan of the table finds, in the same order, once each.
  it('agrees with a brute-force scan for random filters, page sizes and scan budgets', async () => {
    const { core, clock } = await coreWithClock();
    const actors = [alice, bob, { type: 'bot' as const }, { type: 'system' as const }];
    const actionNames = ['matters.get', 'matters.update', 'clients.get', 'security.login.failed', 'security.lockout', 'users.create', 'ping'];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    core.services.store.tx(() => {
      for (let i = 0; i < 400; i++) {
        if (rnd(3) === 0) clock.advance(rnd(4) * 60_000);
        const action = actionNames[rnd(actionNames.length)]!;
        const targetType = action.startsWith('matters') ? 'matter' : action.startsWith('clients') ? 'client' : action.startsWith('users') ? 'user' : null;
        append(core, {
          actor: actors[rnd(actors.length)]!,
          action,
          outcome: (['ok', 'ok', 'ok', 'denied', 'error'] as const)[rnd(5)],
          target: targetType ? { type: targetType, id: `t${rnd(5)}` } : undefined,
          details: { word: ['apple', 'pear', 'fig'][rnd(3)] },
        });
      }
    });
    const all = core.services.store.sqlite.prepare('SELECT * FROM audit_log').all() as AuditLogTable[];
    const times = [...new Set(all.map((r) => r.at))].sort();
    const search = new AuditSearch(() => core.services.store.sqlite);

    const matches = (q: AuditQuery, r: AuditLogTable) =>
      (!q.actor || ('values' in q.actor ? q.actor.values.includes(String(r[q.actor.column])) : r[q.actor.column] === q.actor.value)) &&
      (!q.action || ('exact' in q.action ? r.action === q.action.exact : r.action.startsWith(q.action.prefix))) &&
      (!q.outcome || r.outcome === q.outcome) &&
      (!q.target || (r.target_type === q.target.type && (q.target.id === undefined || r.target_id === q.target.id))) &&
      (!q.from || r.at >= q.from) &&
      (!q.to || r.at < q.to) &&
      (!q.text || r.details.includes(q.text)) &&
      (!q.mattersOnly || r.target_type === 'matter' || r.target_type === 'client') &&
      (q.maxId === undefined || r.id <= q.maxId);

    const queryArb = fc.record(
      {
        actor: fc.constantFrom<AuditQuery['actor']>(
          { column: 'actor_id', value: 'u-alice' },
          { column: 'actor_name', value: 'bob' },
          { column: 'actor_type', value: 'bot' },
        ),
        action: fc.constantFrom<AuditQuery['action']>({ exact: 'matters.get' }, { prefix: 'security.' }, { prefix: 'security.login.' }, { prefix: 'matters.' }),
        outcome: fc.constantFrom('ok' as const, 'denied' as const, 'error' as const),
        target: fc.constantFrom({ type: 'matter' }, { type: 'matter', id: 't1' }, { type: 'user' }, { type: 'client', id: 't2' }),
        from: fc.constantFrom(...times),
        to: fc.constantFrom(...times),
        text: fc.constantFrom('apple', 'fig'),
        mattersOnly: fc.boolean(),
        maxId: fc.integer({ min: 1, max: 400 }),
      },
      { requiredKeys: ['mattersOnly'] },
    );

    fc.assert(
      fc.property(
        queryArb,
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 80 }),
        fc.constantFrom('desc' as const, 'asc' as const),
        (query, limit, scanBudget, direction) => {
          const expected = all
            .filter((r) => matches(query, r))
            .sort((a, b) => (a.at === b.at ? a.id - b.id : a.at < b.at ? -1 : 1))
            .map((r) => r.id);
          if (direction === 'desc') expected.reverse();
          const got: number[] = [];
          let after: Position | undefined;
          for (let i = 0; i < 10_000; i++) {
            const page = search.page(query, { direction, after, limit, scanBudget });
            expect(page.rows.length).toBeLessThanOrEqual(limit);
            got.push(...page.rows.map((r) => r.id));
            if (!page.next) break;
            after = page.next;
          }
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
