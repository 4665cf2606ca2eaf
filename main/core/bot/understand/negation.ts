import type { Token } from './fold.js';

/**
 * Which words negate. "não quero falar com ninguém" is not a hand-off, "I don't
 * agree" is a no. A negator turns off what follows it in its clause (within a
 * few words); for a yes-word, any negator in the clause does ("concordo não").
 */

/** How far (in words) a negator reaches forward. */
export const NEGATION_REACH = 4;

/**
 * For each token, whether it negates. In Portuguese "no" is "in the" ("no
 * escritório", "No caso dele"): there it negates only at the end of a clause
 * ("No, obrigado", "é no").
 */
export function negators(tokens: Token[], negations: ReadonlySet<string>, language: string): boolean[] {
  return tokens.map((t, i) => {
    if (!negations.has(t.text)) return false;
    if (t.text !== 'no' || language !== 'pt-BR') return true;
    return i === tokens.length - 1 || tokens[i + 1]!.clause !== t.clause;
  });
}

/** The negator that turns off a match at `at` (positions), or undefined. */
export function negatorOf(
  at: readonly number[],
  tokens: Token[],
  negating: readonly boolean[],
  whole: 'clause' | 'before',
): number | undefined {
  const inside = new Set(at);
  const first = at[0]!;
  const clauses = new Set(at.map((i) => tokens[i]!.clause));
  for (let i = 0; i < tokens.length; i++) {
    if (!negating[i] || inside.has(i) || !clauses.has(tokens[i]!.clause)) continue;
    if (whole === 'clause') return i;
    if (i < first && first - i <= NEGATION_REACH) return i;
  }
  return undefined;
}
