import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from '../support/core.js';
import { serveHttp } from '../support/http.js';
import { signedInAs, type SignedIn } from '../support/auth.js';
import { tempDir } from '../support/server.js';

/*
 * A chat a phone exported with its media (a .zip made by the real `zip`
 * program), brought into a client's conversation through the Import screen's
 * routes: the zip's files land in the document store with their messages.
 */

let core: TestCore;
let app: FastifyInstance;
let base: string;
let admin: SignedIn;
let lawyer: SignedIn;
let clientId: number;

type Answer = { status: number; body: { ok: boolean; value?: any; error?: { code: string; message: string; details?: { reason?: string } } } };

async function post(path: string, token: string, body: Buffer | string, type = 'application/octet-stream'): Promise<Answer> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}
const uploadChat = (token: string, fileName: string, data: Buffer, query = '') =>
  post(`/api/imports/chat-upload?clientId=${clientId}&fileName=${encodeURIComponent(fileName)}${query}`, token, data);
const rpc = (token: string, name: string, input: unknown) => post(`/api/rpc/${name}`, token, JSON.stringify(input), 'application/json');
const rows = <T>(sql: string, ...params: unknown[]) => core.services.store.sqlite.prepare(sql).all(...params) as T[];

// a tiny real PNG (1×1) and a tiny real PDF
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a10000000049454e44ae426082', 'hex');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

// Android in Brazilian Portuguese: the client is saved under her full name
const CHAT = [
  '04/03/2024 09:41 - As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta.',
  '04/03/2024 09:41 - Ana Souza: Bom dia, recebi uma carta do locador',
  '04/03/2024 09:42 - Ana Souza: IMG-20240304-WA0001.jpg (arquivo anexado)',
  'a carta, frente',
  '04/03/2024 09:43 - Ana Souza: contrato-locacao.pdf (arquivo anexado)',
  '04/03/2024 09:44 - Ana Souza: verso.jpg (arquivo anexado)',
  '04/03/2024 09:45 - Ana Souza: limpar.sh (arquivo anexado)',
  '04/03/2024 09:46 - Ana Souza: <Mídia oculta>',
  '04/03/2024 12:02 - Dr. Rui Lima: Recebido, vou analisar o contrato',
].join('\n');

function zipOf(files: Record<string, Buffer | string>): Buffer {
  const dir = tempDir('lexdesk-chat-zip-');
  const src = join(dir, 'export');
  mkdirSync(src);
  for (const [name, data] of Object.entries(files)) writeFileSync(join(src, name), data);
  execFileSync('zip', ['-q', '-j', join(dir, 'chat.zip'), ...Object.keys(files).map((n) => join(src, n))]);
  return readFileSync(join(dir, 'chat.zip'));
}

beforeAll(async () => {
  core = await startTestCore();
  ({ app, base } = await serveHttp(core));
  admin = await signedInAs(core, 'admin');
  lawyer = await signedInAs(core, 'lawyer');
  clientId = Number(
    core.services.store.sqlite
      .prepare("INSERT INTO clients (whatsapp, name, name_key, created_at, updated_at) VALUES ('5511987654321', 'Ana Souza', 'ana souza', '2024-01-01', '2024-01-01')")
      .run().lastInsertRowid,
  );
}, 60_000);

afterAll(async () => {
  await app?.close();
  await core?.dispose();
});

describe("a chat exported with its media, through the Import screen's routes", () => {
  it("shows what it would do, then files the messages and the zip's files in the client's conversation and document store, once", async () => {
    const zip = zipOf({
      'WhatsApp Chat with Ana Souza.txt': CHAT,
      'IMG-20240304-WA0001.jpg': PNG,
      'contrato-locacao.pdf': PDF,
      'limpar.sh': '#!/bin/sh\nrm -rf /\n',
      'unrelated-photo.jpg': PNG,
    });

    const up = await uploadChat(admin.token, 'WhatsApp Chat with Ana Souza.zip', zip);
    expect(up.status).toBe(200);
    const preview = up.body.value;
    expect(preview.client).toMatchObject({ id: clientId, name: 'Ana Souza' });
    expect(preview.layout).toBe('android');
    expect(preview.dateOrder).toBe('dmy');
    expect(preview.clientAuthor).toBe('Ana Souza');
    expect(preview.authors).toEqual([
      { name: 'Ana Souza', messages: 6 },
      { name: 'Dr. Rui Lima', messages: 1 },
    ]);
    expect(preview).toMatchObject({ toImport: 7, already: 0, notices: 1, first: '2024-03-04T09:41:00', last: '2024-03-04T12:02:00' });
    // three files of new messages are in the zip (the script among them), verso.jpg is named but missing, one left out by the phone
    expect(preview.files).toEqual({ inExport: 3, missing: 1, leftOut: 1 });
    expect(preview.sample[1]).toEqual({ local: '2024-03-04T09:42:00', author: 'Ana Souza', text: 'a carta, frente', attachment: 'IMG-20240304-WA0001.jpg' });

    const run = await rpc(admin.token, 'imports.chatRun', { uploadId: preview.uploadId, clientId, clientAuthor: 'Ana Souza' });
    expect(run.status).toBe(200);
    expect(run.body.value).toMatchObject({ imported: 7, already: 0, documents: 2 });
    expect(run.body.value.filesRefused).toHaveLength(1);
    expect(run.body.value.filesRefused[0].fileName).toBe('limpar.sh');
    expect(run.body.value.filesRefused[0].message).toMatch(/programs and scripts/);

    const thread = rows<{ direction: string; text: string; file_name: string | null; document_id: number | null }>(
      'SELECT direction, text, file_name, document_id FROM conversation_messages WHERE conversation_id = ? ORDER BY at, id',
      run.body.value.conversationId,
    );
    expect(thread.map((m) => [m.direction, m.text, m.file_name, m.document_id !== null])).toEqual([
      ['in', 'Bom dia, recebi uma carta do locador', null, false],
      ['in', 'a carta, frente', 'IMG-20240304-WA0001.jpg', true],
      ['in', '', 'contrato-locacao.pdf', true],
      ['in', '', 'verso.jpg', false],
      ['in', '', 'limpar.sh', false],
      ['in', '(media not included in the exported chat)', null, false],
      ['out', 'Recebido, vou analisar o contrato', null, false],
    ]);
    // the files are the client's, in her conversation, typed from their bytes, and decrypt to what the zip held
    const docs = rows<{ id: number; source: string; detected_type: string; client_id: number; conversation_id: number; created_at: string; at: string }>(
      'SELECT d.id, d.source, d.detected_type, d.client_id, d.conversation_id, d.created_at, m.at FROM documents d JOIN conversation_messages m ON m.document_id = d.id ORDER BY d.id',
    );
    expect(docs.map((d) => [d.source, d.detected_type, d.client_id, d.conversation_id, d.created_at === d.at])).toEqual([
      ['client', 'image/png', clientId, run.body.value.conversationId, true],
      ['client', 'application/pdf', clientId, run.body.value.conversationId, true],
    ]);
    expect((await core.services.documents.store.readAll(docs[0]!.id)).data.equals(PNG)).toBe(true);
    expect((await core.services.documents.store.readAll(docs[1]!.id)).data.equals(PDF)).toBe(true);
    const audit = rows<{ outcome: string; details: string }>("SELECT outcome, details FROM audit_log WHERE action = 'imports.chatRun'");
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ imported: 7, documents: 2, filesRefused: 1 });

    // the same export again: nothing new, no document twice
    const again = await uploadChat(admin.token, 'WhatsApp Chat with Ana Souza.zip', zip);
    expect(again.body.value).toMatchObject({ toImport: 0, already: 7, files: { inExport: 0, missing: 0, leftOut: 0 } });
    const rerun = await rpc(admin.token, 'imports.chatRun', { uploadId: again.body.value.uploadId, clientId, clientAuthor: 'Ana Souza' });
    expect(rerun.body.value).toMatchObject({ imported: 0, already: 7, documents: 0 });
    expect(rows('SELECT id FROM documents')).toHaveLength(2);
  });

  it("reads 03/04 as the phone's language given writes it (else the office's), and refuses an author who wrote nothing", async () => {
    const chat = '03/04/24, 9:41 AM - Ana Souza: Hello\n03/04/24, 9:50 AM - Rui: Hi Ana';
    const up = await uploadChat(admin.token, 'chat.txt', Buffer.from(chat));
    // the office writes English: month first with AM/PM
    expect(up.body.value.first).toBe('2024-03-04T09:41:00');
    const br = await rpc(admin.token, 'imports.chatPreview', { uploadId: up.body.value.uploadId, clientId, language: 'pt-BR' });
    expect(br.body.value.first).toBe('2024-04-03T09:41:00');
    expect(br.body.value.dateOrder).toBe('dmy');
    const who = await rpc(admin.token, 'imports.chatRun', { uploadId: up.body.value.uploadId, clientId, clientAuthor: 'Somebody Else' });
    expect(who.status).toBe(400);
    expect(who.body.error?.details?.reason).toBe('which_author');
  });

  it('refuses what is not an exported chat with a sentence, keeps nothing of it, and lets only admins import', async () => {
    const uploads = () => readdirSync(join(core.config.dataDir, 'imports', 'uploads')).sort();
    const before = uploads();
    const noChat = await uploadChat(admin.token, 'photos.zip', zipOf({ 'a.jpg': PNG, 'b.pdf': PDF }));
    expect(noChat.status).toBe(400);
    expect(noChat.body.error).toMatchObject({ code: 'invalid_input', details: { reason: 'not_a_chat_export' } });
    expect(noChat.body.error?.message).toContain('Export chat');

    const zip = zipOf({ '_chat.txt': '[04/03/2024, 09:41:05] Ana Souza: Olá', 'x.jpg': PNG });
    const damaged = await uploadChat(admin.token, 'chat.zip', zip.subarray(0, zip.length - 30));
    expect(damaged.status).toBe(400);
    expect(damaged.body.error?.details?.reason).toBe('damaged');

    const notText = await uploadChat(admin.token, 'notes.txt', Buffer.from('just some notes\nwith no dates'));
    expect(notText.body.error?.details?.reason).toBe('not_a_chat_export');

    const pdf = await uploadChat(admin.token, 'chat.pdf', PDF);
    expect(pdf.body.error?.details?.reason).toBe('not_a_chat_export');

    const unknownClient = await post(`/api/imports/chat-upload?clientId=999999&fileName=_chat.txt`, admin.token, '[04/03/2024, 09:41:05] Ana Souza: Olá');
    expect(unknownClient.status).toBe(404);

    const forbidden = await uploadChat(lawyer.token, '_chat.txt', Buffer.from('[04/03/2024, 09:41:05] Ana Souza: Olá'));
    expect(forbidden.status).toBe(403);

    // nothing of what was refused is kept in the data folder
    expect(uploads()).toEqual(before);
  });

  it("erasing the client keeps the imported messages known as imported, without what the import kept of them, and takes no chat any more", async () => {
    const imported = () => rows<{ extra: string | null }>("SELECT extra FROM import_records WHERE kind = 'chat_message'");
    expect(imported().length).toBeGreaterThan(0);
    expect(imported().every((r) => r.extra !== null)).toBe(true);
    expect(imported().some((r) => r.extra!.includes('Ana Souza'))).toBe(true);
    const erased = await rpc(admin.token, 'clients.erase', { clientId, reason: 'The client asked on WhatsApp.', password: admin.user.password });
    expect(erased.status).toBe(200);
    expect(imported().length).toBeGreaterThan(0);
    expect(imported().every((r) => r.extra === null)).toBe(true);
    const again = await uploadChat(admin.token, '_chat.txt', Buffer.from('[04/03/2024, 09:41:05] Ana Souza: Olá'));
    expect(again.status).toBe(409);
    expect(again.body.error?.details?.reason).toBe('erased');
  });
});
