import { distance } from 'fastest-levenshtein';

/**
 * Names as the conflict check compares them. "Smith, John", "JOHN SMITH" and
 * "john smith" are one person; "Acme Ltd.", "ACME Limited" and "Acme" one company;
 * "José Núñez" and "Jose Nunez" one name. The key is the name folded to lower case
 * without accents or punctuation, with company suffixes and name particles dropped
 * and the words sorted, so word order no longer matters.
 */

/** Legal-form words that say nothing about who a company is. */
const COMPANY_SUFFIXES = new Set([
  'ltd', 'limited', 'llc', 'llp', 'lp', 'plc', 'inc', 'incorporated', 'corp', 'corporation', 'co', 'company',
  'gmbh', 'ag', 'kg', 'ohg', 'ug', 'sa', 'sas', 'sarl', 'srl', 'spa', 'sl', 'bv', 'nv', 'oy', 'ab', 'as', 'asa',
  'aps', 'pty', 'pte', 'lda', 'ltda', 'me', 'epp', 'eireli', 'pc', 'pllc', 'kk', 'se', 'sp', 'zoo', 'sro', 'doo',
  'group', 'holding', 'holdings', 'the',
]);

/** Small words inside personal names ("Maria da Silva", "Ludwig van Beethoven"). */
const PARTICLES = new Set([
  'da', 'das', 'de', 'del', 'della', 'der', 'den', 'des', 'di', 'do', 'dos', 'du', 'e', 'y', 'van', 'von', 'la', 'le',
  'and', 'of', 'bin', 'ibn', 'al',
]);

/** Lower case, accents removed (é → e, ß → ss, ø → o), punctuation as spaces. */
export function foldName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[øØ]/g, 'o')
    .replace(/[æÆ]/g, 'ae')
    .replace(/œ/g, 'oe')
    .replace(/[łŁ]/g, 'l')
    .replace(/đ/g, 'd')
    .replace(/ı/g, 'i')
    // "S.A." and "s/a" are one word, not two letters
    .replace(/\b(\p{L})[./](\p{L})\b\.?/gu, '$1$2')
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The words of a name that identify it: folded, without legal forms and particles. */
export function nameWords(name: string): string[] {
  const words = foldName(name).split(' ').filter(Boolean);
  const meaningful = words.filter((w) => !COMPANY_SUFFIXES.has(w) && !PARTICLES.has(w));
  // a name made only of such words ("The Company") keeps them rather than vanish
  return meaningful.length > 0 ? meaningful : words;
}

/** The comparison key: the identifying words, sorted, joined by one space. */
export function nameKey(name: string): string {
  return [...nameWords(name)].sort().join(' ');
}

/** 0…1: how alike two words are, by edit distance. */
function wordSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const longest = Math.max(a.length, b.length);
  if (longest === 0) return 1;
  return 1 - distance(a, b) / longest;
}

/**
 * 0…1: how likely two names (as keys) name the same party. Each word of the
 * shorter name is paired with its closest word in the longer one, weighted by
 * length; words of the longer name left unmatched (a middle name) cost a little.
 * Word order never matters, typos cost in proportion to the word's length.
 */
export function nameSimilarity(keyA: string, keyB: string): number {
  if (keyA === keyB) return keyA.length > 0 ? 1 : 0;
  const a = keyA.split(' ').filter(Boolean);
  const b = keyB.split(' ').filter(Boolean);
  if (a.length === 0 || b.length === 0) return 0;
  if (a.length === b.length) return Math.max(alignedSimilarity(a, b), alignedSimilarity(b, a));
  return a.length < b.length ? alignedSimilarity(a, b) : alignedSimilarity(b, a);
}

/** `nameSimilarity` with the words of `short` looked up among those of `long`. */
function alignedSimilarity(short: string[], long: string[]): number {
  const free = [...long];
  let weighted = 0;
  let weight = 0;
  for (const word of [...short].sort((x, y) => y.length - x.length)) {
    let best = -1;
    let bestScore = 0;
    for (let i = 0; i < free.length; i++) {
      const score = wordSimilarity(word, free[i]!);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    if (best >= 0) free.splice(best, 1);
    weighted += bestScore * word.length;
    weight += word.length;
  }
  const matched = weight === 0 ? 0 : weighted / weight;
  // an extra middle name is a mild difference; a one-word name inside a long one is weak evidence
  const leftover = free.reduce((n, w) => n + w.length, 0);
  const totalLong = long.reduce((n, w) => n + w.length, 0);
  const coverage = 1 - (leftover / Math.max(totalLong, 1)) * 0.5;
  const singleWordPenalty = short.length === 1 && long.length > 1 ? 0.85 : 1;
  return Math.max(0, Math.min(1, matched * coverage * singleWordPenalty));
}

/** Distinct trigrams of a key, as FTS5 phrases for a `MATCH … OR …` query. */
export function trigramQuery(key: string, max = 24): string | null {
  const grams = new Set<string>();
  for (const word of key.split(' ')) {
    if (word.length < 3) continue;
    for (let i = 0; i + 3 <= word.length; i++) grams.add(word.slice(i, i + 3));
  }
  if (grams.size === 0) return null;
  return [...grams]
    .slice(0, max)
    .map((g) => `"${g.replace(/"/g, '""')}"`)
    .join(' OR ');
}
