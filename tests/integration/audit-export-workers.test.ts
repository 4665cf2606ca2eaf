import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportFormat } from '../../shared/contract/audit.js';
import { ManualClock } from '../../main/core/clock.js';
import { auditExportStream } from '../../main/core/audit/export.js';
import { AuditSearch, type AuditQuery } from '../../main/core/audit/search.js';
import { startTestCore, type TestCore } from '../support/core.js';

let core: TestCore;
let search: AuditSearch;

beforeAll(async () => {
  const clock = new ManualClock('2026-02-01T00:00:00.000Z');
  core = await startTestCore({ deps: { clock } });
  const actors = [
    { type: 'user', id: 'u-1', name: 'ann', role: 'lawyer' },
    { type: 'user', id: 'u-2', name: 'bob', role: 'admin' },
    { type: 'bot' },
  ] as const;
  core.services.store.tx(() => {
    for (let i = 0; i < 400; i++) {
      if (i % 3 === 0) clock.advance(60_000);
      const action = ['matters.get', 'clients.update', 'security.login.failed', '=cmd|calc', 'users.list'][i % 5]!;
      core.services.audit.append({
        actor: actors[i % 3]!,
        face: 'headless',
        action,
        outcome: i % 7 === 0 ? 'denied' : 'ok',
        target: action.startsWith('matters') ? { type: 'matter', id: `m${i % 9}` } : action.startsWith('clients') ? { type: 'client', id: `c${i % 4}` } : undefined,
        details: { i, note: i % 50 === 0 ? 'needle, "quoted"\nline' : 'hay' },
      });
    }
  });
  search = new AuditSearch(() => core.services.store.sqlite);
});
afterAll(async () => {
  await core?.dispose();
});

const queries: [string, AuditQuery][] = [
  ['everything', { mattersOnly: false }],
  ['one person', { mattersOnly: false, actor: { column: 'actor_id', value: 'u-1' } }],
  ['an action family', { mattersOnly: false, action: { prefix: 'security.' } }],
  ['a rare word', { mattersOnly: false, text: 'needle' }],
  ["a lawyer's view, up to a snapshot", { mattersOnly: true, maxId: 300 }],
  ['a time range and an outcome', { mattersOnly: false, from: '2026-02-01T00:30:00.000Z', to: '2026-02-01T01:30:00.000Z', outcome: 'denied' }],
];

describe('an export read by worker threads', () => {
  for (const format of ['csv', 'jsonl'] as ExportFormat[]) {
    it(`writes exactly what the single-connection export writes (${format})`, async () => {
      for (const [label, query] of queries) {
        expect(search.boundary(query, undefined, 5), `${label} spans several chunks`).not.toBeNull();
        const single = await text(auditExportStream(search, query, format));
        const parallel = await text(
          auditExportStream(search, query, format, undefined, { file: core.config.databaseFile, count: 2, chunkEntries: 5 }),
        );
        expect(parallel, label).toBe(single);
        expect(single.length, label).toBeGreaterThan(100);
      }
    });
  }
});
