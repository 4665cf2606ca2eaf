import type { ExtraLanguages, TextOverrides } from '../../../../shared/bot.js';
import { en, TEXT_KEYS, type TextKey } from './en.js';
import { es } from './es.js';
import { ptBR } from './pt-BR.js';

/** The catalogs that ship with LexDesk, each complete (tests/unit/bot-catalogs.test.ts checks them against English). */
export const BUILT_IN_LANGUAGES: Record<string, Partial<Record<TextKey, string>>> = { en, 'pt-BR': ptBR, es };

export type Params = Record<string, string | number | null | undefined>;

/** Fills `{name}` placeholders; an unknown placeholder is left as it is. */
export function fill(template: string, params: Params = {}): string {
  return template.replace(/\{([a-zA-Z][a-zA-Z0-9_]*)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined || value === null ? whole : String(value);
  });
}

/** Lower case, no accents, no punctuation, single spaces: how typed words are compared. */
export function foldWords(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}/-]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/**
 * The texts the bot speaks in one language: English underneath, then the office's
 * catalog for that language (if it added one), then the admin's overrides.
 */
export class Texts {
  private readonly texts: Record<TextKey, string>;
  private readonly words_ = new Map<TextKey, string[]>();

  constructor(
    readonly language: string,
    extra: ExtraLanguages = {},
    overrides: TextOverrides = {},
  ) {
    this.texts = { ...en } as Record<TextKey, string>;
    for (const layer of [BUILT_IN_LANGUAGES[language], extra[language], overrides[language]]) {
      if (!layer) continue;
      for (const [key, value] of Object.entries(layer)) {
        if (isTextKey(key) && typeof value === 'string' && value.trim() !== '') this.texts[key] = value;
      }
    }
  }

  /** The text for `key` with its placeholders filled. */
  t(key: TextKey, params?: Params): string {
    return fill(this.texts[key], params);
  }

  /** The phrases listed under a `.words` key, folded (what the understanding reads). */
  words(key: TextKey & `${string}words`): string[] {
    let list = this.words_.get(key);
    if (!list) {
      list = [...new Set(this.texts[key].split('|').map(foldWords).filter(Boolean))];
      this.words_.set(key, list);
    }
    return list;
  }
}

export function isTextKey(key: string): key is TextKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

/** Every key with its English text (for Settings). */
export function catalogKeys(): { key: TextKey; english: string }[] {
  return TEXT_KEYS.map((key) => ({ key, english: en[key] }));
}

/** Keys of a proposed catalog that LexDesk does not know (a typo, or a catalog for another version). */
export function unknownKeys(catalog: Record<string, string>): string[] {
  return Object.keys(catalog).filter((k) => !isTextKey(k));
}
