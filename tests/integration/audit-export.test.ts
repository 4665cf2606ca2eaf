import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditPage, ExportTicket } from '../../shared/contract/audit.js';
import type { ServerEvent } from '../../shared/events.js';
import { ManualClock } from '../../main/core/clock.js';
import { doorAuditor, type AuditEntry } from '../../main/core/audit/trail.js';
import { auditExportStream } from '../../main/core/audit/export.js';
import { AuditSearch } from '../../main/core/audit/search.js';
import { saveExport, withDesktopExports } from '../../main/electron/audit-export.js';
import { signedInAs } from '../support/auth.js';
import { silentLogger } from '../../main/core/log.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { serveHttp } from '../support/http.js';
import { tempDir } from '../support/server.js';

let core: TestCore | undefined;
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  await core?.dispose();
  app = undefined;
  core = undefined;
});

async function setUp() {
  const clock = new ManualClock('2026-03-01T08:00:00.000Z');
  core = await startTestCore({ deps: { clock } });
  const c = core;
  const append = (entry: Partial<AuditEntry> & { action: string }) =>
    c.services.audit.append({ actor: { type: 'system' }, face: 'headless', outcome: 'ok', ...entry });
  const admin = doorAs(c, 'admin', { auditor: doorAuditor(c.services.audit) });
  return { core: c, clock, append, admin };
}

/** Reads a CSV file with the sqlite3 shell: a real CSV reader, not ours. */
function readCsvWithSqlite(file: string): Record<string, string>[] {
  const out = execFileSync('sqlite3', [':memory:', '-cmd', `.import --csv ${file} t`, '-json', 'SELECT * FROM t'], {
    encoding: 'utf8',
  });
  return out.trim() ? (JSON.parse(out) as Record<string, string>[]) : [];
}

describe('audit.export', () => {
  it('streams the filtered rows as CSV, oldest first, that a spreadsheet cannot run as formulas', async () => {
    const { core, clock, append, admin } = await setUp();
    append({ actor: { type: 'user', id: 'u-1', name: 'ann', role: 'lawyer' }, action: 'matters.update', target: { type: 'matter', id: 'm-1' }, details: { note: 'a "quoted", multi\nline note' } });
    clock.advance(1000);
    append({ actor: { type: 'anonymous' }, action: '=HYPERLINK("http://evil")', outcome: 'error', errorCode: 'not_found' });
    clock.advance(1000);
    append({ actor: { type: 'user', id: 'u-1', name: 'ann', role: 'lawyer' }, action: 'matters.get', target: { type: 'matter', id: 'm-2' } });

    const ticket = await admin.ok<ExportTicket>('audit.export', { format: 'csv', from: '2026-03-01T08:00:00Z' });
    expect(ticket).toMatchObject({ format: 'csv', contentType: 'text/csv; charset=utf-8', filename: 'lexdesk-audit-20260301-080002.csv' });
    const download = core.services.auditRecords.exports.take(ticket.exportId)!;
    const file = join(tempDir(), 'export.csv');
    const chunks: Buffer[] = [];
    for await (const chunk of download.stream) chunks.push(Buffer.from(chunk));
    writeFileSync(file, Buffer.concat(chunks));
    expect(readFileSync(file).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf])); // BOM: Excel reads UTF-8

    const rows = readCsvWithSqlite(file);
    expect(rows.map((r) => r.action)).toEqual(['system.started', 'matters.update', `'=HYPERLINK("http://evil")`, 'matters.get']);
    expect(Object.keys(rows[0]!)[0]).toMatch(/id$/); // the header (after the BOM)
    expect(JSON.parse(rows[1]!.details!)).toEqual({ note: 'a "quoted", multi\nline note' });
    expect(rows[1]!.hash).toMatch(/^[0-9a-f]{64}$/);
    // the export and its delivery are on record; the export leaves out its own request row
    expect(rows.some((r) => r.action === 'audit.export')).toBe(false);
    const recorded = (await admin.ok<AuditPage>('audit.search', { action: 'audit.export' })).rows;
    expect(recorded[0]!.details).toMatchObject({ input: { format: 'csv', from: '2026-03-01T08:00:00Z' } });
    const delivered = (await admin.ok<AuditPage>('audit.search', { action: 'audit.export.delivered' })).rows;
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ outcome: 'ok', actor: { id: 'test-admin' }, details: { rows: 4, format: 'csv', ref: recorded[0]!.details.ref } });
  });

  it('writes JSON Lines whose rows re-hash to their stored hashes, so anyone can check an export', async () => {
    const { core, append, admin } = await setUp();
    for (let i = 0; i < 5; i++) append({ action: 'test.tick', details: { i, nested: { b: 2, a: [1, 'x'] } } });
    const ticket = await admin.ok<ExportTicket>('audit.export', { format: 'jsonl' });
    const download = core.services.auditRecords.exports.take(ticket.exportId)!;
    let text = '';
    for await (const chunk of download.stream) text += String(chunk);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.action)).toEqual(['system.started', ...Array(5).fill('test.tick')]); // not the export's own row
    let prev = '0'.repeat(64);
    for (const row of lines) {
      // the documented encoding: a JSON array of the fields, details in canonical (sorted-key) JSON
      const canonical = JSON.stringify(sortKeys(row.details));
      const encoded = JSON.stringify([row.id, row.at, row.actor_type, row.actor_id, row.actor_name, row.role, row.face, row.action,
        row.target_type, row.target_id, row.outcome, row.error_code, canonical, row.session_id, row.address, row.request_id, row.prev_hash]);
      expect(row.prev_hash).toBe(prev);
      expect(createHash('sha256').update(encoded).digest('hex')).toBe(row.hash);
      prev = row.hash as string;
    }
  });

  it('a ticket works once and for one minute only', async () => {
    const { core, clock, admin } = await setUp();
    const exports = core.services.auditRecords.exports;
    const first = await admin.ok<ExportTicket>('audit.export', {});
    const download = exports.take(first.exportId);
    expect(download).not.toBeNull();
    download!.stream.resume();
    expect(exports.take(first.exportId)).toBeNull();
    const second = await admin.ok<ExportTicket>('audit.export', {});
    clock.advance(61_000);
    expect(exports.take(second.exportId)).toBeNull();
    expect(exports.take('made-up')).toBeNull();
  });

  it('keeps memory flat: a reader that stops reading stops the export', async () => {
    const { core, append } = await setUp();
    core.services.store.tx(() => {
      for (let i = 0; i < 30_000; i++) append({ action: 'test.tick', details: { i, pad: 'x'.repeat(80) } });
    });
    const search = new AuditSearch(() => core.services.store.sqlite);
    const query = { mattersOnly: false };
    {
      let produced = 0;
      const stream = auditExportStream(search, query, 'csv', (p) => (produced = p.rows));
      // a reader that takes one piece, then stops
      await new Promise<void>((resolve) =>
        stream.once('data', () => {
          stream.pause();
          resolve();
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(produced).toBeLessThan(15_000);
      expect(stream.readableLength).toBeLessThan(4 * 1024 * 1024);
      // and goes on when asked, to the last row
      let lines = 0;
      stream.resume();
      for await (const chunk of stream) lines += String(chunk).split('\n').length - 1;
      expect(produced).toBe(30_001);
      expect(lines).toBeGreaterThan(0);
    }
  });
});

describe('the export over HTTP', () => {
  /** The real headless face; callers sign in for real (tests/support/auth). */
  async function serve() {
    const ctx = await setUp();
    const face = await serveHttp(ctx.core);
    app = face.app;
    return { ...ctx, base: face.base };
  }

  it('downloads once as an attachment, announces progress, and records the delivery', async () => {
    const { core, base, admin, append } = await serve();
    for (let i = 0; i < 50; i++) append({ action: 'test.tick', details: { i } });
    const events: ServerEvent[] = [];
    core.services.events.subscribe((e) => events.push(e));
    const ticket = await admin.ok<ExportTicket>('audit.export', { format: 'jsonl', action: 'test.' });
    const response = await fetch(`${base}${ticket.downloadPath}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${ticket.filename}"`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const lines = (await response.text()).trim().split('\n');
    expect(lines).toHaveLength(50);
    expect(JSON.parse(lines[0]!)).toMatchObject({ action: 'test.tick', details: { i: 0 } });

    const again = await fetch(`${base}${ticket.downloadPath}`);
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ ok: false, error: { code: 'not_found' } });

    await expect.poll(() => events.filter((e) => e.type === 'audit.export.progress').at(-1)?.data).toMatchObject({
      exportId: ticket.exportId,
      state: 'done',
      rows: 50,
    });
    const delivered = (await admin.ok<AuditPage>('audit.search', { action: 'audit.export.delivered' })).rows;
    expect(delivered[0]).toMatchObject({ outcome: 'ok', details: { rows: 50 } });
  });

  it('records a download the client broke off as stopped', async () => {
    const { core, base, admin, append } = await serve();
    core.services.store.tx(() => {
      for (let i = 0; i < 30_000; i++) append({ action: 'test.tick', details: { i, pad: 'x'.repeat(100) } });
    });
    const ticket = await admin.ok<ExportTicket>('audit.export', { format: 'csv' });
    const controller = new AbortController();
    const response = await fetch(`${base}${ticket.downloadPath}`, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect
      .poll(async () => (await admin.ok<AuditPage>('audit.search', { action: 'audit.export.delivered' })).rows[0]?.details)
      .toMatchObject({ stopped: 'cancelled' });
    expect(core.services.auditRecords.exports.runningCount).toBe(0);
    // after an abort, fetch leaves a spare connection open that would hold up app.close()
    app!.server.closeAllConnections();
  });

  it('serves security events and their summary under /api/monitoring/security, through the door', async () => {
    const { core, base, append } = await serve();
    append({ action: 'security.login.failed', details: { username: 'ann' } });
    append({ action: 'security.lockout', details: { username: 'ann' } });
    append({ action: 'matters.get' });
    // no token: the door refuses
    const anonymous = await fetch(`${base}/api/monitoring/security/events`);
    expect(anonymous.status).toBe(401);
    const tokens = { admin: (await signedInAs(core, 'admin')).token, lawyer: (await signedInAs(core, 'lawyer')).token };
    const as = (role: keyof typeof tokens) => ({ headers: { authorization: `Bearer ${tokens[role]}` } });

    const events = await fetch(`${base}/api/monitoring/security/events?limit=1`, as('admin'));
    expect(events.status).toBe(200);
    const page = (await events.json()) as { ok: true; value: AuditPage };
    expect(page.value.rows.map((r) => r.action)).toEqual(['security.lockout']);
    const next = await fetch(`${base}/api/monitoring/security/events?limit=1&cursor=${page.value.next}`, as('admin'));
    expect(((await next.json()) as { value: AuditPage }).value.rows.map((r) => r.action)).toEqual(['security.login.failed']);
    const failed = await fetch(`${base}/api/monitoring/security/events?type=login.failed`, as('admin'));
    expect(((await failed.json()) as { value: AuditPage }).value.rows).toHaveLength(1);

    const bad = await fetch(`${base}/api/monitoring/security/events?limit=lots`, as('admin'));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

    const summary = await fetch(`${base}/api/monitoring/security/summary`, as('admin'));
    expect(await summary.json()).toMatchObject({
      ok: true,
      value: { total: 2, actions: expect.arrayContaining([{ action: 'security.lockout', count: 1, lastAt: expect.any(String) }]) },
    });
    // a lawyer's scope holds no security events; the summary is the admin's
    const lawyerEvents = await fetch(`${base}/api/monitoring/security/events`, as('lawyer'));
    expect(((await lawyerEvents.json()) as { value: AuditPage }).value.rows).toEqual([]);
    expect((await fetch(`${base}/api/monitoring/security/summary`, as('lawyer'))).status).toBe(403);
  });
});

describe('the desktop save dialog', () => {
  it('streams to a temporary name and renames it to the chosen file; a cancelled dialog writes nothing', async () => {
    const { core, admin, append } = await setUp();
    for (let i = 0; i < 20; i++) append({ action: 'test.tick', details: { i } });
    const dir = tempDir();
    const exports = core.services.auditRecords.exports;
    const chosen = join(dir, 'chosen.csv');
    const asked: unknown[] = [];
    const ticket = await admin.ok<ExportTicket>('audit.export', { format: 'csv' });
    const saved = await saveExport(ticket, {
      dialog: { showSaveDialog: async (options) => (asked.push(options), { canceled: false, filePath: chosen }) },
      exports,
      defaultDir: () => dir,
      log: silentLogger,
    });
    expect(saved).toBe(chosen);
    expect(asked[0]).toMatchObject({ defaultPath: join(dir, ticket.filename), filters: [{ extensions: ['csv'] }] });
    expect(readCsvWithSqlite(chosen).filter((r) => r.action === 'test.tick')).toHaveLength(20);
    expect(existsSync(`${chosen}.partial`)).toBe(false);

    const cancelled = await admin.ok<ExportTicket>('audit.export', { format: 'jsonl' });
    const none = await saveExport(cancelled, {
      dialog: { showSaveDialog: async () => ({ canceled: true }) },
      exports,
      defaultDir: () => dir,
      log: silentLogger,
    });
    expect(none).toBeNull();
    await expect
      .poll(async () => (await admin.ok<AuditPage>('audit.search', { action: 'audit.export.delivered' })).rows.map((r) => r.details.stopped ?? 'ok'))
      .toEqual(['cancelled', 'ok']);
  });
});

describe('the desktop door', () => {
  it('asks where to save after a successful audit.export, and for nothing else', async () => {
    const { core } = await setUp();
    const admin = await signedInAs(core, 'admin', { face: 'desktop' });
    const dir = tempDir();
    const asked: string[] = [];
    const door = withDesktopExports(core.dispatcher, {
      dialog: {
        showSaveDialog: async (options) => {
          asked.push(options.defaultPath);
          return { canceled: false, filePath: join(dir, 'saved.jsonl') };
        },
      },
      exports: core.services.auditRecords.exports,
      defaultDir: () => dir,
      log: silentLogger,
    });
    expect(await door.dispatch('audit.search', {}, admin.context)).toMatchObject({ ok: true });
    expect(await door.dispatch('audit.export', { format: 'jsonl', outcome: 'maybe' }, admin.context)).toMatchObject({ ok: false });
    expect(asked).toEqual([]);
    const result = await door.dispatch('audit.export', { format: 'jsonl' }, admin.context);
    expect(result).toMatchObject({ ok: true, value: { format: 'jsonl' } });
    await expect.poll(() => existsSync(join(dir, 'saved.jsonl'))).toBe(true);
    expect(asked).toHaveLength(1);
    expect(readFileSync(join(dir, 'saved.jsonl'), 'utf8')).toContain('"action":"auth.login"');
  });
});

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}
