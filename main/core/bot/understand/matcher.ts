import { BUILT_IN_LANGUAGES } from '../catalog/texts.js';
import { CONCEPTS } from './concepts.js';
import { BUILT_IN, EMOJI_WORD, isStopWord, tokenize, type BuiltInLanguage } from './fold.js';
import {
  COMMON_WORDS,
  CONTRAST,
  CORRECTION,
  LANGUAGE_NAMES,
  LEXICONS,
  LINE_FIELDS,
  LINE_NOUNS,
  NEGATIONS,
  NUMBER_WORDS,
  type LexIntent,
} from './lexicon.js';
import { PhraseSet, RuleSet, Vocabulary } from './match.js';
import type { Intent, UnderstandContext } from './types.js';

/**
 * Everything the bot knows about words, compiled once per catalog: the
 * conversation language's `.words` lists (with the office's overrides), the
 * other built-in catalogs, the lexicon, the practice-area concepts and the
 * words for lines, numbers and languages, all in one vocabulary so that each
 * typed word is looked up once.
 */

/** The catalog keys that list what clients type, and the intent each stands for. */
export const WORD_KEYS: Record<string, Intent> = {
  'menu.new.words': 'menu.new',
  'menu.status.words': 'menu.status',
  'menu.person.words': 'menu.person',
  'menu.info.words': 'menu.info',
  'menu.words': 'menu',
  'yes.words': 'yes',
  'no.words': 'no',
  'none.words': 'none',
  'stop.words': 'stop',
  'erase.words': 'erase',
};

export interface Cue {
  intent: LexIntent;
  /** how strongly the words say it (0..1) */
  weight: number;
  /** two or more words said together ("talk to a person"), not one word that could be part of anything */
  explicit: boolean;
  /** only counts when it is the whole message ("s", "y", "para") */
  wholeOnly: boolean;
  /** a phrase (its small words are part of it) rather than a keyword rule */
  phrase: boolean;
}

export interface Compiled {
  builtIn: boolean;
  vocabulary: Vocabulary;
  phrases: PhraseSet<Cue>;
  rules: RuleSet<Cue>;
  /** "1" → 'menu.new': the digits the catalog lists */
  digits: Map<number, Intent>;
  negations: Set<string>;
  contrast: Set<string>;
  fields: PhraseSet<number>;
  correction: PhraseSet<true>;
  lineNouns: Set<string>;
  /** number words; `afterNoun` ones count only after a line noun */
  numberWords: Map<string, { n: number; afterNoun: boolean }>;
  languageNames: PhraseSet<BuiltInLanguage>;
  languageCodes: PhraseSet<BuiltInLanguage>;
  concepts: PhraseSet<{ concept: string; weight: number }>;
}

/** Words that may appear alone and anywhere although short. */
const SHORT_ANYWHERE = new Set(['ok', 'no', 'si', 'oi', 'hi', 'ei']);

const split = (list: string) => list.split('|').map((p) => p.trim()).filter(Boolean);
const words = (phrase: string) => tokenize(phrase).tokens.map((t) => t.text);

function isBuiltIn(language: string): language is BuiltInLanguage {
  return (BUILT_IN as readonly string[]).includes(language);
}

const COMMON = new Set(
  BUILT_IN.flatMap((l) => COMMON_WORDS[l].split(' ')).flatMap((w) => words(w)),
);
const isCommon = (w: string) => COMMON.has(w) || isStopWord(w);

function compile(language: string, catalogWords: Record<string, string[]>): Compiled {
  const builtIn = isBuiltIn(language);
  const vocabulary = new Vocabulary(isCommon);
  const phrases = new PhraseSet<Cue>(vocabulary);
  const rules = new RuleSet<Cue>(vocabulary);
  const digits = new Map<number, Intent>();

  const addPhrase = (text: string, intent: LexIntent, weight: number) => {
    const ws = words(text);
    if (ws.length === 0) return;
    if (ws.length === 1 && /^\d+$/.test(ws[0]!)) {
      if (intent !== 'yes' && intent !== 'no' && intent !== 'none' && intent !== 'doubt' && intent !== 'thanks' && !digits.has(Number(ws[0])))
        digits.set(Number(ws[0]), intent);
      return;
    }
    const only = ws.length === 1 ? ws[0]! : '';
    const wholeOnly = ws.length === 1 && ((only.length <= 2 && !SHORT_ANYWHERE.has(only)) || isStopWord(only));
    phrases.add(ws, { intent, weight, explicit: ws.length >= 2, wholeOnly, phrase: true });
  };

  // the conversation language's catalog, as the office has it
  for (const [key, intent] of Object.entries(WORD_KEYS)) {
    for (const p of catalogWords[key] ?? []) addPhrase(p, intent, 1);
  }
  for (const w of [EMOJI_WORD.yes]) addPhrase(w, 'yes', 0.97);
  for (const w of [EMOJI_WORD.no]) addPhrase(w, 'no', 0.97);

  if (builtIn) {
    for (const lang of BUILT_IN) {
      const own = lang === language;
      const catalog = BUILT_IN_LANGUAGES[lang]!;
      if (!own) {
        for (const [key, intent] of Object.entries(WORD_KEYS)) {
          const list = (catalog as Record<string, string>)[key];
          if (list) for (const p of split(list)) addPhrase(p, intent, 0.92);
        }
      }
      const lexicon = LEXICONS[lang];
      for (const [intent, entry] of Object.entries(lexicon) as [LexIntent, (typeof lexicon)[LexIntent]][]) {
        if (!entry) continue;
        for (const p of split(entry.phrases ?? '')) addPhrase(p, intent, own ? 0.97 : 0.95);
        for (const p of split(entry.weak ?? '')) addPhrase(p, intent, own ? 0.72 : 0.7);
        for (const rule of entry.rules ?? []) {
          const groups = rule.split(' + ').map((g) => [...new Set(g.split(' ').flatMap(words))]);
          const weight = groups.length >= 2 ? (own ? 0.95 : 0.93) : own ? 0.85 : 0.83;
          rules.add(groups, { intent, weight, explicit: groups.length >= 2, wholeOnly: false, phrase: false });
        }
      }
    }
  }
  if (digits.size === 0) {
    // an office-added catalog without digits still has the menu's numbers
    const en = BUILT_IN_LANGUAGES.en as Record<string, string>;
    for (const [key, intent] of Object.entries(WORD_KEYS))
      for (const p of split(en[key] ?? '')) if (/^\d+$/.test(p) && !digits.has(Number(p))) digits.set(Number(p), intent);
  }

  const negations = new Set(BUILT_IN.flatMap((l) => NEGATIONS[l].split(' ')));
  for (const w of negations) vocabulary.add(w);
  const contrast = new Set(CONTRAST.split(' '));

  const fields = new PhraseSet<number>(vocabulary);
  for (const [line, list] of Object.entries(LINE_FIELDS)) for (const p of split(list)) fields.add(words(p), Number(line));
  const correction = new PhraseSet<true>(vocabulary);
  for (const w of CORRECTION.split(' ')) correction.add(words(w), true);
  const lineNouns = new Set(LINE_NOUNS.split(' ').flatMap(words));
  for (const w of lineNouns) vocabulary.add(w);
  const numberWords = new Map<string, { n: number; afterNoun: boolean }>();
  for (const [w, n] of Object.entries(NUMBER_WORDS)) {
    const word = w.replace('*', '');
    numberWords.set(word, { n, afterNoun: w.endsWith('*') });
    vocabulary.add(word);
  }

  const languageNames = new PhraseSet<BuiltInLanguage>(vocabulary);
  const languageCodes = new PhraseSet<BuiltInLanguage>(vocabulary);
  for (const lang of BUILT_IN) {
    for (const p of split(LANGUAGE_NAMES[lang].names)) languageNames.add(words(p), lang);
    for (const p of split(LANGUAGE_NAMES[lang].codes)) languageCodes.add(words(p), lang);
  }

  const concepts = new PhraseSet<{ concept: string; weight: number }>(vocabulary);
  for (const c of CONCEPTS) {
    for (const term of split(c.terms)) {
      const hint = term.startsWith('~');
      const ws = words(hint ? term.slice(1) : term);
      concepts.add(ws, { concept: c.id, weight: (hint ? 0.5 : 1) + 0.25 * (ws.length - 1) });
    }
  }

  return {
    builtIn, vocabulary, phrases, rules, digits, negations, contrast, fields, correction, lineNouns, numberWords,
    languageNames, languageCodes, concepts,
  };
}

const compiled = new Map<string, Compiled>();
/** The lists last seen for a `words` function: when they are the same arrays again, no signature is needed. */
const lastSeen = new WeakMap<UnderstandContext['words'], { language: string; lists: string[][]; compiled: Compiled }>();

/** The compiled words for this conversation's language and catalog (compiled on first use, then kept). */
export function compiledFor(ctx: UnderstandContext): Compiled {
  const keys = Object.keys(WORD_KEYS);
  const lists = keys.map((key) => ctx.words(key) ?? []);
  const seen = lastSeen.get(ctx.words);
  if (seen && seen.language === ctx.language && seen.lists.every((l, i) => l === lists[i])) return seen.compiled;
  const signature = ctx.language + '\u0001' + lists.map((l) => l.join('|')).join('\u0001');
  let c = compiled.get(signature);
  if (!c) {
    if (compiled.size >= 32) compiled.clear();
    c = compile(ctx.language, Object.fromEntries(keys.map((key, i) => [key, lists[i]!])));
    compiled.set(signature, c);
  }
  lastSeen.set(ctx.words, { language: ctx.language, lists, compiled: c });
  return c;
}
