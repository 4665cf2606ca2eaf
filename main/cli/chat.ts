import { basename } from 'node:path';
import type { Core } from '../core/app.js';
import { invalidInput } from '../core/errors.js';
import { CHAT_LANGUAGES, chatLanguageOf, clientOf, planChat, readChat, storeChatFiles, type ChatLanguage, type StoredChatFiles } from '../core/imports/chat.js';
import { newChatMessages, writeChatExport, type ChatImportResult } from '../core/imports/whatsapp-chat.js';
import { cliAudit, operatorName } from './operator.js';

/**
 * `lexdesk import chat <file.txt|file.zip> --client <number> [--as "Name"] [--language pt-BR] [--dry-run]`:
 * a chat a phone exported into that client's conversation, its files into the document store (audited).
 */
export async function chatCommand(
  core: Core,
  path: string,
  options: { client?: string; as?: string; language?: string; dryRun: boolean },
): Promise<number> {
  const number = options.client?.replace(/\D/g, '') ?? '';
  if (!number) {
    process.stderr.write('lexdesk: --client: the client\'s WhatsApp number, e.g. --client 5511987654321\n');
    return 2;
  }
  if (options.language && !(CHAT_LANGUAGES as readonly string[]).includes(options.language)) {
    process.stderr.write(`lexdesk: --language is the phone's language: ${CHAT_LANGUAGES.join(', ')}\n`);
    return 2;
  }
  const name = basename(path);
  let result: ChatImportResult | null = null;
  let files: StoredChatFiles = { stored: new Map(), refused: [] };
  let toStore = 0;
  try {
    await cliAudit(core, options.dryRun ? 'import.chat.dryRun' : 'import.chat', async (note) => {
      const db = core.services.store.sqlite;
      const id = db.prepare('SELECT id FROM clients WHERE whatsapp = ?').pluck().get(number) as number | undefined;
      if (id === undefined) throw invalidInput(`no client has the WhatsApp number ${number}`);
      const client = clientOf(db, id);
      const read = await readChat(path, name, (options.language as ChatLanguage | undefined) ?? chatLanguageOf(core.services.bot.settings.get().behaviour.language));
      try {
        const plan = planChat(db, read, client, options.as);
        const clientAuthor = plan.clientAuthor;
        if (!clientAuthor) {
          throw invalidInput(`which of ${read.chat.authors.map((a) => `"${a}"`).join(', ')} is the client? Say it with --as "Name"`, { reason: 'which_author' });
        }
        toStore = plan.files.inExport;
        if (!options.dryRun && plan.files.inExport > 0) {
          files = await storeChatFiles(core.services.documents.store, read, newChatMessages(db, read.chat, client.id), (done, total) => {
            if (process.stderr.isTTY) process.stderr.write(`\rStoring the chat's files: ${done} of ${total}`);
            if (process.stderr.isTTY && done === total) process.stderr.write('\n');
          });
        }
        const timeZone = core.services.bot.settings.get().hours.timeZone;
        note.target = { type: 'client', id: String(client.id) };
        const file = { name, bytes: read.archive.bytes, sha256: read.archive.sha256, encoding: read.archive.encoding, chat: read.archive.textName };
        const write = () =>
          writeChatExport(db, read.chat, { clientId: client.id, clientAuthor, timeZone, source: path, files: [file], actor: operatorName(), now: new Date(), stored: files.stored });
        if (options.dryRun) {
          db.exec('BEGIN IMMEDIATE');
          try {
            result = write();
          } finally {
            db.exec('ROLLBACK');
          }
        } else {
          result = db.transaction(write).immediate();
        }
        note.details = {
          source: path,
          sha256: read.archive.sha256,
          layout: read.chat.layout,
          dateOrder: read.chat.dateOrder,
          clientAuthor,
          imported: result.imported,
          alreadyImported: result.already,
          documents: result.documents,
          filesRefused: files.refused.length,
        };
      } finally {
        read.archive.close();
      }
    });
  } catch (err) {
    process.stderr.write(`lexdesk: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const done = result as ChatImportResult | null;
  if (!done) return 1;
  const filesLine = options.dryRun
    ? toStore > 0
      ? `, ${toStore} files to store`
      : ''
    : done.documents > 0
      ? `, ${done.documents} files into the document store`
      : '';
  process.stdout.write(
    `${options.dryRun ? 'Dry run (nothing was changed): ' : ''}${done.imported} messages ${options.dryRun ? 'to import' : 'imported'} into conversation ${done.conversationId}` +
      `${filesLine}${done.already ? `, already imported: ${done.already}` : ''}${done.notices ? ` (${done.notices} WhatsApp notices left out)` : ''}\n`,
  );
  for (const refused of files.refused) process.stdout.write(`  not kept: ${refused.fileName}: ${refused.message}\n`);
  return 0;
}
