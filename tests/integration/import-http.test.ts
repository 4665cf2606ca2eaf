import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { findConflicts } from '../../main/core/bot/conflicts.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { serveHttp } from '../support/http.js';
import { signedInAs, type SignedIn } from '../support/auth.js';

type Answer = { status: number; json: { ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string; details?: { reason?: string; report?: Record<string, unknown> } } } };

let core: TestCore;
let app: FastifyInstance;
let base: string;
let admin: SignedIn;
let lawyer: SignedIn;

beforeAll(async () => {
  core = await startTestCore();
  ({ app, base } = await serveHttp(core));
  admin = await signedInAs(core, 'admin');
  lawyer = await signedInAs(core, 'lawyer');
}, 60_000);

afterAll(async () => {
  await app?.close();
  await core?.dispose();
});

function post(path: string, token: string | undefined, body: Buffer | string, headers: Record<string, string> = {}): Promise<Answer> {
  const data = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, {
      method: 'POST',
      agent: false,
      headers: { 'content-length': String(data.length), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

const upload = (token: string | undefined, fileName: string, body: string | Buffer) =>
  post(`/api/imports/upload?fileName=${encodeURIComponent(fileName)}`, token, body, { 'content-type': 'text/csv' });
const rpc = (token: string, name: string, input: unknown) => post(`/api/rpc/${name}`, token, JSON.stringify(input), { 'content-type': 'application/json' });
const uploadsDir = () => join(core.config.dataDir, 'imports', 'uploads');
const audit = (action: string) =>
  core.services.store.sqlite.prepare('SELECT outcome, error_code, details FROM audit_log WHERE action = ? ORDER BY at DESC, rowid DESC').all(action) as { outcome: string; error_code: string | null; details: string }[];

const LIST = 'Quem;Papel;Processo;Obs\nConstrutora Ramotilu Ltda;parte contrária;2019-114;devedor\nJosé Pereira;ex cliente;2017-002;\n';

describe('the Import screen\'s routes', () => {
  it('an admin uploads a list, remaps a column, imports it in one go with its audit record, and a second time nothing is added twice', async () => {
    const up = await upload(admin.token, 'partes.csv', LIST);
    expect(up.status).toBe(200);
    const preview = up.json.value as { uploadId: string; columns: string[]; mapping: Record<string, string>; rows: { name: string; role: string }[] };
    expect(preview.columns).toEqual(['Quem', 'Papel', 'Processo', 'Obs']);
    // "Papel" and "Processo" are known headers; "Quem" is not
    expect(preview.mapping).toEqual({ role: 'Papel', matter: 'Processo' });

    const mapping = { name: 'Quem', role: 'Papel', matter: 'Processo' };
    const remapped = await rpc(admin.token, 'imports.preview', { uploadId: preview.uploadId, mapping });
    expect((remapped.json.value as { rows: { name: string; role: string }[] }).rows.map((r) => [r.name, r.role])).toEqual([
      ['Construtora Ramotilu Ltda', 'adverse_party'],
      ['José Pereira', 'former_client'],
    ]);

    const run = await rpc(admin.token, 'imports.run', { uploadId: preview.uploadId, mapping });
    expect(run.json).toMatchObject({ ok: true, value: { ok: true, imported: 2, already: 0, byRole: { adverse_party: 1, former_client: 1 } } });
    const hits = findConflicts(core.services.store, { clientId: -1, clientName: 'Construtora Ramotilu', opposingParty: null, matterId: -1 });
    expect(hits.map((h) => [h.matchedName, h.matchedRole, h.matchedReference])).toEqual([['Construtora Ramotilu Ltda', 'adverse_party', '2019-114']]);
    const [record] = audit('imports.run');
    expect(record).toMatchObject({ outcome: 'ok' });
    expect(JSON.parse(record!.details)).toMatchObject({ source: 'partes.csv', imported: 2, alreadyImported: 0 });
    // the upload is gone once imported
    expect(readdirSync(uploadsDir())).toEqual([]);
    expect((await rpc(admin.token, 'imports.run', { uploadId: preview.uploadId, mapping })).json.error?.code).toBe('not_found');

    const again = await upload(admin.token, 'partes.csv', LIST);
    const second = await rpc(admin.token, 'imports.run', { uploadId: (again.json.value as { uploadId: string }).uploadId, mapping });
    expect(second.json.value).toMatchObject({ imported: 0, already: 2 });
    expect(core.services.store.sqlite.prepare('SELECT count(*) FROM parties').pluck().get()).toBe(2);
  });

  it('refuses a file with a bad row as a whole, with every problem by row, and records the refusal', async () => {
    const up = await upload(admin.token, 'bad.csv', 'name,role\nAna Lima,client\nBeto,enemy\n,witness\n');
    const { uploadId } = up.json.value as { uploadId: string };
    const run = await rpc(admin.token, 'imports.run', { uploadId, mapping: { name: 'name', role: 'role' } });
    expect(run.status).toBe(400);
    expect(run.json.error).toMatchObject({ code: 'invalid_input', details: { reason: 'file_problems' } });
    const report = run.json.error!.details!.report as { problems: { line: string }[]; imported: number };
    expect(report.problems.map((p) => p.line)).toEqual([
      'bad.csv #2: role "enemy" is not a role (client, former client, adverse party, related party, witness)',
      'bad.csv #3: name is empty: every party needs a name',
    ]);
    expect(report.imported).toBe(0);
    expect(core.services.store.sqlite.prepare("SELECT count(*) FROM parties WHERE name = 'Ana Lima'").pluck().get()).toBe(0);
    expect(audit('imports.run')[0]).toMatchObject({ outcome: 'invalid', error_code: 'invalid_input' });
  });

  it('keeps nothing from a lawyer, a stranger, a file that is not a list or one over 50 MB', async () => {
    const before = existsSync(uploadsDir()) ? readdirSync(uploadsDir()).length : 0;
    expect((await upload(lawyer.token, 'partes.csv', LIST)).json.error?.code).toBe('forbidden');
    expect((await upload(undefined, 'partes.csv', LIST)).json.error?.code).toBe('unauthenticated');
    expect((await rpc(lawyer.token, 'imports.exportAll', {})).json.error?.code).toBe('forbidden');
    const docx = await upload(admin.token, 'partes.docx', 'PK\u0003\u0004');
    expect(docx.status).toBe(400);
    expect(docx.json.error?.details?.reason).toBe('not_a_list');
    const huge = await post('/api/imports/upload?fileName=big.csv', admin.token, 'x', { 'content-length': String(60 * 1024 * 1024) }).catch(() => null);
    if (huge) expect(huge.status).toBe(413);
    expect(existsSync(uploadsDir()) ? readdirSync(uploadsDir()).length : 0).toBe(before);
    expect((await rpc(admin.token, 'imports.preview', { uploadId: '../../etc/passwd', mapping: {} })).json.error?.code).toBe('invalid_input');
  });

  it('exports everything into a folder in the data folder and says where', async () => {
    const out = await rpc(admin.token, 'imports.exportAll', {});
    const value = out.json.value as { folder: string; files: number; counts: Record<string, number> };
    expect(value.folder.startsWith(join(core.config.dataDir, 'exports', 'lexdesk-export-'))).toBe(true);
    expect(readdirSync(value.folder)).toContain('manifest.json');
    expect(value.counts.parties).toBe(2);
    expect(audit('imports.exportAll')[0]).toMatchObject({ outcome: 'ok' });

    // two at once (a double click, two admins): never one folder written twice
    const both = await Promise.all([rpc(admin.token, 'imports.exportAll', {}), rpc(admin.token, 'imports.exportAll', {})]);
    for (const answer of both) {
      if (!answer.json.ok) expect(answer.json.error).toMatchObject({ code: 'conflict', details: { reason: 'export_running' } });
    }
    const folders = both.filter((a) => a.json.ok).map((a) => (a.json.value as { folder: string }).folder);
    expect(new Set([...folders, value.folder]).size).toBe(folders.length + 1);
    for (const f of folders) expect(readdirSync(f)).toContain('manifest.json');
  });
});
