import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startTestCore, type TestCore } from '../support/core.js';
import { serveHttp } from '../support/http.js';
import { signedInAs, type SignedIn } from '../support/auth.js';

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n'), randomBytes(1000)]);
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let core: TestCore;
let app: FastifyInstance;
let base: string;
let assistant: SignedIn;
let lawyer: SignedIn;
let conversationId: number;
let matterId: number;

beforeAll(async () => {
  core = await startTestCore({ env: { LEXDESK_DOCUMENT_MAX_MB: '60' } });
  ({ app, base } = await serveHttp(core));
  assistant = await signedInAs(core, 'assistant');
  lawyer = await signedInAs(core, 'lawyer');
  const now = new Date().toISOString();
  const db = core.services.store.sqlite;
  db.exec(`INSERT INTO clients (id, whatsapp, name, name_key, created_at, updated_at) VALUES (1, '5511999000111', 'Ana Souza', 'ana souza', '${now}', '${now}')`);
  db.exec(`INSERT INTO conversations (id, chat_id, whatsapp, client_id, mode, state, last_activity_at, created_at) VALUES (1, '5511999000111@c.us', '5511999000111', 1, 'staff', '{}', '${now}', '${now}')`);
  db.exec(`INSERT INTO matters (id, reference, client_id, conversation_id, practice_area, description, status, conflict_state, created_at, updated_at)
           VALUES (1, '2026-0001', 1, 1, 'family', 'divorce', 'intake', 'none', '${now}', '${now}')`);
  conversationId = 1;
  matterId = 1;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await core?.dispose();
});

/** A raw upload: the body streamed in chunks, as a browser sends a File. */
function upload(token: string | undefined, query: string, body: Buffer | (() => AsyncIterable<Buffer>), type = 'application/pdf', length?: number): Promise<{ status: number; json: { ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string; details?: { reason?: string } } } }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/api/documents/upload?${query}`, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': type,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(Buffer.isBuffer(body) ? { 'content-length': String(body.length) } : length !== undefined ? { 'content-length': String(length) } : {}),
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
    });
    req.on('error', reject);
    if (Buffer.isBuffer(body)) req.end(body);
    else
      void (async () => {
        for await (const chunk of body()) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        req.end();
      })();
  });
}

const incoming = () => readdirSync(join(core.config.documents.dir, '.incoming'));

describe('the upload and download routes', () => {
  it('streams a 50 MB upload into the store and back out, with its hash', async () => {
    const chunk = randomBytes(1024 * 1024);
    const hash = createHash('sha256');
    const header = Buffer.from('%PDF-1.7\n');
    hash.update(header);
    for (let i = 0; i < 50; i++) hash.update(chunk);
    const expected = hash.digest('hex');
    const size = header.length + 50 * chunk.length;
    const rssBefore = process.memoryUsage().rss;
    const answer = await upload(
      assistant.token,
      `conversationId=${conversationId}&fileName=${encodeURIComponent('big brief.pdf')}`,
      async function* () {
        yield header;
        for (let i = 0; i < 50; i++) yield chunk;
      },
      'application/pdf',
      size,
    );
    expect(answer.status).toBe(200);
    expect(answer.json.value).toMatchObject({ fileName: 'big brief.pdf', size, sha256: expected, detectedType: 'application/pdf', source: 'staff', conversationId });
    // streamed, never held whole (a generous bound: well under the file's size)
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(45 * 1024 * 1024);

    const id = answer.json.value!.id as number;
    const response = await fetch(`${base}/api/documents/${id}/content`, { headers: { authorization: `Bearer ${assistant.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="big brief.pdf"; filename*=UTF-8''big%20brief.pdf`);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toMatch(/^sandbox; default-src 'none'/);
    expect(response.headers.get('content-length')).toBe(String(size));
    const back = Buffer.from(await response.arrayBuffer());
    expect(createHash('sha256').update(back).digest('hex')).toBe(expected);
    // both are in the audit trail, by whom
    const audited = core.services.store.sqlite
      .prepare("SELECT action, actor_id, target_id FROM audit_log WHERE action IN ('documents.upload', 'documents.open') ORDER BY id")
      .all() as { action: string; actor_id: string; target_id: string }[];
    expect(audited).toEqual(expect.arrayContaining([{ action: 'documents.open', actor_id: assistant.user.id, target_id: String(id) }]));
  }, 60_000);

  it('serves images and PDFs inline (typed by their bytes), and nothing else', async () => {
    const pdf = await upload(assistant.token, `conversationId=${conversationId}&fileName=a.pdf`, PDF);
    const png = await upload(assistant.token, `conversationId=${conversationId}&fileName=photo.jpg`, PNG, 'image/jpeg');
    const disguised = await upload(assistant.token, `conversationId=${conversationId}&fileName=photo.png`, PDF, 'image/png');
    const text = await upload(assistant.token, `conversationId=${conversationId}&fileName=${encodeURIComponent('list\u202Etxt.doc')}`, Buffer.from('<html><script>alert(1)</script>'), 'text/html');
    expect(png.json.value).toMatchObject({ preview: 'image', detectedType: 'image/png', mismatch: false });
    expect(disguised.json.value).toMatchObject({ preview: null, mismatch: true, detectedType: 'application/pdf' });
    expect(text.json.value).toMatchObject({ fileName: 'list[U+202E]txt.doc', preview: null });
    const open = (id: unknown, disposition = 'inline') =>
      fetch(`${base}/api/documents/${id}/content?disposition=${disposition}`, { headers: { authorization: `Bearer ${assistant.token}` } });
    const inlinePdf = await open(pdf.json.value!.id);
    expect(inlinePdf.status).toBe(200);
    expect(inlinePdf.headers.get('content-type')).toBe('application/pdf');
    expect(inlinePdf.headers.get('content-disposition')).toMatch(/^inline; /);
    expect((await open(png.json.value!.id)).headers.get('content-type')).toBe('image/png');
    const refused = await open(disguised.json.value!.id);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ ok: false, error: { code: 'invalid_input', details: { reason: 'not_inline' } } });
    expect((await open(text.json.value!.id)).status).toBe(400);
    const download = await open(text.json.value!.id, 'attachment');
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="list_txt.doc"; filename*=UTF-8''list%5BU%2B202E%5Dtxt.doc`.replace('list_txt.doc', 'list[U+202E]txt.doc'));
  });

  it('refuses an empty file, a program, a file over the limit, no token and a wrong role, leaving nothing half-written', async () => {
    const empty = await upload(assistant.token, `conversationId=${conversationId}&fileName=e.pdf`, Buffer.alloc(0));
    expect(empty).toMatchObject({ status: 400, json: { error: { code: 'invalid_input', details: { reason: 'empty' } } } });
    const exe = await upload(assistant.token, `conversationId=${conversationId}&fileName=setup.exe`, Buffer.concat([Buffer.from('MZ'), randomBytes(300)]), 'application/octet-stream');
    expect(exe.status).toBe(400);
    expect(exe.json.error!.message).toMatch(/does not keep or send programs and scripts/);
    const big = await upload(assistant.token, `conversationId=${conversationId}&fileName=big.pdf`, async function* () {}, 'application/pdf', 61 * 1024 * 1024);
    expect(big).toMatchObject({ status: 413, json: { error: { details: { reason: 'too_large' } } } });
    // a body that grows past the limit without announcing it is cut off too
    const sneaky = await upload(assistant.token, `conversationId=${conversationId}&fileName=s.pdf`, async function* () {
      for (let i = 0; i < 62; i++) yield Buffer.alloc(1024 * 1024, 1);
    });
    expect(sneaky.json.error?.details?.reason, JSON.stringify(sneaky)).toBe('too_large');
    expect((await upload(undefined, `conversationId=${conversationId}&fileName=a.pdf`, PDF)).status).toBe(401);
    // a matter's files are for lawyers
    const toMatter = await upload(assistant.token, `matterId=${matterId}&fileName=a.pdf`, PDF);
    expect(toMatter).toMatchObject({ status: 403, json: { error: { code: 'forbidden' } } });
    expect(incoming()).toEqual([]);

    const filed = await upload(lawyer.token, `matterId=${matterId}&fileName=${encodeURIComponent('../../opinion.pdf')}`, PDF);
    expect(filed.json.value).toMatchObject({ fileName: 'opinion.pdf', matterId, conversationId: null });
    const asAssistant = await fetch(`${base}/api/documents/${filed.json.value!.id}/content`, { headers: { authorization: `Bearer ${assistant.token}` } });
    expect(asAssistant.status).toBe(403);
    const asLawyer = await fetch(`${base}/api/documents/${filed.json.value!.id}/content`, { headers: { authorization: `Bearer ${lawyer.token}` } });
    expect(asLawyer.status).toBe(200);
    expect((await fetch(`${base}/api/documents/99999/content`, { headers: { authorization: `Bearer ${lawyer.token}` } })).status).toBe(404);
    expect((await fetch(`${base}/api/documents/abc/content`, { headers: { authorization: `Bearer ${lawyer.token}` } })).status).toBe(400);
  });

  it('a client document is attached to its matter by the assistant, and listed for the lawyer', async () => {
    const doc = await upload(assistant.token, `conversationId=${conversationId}&fileName=id.png`, PNG, 'image/png');
    const id = doc.json.value!.id as number;
    await assistant.ok('documents.attachToMatter', { documentId: id, matterId });
    expect(await assistant.call('documents.list', { matterId })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const list = await lawyer.ok<{ items: { id: number; source: string; createdBy: string }[] }>('documents.list', { matterId });
    expect(list.items.map((d) => d.id)).toContain(id);
    const matter = await lawyer.ok<{ documents: { id: number }[]; history: { action: string; newValue: string }[] }>('matters.get', { matterId });
    expect(matter.documents.map((d) => d.id)).toContain(id);
    expect(matter.history[0]).toMatchObject({ action: 'document', newValue: 'id.png' });
    // and it can be sent only to that client
    await assistant.ok('inbox.sendDocument', { conversationId, documentId: id, caption: 'Your ID, as we filed it' });
  });

  it("a file uploaded and then not sent (the card cancelled) leaves the conversation's documents and the store; a sent one stays", async () => {
    const rpc = async (token: string, name: string, input: unknown) => {
      const r = await fetch(`${base}/api/rpc/${name}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
      return (await r.json()) as { ok: boolean; value?: any; error?: { code: string; details?: { reason?: string } } };
    };
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2000)]);
    const up = await upload(assistant.token, `conversationId=${conversationId}&fileName=wrong-client.pdf`, bytes);
    const doc = up.json.value as { id: number; sha256: string };
    const file = join(core.config.documents.dir, doc.sha256.slice(0, 2), doc.sha256);
    expect(existsSync(file)).toBe(true);

    // another member of staff cannot drop someone else's upload
    const other = await signedInAs(core, 'assistant');
    expect((await rpc(other.token, 'documents.discard', { documentId: doc.id })).error?.code).toBe('forbidden');

    expect((await rpc(assistant.token, 'documents.discard', { documentId: doc.id })).value).toEqual({ discarded: true });
    const listed = (await rpc(assistant.token, 'documents.list', { conversationId })).value.items as { id: number }[];
    expect(listed.map((d) => d.id)).not.toContain(doc.id);
    expect(existsSync(file)).toBe(false);
    const audited = core.services.store.sqlite.prepare("SELECT outcome FROM audit_log WHERE action = 'documents.discard' AND target_id = ? ORDER BY id").pluck().all(String(doc.id));
    expect(audited).toEqual(['denied', 'ok']);

    // a client's file, and one that was sent, are kept
    const sent = (await upload(assistant.token, `conversationId=${conversationId}&fileName=brief.pdf`, Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2000)]))).json.value as { id: number };
    expect((await rpc(assistant.token, 'inbox.sendDocument', { conversationId, documentId: sent.id })).ok).toBe(true);
    const refused = await rpc(assistant.token, 'documents.discard', { documentId: sent.id });
    expect(refused.error).toMatchObject({ code: 'conflict', details: { reason: 'in_use' } });
    expect((await rpc(assistant.token, 'documents.get', { documentId: sent.id })).ok).toBe(true);
  });
});
