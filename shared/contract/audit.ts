import { z } from 'zod';
import { defineOperation } from './define.js';

/** The most rows one page of `audit.search` returns. */
export const AUDIT_PAGE_MAX = 200;

/**
 * Target types a lawyer's audit view covers (permission `audit.matters`). Capabilities
 * that act on clients and matters set `ctx.audit.target` with exactly these types.
 */
export const MATTER_TARGET_TYPES = ['client', 'matter'] as const;

export const AUDIT_ACTOR_TYPES = ['user', 'bot', 'system', 'cli', 'anonymous'] as const;
export const AUDIT_FACES = ['desktop', 'headless', 'cli', 'bot', 'scheduler'] as const;
export const AUDIT_OUTCOMES = ['ok', 'denied', 'invalid', 'error'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Security events (sign-in, lockout, token reuse, role change…) are recorded under this prefix. */
export const SECURITY_ACTION_PREFIX = 'security.';

const isoTime = z.iso.datetime({ offset: true, message: 'must be a date and time such as 2026-11-28T09:00:00Z' });

/**
 * What the audit screen, the export and the security routes filter on. Every field
 * is optional; together they narrow the set (AND).
 */
export const auditFilterShape = {
  /** a user's id, username or display name (whole, or the start of a word of it), or one of bot, system, cli, anonymous */
  actor: z.string().trim().min(1).max(200).optional(),
  /** an operation or event name (`users.create`), or a prefix ending in a dot (`security.`) */
  action: z.string().trim().min(1).max(120).optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  target: z
    .object({ type: z.string().trim().min(1).max(60), id: z.string().trim().min(1).max(200).optional() })
    .strict()
    .optional(),
  /** from this time on (inclusive) */
  from: isoTime.optional(),
  /** before this time (exclusive) */
  to: isoTime.optional(),
  /**
   * text that must appear in the row's details (case-insensitive for a–z). Not called
   * `text`: the trail redacts fields of that name as message bodies, and a search is
   * worth recording.
   */
  contains: z.string().trim().min(1).max(200).optional(),
};

function timeRangeInOrder(value: { from?: string; to?: string }): boolean {
  return !value.from || !value.to || Date.parse(value.from) <= Date.parse(value.to);
}
const RANGE_MESSAGE = { message: 'The start of the time range must not be after its end.', path: ['to'] };

export const AuditFilter = z.object(auditFilterShape).strict().refine(timeRangeInOrder, RANGE_MESSAGE);
export type AuditFilter = z.infer<typeof AuditFilter>;

export const AuditRow = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.object({
    type: z.enum(AUDIT_ACTOR_TYPES),
    id: z.string().nullable(),
    name: z.string().nullable(),
    role: z.string().nullable(),
  }),
  face: z.enum(AUDIT_FACES),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string().nullable() }).nullable(),
  outcome: z.enum(AUDIT_OUTCOMES),
  errorCode: z.string().nullable(),
  /** redacted when it was written: never passwords, tokens, keys or message bodies */
  details: z.record(z.string(), z.unknown()),
  sessionId: z.string().nullable(),
  address: z.string().nullable(),
  requestId: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
  /** the row told as a sentence for the office ("Ana Souza replied to José Núñez"), with today's names */
  sentence: z.string().optional(),
  /** a view, download, search or export: changed nothing (hidden by the search's `hideReads`) */
  read: z.boolean().optional(),
});
export type AuditRow = z.infer<typeof AuditRow>;

export const AuditPage = z.object({
  rows: z.array(AuditRow),
  /** pass back as `cursor` for the next (older) page; null at the end */
  next: z.string().nullable(),
  /**
   * Set when the page holds fewer rows than asked because a search that no index
   * serves (free text, say) stopped after a bounded stretch: the time it reached.
   * Following `next` goes on from there.
   */
  searchedTo: z.string().nullable(),
});
export type AuditPage = z.infer<typeof AuditPage>;

export const ExportFormat = z.enum(['csv', 'jsonl']);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const ExportTicket = z.object({
  exportId: z.string(),
  format: ExportFormat,
  filename: z.string(),
  contentType: z.string(),
  /** headless: GET this path once, within a minute, to download the file */
  downloadPath: z.string(),
  expiresAt: z.string(),
});
export type ExportTicket = z.infer<typeof ExportTicket>;

export const VerifyMode = z.enum(['start', 'checkpoint']);
export type VerifyMode = z.infer<typeof VerifyMode>;

export const BreakReason = z.enum(['hash', 'link', 'gap', 'truncated', 'checkpoint']);
export type BreakReason = z.infer<typeof BreakReason>;

export const Verification = z.object({
  intact: z.boolean(),
  /** verified from the start or from the last checkpoint */
  mode: VerifyMode,
  /** rows the chain holds up to `throughId` (intact) or before the break */
  rows: z.number().int(),
  /** rows hashed by this run (fewer than `rows` when it started at a checkpoint) */
  checked: z.number().int(),
  throughId: z.number().int().nullable(),
  throughHash: z.string().nullable(),
  brokenAt: z.number().int().nullable(),
  reason: BreakReason.nullable(),
  message: z.string(),
  at: z.string(),
  ms: z.number().int(),
  by: z.object({ type: z.enum(['user', 'cli', 'system']), name: z.string().nullable() }),
});
export type Verification = z.infer<typeof Verification>;

export const auditOperations = {
  'audit.search': defineOperation({
    summary:
      'Audit rows matching the filters, newest first, one page at a time (a cursor, up to 200 rows). ' +
      'Admins see every row; lawyers see the rows about clients and matters.',
    input: z
      .object({
        ...auditFilterShape,
        cursor: z.string().min(1).max(300).optional(),
        limit: z.number().int().min(1).max(AUDIT_PAGE_MAX).default(50),
        /** leave out reads: views, downloads, searches, exports, sign-in renewals */
        hideReads: z.boolean().default(false),
      })
      .strict()
      .refine(timeRangeInOrder, RANGE_MESSAGE),
    output: AuditPage,
    access: 'audit.matters',
  }),
  'audit.get': defineOperation({
    summary: 'One audit row with its details and hashes.',
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: AuditRow,
    access: 'audit.matters',
  }),
  'audit.export': defineOperation({
    summary:
      'Prepares an export of the filtered rows (oldest first) as CSV or JSON Lines. Headless: download it from ' +
      '`downloadPath`; desktop: the app asks where to save it. Progress arrives as audit.export.progress events.',
    input: z
      .object({ ...auditFilterShape, format: ExportFormat.default('csv') })
      .strict()
      .refine(timeRangeInOrder, RANGE_MESSAGE),
    output: ExportTicket,
    access: 'audit.all',
  }),
  'audit.verify': defineOperation({
    summary:
      'Walks the hash chain from the first row, or from the last checkpoint, and reports "intact, N rows" or the ' +
      'first row that does not match. An intact result becomes the next checkpoint.',
    input: z.object({ from: VerifyMode.default('start') }).strict(),
    output: Verification,
    access: 'audit.all',
  }),
  'audit.integrity': defineOperation({
    summary: 'The last verification of the audit chain and how many rows were added since.',
    input: z.object({}).strict(),
    output: z.object({
      last: Verification.nullable(),
      lastRowId: z.number().int().nullable(),
      rowsSince: z.number().int(),
    }),
    access: 'audit.all',
  }),
  'audit.securitySummary': defineOperation({
    summary: 'Security events (sign-in failures, lockouts, token reuse…) counted by kind over a time range (default: the last 24 hours).',
    input: z
      .object({ from: isoTime.optional(), to: isoTime.optional() })
      .strict()
      .refine(timeRangeInOrder, RANGE_MESSAGE),
    output: z.object({
      from: z.string(),
      to: z.string(),
      total: z.number().int(),
      actions: z.array(z.object({ action: z.string(), count: z.number().int(), lastAt: z.string() })),
    }),
    access: 'audit.all',
  }),
};
