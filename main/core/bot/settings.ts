import { sql, type Insertable, type Selectable } from 'kysely';
import type { z } from 'zod';
import { BotBehaviour, BotSettings, SendLimits, type PrivacyNotice, type SettingsSection } from '../../../shared/bot.js';
import type { ParsedInputOf } from '../../../shared/contract/index.js';
import type { Clock } from '../clock.js';
import type { Store } from '../db/store.js';
import type { BotSettingsTable, PrivacyNoticesTable } from '../db/tables.js';
import { invalidInput } from '../errors.js';
import { BUILT_IN_LANGUAGES, Texts, unknownKeys } from './catalog/texts.js';

/** Each section's schema, as the shared BotSettings object declares it. */
export const SECTION_SCHEMAS: { [K in SettingsSection]: z.ZodType<BotSettings[K]> } = BotSettings.shape;

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
    return this.store().get(this.store().db.selectFrom('bot_settings').select('key').where('key', '=', section)) !== undefined;
  }

  /** Publishes the default privacy notice as version 1 on a new database. */
  ensureDefaults(): void {
    const store = this.store();
    store.run(
      store.db
        .insertInto('privacy_notices')
        .orIgnore()
        .values({ version: '1', text: DEFAULT_PRIVACY_NOTICE, published_at: this.clock.now().toISOString(), published_by: null }),
    );
  }

  get(): BotSettings {
    if (this.cache) return this.cache;
    const settings = { ...defaultSettings(), ...this.defaults } as Record<SettingsSection, unknown>;
    const store = this.store();
    const rows = store.all(store.db.selectFrom('bot_settings').select(['key', 'value']));
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
    const row: Insertable<BotSettingsTable> = { key: section, value: JSON.stringify(parsed), updated_at: this.clock.now().toISOString(), updated_by: by };
    const store = this.store();
    store.run(
      store.db
        .insertInto('bot_settings')
        .values(row)
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({
            value: eb.ref('excluded.value'),
            updated_at: eb.ref('excluded.updated_at'),
            updated_by: eb.ref('excluded.updated_by'),
          })),
        ),
    );
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
    const row = this.store().get(this.notices().limit(1));
    if (!row) {
      this.ensureDefaults();
      return this.privacyNotice();
    }
    this.noticeCache = toNotice(row);
    return this.noticeCache;
  }

  noticeVersions(): PrivacyNotice[] {
    return this.store().all(this.notices()).map(toNotice);
  }

  /** The published notices, newest version first (versions are whole numbers kept as text). */
  private notices() {
    return this.store()
      .db.selectFrom('privacy_notices')
      .selectAll()
      .orderBy(sql`CAST(version AS INTEGER)`, 'desc');
  }

  /** A new version of the privacy notice; clients are asked again before their next intake. */
  publishNotice(text: string, by: string | null): PrivacyNotice {
    const current = this.privacyNotice();
    const version = String(Number.parseInt(current.version, 10) + 1);
    const store = this.store();
    store.run(
      store.db.insertInto('privacy_notices').values({ version, text, published_at: this.clock.now().toISOString(), published_by: by }),
    );
    this.invalidate();
    return this.privacyNotice();
  }

  texts(): Texts {
    if (this.textsCache) return this.textsCache;
    const s = this.get();
    this.textsCache = new Texts(s.behaviour.language, s.languages, s.texts);
    return this.textsCache;
  }

  /** The languages the bot can speak: the catalogs LexDesk ships, then those the office added. */
  languages(): { code: string; name: string; builtIn: boolean }[] {
    return [
      ...Object.keys(BUILT_IN_LANGUAGES).map((code) => ({ code, name: BUILT_IN_LANGUAGES[code]!['language.name'] ?? code, builtIn: true })),
      ...Object.entries(this.get().languages)
        .filter(([code]) => !BUILT_IN_LANGUAGES[code])
        .map(([code, texts]) => ({ code, name: texts['language.name'] ?? code, builtIn: false })),
    ];
  }

  /**
   * Refuses an update that the section's schema lets through but the bot could
   * not use: texts under keys the catalog does not have, a language with no
   * catalog, or removing the language the bot speaks.
   */
  check(update: ParsedInputOf<'botSettings.update'>): void {
    if (update.section === 'texts' || update.section === 'languages') {
      for (const [language, texts] of Object.entries(update.value)) {
        const unknown = unknownKeys(texts);
        if (unknown.length > 0) {
          throw invalidInput(`The ${language} texts name keys LexDesk does not know: ${unknown.slice(0, 5).join(', ')}.`, {
            issues: unknown.map((key) => ({ path: `value.${language}.${key}`, message: 'unknown text key' })),
          });
        }
      }
    }
    if (update.section === 'behaviour') {
      const known = new Set([...Object.keys(BUILT_IN_LANGUAGES), ...Object.keys(this.get().languages)]);
      if (!known.has(update.value.language)) {
        throw invalidInput(`There is no ${update.value.language} catalog. Add the language first.`, {
          issues: [{ path: 'value.language', message: 'no such language' }],
        });
      }
    }
    if (update.section === 'languages') {
      const current = this.get().behaviour.language;
      if (!BUILT_IN_LANGUAGES[current] && !update.value[current]) {
        throw invalidInput(`The bot speaks ${current}; choose another language before removing it.`);
      }
    }
  }
}

function toNotice(row: Selectable<PrivacyNoticesTable>): PrivacyNotice {
  return { version: row.version, text: row.text, publishedAt: row.published_at, publishedBy: row.published_by };
}
