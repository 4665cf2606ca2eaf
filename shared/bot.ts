import { z } from 'zod';

/**
 * The office's bot settings, section by section: what the admin edits in
 * Settings and what the bot reads on every message. Shared so that the screen and
 * the core check the same rules.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use the 24-hour form HH:MM, such as 09:00');

export const OpeningInterval = z
  .object({ open: hhmm, close: hhmm })
  .refine((i) => i.open < i.close, { message: 'the office must open before it closes', path: ['close'] });

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const OfficeHours = z.object({
  timeZone: z.string().min(1).refine(isTimeZone, 'is not a time zone LexDesk knows, such as Europe/Lisbon or America/Sao_Paulo'),
  week: z.object(
    Object.fromEntries(WEEKDAYS.map((d) => [d, z.array(OpeningInterval).max(4)])) as Record<
      Weekday,
      z.ZodArray<typeof OpeningInterval>
    >,
  ),
  /** days the office is closed (holidays), as YYYY-MM-DD in the office's time zone */
  closedDates: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')).max(100).default([]),
});
export type OfficeHours = z.infer<typeof OfficeHours>;

export const OfficeProfile = z.object({
  name: z.string().trim().min(1, 'the office needs a name').max(120),
  address: z.string().trim().max(300).default(''),
  phone: z.string().trim().max(60).default(''),
  email: z.string().trim().max(120).default(''),
  website: z.string().trim().max(200).default(''),
  /** a PNG or JPEG for the PDF letterhead, base64, at most 300 KB */
  logo: z
    .object({ mimetype: z.enum(['image/png', 'image/jpeg']), base64: z.string().max(400_000) })
    .nullable()
    .default(null),
});
export type OfficeProfile = z.infer<typeof OfficeProfile>;

export const PracticeAreas = z
  .array(z.string().trim().min(1).max(60))
  .min(1, 'list at least one practice area')
  .max(30)
  .refine((areas) => new Set(areas.map((a) => a.toLowerCase())).size === areas.length, 'each area once');
export type PracticeAreas = z.infer<typeof PracticeAreas>;

const LanguageCode = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'a language code such as en or pt-BR');

export const BotBehaviour = z.object({
  /** the office's default language: new clients whose language is not known are answered in it */
  language: LanguageCode.default('en'),
  /** the other languages the office offers its clients (besides the default) */
  languages: z.array(LanguageCode).max(12).default([]),
  /** how the bot reads 03/04/2026: day first, or month first (English, United States) */
  dateOrder: z.enum(['dmy', 'mdy']).default('dmy'),
  /** a conversation handed to staff returns to the bot after this many hours without messages; 0 = never */
  handBackAfterHours: z.number().min(0).max(24 * 30).default(24),
  /** after this many hours of silence, the next message starts a new conversation (greeting, footer) */
  newConversationAfterHours: z.number().min(1).max(24 * 30).default(12),
  /** replies the bot does not understand in a row before it hands the conversation to staff */
  misunderstandingsBeforeHandoff: z.number().int().min(1).max(10).default(3),
  /** a resolved conversation the client writes to again goes to the bot, or straight to staff */
  reopenTo: z.enum(['bot', 'staff']).default('bot'),
  /** staff replies end with "— name, office" */
  signStaffReplies: z.boolean().default(true),
});
export type BotBehaviour = z.infer<typeof BotBehaviour>;

/** The languages clients may use: the default first, then the others offered, each once. */
/** A language's name in English, for the office's screens: "es" → "Spanish", "pt-BR" → "Brazilian Portuguese". */
export function languageInEnglish(code: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

export function offeredLanguages(behaviour: Pick<BotBehaviour, 'language' | 'languages'>): string[] {
  return [...new Set([behaviour.language, ...(behaviour.languages ?? [])])];
}

export const SendLimits = z.object({
  /** messages per minute across all chats */
  perMinute: z.number().int().min(1).max(100_000).default(30),
  /** seconds between two messages to the same chat */
  perChatSeconds: z.number().min(0).max(600).default(1),
});
export type SendLimits = z.infer<typeof SendLimits>;

/** A text per catalog key, for one language. */
/** (the core refuses texts over 4,000 characters with a sentence naming the text: shared/bot-texts.ts) */
export const TextMap = z.record(z.string().min(1).max(200), z.string().max(20_000));
/** Overrides per language: { en: { greeting: "…" } } */
export const TextOverrides = z.record(z.string().min(2).max(12), TextMap);
export type TextOverrides = z.infer<typeof TextOverrides>;

/** Languages the office added: { 'pt-BR': { 'language.name': 'Português', greeting: '…' } } */
export const ExtraLanguages = z.record(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/), TextMap);
export type ExtraLanguages = z.infer<typeof ExtraLanguages>;

export const PrivacyNotice = z.object({
  version: z.string(),
  text: z.string(),
  /** the same notice in the other languages: { "pt-BR": "…" } */
  translations: z.record(z.string(), z.string()).default({}),
  publishedAt: z.string(),
  publishedBy: z.string().nullable(),
});
export type PrivacyNotice = z.infer<typeof PrivacyNotice>;

export const BotSettings = z.object({
  profile: OfficeProfile,
  hours: OfficeHours,
  practiceAreas: PracticeAreas,
  behaviour: BotBehaviour,
  sendLimits: SendLimits,
  texts: TextOverrides,
  languages: ExtraLanguages,
});
export type BotSettings = z.infer<typeof BotSettings>;
export type SettingsSection = keyof BotSettings;

export const MATTER_STATUSES = ['intake', 'review', 'active', 'waiting_client', 'closed', 'declined'] as const;
export const MatterStatus = z.enum(MATTER_STATUSES);
export type MatterStatus = z.infer<typeof MatterStatus>;

export const MATTER_STATUS_LABELS: Record<MatterStatus, string> = {
  intake: 'New intake',
  review: 'In review',
  active: 'Active',
  waiting_client: 'Waiting for client',
  closed: 'Closed',
  declined: 'Declined',
};

export const ConversationMode = z.enum(['bot', 'waiting', 'staff']);
export type ConversationMode = z.infer<typeof ConversationMode>;

/** A matter's conflict check: nothing found, a possible conflict for a lawyer to look at, or every hit cleared. */
export const ConflictState = z.enum(['none', 'possible', 'cleared']);
export type ConflictState = z.infer<typeof ConflictState>;

/** Which way a name matched: the new matter's other party is a client, or its client is another matter's other party. */
export const ConflictDirection = z.enum(['opposing_is_client', 'client_is_opposing']);
export type ConflictDirection = z.infer<typeof ConflictDirection>;
