import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ChatPreview as ChatPreviewOutput, PartiesImportReport, PartiesPreview as PreviewOutput } from '../../../shared/contract/imports.js';
import { SCHEMA_VERSION } from '../db/migrate.js';
import type { Handler, HandlerContext } from '../dispatch.js';
import { AppError, conflict, invalidInput, notFound } from '../errors.js';
import type { CoreServices } from '../services.js';
import { APP_VERSION } from '../version.js';
import { chatLanguageOf, clientOf, planChat, readChat, storeChatFiles, type ChatLanguage } from './chat.js';
import { exportAll } from './export.js';
import { problemLine, type Problem } from './legacy.js';
import { newChatMessages, writeChatExport } from './whatsapp-chat.js';
import { partiesReport, previewParties, readParties, writeParties, type PartiesPreview, type PartyField } from './parties.js';

type ImportOperation = 'imports.upload' | 'imports.preview' | 'imports.run' | 'imports.exportAll' | 'imports.chatUpload' | 'imports.chatPreview' | 'imports.chatRun';

/**
 * The largest list of parties the screen takes, and its most rows. The file is
 * read and checked first, streamed (the event loop keeps turning); then every row
 * is written in one synchronous transaction on the app's own connection, together
 * with the call's audit record. SQLite has one writer at a time, so a worker
 * thread holding the write lock would stall the app's other writes just as long;
 * the row limit keeps that transaction to about a second (npm run bench:conflicts).
 * Longer lists go through `lexdesk import parties`.
 */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
export const MAX_SCREEN_ROWS = 50_000;
/** A phone's exported chat with its media: WhatsApp caps what it exports well below this. */
export const MAX_CHAT_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;
const CHAT_TOO_LARGE = 'The exported chat is larger than 2 GB: export it again from the phone, or use lexdesk import chat on the computer LexDesk runs on.';
/** Uploads never imported are removed after a day. */
const UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;
/** Export folders being written now: one export at a time into each. */
const exporting = new Set<string>();
const TYPES = new Set(['.csv', '.txt', '.tsv', '.json']);

const uploadsDir = (services: CoreServices) => join(services.config.dataDir, 'imports', 'uploads');

function refusal(reason: string, message: string, details: Record<string, unknown> = {}): AppError {
  return invalidInput(message, { reason, ...details });
}

/** An upload's file and the name it had, or not_found. */
async function uploaded(services: CoreServices, id: string, kind: UploadKind = 'parties'): Promise<{ path: string; fileName: string }> {
  const dir = uploadsDir(services);
  let meta: { fileName: string; kind?: UploadKind };
  try {
    meta = JSON.parse(await readFile(join(dir, `${id}.meta.json`), 'utf8')) as { fileName: string; kind?: UploadKind };
    if (!(await stat(join(dir, id))).isFile()) throw new Error('not a file');
  } catch {
    throw notFound('That uploaded file is no longer there: upload it again.');
  }
  if ((meta.kind ?? 'parties') !== kind) {
    throw refusal('wrong_upload', kind === 'chat' ? 'That upload is a list of parties, not an exported chat.' : 'That upload is an exported chat, not a list of parties.');
  }
  return { path: join(dir, id), fileName: meta.fileName };
}

type UploadKind = 'parties' | 'chat';

/**
 * Streams the call's file into <data>/imports/uploads under a random id (never a
 * name the caller chose), at most `limit` bytes, and answers the id.
 */
async function receive(ctx: HandlerContext<CoreServices>, fileName: string, size: number | undefined, kind: UploadKind, limit: number, tooLarge: string): Promise<string> {
  const { services } = ctx;
  const upload = ctx.call.upload!;
  if (size !== undefined && size > limit) throw refusal('too_large', tooLarge);
  const dir = uploadsDir(services);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await removeStale(services, Date.now());
  const id = randomBytes(16).toString('hex');
  const part = join(dir, `${id}.part`);
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > limit) done(refusal('too_large', tooLarge));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(upload.stream, count, createWriteStream(part, { mode: 0o600 }));
    if (size !== undefined && bytes < size) throw refusal('cut_short', 'The file arrived cut short. Upload it again.');
    if (bytes === 0) throw refusal('empty', 'The file is empty.');
    await writeFile(join(dir, `${id}.meta.json`), JSON.stringify({ fileName, kind }), { mode: 0o600 });
    await rename(part, join(dir, id));
  } catch (err) {
    await rm(part, { force: true });
    if (err instanceof AppError) throw err;
    throw refusal('cut_short', 'The file could not be received completely. Upload it again.');
  }
  ctx.audit.target = { type: 'import_upload', id };
  ctx.audit.details = { fileName, bytes, kind };
  return id;
}

/** Without the phone's language, a date such as 03/04 is read as the office's own language writes it. */
function officeLanguage(services: CoreServices): ChatLanguage {
  return chatLanguageOf(services.bot.settings.get().behaviour.language);
}

/** What importing an uploaded chat would do. */
async function chatPreview(ctx: HandlerContext<CoreServices>, uploadId: string, clientId: number, language?: ChatLanguage): Promise<ChatPreviewOutput> {
  const { path, fileName } = await uploaded(ctx.services, uploadId, 'chat');
  const db = ctx.services.store.sqlite;
  const client = clientOf(db, clientId);
  const read = await readChat(path, fileName, language ?? officeLanguage(ctx.services));
  try {
    const plan = planChat(db, read, client);
    return {
      uploadId,
      fileName,
      bytes: read.archive.bytes,
      client,
      layout: read.chat.layout,
      dateOrder: read.chat.dateOrder,
      ...plan,
      sample: read.chat.messages
        .filter((m) => m.author !== null)
        .slice(0, 5)
        .map((m) => ({ local: m.local, author: m.author!, text: m.text.slice(0, 300), attachment: m.attachment })),
    };
  } finally {
    read.archive.close();
  }
}

async function removeUpload(services: CoreServices, id: string): Promise<void> {
  const dir = uploadsDir(services);
  await rm(join(dir, id), { force: true });
  await rm(join(dir, `${id}.meta.json`), { force: true });
}

async function removeStale(services: CoreServices, now: number): Promise<void> {
  const dir = uploadsDir(services);
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    const info = await stat(join(dir, entry)).catch(() => null);
    if (info && now - info.mtimeMs > UPLOAD_TTL_MS) await rm(join(dir, entry), { force: true });
  }
}

const problemOut = (p: Problem) => ({ record: p.record, field: p.field, message: p.message, line: problemLine(p) });

function previewOut(uploadId: string, fileName: string, preview: PartiesPreview): PreviewOutput {
  return {
    uploadId,
    fileName,
    bytes: preview.file.bytes,
    encoding: preview.file.encoding,
    columns: preview.columns,
    mapping: preview.mapping,
    rows: preview.rows,
    problems: preview.problems.map(problemOut),
  };
}

function actorName(ctx: HandlerContext<CoreServices>): string {
  return ctx.principal?.username ?? 'system';
}

export const importHandlers: { [N in ImportOperation]: Handler<N, CoreServices> } = {
  'imports.upload': async (input, ctx) => {
    const { services } = ctx;
    const upload = ctx.call.upload;
    if (!upload) throw refusal('no_file', 'No file came with the upload.');
    const fileName = (input.fileName ?? upload.fileName ?? '').trim();
    if (!fileName) throw refusal('no_name', 'The file has no name: choose the file again.');
    if (!TYPES.has(extname(fileName).toLowerCase())) {
      throw refusal('not_a_list', 'LexDesk imports parties from a CSV file (.csv, .txt, .tsv) or a JSON list (.json). Save the spreadsheet as CSV and upload that.');
    }
    const id = await receive(ctx, fileName, input.size ?? upload.size, 'parties', MAX_UPLOAD_BYTES, 'The file is larger than 50 MB: split it into smaller files and import each.');
    const preview = await previewParties(join(uploadsDir(services), id), fileName);
    return previewOut(id, fileName, preview);
  },

  'imports.preview': async (input, ctx) => {
    const { path, fileName } = await uploaded(ctx.services, input.uploadId);
    ctx.audit.target = { type: 'import_upload', id: input.uploadId };
    const preview = await previewParties(path, fileName, { exact: input.mapping as Partial<Record<PartyField, string>> });
    return previewOut(input.uploadId, fileName, preview);
  },

  'imports.run': async (input, ctx) => {
    const { services } = ctx;
    const { path, fileName } = await uploaded(services, input.uploadId);
    ctx.audit.target = { type: 'import', id: input.uploadId };
    // read and check the whole file first (streamed, the event loop keeps turning) …
    const parsed = await readParties(path, fileName, { exact: input.mapping as Partial<Record<PartyField, string>>, maxRows: MAX_SCREEN_ROWS });
    const report = partiesReport(parsed, false);
    const out: PartiesImportReport = {
      ok: report.ok,
      fileName,
      sha256: parsed.file.sha256,
      imported: 0,
      already: 0,
      byRole: {},
      batchId: null,
      problems: parsed.problems.map(problemOut),
      moreProblems: parsed.moreProblems,
    };
    const details = { source: fileName, sha256: parsed.file.sha256, bytes: parsed.file.bytes, mapping: input.mapping };
    if (!report.ok) {
      ctx.audit.details = { ...details, problems: parsed.problems.length + parsed.moreProblems };
      throw refusal('file_problems', `${parsed.problems.length + parsed.moreProblems} problems in ${fileName}: nothing was imported.`, { report: out });
    }
    // … then write it in one transaction with this call's audit record
    const written = ctx.write(() => {
      const result = writeParties(services.store.sqlite, parsed, { source: `upload:${fileName}`, actor: actorName(ctx), now: new Date() });
      ctx.audit.target = { type: 'import', id: String(result.batchId) };
      ctx.audit.details = { ...details, imported: result.imported, alreadyImported: result.already, byRole: result.byRole, problems: 0 };
      return result;
    });
    await removeUpload(services, input.uploadId);
    return { ...out, imported: written.imported, already: written.already, byRole: written.byRole, batchId: written.batchId };
  },

  'imports.exportAll': async (_input, ctx) => {
    const { services } = ctx;
    const folder = join(services.config.dataDir, 'exports');
    if (exporting.has(folder)) throw conflict('An export is already being written. Wait for it to finish.', { reason: 'export_running' });
    exporting.add(folder);
    let result;
    try {
      result = await exportAll({
        folder,
        databaseFile: services.store.file,
        documents: services.documents.store,
        now: new Date(),
        appVersion: APP_VERSION,
        schemaVersion: SCHEMA_VERSION,
      });
    } finally {
      exporting.delete(folder);
    }
    ctx.audit.target = { type: 'export', id: result.dir };
    ctx.audit.details = { folder: result.dir, counts: result.manifest.counts, files: result.manifest.files.length };
    return { folder: result.dir, counts: result.manifest.counts, files: result.manifest.files.length };
  },

  'imports.chatUpload': async (input, ctx) => {
    const upload = ctx.call.upload;
    if (!upload) throw refusal('no_file', 'No file came with the upload.');
    const fileName = (input.fileName ?? upload.fileName ?? '').trim();
    if (!fileName) throw refusal('no_name', 'The file has no name: choose the file again.');
    if (!['.txt', '.zip'].includes(extname(fileName).toLowerCase())) {
      throw refusal('not_a_chat_export', 'LexDesk imports a chat as WhatsApp exports it: the .txt file, or the .zip when it was exported with media.');
    }
    clientOf(ctx.services.store.sqlite, input.clientId);
    const id = await receive(ctx, fileName, input.size ?? upload.size, 'chat', MAX_CHAT_UPLOAD_BYTES, CHAT_TOO_LARGE);
    try {
      return await chatPreview(ctx, id, input.clientId, input.language);
    } catch (err) {
      // a file that is no chat is not kept
      if (err instanceof AppError && err.code === 'invalid_input') await removeUpload(ctx.services, id);
      throw err;
    }
  },

  'imports.chatPreview': async (input, ctx) => {
    ctx.audit.target = { type: 'import_upload', id: input.uploadId };
    return chatPreview(ctx, input.uploadId, input.clientId, input.language);
  },

  'imports.chatRun': async (input, ctx) => {
    const { services } = ctx;
    const { path, fileName } = await uploaded(services, input.uploadId, 'chat');
    const db = services.store.sqlite;
    const client = clientOf(db, input.clientId);
    ctx.audit.target = { type: 'client', id: String(client.id) };
    const read = await readChat(path, fileName, input.language ?? officeLanguage(services));
    try {
      if (!read.chat.authors.includes(input.clientAuthor)) {
        throw refusal('which_author', `"${input.clientAuthor}" wrote nothing in this chat: choose who the client is among ${read.chat.authors.map((a) => `"${a}"`).join(', ')}.`);
      }
      // the files first (streamed into the store, outside the transaction) …
      const files = await storeChatFiles(services.documents.store, read, newChatMessages(db, read.chat, client.id));
      const timeZone = services.bot.settings.get().hours.timeZone;
      // … then the messages and the rows that name the files, with this call's audit record
      const result = ctx.write(() => {
        const written = writeChatExport(db, read.chat, {
          clientId: client.id,
          clientAuthor: input.clientAuthor,
          timeZone,
          source: `upload:${fileName}`,
          files: [{ name: fileName, bytes: read.archive.bytes, sha256: read.archive.sha256, encoding: read.archive.encoding, chat: read.archive.textName }],
          actor: actorName(ctx),
          now: new Date(),
          stored: files.stored,
        });
        ctx.audit.details = {
          source: fileName,
          sha256: read.archive.sha256,
          layout: read.chat.layout,
          dateOrder: read.chat.dateOrder,
          imported: written.imported,
          alreadyImported: written.already,
          documents: written.documents,
          filesRefused: files.refused.length,
        };
        return written;
      });
      services.events.emit('inbox.changed', { conversationId: result.conversationId, reason: 'message' });
      await removeUpload(services, input.uploadId);
      return {
        conversationId: result.conversationId,
        imported: result.imported,
        already: result.already,
        notices: result.notices,
        documents: result.documents,
        filesRefused: files.refused,
      };
    } finally {
      read.archive.close();
    }
  },
};
