import { afterEach, describe, expect, it } from 'vitest';
import { clientAuthorOf, parseChatExport, writeChatExport } from '../../main/core/imports/whatsapp-chat.js';
import { startTestCore, type TestCore } from '../support/core.js';

const cores: TestCore[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.dispose().catch(() => undefined);
});

const EXPORT = [
  '31/10/2024 09:15 - As mensagens e as ligações são protegidas com a criptografia de ponta a ponta.',
  '31/10/2024 09:15 - Ana Souza: Bom dia, doutor. Recebi a notificação do banco',
  'e queria saber o prazo.',
  '31/10/2024 09:17 - Dr. Rui Lima: Bom dia, Ana! Pode me mandar uma foto?',
  '31/10/2024 09:20 - Ana Souza: IMG-20241031-WA0003.jpg (arquivo anexado)',
  '31/10/2024 09:21 - Ana Souza: <Mídia oculta>',
  '31/10/2024 09:21 - Ana Souza: <Mídia oculta>',
].join('\n');

describe('a WhatsApp chat export attached to a client', () => {
  it("files the client's messages as received and the office's as sent, in the office's time, marked imported, and never twice", async () => {
    const core = await startTestCore();
    cores.push(core);
    const db = core.services.store.sqlite;
    const clientId = Number(
      db.prepare("INSERT INTO clients (whatsapp, name, name_key, created_at, updated_at) VALUES ('5511987654321', 'Ana Souza', 'ana souza', '2024-01-01', '2024-01-01')").run()
        .lastInsertRowid,
    );
    const chat = parseChatExport(EXPORT, { language: 'pt-BR' });
    const clientAuthor = clientAuthorOf(chat, { name: 'ANA SOUZA', whatsapp: '5511987654321' });
    expect(clientAuthor).toBe('Ana Souza');
    expect(clientAuthorOf(chat, { name: 'Beatriz', whatsapp: '5511000000000' })).toBeNull();
    const write = (c: typeof chat) =>
      db.transaction(() => writeChatExport(db, c, { clientId, clientAuthor: clientAuthor!, timeZone: 'America/Sao_Paulo', source: 'chat.txt', files: [], actor: 'it', now: new Date() }))();

    const first = write(chat);
    expect(first).toMatchObject({ imported: 5, already: 0, notices: 1 });
    const rows = db
      .prepare('SELECT direction, author, author_name, text, file_name, at FROM conversation_messages WHERE conversation_id = ? ORDER BY id')
      .all(first.conversationId) as { direction: string; author: string; author_name: string | null; text: string; file_name: string | null; at: string }[];
    expect(rows.map((r) => [r.direction, r.author, r.author_name, r.file_name, r.at])).toEqual([
      ['in', 'client', null, null, '2024-10-31T12:15:00.000Z'],
      ['out', 'staff', 'Dr. Rui Lima', null, '2024-10-31T12:17:00.000Z'],
      ['in', 'client', null, 'IMG-20241031-WA0003.jpg', '2024-10-31T12:20:00.000Z'],
      ['in', 'client', null, null, '2024-10-31T12:21:00.000Z'],
      ['in', 'client', null, null, '2024-10-31T12:21:00.000Z'],
    ]);
    expect(rows[0]!.text).toBe('Bom dia, doutor. Recebi a notificação do banco\ne queria saber o prazo.');
    expect(rows[3]!.text).toBe('(media not included in the exported chat)');
    const conversation = db.prepare('SELECT client_id, chat_id FROM conversations WHERE id = ?').get(first.conversationId);
    expect(conversation).toEqual({ client_id: clientId, chat_id: '5511987654321@c.us' });
    expect(db.prepare("SELECT count(*) FROM import_records WHERE kind = 'chat_message' AND batch_id = ?").pluck().get(first.batchId)).toBe(5);
    expect(db.prepare('SELECT kind FROM import_batches WHERE id = ?').pluck().get(first.batchId)).toBe('chat');

    // the same export again adds nothing; a later export of the same chat adds only what is new
    expect(write(chat)).toMatchObject({ imported: 0, already: 5 });
    const later = parseChatExport(`${EXPORT}\n01/11/2024 14:02 - Dr. Rui Lima: O prazo é 15/11.`, { language: 'pt-BR' });
    expect(write(later)).toMatchObject({ imported: 1, already: 5 });
    expect(db.prepare('SELECT count(*) FROM conversation_messages WHERE conversation_id = ?').pluck().get(first.conversationId)).toBe(6);
  });
});
