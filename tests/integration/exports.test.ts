import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slices } from '../../main/core/documents/store.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { serveHttp } from '../support/http.js';
import { signedInAs, type SignedIn } from '../support/auth.js';
import { REPO_ROOT, tempDir } from '../support/server.js';

/**
 * A client's copy of their data and an evidence export, end to end on a real core:
 * real SQLite, the real document store, the real PDF worker, a real HTTP download,
 * unzip and pdftotext reading what a client or a court would read, and the
 * `lexdesk evidence verify` command run as a child process.
 */

const CLI = join(REPO_ROOT, 'dist', 'main', 'cli', 'index.js');
const INTERNAL_NOTE = 'ZEBRA-INTERNAL-NOTE-7781';
const CONFLICT_NAME = 'ZEBRA-CONFLICT-PARTY-4412';
const TEAM_NOTE = 'ZEBRA-TEAM-NOTE-0093';
const KEPT_FILE = 'ZEBRA-lawyer-memo.pdf';

let core: TestCore;
let app: FastifyInstance;
let base: string;
let assistant: SignedIn;
let lawyer: SignedIn;
const sent: { name: string; data: Buffer }[] = [];

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function storeDocument(data: Buffer, fileName: string, declaredType: string, meta: Record<string, unknown>): Promise<number> {
  const documents = core.services.documents.store;
  const blob = await documents.write(slices(data), { fileName, declaredType });
  return documents.insert(blob, { source: 'client', ...meta } as Parameters<typeof documents.insert>[1]).id;
}

beforeAll(async () => {
  core = await startTestCore();
  ({ app, base } = await serveHttp(core));
  assistant = await signedInAs(core, 'assistant', { displayName: 'Ana Souza' });
  lawyer = await signedInAs(core, 'lawyer', { displayName: 'Bruno Lima' });
  const db = core.services.store.sqlite;
  const t = (m: number) => new Date(Date.UTC(2026, 10, 20, 9, m)).toISOString();
  db.exec(`INSERT INTO clients (id, whatsapp, name, name_key, language, created_at, updated_at) VALUES (1, '5511999000111', 'José Núñez', 'jose nunez', 'pt-BR', '${t(0)}', '${t(0)}')`);
  db.exec(`INSERT INTO conversations (id, chat_id, whatsapp, client_id, mode, state, language, last_activity_at, created_at) VALUES (1, '5511999000111@c.us', '5511999000111', 1, 'staff', '{}', 'pt-BR', '${t(9)}', '${t(0)}')`);
  const notice = (db.prepare('SELECT version FROM privacy_notices ORDER BY published_at DESC LIMIT 1').get() as { version: string }).version;
  db.prepare('INSERT INTO consents (conversation_id, whatsapp, client_id, notice_version, at) VALUES (1, ?, 1, ?, ?)').run('5511999000111', notice, t(1));
  db.exec(`INSERT INTO matters (id, reference, client_id, conversation_id, practice_area, description, opposing_party, status, next_step, conflict_state, created_at, updated_at)
           VALUES (1, '2026-0007', 1, 1, 'family', 'Guarda dos filhos', 'Carla Núñez', 'review', 'Reunião na sexta', 'possible', '${t(2)}', '${t(3)}')`);
  db.exec(`INSERT INTO matter_notes (matter_id, author_id, author_name, text, at) VALUES (1, '${lawyer.user.id}', 'Bruno Lima', '${INTERNAL_NOTE} the client seems unreliable', '${t(4)}')`);
  db.exec(`INSERT INTO conflict_hits (matter_id, direction, checked_name, matched_name, score, created_at) VALUES (1, 'opposing_is_client', 'Carla Núñez', '${CONFLICT_NAME}', 0.93, '${t(4)}')`);
  db.exec(`INSERT INTO conversation_notes (conversation_id, author_id, author_name, text, at) VALUES (1, '${assistant.user.id}', 'Ana Souza', '${TEAM_NOTE} call back later', '${t(5)}')`);

  // what the client sent: two files (a PDF and a photo), and messages
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n% certidão\n'), randomBytes(3000)]);
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  sent.push({ name: 'certidão de nascimento.pdf', data: pdf }, { name: 'foto.png', data: png });
  const pdfId = await storeDocument(pdf, sent[0]!.name, 'application/pdf', { conversationId: 1, clientId: 1, createdBy: 'José' });
  const pngId = await storeDocument(png, sent[1]!.name, 'image/png', { conversationId: 1, clientId: 1, createdBy: 'José' });
  // a file the lawyer kept for the matter, never sent to the client: the office's own work
  const memo = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(500)]);
  await storeDocument(memo, KEPT_FILE, 'application/pdf', { source: 'staff', matterId: 1, clientId: 1, createdBy: 'Bruno Lima' });
  const messages: [string, string, string, string | null, number | null][] = [
    ['in', 'client', 'Olá, preciso de ajuda com a guarda', null, null],
    ['out', 'bot', 'Olá! Como podemos ajudar?', null, null],
    ['in', 'client', 'Segue a certidão', sent[0]!.name, pdfId],
    ['in', 'client', '', sent[1]!.name, pngId],
    ['out', 'staff', 'Recebemos, obrigado. — Ana', null, null],
    ['in', 'client', 'Quero ver os meus dados', null, null],
  ];
  messages.forEach(([direction, author, text, fileName, documentId], i) => {
    db.prepare(
      'INSERT INTO conversation_messages (conversation_id, direction, author, author_name, text, file_name, document_id, at) VALUES (1, ?, ?, ?, ?, ?, ?, ?)',
    ).run(direction, author, author === 'staff' ? 'Ana Souza' : null, text, fileName, documentId, t(10 + i));
  });
  db.exec(`INSERT INTO data_requests (id, conversation_id, whatsapp, client_id, kind, text, status, created_at) VALUES (1, 1, '5511999000111', 1, 'erase', 'Quero ver os meus dados', 'open', '${t(15)}')`);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await core?.dispose();
});

function unzip(zip: Buffer): string {
  const dir = tempDir('lexdesk-copy-');
  writeFileSync(join(dir, 'copy.zip'), zip);
  const out = join(dir, 'out');
  mkdirSync(out);
  const result = spawnSync('unzip', ['-q', join(dir, 'copy.zip'), '-d', out], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return out;
}

function pdfText(file: string): string {
  const result = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

function everyFile(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? everyFile(path) : [path];
  });
}

describe("a client's copy of their data", () => {
  let answer: { exportId: number; zip: { id: number; fileName: string; sha256: string }; pdf: { id: number }; counts: Record<string, number> };
  let out: string;

  it('an assistant makes it and downloads it over HTTP; the data request is closed with what was made, when and by whom', async () => {
    answer = await assistant.ok('clients.exportData', { clientId: 1, deliver: 'save', requestId: 1 });
    expect(answer.counts).toEqual({ messages: 6, documents: 2, matters: 1, consents: 1 });
    const response = await fetch(`${base}/api/documents/${answer.zip.id}/content`, { headers: { authorization: `Bearer ${assistant.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="data-copy-Jos_-N__ez-\d{4}-\d\d-\d\d\.zip"/);
    const zip = Buffer.from(await response.arrayBuffer());
    expect(sha(zip)).toBe(answer.zip.sha256);
    out = unzip(zip);

    const request = core.services.store.sqlite.prepare('SELECT status, resolved_by, resolved_at, resolution FROM data_requests WHERE id = 1').get() as Record<string, string>;
    expect(request).toMatchObject({ status: 'done', resolved_by: 'Ana Souza' });
    expect(request.resolution).toContain(answer.zip.sha256);
    expect(request.resolution).toContain('saved for the office to hand over');
    const audit = core.services.store.sqlite.prepare("SELECT actor_id, target_type, target_id, details FROM audit_log WHERE action = 'clients.exportData' AND outcome = 'ok'").get() as { actor_id: string; target_type: string; target_id: string; details: string };
    expect(audit).toMatchObject({ actor_id: assistant.user.id, target_type: 'client', target_id: '1' });
    expect(JSON.parse(audit.details)).toMatchObject({ delivered: 'save', requestId: 1, zip: { sha256: answer.zip.sha256 } });
    // the trail is append-only: it never holds the client's name, which an erasure must be able to remove
    expect(audit.details).not.toContain('Núñez');
  });

  it('holds every message and every file the client sent, byte for byte', () => {
    const conversations = JSON.parse(readFileSync(join(out, 'conversations.json'), 'utf8')) as { messages: { text: string; direction: string; at: string; from: string }[] }[];
    const messages = conversations.flatMap((c) => c.messages);
    expect(messages.map((m) => m.text)).toEqual([
      'Olá, preciso de ajuda com a guarda',
      'Olá! Como podemos ajudar?',
      'Segue a certidão',
      '',
      'Recebemos, obrigado. — Ana',
      'Quero ver os meus dados',
    ]);
    expect(messages[0]).toMatchObject({ direction: 'in', from: 'client', at: '2026-11-20T09:10:00.000Z' });
    const listed = JSON.parse(readFileSync(join(out, 'documents.json'), 'utf8')) as { fileName: string; path: string; sha256: string }[];
    expect(listed.map((d) => d.fileName).sort()).toEqual(sent.map((s) => s.name).sort());
    for (const file of sent) {
      const entry = listed.find((d) => d.fileName === file.name)!;
      expect(readFileSync(join(out, entry.path)).equals(file.data), file.name).toBe(true);
      expect(entry.sha256).toBe(sha(file.data));
    }
    const matters = JSON.parse(readFileSync(join(out, 'matters.json'), 'utf8')) as Record<string, unknown>[];
    expect(matters).toEqual([expect.objectContaining({ reference: '2026-0007', status: 'review', nextStep: 'Reunião na sexta' })]);
    expect(Object.keys(matters[0]!)).not.toContain('conflictState');
    expect(JSON.parse(readFileSync(join(out, 'consents.json'), 'utf8'))).toEqual([{ noticeVersion: expect.any(String), at: '2026-11-20T09:01:00.000Z' }]);
  });

  it('holds nothing internal: no notes, no conflict hits, no file the office kept for itself — in the ZIP or the PDF', () => {
    const files = everyFile(out);
    const pdf = files.find((f) => f.endsWith('.pdf') && !f.includes('/documents/'))!;
    const text = pdfText(pdf);
    // the PDF is the client's summary, in their language
    expect(text).toContain('Cópia dos seus dados');
    expect(text).toContain('Segue a certidão');
    expect(text).toContain('José Núñez');
    expect(text).toContain('Reunião na sexta');
    for (const phrase of [INTERNAL_NOTE, CONFLICT_NAME, TEAM_NOTE, 'ZEBRA']) {
      expect(text, `PDF: ${phrase}`).not.toContain(phrase);
      for (const file of files) expect(readFileSync(file).includes(phrase), `${file}: ${phrase}`).toBe(false);
    }
    expect(files.some((f) => f.includes(KEPT_FILE))).toBe(false);
  });

  it('goes to the client on WhatsApp through the outbox (the PDF and the ZIP), and a second copy never packs the first', async () => {
    const again = await assistant.ok<typeof answer>('clients.exportData', { clientId: 1, deliver: 'whatsapp' });
    expect(again.counts.documents).toBe(2);
    const queued = core.services.store.sqlite
      .prepare("SELECT chat_id, kind, document_id, file_name, status FROM whatsapp_outbox WHERE kind = 'document' ORDER BY id")
      .all() as { chat_id: string; document_id: number; file_name: string }[];
    expect(queued.map((q) => q.document_id)).toEqual([again.pdf.id, again.zip.id]);
    expect(queued.every((q) => q.chat_id === '5511999000111@c.us')).toBe(true);
    const thread = core.services.store.sqlite
      .prepare("SELECT author, author_name, document_id FROM conversation_messages WHERE author = 'staff' AND document_id IS NOT NULL ORDER BY id")
      .all();
    expect(thread).toEqual([
      { author: 'staff', author_name: 'Ana Souza', document_id: again.pdf.id },
      { author: 'staff', author_name: 'Ana Souza', document_id: again.zip.id },
    ]);
    // a closed request cannot be closed again
    const closed = await assistant.call('clients.exportData', { clientId: 1, deliver: 'save', requestId: 1 });
    expect(closed).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const missing = await assistant.call('clients.exportData', { clientId: 99, deliver: 'save' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });

    // the client's page tells the story: the request, how it was closed, both copies
    const history = await lawyer.ok<{ items: { kind: string; text: string; by: string | null }[] }>('clients.dataHistory', { clientId: 1 });
    expect(history.items.map((i) => i.kind)).toEqual(['copy', 'resolved', 'copy', 'request']);
    expect(history.items[0]!.text).toBe('Ana Souza sent the client a copy of their data on WhatsApp');
    expect(history.items[1]).toMatchObject({ by: 'Ana Souza' });
    expect(history.items[1]!.text).toMatch(/^Request closed: Copy of the client's data saved for the office to hand over by Ana Souza/);
    expect(history.items[2]!.text).toBe("Ana Souza made a copy of the client's data to hand over");
    expect(history.items[3]!.text).toBe('Asked on WhatsApp to delete their data');
    expect(await assistant.call('clients.dataHistory', { clientId: 1 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});

describe('an evidence export', () => {
  function lexdesk(args: string[]) {
    return spawnSync(process.execPath, [CLI, ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: core.config.dataDir, LEXDESK_DATA_DIR: core.config.dataDir },
      timeout: 30_000,
    });
  }

  it('is for lawyers and admins; its JSON and PDF verify as intact, and one byte changed is refused', async () => {
    expect(await assistant.call('evidence.export', { conversationId: 1 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const head = core.services.store.sqlite.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string };
    const answer = await lawyer.ok<{ json: { id: number }; pdf: { id: number }; contentSha256: string; auditHead: { id: number; hash: string } }>('evidence.export', {
      conversationId: 1,
    });
    expect(answer.auditHead).toMatchObject(head);
    const dir = tempDir('lexdesk-evidence-');
    const json = (await core.services.documents.store.readAll(answer.json.id)).data;
    const pdf = (await core.services.documents.store.readAll(answer.pdf.id)).data;
    writeFileSync(join(dir, 'e.json'), json);
    writeFileSync(join(dir, 'e.pdf'), pdf);

    const file = JSON.parse(json.toString('utf8')) as {
      contentSha256: string;
      auditHead: { id: number };
      content: { messages: { text: string; delivery: string; sender: string }[]; documents: { sha256: string; fileName: string }[] };
    };
    expect(file.contentSha256).toBe(answer.contentSha256);
    expect(file.content.messages.map((m) => m.sender)).toContain('Ana Souza');
    expect(file.content.messages[0]).toMatchObject({ sender: 'José Núñez', delivery: 'received' });
    expect(file.content.documents.map((d) => d.sha256)).toEqual(expect.arrayContaining(sent.map((s) => sha(s.data))));
    // the earlier copies of the client's data are not part of the record
    expect(file.content.documents.some((d) => d.fileName.startsWith('data-copy-'))).toBe(false);
    const printed = pdfText(join(dir, 'e.pdf'));
    expect(printed).toContain(answer.contentSha256);
    expect(printed).toContain(sha(sent[0]!.data));
    expect(printed).toContain(`row ${head.id}`);

    const ok = lexdesk(['evidence', 'verify', join(dir, 'e.json'), '--pdf', join(dir, 'e.pdf')]);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^intact: /);

    // one byte of a message changed, the hashes left as they were
    const edited = Buffer.from(json);
    const at = edited.indexOf('Segue a certid');
    edited[at] = 'T'.charCodeAt(0);
    writeFileSync(join(dir, 'edited.json'), edited);
    const refused = lexdesk(['evidence', 'verify', join(dir, 'edited.json')]);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain('NOT INTACT');
    expect(refused.stdout).toContain('exported content');

    // one byte of the PDF changed
    const badPdf = Buffer.from(pdf);
    const middle = Math.floor(badPdf.length / 2);
    badPdf[middle] = badPdf[middle]! ^ 0x01;
    writeFileSync(join(dir, 'edited.pdf'), badPdf);
    const pdfRefused = lexdesk(['evidence', 'verify', join(dir, 'e.json'), '--pdf', join(dir, 'edited.pdf')]);
    expect(pdfRefused.status).toBe(1);
    expect(pdfRefused.stdout).toContain('The PDF differs');

    // the file re-formatted (same content, other bytes) is not the file LexDesk wrote
    writeFileSync(join(dir, 'pretty.json'), JSON.stringify(JSON.parse(json.toString('utf8')), null, 2));
    const pretty = lexdesk(['evidence', 'verify', join(dir, 'pretty.json')]);
    expect(pretty.status).toBe(1);
    expect(pretty.stdout).toContain('byte for byte');

    expect(lexdesk(['evidence', 'verify', join(dir, 'absent.json')]).status).toBe(2);

    // the export is in the audit trail, with the hashes that tie it to its files
    const audit = core.services.store.sqlite.prepare("SELECT actor_id, details FROM audit_log WHERE action = 'evidence.export' AND outcome = 'ok'").get() as { actor_id: string; details: string };
    expect(audit.actor_id).toBe(lawyer.user.id);
    expect(JSON.parse(audit.details)).toMatchObject({ contentSha256: answer.contentSha256, auditHead: { id: head.id } });
  });

  it("checks against the installation: the office's seal key and the audit head still in the trail", async () => {
    const answer = await lawyer.ok<{ json: { id: number } }>('evidence.export', { matterId: 1 });
    const dir = tempDir('lexdesk-evidence-');
    const json = (await core.services.documents.store.readAll(answer.json.id)).data;
    writeFileSync(join(dir, 'm.json'), json);
    const matter = JSON.parse(json.toString('utf8')) as { content: { matter: { reference: string }; documents: { fileName: string }[] } };
    expect(matter.content.matter.reference).toBe('2026-0007');
    expect(matter.content.documents.map((d) => d.fileName)).toContain(KEPT_FILE);

    // a file whose hashes were all recomputed by someone without the office's key
    const { createHmac } = await import('node:crypto');
    const { canonicalJson } = await import('../../main/core/audit/canonical.js');
    const { contentHashOf, sha256 } = await import('../../main/core/exports/seal.js');
    const forged = JSON.parse(json.toString('utf8')) as Parameters<typeof contentHashOf>[0] & { contentSha256: string; pdf: unknown; seal: { sha256: string; hmac: string } };
    forged.exportedBy = { id: null, name: 'Someone else' };
    forged.contentSha256 = contentHashOf(forged);
    const { seal: _seal, ...unsealed } = forged;
    const text = canonicalJson(unsealed);
    forged.seal = { sha256: sha256(text), hmac: createHmac('sha256', randomBytes(32)).update(text).digest('hex') };
    writeFileSync(join(dir, 'forged.json'), `${canonicalJson(forged)}\n`);

    await app.close();
    await core.stop();
    const ok = lexdesk(['evidence', 'verify', join(dir, 'm.json'), '--installation']);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    const alone = lexdesk(['evidence', 'verify', join(dir, 'forged.json')]);
    expect(alone.status, alone.stdout).toBe(0); // without the key, only the office can tell
    const forgedCheck = lexdesk(['evidence', 'verify', join(dir, 'forged.json'), '--installation']);
    expect(forgedCheck.status).toBe(1);
    expect(forgedCheck.stdout).toContain("not made with this office's key");
  }, 60_000);
});
