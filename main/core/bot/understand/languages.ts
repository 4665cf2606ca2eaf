import type { BuiltInLanguage, Token } from './fold.js';
import { isStopWord } from './fold.js';
import type { Found, PhraseSet, Readings } from './match.js';
import { negatorOf } from './negation.js';

/**
 * Which language a client names: "English please", "em português", "¿habla
 * inglés?", or a code typed alone ("EN", "pt", "ES"). "I don't speak Spanish"
 * names no language to switch to.
 */
export interface NamedLanguage {
  /** undefined when none, or more than one, was named (or only negated) */
  code?: BuiltInLanguage;
  /** positions of the words that named it */
  at: number[];
  /** the message is only a code ("EN") */
  codeOnly: boolean;
}

export function namedLanguage(
  tokens: Token[],
  readings: Readings,
  names: PhraseSet<BuiltInLanguage>,
  codes: PhraseSet<BuiltInLanguage>,
  negating: readonly boolean[],
): NamedLanguage | undefined {
  const codeHits = codes.find(readings).filter((f) => f.typos === 0);
  const covered = new Set(codeHits.flatMap((f) => f.at));
  const codeOnly = codeHits.length > 0 && tokens.every((t, i) => covered.has(i) || (isStopWord(t.text) && t.text !== 'no'));
  const hits: Found<BuiltInLanguage>[] = codeOnly ? codeHits : names.find(readings);
  if (hits.length === 0) return undefined;
  const live = hits.filter((f) => negatorOf(f.at, tokens, negating, 'before') === undefined);
  const named = new Set(live.map((f) => f.payload));
  return {
    code: named.size === 1 ? [...named][0] : undefined,
    at: [...new Set(hits.flatMap((f) => f.at))],
    codeOnly,
  };
}
