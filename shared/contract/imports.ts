import { z } from 'zod';
import { defineOperation } from './define.js';

/* Bringing the office's list of known parties in from a spreadsheet, and taking everything out. */

export const PARTY_IMPORT_FIELDS = ['name', 'role', 'matter', 'aliases', 'taxId', 'email', 'phone'] as const;
export const PartyImportField = z.enum(PARTY_IMPORT_FIELDS);
export type PartyImportField = z.infer<typeof PartyImportField>;

export const PARTY_FIELD_LABELS: Record<PartyImportField, string> = {
  name: 'Name',
  role: 'Role',
  matter: 'Matter',
  aliases: 'Other names',
  taxId: 'Tax id',
  email: 'Email',
  phone: 'Phone',
};

/** An uploaded file waiting in the data folder for its import: a random id, never a path. */
const UploadId = z.string().regex(/^[a-f0-9]{32}$/, 'not an upload id');

/** Which column feeds each field: field → column name, or absent for none. */
const Mapping = z.partialRecord(PartyImportField, z.string().min(1).max(200));

const ImportProblem = z.object({ record: z.number().int().nullable(), field: z.string().nullable(), message: z.string(), line: z.string() });

const PartyPreviewRow = z.object({
  name: z.string(),
  role: z.string(),
  matter: z.string().nullable(),
  aliases: z.array(z.string()),
  taxId: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
});

export const PartiesPreview = z.object({
  uploadId: UploadId,
  fileName: z.string(),
  bytes: z.number().int(),
  encoding: z.string(),
  columns: z.array(z.string()),
  mapping: Mapping,
  /** the first rows as they would be imported */
  rows: z.array(PartyPreviewRow),
  problems: z.array(ImportProblem),
});
export type PartiesPreview = z.infer<typeof PartiesPreview>;

export const PartiesImportReport = z.object({
  ok: z.boolean(),
  fileName: z.string(),
  sha256: z.string().nullable(),
  imported: z.number().int(),
  already: z.number().int(),
  byRole: z.record(z.string(), z.number().int()),
  batchId: z.number().int().nullable(),
  problems: z.array(ImportProblem),
  moreProblems: z.number().int(),
});
export type PartiesImportReport = z.infer<typeof PartiesImportReport>;

/** A phone's exported chat waiting for its import into a client's conversation. */
export const ChatPreview = z.object({
  uploadId: UploadId,
  fileName: z.string(),
  bytes: z.number().int(),
  client: z.object({ id: z.number().int(), name: z.string().nullable(), whatsapp: z.string() }),
  layout: z.enum(['android', 'ios']).nullable(),
  dateOrder: z.enum(['dmy', 'mdy']),
  /** who wrote, with how many messages; which of them is the client, when it can be told */
  authors: z.array(z.object({ name: z.string(), messages: z.number().int() })),
  clientAuthor: z.string().nullable(),
  toImport: z.number().int(),
  already: z.number().int(),
  notices: z.number().int(),
  /** new messages' files: in the zip, named but missing from it, left out by the phone ("without media") */
  files: z.object({ inExport: z.number().int(), missing: z.number().int(), leftOut: z.number().int() }),
  /** the phone's local times of the first and last messages */
  first: z.string().nullable(),
  last: z.string().nullable(),
  /** the first messages as they would be imported */
  sample: z.array(z.object({ local: z.string(), author: z.string(), text: z.string(), attachment: z.string().nullable() })),
});
export type ChatPreview = z.infer<typeof ChatPreview>;

export const ChatImportReport = z.object({
  conversationId: z.number().int(),
  imported: z.number().int(),
  already: z.number().int(),
  notices: z.number().int(),
  documents: z.number().int(),
  filesRefused: z.array(z.object({ fileName: z.string(), message: z.string() })),
});
export type ChatImportReport = z.infer<typeof ChatImportReport>;

const ChatLanguage = z.enum(['en', 'pt-BR', 'es']);

export const importOperations = {
  'imports.upload': defineOperation({
    summary:
      'Keeps a list of parties (CSV or JSON, up to 50 MB) in the data folder for an import and answers with its columns, ' +
      'their mapping and its first rows. The bytes come with the call: headless POST /api/imports/upload (streamed), desktop the file dialog.',
    input: z
      .object({
        fileName: z.string().min(1).max(1000).optional(),
        size: z.number().int().min(0).optional(),
      })
      .strict(),
    output: PartiesPreview,
    access: 'imports.manage',
  }),
  'imports.preview': defineOperation({
    summary: 'The first rows of an uploaded list of parties with the columns mapped as given.',
    input: z.object({ uploadId: UploadId, mapping: Mapping }).strict(),
    output: PartiesPreview,
    access: 'imports.manage',
  }),
  'imports.run': defineOperation({
    summary:
      'Imports an uploaded list of parties with the given mapping: the whole file is read and checked first, then written in one ' +
      'transaction with its audit record (all rows or none); rows imported before are not added twice.',
    input: z.object({ uploadId: UploadId, mapping: Mapping }).strict(),
    output: PartiesImportReport,
    access: 'imports.manage',
  }),
  'imports.exportAll': defineOperation({
    summary: 'Writes everything (as `lexdesk export all`) into a new folder under <data>/exports and says where.',
    input: z.object({}).strict(),
    output: z.object({ folder: z.string(), counts: z.record(z.string(), z.number().int()), files: z.number().int() }),
    access: 'imports.manage',
  }),
  'imports.chatUpload': defineOperation({
    summary:
      "Keeps a chat a phone exported (WhatsApp → Export chat: the .txt, or the .zip with its media, up to 2 GB) in the data folder for " +
      "its import into a client's conversation, and answers with what importing it would do. The bytes come with the call: headless " +
      'POST /api/imports/chat-upload (streamed), desktop the file dialog.',
    input: z
      .object({
        clientId: z.number().int().positive(),
        language: ChatLanguage.optional(),
        fileName: z.string().min(1).max(1000).optional(),
        size: z.number().int().min(0).optional(),
      })
      .strict(),
    output: ChatPreview,
    access: 'imports.manage',
  }),
  'imports.chatPreview': defineOperation({
    summary: "What importing an uploaded chat would do, read in the phone's language given (which decides 03/04 when no date does).",
    input: z.object({ uploadId: UploadId, clientId: z.number().int().positive(), language: ChatLanguage.optional() }).strict(),
    output: ChatPreview,
    access: 'imports.manage',
  }),
  'imports.chatRun': defineOperation({
    summary:
      "Imports an uploaded chat into the client's conversation: the client's messages as received, the others as sent by staff, the " +
      "zip's files into the document store with their messages; messages imported before are not added twice.",
    input: z
      .object({ uploadId: UploadId, clientId: z.number().int().positive(), clientAuthor: z.string().min(1).max(500), language: ChatLanguage.optional() })
      .strict(),
    output: ChatImportReport,
    access: 'imports.manage',
  }),
};
