import { CONCEPTS, GENERIC_AREA_WORDS } from './concepts.js';
import { tokenize, type Token } from './fold.js';
import { allowedTypos, outermost, RuleSet, typos, Vocabulary, read, type PhraseSet, type Readings } from './match.js';

/**
 * Which of the office's practice areas a message is about: "preciso de ajuda
 * com um divórcio" → "Family law", "my landlord won't return my deposit" →
 * "Tenancy". The concept lexicon says what divorce and deposits are about; the
 * office's own area names (in any language, free text) are matched to the
 * concepts by their names, and are also looked for as typed.
 */

export interface AreaFound {
  /** the office's area; undefined when the matter is of a kind the office has no area for ("a car accident") */
  area?: string;
  /** positions of the words that named it */
  at: number[];
  /** 1 for one clear word, more for several; hints count half */
  score: number;
}

interface AreaMap {
  /** concept id → index of the office's area */
  byConcept: Map<string, number>;
  /** the office's area names as rules: every distinctive word of the name */
  direct: RuleSet<number>;
  directWords: Vocabulary;
}

const folded = (text: string) => tokenize(text).tokens.map((t) => t.text);
const distinctive = (name: string) => folded(name).filter((w) => !GENERIC_AREA_WORDS.has(w));

/** The words of a name match when each is within the typos its length allows. */
function close(a: string, b: string): boolean {
  return a === b || typos(a, b) <= Math.min(allowedTypos(a.length), allowedTypos(b.length));
}

/** `words` (one of a concept's names or terms) all appear among `among` (an office's area name). */
function within(words: string[], among: string[]): boolean {
  return words.length > 0 && words.every((w) => among.some((a) => close(w, a)));
}

function mapAreas(areas: string[]): AreaMap {
  const keys = areas.map(distinctive);
  const byConcept = new Map<string, number>();
  for (const useTerms of [false, true]) {
    for (const c of CONCEPTS) {
      if (byConcept.has(c.id)) continue;
      const list = (useTerms ? c.terms : c.names).split('|').map((p) => p.replace(/^~/, ''));
      const names = list.map(distinctive).filter((ws) => ws.length > 0);
      // the area with the fewest words wins ("Family" before "Family mediation")
      let best = -1;
      keys.forEach((key, i) => {
        if (names.some((n) => within(n, key)) && (best < 0 || key.length < keys[best]!.length)) best = i;
      });
      if (best >= 0) byConcept.set(c.id, best);
    }
  }
  const directWords = new Vocabulary(() => false);
  const direct = new RuleSet<number>(directWords);
  keys.forEach((key, i) => {
    if (key.length > 0) direct.add(key.map((w) => [w]), i);
  });
  return { byConcept, direct, directWords };
}

const maps = new Map<string, AreaMap>();

function areaMap(areas: string[]): AreaMap {
  const key = areas.join('\u0001');
  let map = maps.get(key);
  if (!map) {
    if (maps.size >= 32) maps.clear();
    map = mapAreas(areas);
    maps.set(key, map);
  }
  return map;
}

const FALLBACK = new Map(CONCEPTS.map((c) => [c.id, c.fallback ?? []]));

/** The area for a concept, or for its fallbacks, with how much of the weight it keeps. */
function areaOf(concept: string, map: AreaMap): { index: number; keep: number } | undefined {
  const own = map.byConcept.get(concept);
  if (own !== undefined) return { index: own, keep: 1 };
  for (const f of FALLBACK.get(concept) ?? []) {
    const index = map.byConcept.get(f);
    if (index !== undefined) return { index, keep: 0.8 };
  }
  return undefined;
}

export function findArea(
  tokens: Token[],
  readings: Readings,
  concepts: PhraseSet<{ concept: string; weight: number }>,
  areas: string[],
): AreaFound | undefined {
  if (tokens.length === 0) return undefined;
  const map = areaMap(areas);
  const score = new Map<number, { score: number; at: Set<number>; first: number }>();
  let unplaced: AreaFound | undefined;
  const credit = (index: number, weight: number, at: number[]) => {
    const s = score.get(index) ?? { score: 0, at: new Set<number>(), first: Number.POSITIVE_INFINITY };
    s.score += weight;
    for (const i of at) s.at.add(i);
    s.first = Math.min(s.first, at[0]!);
    score.set(index, s);
  };
  for (const f of outermost(concepts.find(readings))) {
    // a short word forgiven a typo could be anything ("jeje" is not "jefe")
    if (f.at.length === 1 && f.typos >= 1 && tokens[f.at[0]!]!.text.length <= 4) continue;
    const target = areaOf(f.payload.concept, map);
    const weight = f.payload.weight * 0.9 ** f.typos;
    if (target) credit(target.index, weight * target.keep, f.at);
    else if (weight >= 0.8 && (!unplaced || weight > unplaced.score)) unplaced = { at: f.at, score: weight };
  }
  for (const f of map.direct.find(tokens, read(tokens, map.directWords))) credit(f.payload, 1.5 * 0.9 ** f.typos, f.at);

  let best: { index: number; score: number; at: Set<number>; first: number } | undefined;
  for (const [index, s] of score) {
    if (!best || s.score > best.score || (s.score === best.score && s.first < best.first)) best = { index, ...s };
  }
  if (!best || best.score < 0.8) return unplaced; // one clear word, even with a typo; not a hint alone
  return { area: areas[best.index]!, at: [...best.at].sort((a, b) => a - b), score: best.score };
}
