import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Core } from '../core/app.js';
import { invalidInput } from '../core/errors.js';
import { inspectFile } from '../core/imports/source.js';
import { ChatExportError, clientAuthorOf, parseChatExport, writeChatExport, type ChatImportResult } from '../core/imports/whatsapp-chat.js';
import { cliAudit, operatorName } from './operator.js';

const LANGUAGES = ['en', 'pt-BR', 'es'] as const;
/** An exported chat is a text file; a very long one is still a few megabytes. */
const MAX_BYTES = 64 * 1024 * 1024;

/**
 * `lexdesk import chat <file.txt> --client <number> [--as "Name"] [--language pt-BR] [--dry-run]`:
 * a chat a phone exported into that client's conversation (audited).
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
  if (options.language && !(LANGUAGES as readonly string[]).includes(options.language)) {
    process.stderr.write(`lexdesk: --language is the phone's language: ${LANGUAGES.join(', ')}\n`);
    return 2;
  }
  const name = basename(path);
  let result: ChatImportResult | null = null;
  try {
    await cliAudit(core, options.dryRun ? 'import.chat.dryRun' : 'import.chat', async (note) => {
      const file = await inspectFile(path, name).catch(() => {
        throw invalidInput(`${name} cannot be read`);
      });
      if (file.bytes > MAX_BYTES) throw invalidInput(`${name} is larger than 64 MB: is it really an exported chat?`);
      const db = core.services.store.sqlite;
      const client = db.prepare('SELECT id, name, whatsapp FROM clients WHERE whatsapp = ?').get(number) as { id: number; name: string | null; whatsapp: string } | undefined;
      if (!client) throw invalidInput(`no client has the WhatsApp number ${number}`);
      let chat;
      try {
        const text = new TextDecoder(file.encoding === 'windows-1252' ? 'windows-1252' : 'utf-8').decode(await readFile(path));
        chat = parseChatExport(text, { language: options.language as (typeof LANGUAGES)[number] | undefined });
      } catch (err) {
        if (err instanceof ChatExportError) throw invalidInput(`${name}: ${err.message}`, { reason: err.problem.code });
        throw err;
      }
      const clientAuthor = clientAuthorOf(chat, client, options.as);
      if (!clientAuthor) {
        throw invalidInput(`which of ${chat.authors.map((a) => `"${a}"`).join(', ')} is the client? Say it with --as "Name"`, { reason: 'which_author' });
      }
      const timeZone = core.services.bot.settings.get().hours.timeZone;
      note.target = { type: 'client', id: String(client.id) };
      const write = () => writeChatExport(db, chat, { clientId: client.id, clientAuthor, timeZone, source: path, files: [file], actor: operatorName(), now: new Date() });
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
      note.details = { source: path, sha256: file.sha256, layout: chat.layout, dateOrder: chat.dateOrder, clientAuthor, imported: result.imported, alreadyImported: result.already };
    });
  } catch (err) {
    process.stderr.write(`lexdesk: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const done = result as ChatImportResult | null;
  if (!done) return 1;
  process.stdout.write(
    `${options.dryRun ? 'Dry run (nothing was changed): ' : ''}${done.imported} messages ${options.dryRun ? 'to import' : 'imported'} into conversation ${done.conversationId}` +
      `${done.already ? `, already imported: ${done.already}` : ''}${done.notices ? ` (${done.notices} WhatsApp notices left out)` : ''}\n`,
  );
  return 0;
}
