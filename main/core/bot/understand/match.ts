import { distance } from 'fastest-levenshtein';
import { skeleton, type Token } from './fold.js';

/**
 * Finding known words, phrases and keyword rules in a message, with typos
 * forgiven in proportion to the word's length. Built once per catalog and
 * reused, so reading a message costs a few map lookups per word.
 */

/** Typos a word of this length may carry: none for short words ("no"/"on" must stay apart), 1 up to 7 letters, 2 from 8. */
export function allowedTypos(length: number): number {
  return length <= 3 ? 0 : length <= 7 ? 1 : 2;
}

/** Two neighbouring letters swapped ("falra" for "falar"). */
function isSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i + 1 < a.length && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

/**
 * Edit distance, with two neighbouring letters swapped counted as half a typo:
 * "meun" is plainly "menu", where "sara" is not "para".
 */
export function typos(a: string, b: string): number {
  const d = distance(a, b);
  return d === 2 && isSwap(a, b) ? 0.5 : d;
}

export interface WordMatch {
  word: string;
  typos: number;
}

/** Every string made by deleting up to `k` letters of `word` (SymSpell's trick: two words within k edits share one). */
function deletions(word: string, k: number, into: Set<string>): Set<string> {
  into.add(word);
  if (k === 0 || word.length <= 1) return into;
  for (let i = 0; i < word.length; i++) {
    const shorter = word.slice(0, i) + word.slice(i + 1);
    if (!into.has(shorter)) deletions(shorter, k - 1, into);
  }
  return into;
}

/**
 * The words the bot knows, and for a typed word the known words it may be.
 * A typed word that is itself a common word ("casa", "caso", "nome") is never
 * read as a typo of another one.
 */
export class Vocabulary {
  private readonly words = new Set<string>();
  private readonly bySkeleton = new Map<string, string[]>();
  private readonly byDeletion = new Map<string, string[]>();
  private readonly cache = new Map<string, WordMatch[]>();

  constructor(private readonly common: (word: string) => boolean) {}

  add(word: string): void {
    if (!word || this.words.has(word)) return;
    this.words.add(word);
    this.cache.clear();
    push(this.bySkeleton, skeleton(word), word);
    if (/\d/.test(word)) return;
    for (const d of deletions(word, allowedTypos(word.length), new Set())) push(this.byDeletion, d, word);
  }

  has(word: string): boolean {
    return this.words.has(word);
  }

  /** The known words `token` may be, closest first (empty when none). */
  lookup(token: string): WordMatch[] {
    const hit = this.cache.get(token);
    if (hit) return hit;
    const found = this.find(token);
    if (this.cache.size > 20_000) this.cache.clear();
    this.cache.set(token, found);
    return found;
  }

  private find(token: string): WordMatch[] {
    if (this.words.has(token)) return [{ word: token, typos: 0 }];
    // letters doubled by hand ("simm", "pesoa" for "pessoa") are not typos
    const same = this.bySkeleton.get(skeleton(token));
    if (same) return same.map((word) => ({ word, typos: 0 }));
    if (token.length < 4 || /\d/.test(token) || this.common(token)) return [];
    let best = Number.POSITIVE_INFINITY;
    const out = new Map<string, number>();
    for (const d of deletions(token, 2, new Set())) {
      for (const word of this.byDeletion.get(d) ?? []) {
        if (out.has(word)) continue;
        const t = typos(token, word);
        if (t > allowedTypos(word.length) || t > allowedTypos(token.length) + 1) continue;
        out.set(word, t);
        best = Math.min(best, t);
      }
    }
    return [...out].filter(([, t]) => t === best).map(([word, t]) => ({ word, typos: t }));
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Where a phrase or rule was found: the token positions it took and the typos it forgave. */
export interface Found<P> {
  payload: P;
  at: number[];
  typos: number;
}

/** Drops matches that lie inside a longer one ("contrato" inside "contrato de aluguel", "name" inside "other party name"). */
export function outermost<P>(found: Found<P>[]): Found<P>[] {
  return found.filter((f) => !found.some((g) => g !== f && g.at.length > f.at.length && f.at.every((i) => g.at.includes(i))));
}

/** For each token, the known words it may be. */
export type Readings = WordMatch[][];

export function read(tokens: Token[], vocabulary: Vocabulary): Readings {
  return tokens.map((t) => vocabulary.lookup(t.text));
}

function typosFor(reading: WordMatch[] | undefined, word: string): number | undefined {
  if (!reading) return undefined;
  for (const m of reading) if (m.word === word) return m.typos;
  return undefined;
}

/** Phrases matched word by word, consecutively ("falar com uma pessoa"). */
export class PhraseSet<P> {
  private readonly byFirst = new Map<string, { words: string[]; payload: P }[]>();

  constructor(private readonly vocabulary: Vocabulary) {}

  add(words: string[], payload: P): void {
    if (words.length === 0) return;
    for (const w of words) this.vocabulary.add(w);
    push(this.byFirst, words[0]!, { words, payload });
  }

  find(readings: Readings): Found<P>[] {
    const found: Found<P>[] = [];
    for (let i = 0; i < readings.length; i++) {
      for (const first of readings[i]!) {
        for (const phrase of this.byFirst.get(first.word) ?? []) {
          let total = first.typos;
          let ok = true;
          for (let j = 1; j < phrase.words.length && ok; j++) {
            const t = typosFor(readings[i + j], phrase.words[j]!);
            if (t === undefined) ok = false;
            else total += t;
          }
          if (ok) found.push({ payload: phrase.payload, at: phrase.words.map((_, j) => i + j), typos: total });
        }
      }
    }
    return found;
  }
}

/**
 * Keyword rules: groups of alternative words, each group met by a different
 * word of one clause, in any order ("speak talk + someone person").
 */
export class RuleSet<P> {
  private readonly rules: { groups: Set<string>[]; payload: P }[] = [];
  private readonly byWord = new Map<string, number[]>();

  constructor(private readonly vocabulary: Vocabulary) {}

  add(groups: string[][], payload: P): void {
    const index = this.rules.length;
    this.rules.push({ groups: groups.map((g) => new Set(g)), payload });
    for (const w of new Set(groups.flat())) {
      this.vocabulary.add(w);
      push(this.byWord, w, index);
    }
  }

  find(tokens: Token[], readings: Readings): Found<P>[] {
    const found: Found<P>[] = [];
    let start = 0;
    while (start < tokens.length) {
      let end = start;
      while (end < tokens.length && tokens[end]!.clause === tokens[start]!.clause) end++;
      // rule → for each group, the first token meeting it and its typos
      const met = new Map<number, ({ at: number; typos: number }[] | undefined)[]>();
      for (let i = start; i < end; i++) {
        for (const m of readings[i]!) {
          for (const r of this.byWord.get(m.word) ?? []) {
            const rule = this.rules[r]!;
            let slots = met.get(r);
            if (!slots) met.set(r, (slots = rule.groups.map(() => undefined)));
            rule.groups.forEach((g, k) => {
              if (!g.has(m.word)) return;
              (slots[k] ??= []).push({ at: i, typos: m.typos });
            });
          }
        }
      }
      for (const [r, slots] of met) {
        const taken = new Set<number>();
        let total = 0;
        let ok = true;
        for (const options of slots) {
          const pick = options?.find((o) => !taken.has(o.at));
          if (!pick) {
            ok = false;
            break;
          }
          taken.add(pick.at);
          total += pick.typos;
        }
        if (ok) found.push({ payload: this.rules[r]!.payload, at: [...taken].sort((a, b) => a - b), typos: total });
      }
      start = end;
    }
    return found;
  }
}
