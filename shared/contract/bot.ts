import { z } from 'zod';
import {
  BotBehaviour,
  ConflictDirection,
  ConflictState,
  ConversationMode,
  ExtraLanguages,
  MatterStatus,
  OfficeHours,
  OfficeProfile,
  PracticeAreas,
  PrivacyNotice,
  SendLimits,
  TextOverrides,
  BotSettings,
} from '../bot.js';
import { defineOperation } from './define.js';
import { DocumentItem } from './documents.js';
import { sensitive } from './sensitive.js';

/* The legal bot's staff side: the inbox, clients and matters, conflicts, settings. */

const Id = z.number().int().positive();

export const ConversationFilter = z.enum(['all', 'waiting', 'bot', 'mine', 'unassigned', 'unread']);
export type ConversationFilter = z.infer<typeof ConversationFilter>;

export const ConversationSummary = z.object({
  id: Id,
  whatsapp: z.string(),
  /** the client's name on record, else the WhatsApp name, else the number */
  displayName: z.string(),
  clientId: Id.nullable(),
  mode: ConversationMode,
  assignedTo: z.object({ id: z.string(), name: z.string() }).nullable(),
  unread: z.number().int(),
  lastPreview: z.string().nullable(),
  lastActivityAt: z.string(),
  waitingSince: z.string().nullable(),
  handoffReason: z.string().nullable(),
  lastIntake: z.object({ matterId: Id, reference: z.string() }).nullable(),
  /** the language the bot speaks with this client; null until known (the office default is used) */
  language: z.string().nullable(),
  /** staff marked it resolved; the client's next message reopens it */
  closedAt: z.string().nullable(),
});
export type ConversationSummary = z.infer<typeof ConversationSummary>;

export const DeliveryState = z.enum(['received', 'queued', 'sending', 'sent', 'delivered', 'read', 'failed']);
export type DeliveryState = z.infer<typeof DeliveryState>;

export const ThreadMessage = z.object({
  id: Id,
  direction: z.enum(['in', 'out']),
  author: z.enum(['client', 'bot', 'staff']),
  authorName: z.string().nullable(),
  text: z.string(),
  fileName: z.string().nullable(),
  documentId: Id.nullable(),
  /** the file of the message (a client's photo, a PDF staff sent…) */
  document: DocumentItem.nullable(),
  /** a client's file that could not be fetched: what staff should do */
  mediaError: z.string().nullable(),
  at: z.string(),
  delivery: DeliveryState,
  error: z.string().nullable(),
});
export type ThreadMessage = z.infer<typeof ThreadMessage>;

export const IntakeCard = z.object({
  matterId: Id,
  reference: z.string(),
  area: z.string(),
  status: MatterStatus,
  createdAt: z.string(),
  /** the newest intake PDF, to send again */
  pdfDocumentId: Id.nullable(),
});

export const MatterSummary = z.object({
  id: Id,
  reference: z.string(),
  clientId: Id,
  clientName: z.string(),
  whatsapp: z.string(),
  area: z.string(),
  status: MatterStatus,
  nextStep: z.string().nullable(),
  conflictState: ConflictState,
  openConflicts: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type MatterSummary = z.infer<typeof MatterSummary>;

export const ConflictHitView = z.object({
  id: Id,
  direction: ConflictDirection,
  checkedName: z.string(),
  matchedName: z.string(),
  matchedClient: z.object({ id: Id, name: z.string() }).nullable(),
  matchedMatter: z.object({ id: Id, reference: z.string() }).nullable(),
  /** an imported party (the office's list of earlier clients and adverse parties), with its role */
  matchedParty: z
    .object({ id: Id, role: z.enum(['client', 'former_client', 'adverse_party', 'related_party', 'witness']), matterReference: z.string().nullable() })
    .nullable(),
  score: z.number(),
  createdAt: z.string(),
  cleared: z.object({ at: z.string(), byName: z.string(), note: z.string().nullable() }).nullable(),
});
export type ConflictHitView = z.infer<typeof ConflictHitView>;


export const MatterDetail = MatterSummary.extend({
  description: z.string(),
  opposingParty: z.string().nullable(),
  /** the deadline as the client typed it */
  deadline: z.string().nullable(),
  /** that deadline read as a date (YYYY-MM-DD, the office's calendar); null when none or unreadable */
  deadlineDate: z.string().nullable(),
  /** the language the bot speaks with the client now (else the intake's): a status change is told in it */
  language: z.string().nullable(),
  conversationId: Id.nullable(),
  consent: z.object({ version: z.string(), at: z.string() }).nullable(),
  notes: z.array(z.object({ id: Id, authorName: z.string(), text: z.string(), at: z.string() })),
  conflicts: z.array(ConflictHitView),
  documents: z.array(DocumentItem),
  history: z.array(
    z.object({
      id: Id,
      at: z.string(),
      actor: z.string(),
      action: z.string(),
      field: z.string().nullable(),
      oldValue: z.string().nullable(),
      newValue: z.string().nullable(),
    }),
  ),
});
export type MatterDetail = z.infer<typeof MatterDetail>;

const Search = z.string().trim().max(100).optional();
const Paging = { limit: z.number().int().min(1).max(200).default(50), offset: z.number().int().min(0).max(1_000_000).default(0) };


const SettingsUpdate = z.discriminatedUnion('section', [
  z.object({ section: z.literal('profile'), value: OfficeProfile }),
  z.object({ section: z.literal('hours'), value: OfficeHours }),
  z.object({ section: z.literal('practiceAreas'), value: PracticeAreas }),
  z.object({ section: z.literal('behaviour'), value: BotBehaviour }),
  z.object({ section: z.literal('sendLimits'), value: SendLimits }),
  z.object({ section: z.literal('texts'), value: TextOverrides }),
  z.object({ section: z.literal('languages'), value: ExtraLanguages }),
]);

export const botOperations = {
  'inbox.list': defineOperation({
    summary: 'Conversations, newest activity first, with a filter: waiting for staff, bot active, mine, unread.',
    input: z.object({ filter: ConversationFilter.default('all'), search: Search, ...Paging }).strict(),
    output: z.object({ items: z.array(ConversationSummary), total: z.number().int() }),
    access: 'conversations',
  }),
  'inbox.thread': defineOperation({
    summary: 'One conversation: its messages in and out with their delivery state, and the intakes it produced.',
    input: z.object({ conversationId: Id, limit: z.number().int().min(1).max(500).default(200) }).strict(),
    output: z.object({
      conversation: ConversationSummary,
      messages: z.array(ThreadMessage),
      intakes: z.array(IntakeCard),
      /** the languages the office offers, the default first, for changing the client's */
      languages: z.array(z.object({ code: z.string(), name: z.string() })),
      /** internal notes, never sent */
      notes: z.array(z.object({ id: Id, authorId: z.string(), authorName: z.string(), text: z.string(), at: z.string() })),
      /** who gave the conversation to whom */
      assignments: z.array(
        z.object({ id: Id, at: z.string(), byName: z.string(), toName: z.string().nullable(), fromName: z.string().nullable(), note: z.string().nullable() }),
      ),
      /** colleagues writing in it now */
      presence: z.array(z.object({ userId: z.string(), name: z.string() })),
    }),
    access: 'conversations',
  }),
  'inbox.setLanguage': defineOperation({
    summary: "Change the language the bot speaks with this client (one the office offers).",
    input: z.object({ conversationId: Id, language: z.string().trim().min(2).max(12) }).strict(),
    output: ConversationSummary,
    access: 'conversations',
  }),
  'inbox.reply': defineOperation({
    summary:
      'Reply to the client as staff (through the outbox, signed if the office wants); the bot goes quiet. Into a colleague’s conversation only when `confirmed`.',
    input: z
      .object({
        conversationId: Id,
        text: sensitive(z.string().trim().min(1, 'The reply is empty.').max(4000, 'The reply is too long: at most 4,000 characters.')),
        /** the sender saw that a colleague has the conversation (or is writing in it) and sends anyway */
        confirmed: z.boolean().default(false),
      })
      .strict(),
    output: z.object({ messageId: Id }),
    access: 'conversations',
  }),
  'inbox.takeOver': defineOperation({
    summary: 'Take the conversation over: the bot stays silent until it is handed back.',
    input: z.object({ conversationId: Id }).strict(),
    output: ConversationSummary,
    access: 'conversations',
  }),
  'inbox.handBack': defineOperation({
    summary: 'Hand the conversation back to the bot (optionally telling the client).',
    input: z.object({ conversationId: Id, notify: z.boolean().default(true) }).strict(),
    output: ConversationSummary,
    access: 'conversations',
  }),
  'inbox.markRead': defineOperation({
    summary: 'Mark a conversation as read.',
    input: z.object({ conversationId: Id }).strict(),
    output: z.object({ unread: z.number().int() }),
    access: 'conversations',
  }),
  'inbox.sendDocument': defineOperation({
    summary: "Send the client one of its documents: a file staff uploaded for this conversation (after the confirmation card), the intake PDF, or a file of its matters.",
    input: z.object({ conversationId: Id, documentId: Id, caption: z.string().trim().max(1000).optional() }).strict(),
    output: z.object({ messageId: Id, documentId: Id }),
    access: 'conversations',
  }),
  'clients.list': defineOperation({
    summary: 'Clients, newest first, searchable by name or number.',
    input: z.object({ search: Search, ...Paging }).strict(),
    output: z.object({
      items: z.array(
        z.object({ id: Id, name: z.string(), whatsapp: z.string(), matters: z.number().int(), createdAt: z.string() }),
      ),
      total: z.number().int(),
    }),
    access: 'matters',
  }),
  'matters.list': defineOperation({
    summary: 'Matters, newest activity first; search by reference, client, number or other party; filter by status or open conflicts.',
    input: z
      .object({ search: Search, status: MatterStatus.optional(), conflicts: z.boolean().optional(), clientId: Id.optional(), ...Paging })
      .strict(),
    output: z.object({ items: z.array(MatterSummary), total: z.number().int() }),
    access: 'matters',
  }),
  'matters.get': defineOperation({
    summary: 'A matter: status, next step, notes, conflict hits, documents and history.',
    input: z.object({ matterId: Id }).strict(),
    output: MatterDetail,
    access: 'matters',
  }),
  'matters.update': defineOperation({
    summary: 'Change the status and/or the next step (what the bot tells the client when asked), optionally telling the client at once.',
    input: z
      .object({
        matterId: Id,
        status: MatterStatus.optional(),
        nextStep: z.string().trim().max(500).nullable().optional(),
        /** tell the client on WhatsApp, in their language, that the status changed */
        tellClient: z.boolean().default(false),
      })
      .strict()
      .refine((v) => v.status !== undefined || v.nextStep !== undefined, 'change the status or the next step'),
    output: MatterDetail,
    access: 'matters',
  }),
  'matters.addNote': defineOperation({
    summary: 'Add an internal note to a matter (never shown to the client).',
    input: z.object({ matterId: Id, text: z.string().trim().min(1).max(4000) }).strict(),
    output: MatterDetail,
    access: 'matters',
  }),
  'matters.regeneratePdf': defineOperation({
    summary: "Make the intake summary PDF again from the matter as it is now, optionally sending it to the client.",
    input: z.object({ matterId: Id, sendToClient: z.boolean().default(false) }).strict(),
    output: z.object({ queued: z.literal(true) }),
    access: 'matters',
  }),
  'conflicts.clear': defineOperation({
    summary: 'A lawyer clears a possible conflict after checking it; their name is kept on the hit.',
    input: z.object({ hitId: Id, note: z.string().trim().max(1000).optional() }).strict(),
    output: MatterDetail,
    access: 'conflicts.clear',
  }),
  'dataRequests.list': defineOperation({
    summary: 'Requests from clients to stop messages or delete their data.',
    input: z.object({ status: z.enum(['open', 'done', 'all']).default('open') }).strict(),
    output: z.object({
      items: z.array(
        z.object({
          id: Id,
          conversationId: Id,
          whatsapp: z.string(),
          /** the client on record for that number, if any (a copy of their data can be made) */
          clientId: Id.nullable(),
          clientName: z.string().nullable(),
          kind: z.enum(['stop', 'erase']),
          status: z.enum(['open', 'done']),
          createdAt: z.string(),
          resolvedAt: z.string().nullable(),
          resolvedBy: z.string().nullable(),
          resolution: z.string().nullable(),
        }),
      ),
    }),
    access: 'conversations',
  }),
  'dataRequests.resolve': defineOperation({
    summary: 'Record how a request to stop messages or delete data was handled.',
    input: z.object({ id: Id, resolution: z.string().trim().min(1).max(1000) }).strict(),
    output: z.object({ id: Id, status: z.literal('done') }),
    access: 'matters',
  }),
  'botSettings.get': defineOperation({
    summary: "The office's bot settings, the privacy notice, and the text catalog's keys with their English text.",
    input: z.object({}).strict(),
    output: z.object({
      settings: BotSettings,
      notice: PrivacyNotice,
      catalog: z.array(z.object({ key: z.string(), english: z.string() })),
      languages: z.array(z.object({ code: z.string(), name: z.string(), builtIn: z.boolean() })),
      /** every language's texts as LexDesk ships them (built-in) or the office added them, before the overrides */
      catalogs: z.record(z.string(), z.record(z.string(), z.string())),
    }),
    access: 'settings.manage',
  }),
  'botSettings.update': defineOperation({
    summary: 'Replace one section of the bot settings (profile, hours, practice areas, behaviour, send limits, texts, languages).',
    input: SettingsUpdate,
    output: z.object({ settings: BotSettings }),
    access: 'settings.manage',
  }),
  'botSettings.publishNotice': defineOperation({
    summary: 'Publish a new version of the privacy notice; clients consent to it before their next intake.',
    input: z
      .object({
        text: z.string().trim().min(20, 'The privacy notice is too short (at least 20 characters).').max(4000, 'The privacy notice is longer than 4,000 characters.'),
        /** the same notice in the other languages the office offers */
        translations: z.record(z.string().min(2).max(12), z.string().max(4000, 'A translation of the privacy notice is longer than 4,000 characters.')).default({}),
      })
      .strict(),
    output: PrivacyNotice,
    access: 'settings.manage',
  }),
};
