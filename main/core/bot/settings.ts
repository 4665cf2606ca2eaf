import { sql, type Insertable, type Selectable } from 'kysely';
import type { z } from 'zod';
import { BotBehaviour, BotSettings, SendLimits, languageInEnglish, offeredLanguages, type PrivacyNotice, type SettingsSection } from '../../../shared/bot.js';
import { textLabel, textProblem } from '../../../shared/bot-texts.js';
import type { ParsedInputOf } from '../../../shared/contract/index.js';
import type { Clock } from '../clock.js';
import type { Store } from '../db/store.js';
import type { BotSettingsTable, PrivacyNoticesTable } from '../db/tables.js';
import { invalidInput } from '../errors.js';
import { en } from './catalog/en.js';
import { BUILT_IN_LANGUAGES, Texts, isTextKey, unknownKeys } from './catalog/texts.js';

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

/** The notice published as version 1 on a new database: the English catalog's wording (each built-in language has its own). */
export const DEFAULT_PRIVACY_NOTICE: string = en['privacy.notice'];

/**
 * The office's bot settings in SQLite, one row per section, checked by its zod
 * schema when read and when written. Reads come from a cache that every write
 * refreshes, so the bot pays nothing per message.
 */
export class BotSettingsStore {
  private cache: BotSettings | null = null;
  private noticeCache: PrivacyNotice | null = null;
  private readonly textsCache = new Map<string, Texts>();

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
    // read first: a start on a full disk (or a read-only copy) writes nothing when the notice is there
    if (store.get(store.db.selectFrom('privacy_notices').select('version').where('version', '=', '1'))) return;
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
    this.textsCache.clear();
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

  /**
   * The notice as a client in `language` reads it: its translation when the
   * office published one; while the notice is LexDesk's own wording, that
   * language's built-in wording; otherwise the office's text as published.
   */
  noticeText(language: string, notice: PrivacyNotice = this.privacyNotice()): string {
    const translated = notice.translations[language];
    if (translated?.trim()) return translated;
    if (notice.text === DEFAULT_PRIVACY_NOTICE) return BUILT_IN_LANGUAGES[language]?.['privacy.notice'] ?? notice.text;
    return notice.text;
  }

  /** A new version of the privacy notice; clients are asked again before their next intake. */
  publishNotice(text: string, by: string | null, translations: Record<string, string> = {}): PrivacyNotice {
    const current = this.privacyNotice();
    const version = String(Number.parseInt(current.version, 10) + 1);
    const names = new Map(this.languages().map((l) => [l.code, languageInEnglish(l.code)]));
    for (const [language, translated] of Object.entries(translations)) {
      if (!names.has(language)) throw invalidInput(`There is no ${language} language to translate the privacy notice into.`, { issues: [{ path: `translations.${language}`, message: 'no such language' }] });
      if (translated.trim().length < 20)
        throw invalidInput(`The privacy notice in ${names.get(language)} is ${translated.trim() === '' ? 'empty' : 'too short'}.`, {
          issues: [{ path: `translations.${language}`, message: 'too short' }],
        });
    }
    const store = this.store();
    store.run(
      store.db.insertInto('privacy_notices').values({
        version,
        text,
        translations: JSON.stringify(translations),
        published_at: this.clock.now().toISOString(),
        published_by: by,
      }),
    );
    this.invalidate();
    return this.privacyNotice();
  }

  /** The bot's texts in `language` (the office default when none is given), with the office's overrides. */
  texts(language?: string): Texts {
    const s = this.get();
    const code = language ?? s.behaviour.language;
    let texts = this.textsCache.get(code);
    if (!texts) {
      texts = new Texts(code, s.languages, s.texts);
      this.textsCache.set(code, texts);
    }
    return texts;
  }

  /** The texts for a chat in `language` when the office still offers it, else in the default. */
  textsFor(language: string | null | undefined): Texts {
    return language && this.offered().includes(language) ? this.texts(language) : this.texts();
  }

  /** Each language's own texts before the overrides: the built-in catalog, or what the office added (English fills the rest when sent). */
  catalogs(): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const [code, texts] of Object.entries(BUILT_IN_LANGUAGES)) out[code] = { ...texts } as Record<string, string>;
    for (const [code, texts] of Object.entries(this.get().languages)) out[code] = { ...(out[code] ?? {}), ...texts };
    return out;
  }

  /** The languages clients may use, the default first. */
  offered(): string[] {
    return offeredLanguages(this.get().behaviour);
  }

  /** A language's name as the office shows it ("Português (Brasil)"). */
  languageName(code: string): string {
    return this.languages().find((l) => l.code === code)?.name ?? code;
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
          throw invalidInput(`The ${this.nameOf(language, update)} texts name keys LexDesk does not know: ${unknown.slice(0, 5).join(', ')}.`, {
            issues: unknown.map((key) => ({ path: `value.${language}.${key}`, message: 'unknown text key' })),
          });
        }
        for (const [key, value] of Object.entries(texts)) {
          if (!isTextKey(key)) continue;
          if (update.section === 'texts' && key === 'privacy.notice') {
            throw invalidInput('The privacy notice is changed under Privacy notice, where each version is published and kept.', {
              issues: [{ path: `value.${language}.${key}`, message: 'published separately' }],
            });
          }
          const problem = textProblem(key, value, en[key]);
          if (problem) {
            throw invalidInput(`The text “${textLabel(key)}” in ${this.nameOf(language, update)} ${problem}.`, {
              issues: [{ path: `value.${language}.${key}`, message: problem }],
            });
          }
        }
      }
    }
    if (update.section === 'behaviour') {
      const known = new Set([...Object.keys(BUILT_IN_LANGUAGES), ...Object.keys(this.get().languages)]);
      for (const [path, code] of [['value.language', update.value.language], ...update.value.languages.map((c, i) => [`value.languages.${i}`, c])] as [string, string][]) {
        if (!known.has(code)) {
          throw invalidInput(`There is no ${code} catalog. Add the language first.`, { issues: [{ path, message: 'no such language' }] });
        }
      }
    }
    if (update.section === 'languages') {
      for (const code of this.offered()) {
        if (!BUILT_IN_LANGUAGES[code] && !update.value[code]) {
          throw invalidInput(`The bot offers ${languageInEnglish(code)} to clients; stop offering it before removing it.`);
        }
      }
    }
  }

  /** A language's name for a message, from the update itself when it adds the language. */
  private nameOf(code: string, update: ParsedInputOf<'botSettings.update'>): string {
    if (update.section === 'languages') {
      const named = update.value[code]?.['language.name'];
      if (named) return named;
    }
    return languageInEnglish(code);
  }
}

function toNotice(row: Selectable<PrivacyNoticesTable>): PrivacyNotice {
  let translations: Record<string, string> = {};
  try {
    const parsed = JSON.parse(row.translations) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      translations = Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
    }
  } catch {
    // an unreadable column reads as no translations
  }
  return { version: row.version, text: row.text, translations, publishedAt: row.published_at, publishedBy: row.published_by };
}
