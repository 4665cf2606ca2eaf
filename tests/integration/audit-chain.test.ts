import fc from 'fast-check';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinSegments, walkChain, type ChainStart } from '../../main/core/audit/verify.js';
import { walkChainInWorkers } from '../../main/core/audit/worker.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/server.js';
import { join } from 'node:path';
import { copyFileSync } from 'node:fs';

/**
 * A walk split into segments (as the workers split it) must find exactly what one
 * walk finds: the same verdict, the same first broken row, the same reason.
 */
let core: TestCore;
let pristine: string;
const ROWS = 120;

beforeAll(async () => {
  const dir = tempDir();
  core = await startTestCore({ dataDir: dir });
  core.services.store.tx(() => {
    for (let i = 0; i < ROWS - 1; i++) core.services.audit.append({ actor: { type: 'system' }, face: 'scheduler', action: 'test.tick', outcome: 'ok', details: { i } });
  });
  await core.stop();
  pristine = join(dir, 'lexdesk.sqlite');
});
afterAll(async () => {
  if (core.running) await core.stop();
});

type Damage =
  | { kind: 'none' }
  | { kind: 'edit'; id: number }
  | { kind: 'relink'; id: number }
  | { kind: 'delete'; from: number; to: number };

function damaged(damage: Damage): Database.Database {
  const file = join(tempDir(), 'copy.sqlite');
  copyFileSync(pristine, file);
  const db = new Database(file);
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  if (damage.kind === 'edit') db.prepare("UPDATE audit_log SET details = '{\"i\":-1}' WHERE id = ?").run(damage.id);
  if (damage.kind === 'relink') db.prepare("UPDATE audit_log SET prev_hash = ? WHERE id = ?").run('f'.repeat(64), damage.id);
  if (damage.kind === 'delete') db.prepare('DELETE FROM audit_log WHERE id BETWEEN ? AND ?').run(damage.from, damage.to);
  return db;
}

describe('walking the chain in segments', () => {
  it('finds what one walk finds, wherever the segments are cut and whatever was damaged', () => {
    const damageArb = fc.oneof(
      fc.constant<Damage>({ kind: 'none' }),
      fc.integer({ min: 1, max: ROWS }).map<Damage>((id) => ({ kind: 'edit', id })),
      fc.integer({ min: 1, max: ROWS }).map<Damage>((id) => ({ kind: 'relink', id })),
      fc.tuple(fc.integer({ min: 1, max: ROWS - 1 }), fc.integer({ min: 0, max: 30 })).map<Damage>(([from, n]) => ({ kind: 'delete', from, to: Math.min(ROWS - 1, from + n) })),
    );
    fc.assert(
      fc.property(damageArb, fc.uniqueArray(fc.integer({ min: 1, max: ROWS - 1 }), { maxLength: 5 }), fc.integer({ min: 0, max: 40 }), (damage, cuts, startAfter) => {
        const db = damaged(damage);
        try {
          const start: ChainStart | undefined =
            startAfter === 0 ? undefined : { afterId: startAfter, hash: (db.prepare('SELECT hash FROM audit_log WHERE id = ?').get(startAfter) as { hash: string } | undefined)?.hash ?? 'gone' };
          const whole = walkChain(db, start, undefined, ROWS);
          const bounds = [...cuts.filter((c) => c > startAfter).sort((a, b) => a - b), ROWS];
          let after = startAfter;
          const segments = bounds.map((until, i) => {
            const from: ChainStart | undefined = i === 0 ? start : { afterId: after, hash: null };
            const report = walkChain(db, from, undefined, until);
            after = until;
            return report;
          });
          const joined = joinSegments(start, segments);
          const pick = (r: typeof whole) => (r.intact ? { intact: true, rows: r.rows, lastId: r.lastId, lastHash: r.lastHash } : { intact: false, rows: r.rows, brokenAt: r.brokenAt, reason: r.reason, message: r.message });
          expect(pick(joined)).toEqual(pick(whole));
        } finally {
          db.close();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the workers, three at once, name the same broken row as one walk', async () => {
    const db = damaged({ kind: 'edit', id: 77 });
    const file = db.name;
    db.close();
    expect(await walkChainInWorkers({ file, untilId: ROWS, workers: 3 })).toMatchObject({ intact: false, brokenAt: 77, reason: 'hash', rows: 76 });
    const whole = await walkChainInWorkers({ file: pristine, untilId: ROWS, workers: 3 });
    expect(whole).toMatchObject({ intact: true, rows: ROWS, lastId: ROWS });
  });
});
