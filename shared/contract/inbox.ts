import { z } from 'zod';
import { defineOperation } from './define.js';
import { sensitive } from './sensitive.js';
import { ConversationSummary } from './bot.js';

/* The team inbox: who has a conversation, notes inside the office, quick replies, search. */

const Id = z.number().int().positive();
const ConversationId = z.number({ message: 'Choose a conversation.' }).int().positive();

/** Variables a quick reply may use; each is filled in for the conversation it is sent in. */
export const QUICK_REPLY_VARIABLES = [
  { name: 'client.name', description: "the client's name (first name)" },
  { name: 'client.fullName', description: "the client's full name" },
  { name: 'matter.reference', description: "the reference of the client's newest matter" },
  { name: 'office.name', description: "the office's name" },
  { name: 'office.hours', description: 'the opening hours, in the client’s language' },
  { name: 'office.address', description: "the office's address" },
  { name: 'office.phone', description: "the office's phone" },
  { name: 'staff.name', description: 'the name of the person sending it' },
] as const;

export const QuickReplyTexts = z
  .record(
    z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'Each text needs a language code such as en or pt-BR.'),
    z.string().max(4000, 'A quick reply is longer than 4,000 characters.'),
  )
  .refine((texts) => Object.values(texts).some((t) => t.trim() !== ''), 'Write the quick reply in at least one language.');

export const QuickReply = z.object({
  id: Id,
  title: z.string(),
  texts: z.record(z.string(), z.string()),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export type QuickReply = z.infer<typeof QuickReply>;

const QuickReplyInput = {
  title: z.string().trim().min(1, 'Give the quick reply a name.').max(80, 'The name of a quick reply is at most 80 characters.'),
  texts: QuickReplyTexts,
};

export const SearchHit = z.object({
  kind: z.enum(['message', 'note', 'client', 'matter']),
  /** the conversation to open (messages, notes, and clients who have one) */
  conversationId: Id.nullable(),
  messageId: Id.nullable(),
  noteId: Id.nullable(),
  clientId: Id.nullable(),
  matterId: Id.nullable(),
  /** who or what: the client's name, the matter's reference */
  title: z.string(),
  /** the matched words between \u0002 and \u0003 */
  snippet: z.string(),
  at: z.string().nullable(),
  direction: z.enum(['in', 'out']).nullable(),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const inboxOperations = {
  'inbox.counts': defineOperation({
    summary: 'What waits for staff: conversations waiting, unread, mine, unassigned, and since when the oldest has waited.',
    input: z.object({}).strict(),
    output: z.object({
      waiting: z.number().int(),
      unread: z.number().int(),
      /** conversations that are waiting or have unread messages: the sidebar's and the title's count */
      attention: z.number().int(),
      mine: z.number().int(),
      unassigned: z.number().int(),
      oldestWaitingSince: z.string().nullable(),
    }),
    access: 'conversations',
    // asked by every screen after each change: counts, no office data
    audit: 'failures',
  }),
  'inbox.members': defineOperation({
    summary: 'The staff a conversation can be given to: enabled members whose role sees conversations.',
    input: z.object({}).strict(),
    output: z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), username: z.string(), role: z.string() })) }),
    access: 'conversations',
  }),
  'inbox.assign': defineOperation({
    summary: 'Give the conversation to a member of staff (yourself or a colleague), or to nobody; with a note for the one who takes it.',
    input: z
      .object({
        conversationId: ConversationId,
        userId: z.string().min(1).max(100).nullable(),
        note: z.string().trim().max(1000, 'The note for the colleague is at most 1,000 characters.').optional(),
      })
      .strict(),
    output: ConversationSummary,
    access: 'conversations',
  }),
  'inbox.close': defineOperation({
    summary: 'Mark the conversation resolved; the client’s next message reopens it, to the bot or to staff as Bot settings say.',
    input: z.object({ conversationId: ConversationId }).strict(),
    output: ConversationSummary,
    access: 'conversations',
  }),
  'inbox.addNote': defineOperation({
    summary: 'An internal note in the conversation: never sent to the client; @username tells a colleague.',
    input: z
      .object({
        conversationId: ConversationId,
        text: sensitive(
          z.string().trim().min(1, 'The note is empty.').max(20_000, 'The note is too long: at most 20,000 characters.'),
        ),
      })
      .strict(),
    output: z.object({ noteId: Id, mentioned: z.array(z.string()) }),
    access: 'conversations',
  }),
  'inbox.presence': defineOperation({
    summary: 'Tell colleagues you are writing in a conversation (or stopped); answers who else is.',
    input: z.object({ conversationId: ConversationId, typing: z.boolean() }).strict(),
    output: z.object({ others: z.array(z.object({ userId: z.string(), name: z.string() })) }),
    access: 'conversations',
    // sent every few seconds while someone types: only refusals are worth the trail
    audit: 'failures',
  }),
  'inbox.retry': defineOperation({
    summary: 'Send again a message of this conversation that WhatsApp refused (shown as "not sent").',
    input: z.object({ conversationId: ConversationId, messageId: Id }).strict(),
    output: z.object({ messageId: Id }),
    access: 'conversations',
  }),
  'inbox.search': defineOperation({
    summary: 'One search over messages (both ways), internal notes, client names and numbers, matter references and other parties; newest first.',
    input: z
      .object({
        query: z.string({ message: 'Type something to search for.' }).max(200, 'The search is too long: at most 200 characters.'),
        limit: z.number().int().min(1).max(100).default(30),
        cursor: z.string().max(100).optional(),
      })
      .strict(),
    output: z.object({
      items: z.array(SearchHit),
      nextCursor: z.string().nullable(),
      /** messages stored before the search existed are still being indexed */
      indexing: z.object({ done: z.boolean(), fraction: z.number() }),
    }),
    access: 'conversations',
  }),
  'quickReplies.list': defineOperation({
    summary: "The office's quick replies, and the variables they may use.",
    input: z.object({}).strict(),
    output: z.object({
      items: z.array(QuickReply),
      variables: z.array(z.object({ name: z.string(), description: z.string() })),
    }),
    access: 'conversations',
  }),
  'quickReplies.create': defineOperation({
    summary: 'A new quick reply for the whole office, with a text per language.',
    input: z.object(QuickReplyInput).strict(),
    output: QuickReply,
    access: 'quickReplies.manage',
  }),
  'quickReplies.update': defineOperation({
    summary: 'Change a quick reply.',
    input: z.object({ id: Id, ...QuickReplyInput }).strict(),
    output: QuickReply,
    access: 'quickReplies.manage',
  }),
  'quickReplies.delete': defineOperation({
    summary: 'Remove a quick reply.',
    input: z.object({ id: Id }).strict(),
    output: z.object({ id: Id }),
    access: 'quickReplies.manage',
  }),
  'quickReplies.render': defineOperation({
    summary: 'A quick reply filled in for a conversation, in the client’s language, ready to edit and send.',
    input: z.object({ id: Id, conversationId: ConversationId }).strict(),
    output: z.object({ text: z.string(), language: z.string() }),
    access: 'conversations',
  }),
};
