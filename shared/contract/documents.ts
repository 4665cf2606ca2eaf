import { z } from 'zod';
import { defineOperation } from './define.js';

/* The document store: what clients send, what staff upload, the intake PDFs. */

const Id = z.number().int().positive();

export const DocumentSource = z.enum(['client', 'staff', 'intake']);
export type DocumentSource = z.infer<typeof DocumentSource>;

/**
 * How the screens may show a document: `image` and `pdf` open inside LexDesk (an
 * <img> from a blob URL; pdf.js without scripts), `audio` and `video` play from a
 * downloaded blob, null only downloads. Null whenever the bytes disagree with the
 * declared type (`mismatch`).
 */
export const DocumentPreview = z.enum(['image', 'pdf', 'audio', 'video']);
export type DocumentPreview = z.infer<typeof DocumentPreview>;

export const DocumentItem = z.object({
  id: Id,
  /** cleaned: no path separators or control characters; bidi overrides shown as [U+202E] */
  fileName: z.string(),
  /** the type the sender declared */
  mimetype: z.string(),
  /** the type its bytes are, or null when they match no known type */
  detectedType: z.string().nullable(),
  size: z.number().int(),
  sha256: z.string(),
  source: DocumentSource,
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  conversationId: Id.nullable(),
  matterId: Id.nullable(),
  preview: DocumentPreview.nullable(),
  /** the declared type and the bytes disagree: the file only downloads */
  mismatch: z.boolean(),
});
export type DocumentItem = z.infer<typeof DocumentItem>;

/** Reasons a file is refused, in `details.reason` of an invalid_input (or conflict, for a full disk) error. */
export const DOCUMENT_REFUSALS = ['empty', 'too_large', 'incomplete', 'program', 'disk_full', 'no_file', 'not_inline'] as const;

export const documentOperations = {
  'documents.list': defineOperation({
    summary: "Documents of a conversation (assistants and lawyers), or of a matter or client (lawyers), newest first.",
    input: z
      .object({ conversationId: Id.optional(), matterId: Id.optional(), clientId: Id.optional() })
      .strict()
      .refine((v) => [v.conversationId, v.matterId, v.clientId].filter((x) => x !== undefined).length === 1, 'give one of conversationId, matterId, clientId'),
    output: z.object({ items: z.array(DocumentItem) }),
    access: 'conversations',
  }),
  'documents.get': defineOperation({
    summary: 'What a stored document is: name, declared and detected type, size, fingerprint, where it came from.',
    input: z.object({ documentId: Id }).strict(),
    output: DocumentItem,
    access: 'conversations',
  }),
  'documents.open': defineOperation({
    summary:
      'Opens (inline: images and PDFs whose bytes say so) or downloads (attachment) a document; recorded in the audit trail. ' +
      'Headless: GET /api/documents/<id>/content streams the bytes after this check; desktop: the bytes come with the answer.',
    input: z.object({ documentId: Id, disposition: z.enum(['inline', 'attachment']).default('attachment') }).strict(),
    output: z.object({
      document: DocumentItem,
      disposition: z.enum(['inline', 'attachment']),
      /** the Content-Type the bytes are served with */
      contentType: z.string(),
      /** desktop only: the bytes, added by the desktop face after the door */
      base64: z.string().optional(),
    }),
    access: 'conversations',
  }),
  'documents.upload': defineOperation({
    summary:
      'Keeps a file staff chose, for a conversation (to send after a confirmation) or a matter. The bytes come with the call: ' +
      'headless POST /api/documents/upload (streamed), desktop the main process\'s file dialog.',
    input: z
      .object({
        conversationId: Id.optional(),
        matterId: Id.optional(),
        /** the name the file had; the face may give it instead */
        fileName: z.string().max(1000).optional(),
        declaredType: z.string().max(200).optional(),
        size: z.number().int().min(0).optional(),
      })
      .strict()
      .refine((v) => (v.conversationId === undefined) !== (v.matterId === undefined), 'give conversationId or matterId'),
    output: DocumentItem,
    access: 'conversations',
  }),
  'documents.attachToMatter': defineOperation({
    summary: "Files a conversation's document under one of that client's matters (recorded in the matter's history).",
    input: z.object({ documentId: Id, matterId: Id }).strict(),
    output: DocumentItem,
    access: 'conversations',
  }),
  'documents.discard': defineOperation({
    summary:
      'Drops a file staff uploaded for a conversation and then did not send (the confirmation card was cancelled): its row, and ' +
      'its file when no other document has the same bytes. A file already sent, filed under a matter or queued is kept (conflict, in_use).',
    input: z.object({ documentId: Id }).strict(),
    output: z.object({ discarded: z.literal(true) }),
    access: 'conversations',
  }),
};
