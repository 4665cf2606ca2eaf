import type { z } from 'zod';
import {
  BotBehaviour,
  BotSettings,
  ExtraLanguages,
  OfficeHours,
  OfficeProfile,
  PracticeAreas,
  SendLimits,
  TextOverrides,
  type PrivacyNotice,
  type SettingsSection,
} from '../../../shared/bot.js';
import type { Clock } from '../clock.js';
import type { Store } from '../db/store.js';
import { Texts } from './catalog/texts.js';

export const SECTION_SCHEMAS: { [K in SettingsSection]: z.ZodType<BotSettings[K]> } = {
  profile: OfficeProfile,
  hours: OfficeHours,
  practiceAreas: PracticeAreas,
  behaviour: BotBehaviour,
  sendLimits: SendLimits,
  texts: TextOverrides,
  languages: ExtraLanguages,
};

function systemTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

const nineToSix = [{ open: '09:00', close: '18:00' }];

export function defaultSettings(): BotSettings {
  return {
    profile: { name: 'Our law office', address: '', phone: '', email: '', website: '', logo: null },
    hours: {
      timeZone: systemTimeZone(),
      week: { mon: nineToSix, tue: nineToSix, wed: nineToSix, thu: nineToSix, fri: nineToSix, sat: [], sun: [] },
      closedDates: [],
    },
    practiceAreas: ['Family', 'Employment', 'Housing and tenancy', 'Consumer', 'Business and contracts', 'Criminal', 'Other'],
    behaviour: BotBehaviour.parse({}),
    sendLimits: SendLimits.parse({}),
    texts: {},
    languages: {},
  };
}

export const DEFAULT_PRIVACY_NOTICE =
  'Before we ask for your details: {office} uses what you send here (your name, your number and what you tell us about ' +
  'your matter) only to assess and handle your matter and to check for conflicts of interest. It stays in the ' +
  "office's own records and is not shared with anyone else. You can ask us at any time to see or delete it " +
  '(reply DELETE MY DATA).';

/**
 * The office's bot settings in SQLite, one row per section, checked by its zod
 * schema when read and when written. Reads come from a cache that every write
 * refreshes, so the bot pays nothing per message.
 */
export class BotSettingsStore {
  private cache: BotSettings | null = null;
  private noticeCache: PrivacyNotice | null = null;
  private textsCache: Texts | null = null;

  constructor(
    private readonly store: () => Store,
    private readonly clock: Clock,
    /** sections whose defaults come from elsewhere (the send limits IT configured for the link) */
    private readonly defaults: Partial<BotSettings> = {},
  ) {}

  /** True when the admin has saved this section (otherwise its defaults apply). */
  isSaved(section: SettingsSection): boolean {
    return this.store().prepare('SELECT 1 FROM bot_settings WHERE key = ?').get(section) !== undefined;
  }

  /** Publishes the default privacy notice as version 1 on a new database. */
  ensureDefaults(): void {
    const store = this.store();
    store
      .prepare('INSERT OR IGNORE INTO privacy_notices (version, text, published_at, published_by) VALUES (?, ?, ?, NULL)')
      .run('1', DEFAULT_PRIVACY_NOTICE, this.clock.now().toISOString());
  }

  get(): BotSettings {
    if (this.cache) return this.cache;
    const settings = { ...defaultSettings(), ...this.defaults } as Record<SettingsSection, unknown>;
    const rows = this.store().prepare('SELECT key, value FROM bot_settings').all() as { key: string; value: string }[];
    for (const row of rows) {
      const schema = SECTION_SCHEMAS[row.key as SettingsSection];
      if (!schema) continue;
      try {
        const parsed = schema.safeParse(JSON.parse(row.value));
        if (parsed.success) settings[row.key as SettingsSection] = parsed.data;
      } catch {
        // a damaged row falls back to the default for that section
      }
    }
    this.cache = settings as BotSettings;
    return this.cache;
  }

  /** Replaces one section (already validated by the contract); joins the caller's transaction. */
  set<K extends SettingsSection>(section: K, value: BotSettings[K], by: string | null): BotSettings[K] {
    const parsed = SECTION_SCHEMAS[section].parse(value);
    this.store()
      .prepare(
        `INSERT INTO bot_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run(section, JSON.stringify(parsed), this.clock.now().toISOString(), by);
    this.invalidate();
    return parsed;
  }

  /** Forget cached values (after a write, or a restore swapped the database). */
  invalidate(): void {
    this.cache = null;
    this.noticeCache = null;
    this.textsCache = null;
  }

  privacyNotice(): PrivacyNotice {
    if (this.noticeCache) return this.noticeCache;
    const row = this.store()
      .prepare(
        'SELECT version, text, published_at, published_by FROM privacy_notices ORDER BY CAST(version AS INTEGER) DESC LIMIT 1',
      )
      .get() as { version: string; text: string; published_at: string; published_by: string | null } | undefined;
    if (!row) {
      this.ensureDefaults();
      return this.privacyNotice();
    }
    this.noticeCache = { version: row.version, text: row.text, publishedAt: row.published_at, publishedBy: row.published_by };
    return this.noticeCache;
  }

  noticeVersions(): PrivacyNotice[] {
    return (
      this.store()
        .prepare(
          'SELECT version, text, published_at, published_by FROM privacy_notices ORDER BY CAST(version AS INTEGER) DESC',
        )
        .all() as { version: string; text: string; published_at: string; published_by: string | null }[]
    ).map((r) => ({ version: r.version, text: r.text, publishedAt: r.published_at, publishedBy: r.published_by }));
  }

  /** A new version of the privacy notice; clients are asked again before their next intake. */
  publishNotice(text: string, by: string | null): PrivacyNotice {
    const current = this.privacyNotice();
    const version = String(Number.parseInt(current.version, 10) + 1);
    this.store()
      .prepare('INSERT INTO privacy_notices (version, text, published_at, published_by) VALUES (?, ?, ?, ?)')
      .run(version, text, this.clock.now().toISOString(), by);
    this.invalidate();
    return this.privacyNotice();
  }

  texts(): Texts {
    if (this.textsCache) return this.textsCache;
    const s = this.get();
    this.textsCache = new Texts(s.behaviour.language, s.languages, s.texts);
    return this.textsCache;
  }
}
