import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILT_IN_LANGUAGES, foldWords } from '../../main/core/bot/catalog/texts.js';
import type { Expecting, Intent, Understanding, UnderstandContext } from '../../main/core/bot/understand/index.js';

/**
 * The utterance corpus (tests/fixtures/utterances/*.json), shared by the test
 * and by `npm run bench:nlu`: what clients write, what the bot had asked, and
 * what it should take the message to mean.
 */

export interface UtteranceCase {
  text: string;
  expecting: Expecting;
  intent: Intent | null;
  area?: string;
  line?: number;
  language?: string;
  alternatives?: Intent[];
}

export interface Corpus {
  language: string;
  practiceAreas: string[];
  cases: UtteranceCase[];
}

export const CORPUS_LANGUAGES = ['en', 'pt-BR', 'es'] as const;

const here = dirname(fileURLToPath(import.meta.url));

export function loadCorpus(language: string): Corpus {
  return JSON.parse(readFileSync(join(here, '..', 'fixtures', 'utterances', `${language}.json`), 'utf8')) as Corpus;
}

/** A `.words` list of a built-in catalog, folded as the bot's Texts folds it. */
export function catalogWords(language: string): (key: string) => string[] {
  const catalog = BUILT_IN_LANGUAGES[language] as Record<string, string> | undefined;
  const cache = new Map<string, string[]>();
  return (key) => {
    let list = cache.get(key);
    if (!list) {
      list = (catalog?.[key] ?? '').split('|').map(foldWords).filter(Boolean);
      cache.set(key, list);
    }
    return list;
  };
}

export function contextFor(corpus: Corpus, c: UtteranceCase): UnderstandContext {
  return { language: corpus.language, words: catalogWords(corpus.language), practiceAreas: corpus.practiceAreas, expecting: c.expecting };
}

/**
 * Whether the bot understood a case as expected: the intent, and the details
 * that go with it (the area of a new matter, or none when none was named; the
 * line of a correction; the language named; the two choices when it should ask).
 */
export function judge(c: UtteranceCase, got: Understanding): boolean {
  if (got.intent !== c.intent) return false;
  if (c.intent === 'menu.new' && got.area !== c.area) return false;
  if (c.area !== undefined && got.area !== c.area) return false;
  if (c.intent === 'no' && c.expecting === 'confirm' && got.line !== c.line) return false;
  if (c.intent === 'language' && got.language !== c.language) return false;
  if (c.alternatives && [...got.alternatives].sort().join() !== [...c.alternatives].sort().join()) return false;
  return true;
}

/** A misroute that must never happen: a yes the client did not give, or a hand-off not asked for. */
export function misroute(c: UtteranceCase, got: Understanding): 'yes' | 'handoff' | null {
  if (got.intent === 'yes' && c.intent !== 'yes') return 'yes';
  if (got.intent === 'menu.person' && c.intent !== 'menu.person') return 'handoff';
  return null;
}

export const show = (got: Understanding) =>
  [got.intent ?? 'null', got.area && `area=${got.area}`, got.line && `line=${got.line}`, got.language && `language=${got.language}`,
    got.alternatives.length ? `alternatives=${got.alternatives.join('/')}` : '']
    .filter(Boolean)
    .join(' ');

export const expected = (c: UtteranceCase) =>
  [c.intent ?? 'null', c.area && `area=${c.area}`, c.line && `line=${c.line}`, c.language && `language=${c.language}`,
    c.alternatives ? `alternatives=${c.alternatives.join('/')}` : '']
    .filter(Boolean)
    .join(' ');
