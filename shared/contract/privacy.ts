import { z } from 'zod';
import { defineOperation } from './define.js';
import { sensitive } from './sensitive.js';

/* Clients' rights and the office's records: erasure, legal holds, retention. */

const Id = z.number().int().positive();

export const LegalHold = z.object({
  id: Id,
  matterId: Id.nullable(),
  /** the matter's reference, for a hold on a matter */
  matterReference: z.string().nullable(),
  clientId: Id.nullable(),
  reason: z.string(),
  setBy: z.string(),
  setAt: z.string(),
  releasedBy: z.string().nullable(),
  releasedAt: z.string().nullable(),
});
export type LegalHold = z.infer<typeof LegalHold>;

/** What an erasure keeps, and the reason a person can read. */
export const KeptItem = z.object({
  kind: z.enum(['conflict_record', 'legal_hold', 'retention']),
  what: z.string(),
  why: z.string(),
  matterId: Id.nullable(),
  /** for a retained matter: the day its content may go (YYYY-MM-DD) */
  until: z.string().nullable(),
});
export type KeptItem = z.infer<typeof KeptItem>;

export const ErasureCounts = z.object({
  conversations: z.number().int(),
  messages: z.number().int(),
  documents: z.number().int(),
  /** matters whose intake answers (description, deadline, next step) go */
  intakeAnswers: z.number().int(),
  notes: z.number().int(),
});
export type ErasureCounts = z.infer<typeof ErasureCounts>;

export const ErasurePreview = z.object({
  client: z.object({ id: Id, name: z.string(), erasedAt: z.string().nullable() }),
  goes: ErasureCounts.extend({ contactDetails: z.array(z.string()) }),
  stays: z.array(KeptItem),
  /** a hold on the whole client: nothing can be erased until it is released */
  blockedBy: LegalHold.nullable(),
  /** the day after which no backup holds the erased data any more (YYYY-MM-DD) */
  backupsHoldUntil: z.string(),
  /** "This cannot be undone…": the whole sentence the screen shows */
  irreversible: z.string(),
});
export type ErasurePreview = z.infer<typeof ErasurePreview>;

export const RetentionRules = z
  .object({
    /** intakes never taken on (still "intake", or "declined") */
    unconvertedIntakeDays: z.number().int().min(1).max(36500),
    /** closed matters: their content is kept this long after closing */
    closedMatterYears: z.number().int().min(1).max(100),
    /** conversations of people who never became clients */
    nonClientConversationDays: z.number().int().min(1).max(36500),
    /** conversations where the person declined the privacy notice */
    declinedConsentHours: z.number().int().min(1).max(8760),
  })
  .strict();
export type RetentionRules = z.infer<typeof RetentionRules>;

export const DEFAULT_RETENTION: RetentionRules = {
  unconvertedIntakeDays: 180,
  closedMatterYears: 10,
  nonClientConversationDays: 365,
  declinedConsentHours: 24,
};

export const RetentionCounts = z.object({
  /** conversations of non-clients and declined consents */
  conversations: z.number().int(),
  declinedConsents: z.number().int(),
  intakes: z.number().int(),
  closedMatters: z.number().int(),
  /** matters the rules would reach that a legal hold keeps */
  held: z.number().int(),
});
export type RetentionCounts = z.infer<typeof RetentionCounts>;

export const RetentionPreview = z.object({
  counts: RetentionCounts,
  /** "Next run will erase: 12 conversations, 3 intakes." */
  sentence: z.string(),
  nextRunAt: z.string().nullable(),
});
export type RetentionPreview = z.infer<typeof RetentionPreview>;

export const RetentionState = z.object({
  rules: RetentionRules,
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
  lastRun: z.object({ at: z.string(), counts: RetentionCounts }).nullable(),
  preview: RetentionPreview,
});

export const privacyOperations = {
  'clients.erasePreview': defineOperation({
    summary: "What erasing a client's data removes, what the office must keep and why, and until when backups still hold it.",
    input: z.object({ clientId: Id }).strict(),
    output: ErasurePreview,
    access: 'privacy.manage',
  }),
  'clients.erase': defineOperation({
    summary: "Erase a client's personal data (messages, documents, contact details, intake answers), keeping the conflict record and what a hold or a retention rule keeps. Asks for the admin's password again.",
    input: z
      .object({
        clientId: Id,
        reason: z.string().trim().min(3, 'Say why the data is erased (for example: the client asked on WhatsApp).').max(500),
        password: sensitive(z.string().min(1, 'Enter your password.').max(1024)),
      })
      .strict(),
    output: z.object({ client: z.object({ id: Id, erasedAt: z.string() }), erased: ErasureCounts, stays: z.array(KeptItem), backupsHoldUntil: z.string() }),
    access: 'privacy.manage',
  }),
  'holds.list': defineOperation({
    summary: 'The legal holds on a matter or a client (active first), or every active hold.',
    input: z.object({ matterId: Id.optional(), clientId: Id.optional() }).strict(),
    output: z.object({ items: z.array(LegalHold) }),
    access: 'matters',
  }),
  'holds.set': defineOperation({
    summary: 'Put a matter or a whole client under legal hold: nothing about it is deleted (erasure, retention) until released. Admins, or the lawyer whose matter it is.',
    input: z
      .object({ matterId: Id.optional(), clientId: Id.optional(), reason: z.string().trim().min(3, 'Say why the hold is needed.').max(500) })
      .strict()
      .refine((v) => (v.matterId === undefined) !== (v.clientId === undefined), 'Choose a matter or a client.'),
    output: LegalHold,
    access: 'matters',
  }),
  'holds.release': defineOperation({
    summary: 'Release a legal hold; who released it and when stay on record.',
    input: z.object({ holdId: Id }).strict(),
    output: LegalHold,
    access: 'matters',
  }),
  'retention.get': defineOperation({
    summary: "The office's retention schedule, the last run and what the next run will erase.",
    input: z.object({}).strict(),
    output: RetentionState,
    access: 'privacy.manage',
  }),
  'retention.update': defineOperation({
    summary: "Change the office's retention schedule.",
    input: z.object({ rules: RetentionRules }).strict(),
    output: RetentionState,
    access: 'privacy.manage',
  }),
  'retention.preview': defineOperation({
    summary: 'What the next retention run will erase, with the current rules or with rules being edited.',
    input: z.object({ rules: RetentionRules.optional() }).strict(),
    output: RetentionPreview,
    access: 'privacy.manage',
  }),
};
