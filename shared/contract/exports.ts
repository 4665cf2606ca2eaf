import { z } from 'zod';
import { defineOperation } from './define.js';
import { DocumentItem } from './documents.js';

/* What the office hands out of its records: a client's copy of their data, evidence exports. */

const Id = z.number().int().positive();

/** The newest audit row when an export was made: the export can later be tied to the trail. */
export const AuditHeadRef = z.object({ id: z.number().int(), hash: z.string(), at: z.string() });
export type AuditHeadRef = z.infer<typeof AuditHeadRef>;

/** The `format` field of an evidence export's JSON file. */
export const EVIDENCE_FORMAT = 'lexdesk-evidence/1';

export const DataHistoryItem = z.object({
  at: z.string(),
  kind: z.enum(['request', 'resolved', 'copy', 'evidence', 'erasure']),
  /** a sentence: "Asked on WhatsApp to delete their data", "Ana Souza sent a copy of the data on WhatsApp" */
  text: z.string(),
  by: z.string().nullable(),
});
export type DataHistoryItem = z.infer<typeof DataHistoryItem>;

export const exportOperations = {
  'clients.dataHistory': defineOperation({
    summary: "A client's data rights history, newest first: their requests about their data, how each was closed, the copies and evidence exports made, erasures.",
    input: z.object({ clientId: Id }).strict(),
    output: z.object({ items: z.array(DataHistoryItem) }),
    access: 'matters',
  }),
  'clients.exportData': defineOperation({
    summary:
      "A client's copy of their data (GDPR/LGPD access): profile, consents, messages, documents and matters as the client may " +
      'see them, as a PDF summary in their language plus a ZIP bundle (JSON files, the documents, the PDF). `save` keeps it ' +
      "for a download (documents.open / GET /api/documents/<id>/content); `whatsapp` sends both to the client. Closes the data request given.",
    input: z.object({ clientId: Id, deliver: z.enum(['save', 'whatsapp']), requestId: Id.optional() }).strict(),
    output: z.object({
      exportId: Id,
      zip: DocumentItem,
      pdf: DocumentItem,
      delivered: z.enum(['save', 'whatsapp']),
      /** the data request closed with this copy, if one was given */
      requestId: Id.nullable(),
      counts: z.object({ messages: z.number().int(), documents: z.number().int(), matters: z.number().int(), consents: z.number().int() }),
    }),
    access: 'conversations',
  }),
  'evidence.export': defineOperation({
    summary:
      'An evidence export of a conversation or a matter: a canonical JSON file (messages with times, senders and delivery ' +
      'states; documents with SHA-256) sealed with its own hash and an HMAC of the office, and a PDF of the same, both ' +
      'carrying the audit trail head at export time. Check them with `lexdesk evidence verify`.',
    input: z
      .object({ conversationId: Id.optional(), matterId: Id.optional() })
      .strict()
      .refine((v) => (v.conversationId === undefined) !== (v.matterId === undefined), 'give conversationId or matterId'),
    output: z.object({
      exportId: Id,
      json: DocumentItem,
      pdf: DocumentItem,
      /** SHA-256 of the JSON's sealed content */
      contentSha256: z.string(),
      auditHead: AuditHeadRef.nullable(),
    }),
    access: 'matters',
  }),
};
