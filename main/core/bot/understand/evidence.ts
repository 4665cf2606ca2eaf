import type { AreaFound } from './areas.js';
import { EMOJI_WORD, isStopWord, type Token } from './fold.js';
import type { LexIntent } from './lexicon.js';
import type { Found } from './match.js';
import type { Cue } from './matcher.js';
import { NEGATION_REACH, negatorOf } from './negation.js';

/**
 * From the cues found in a message to a confidence per intent. Each intent's
 * confidence is the weight of its best cue times how much of the message its
 * cues explain (greetings, "please" and the words naming a practice area do
 * not count against it). A cue inside a longer one is that one's word; a
 * negated cue, and a negated clause, are evidence for "no".
 */

export interface Scored {
  intent: LexIntent;
  confidence: number;
  coverage: number;
  explicit: boolean;
  typos: number;
  at: Set<number>;
  /** the first position a cue of this intent took */
  first: number;
}

export interface Evidence {
  tokens: Token[];
  /** cues left after dropping those inside longer ones and those negated */
  scored: Map<LexIntent, Scored>;
  /** a negation word (any of the three languages), or a no-emoji, anywhere in the message */
  noSignal: boolean;
  /** the same, with Portuguese "no" read as "in the" where it is that ("no processo") */
  negated: boolean;
  contrastAfter: (i: number) => boolean;
}

const MENU_INTENTS = new Set<LexIntent>(['menu.new', 'menu.status', 'menu.person', 'menu.info', 'menu']);
/** Negators inside one of these phrases are spent ("não sei", "no one", "no problem", "não me envie mais mensagens"). */
const SPENDING = new Set<LexIntent>(['none', 'doubt', 'stop', 'erase', 'yes']);

/**
 * The message's words that count: all but the small ones, except small words
 * that are part of a phrase ("está bien", "tá bom"); all, when all are small.
 */
export function contentOf(tokens: Token[], phraseAt: ReadonlySet<number>): Set<number> {
  const content = new Set(tokens.filter((t) => !isStopWord(t.text) || phraseAt.has(t.index)).map((t) => t.index));
  return content.size > 0 ? content : new Set(tokens.map((t) => t.index));
}

export function weigh(
  tokens: Token[],
  found: Found<Cue>[],
  negating: readonly boolean[],
  negations: ReadonlySet<string>,
  contrast: ReadonlySet<string>,
  area: AreaFound | undefined,
): Evidence {
  const politeAt = new Set(found.filter((f) => f.payload.intent === 'thanks' || f.payload.intent === 'greeting').flatMap((f) => f.at));

  let cues = found.filter((f) => {
    // a short word forgiven a typo could be anything ("sara" is not "para")
    if (f.at.length === 1 && f.typos >= 1 && tokens[f.at[0]!]!.text.length <= 4) return false;
    if (f.payload.wholeOnly) return tokens.every((t, i) => f.at.includes(i) || isStopWord(t.text) || politeAt.has(i));
    // Portuguese "no" as "in the" ("no processo") says no nothing
    if (f.at.length === 1 && negations.has(tokens[f.at[0]!]!.text) && !negating[f.at[0]!]) return false;
    return true;
  });
  // a cue inside a longer one is that cue's word ("claro" in "claro que não", "sim" in "acho que sim")
  cues = cues.filter((f) => !cues.some((g) => g.at.length > f.at.length && f.at.every((i) => g.at.includes(i))));
  // the words of a practice area are the area's ("personal" in "lesiones personales")
  if (area) {
    const areaAt = new Set(area.at);
    cues = cues.filter((f) => !f.at.every((i) => areaAt.has(i)));
  }

  const content = contentOf(tokens, new Set(cues.filter((f) => f.payload.phrase && f.at.length > 1).flatMap((f) => f.at)));
  const spent = new Set(
    cues.filter((f) => SPENDING.has(f.payload.intent) && f.at.length > 1).flatMap((f) => f.at.filter((i) => negating[i])),
  );
  const live = negating.map((n, i) => n && !spent.has(i));
  const yesAt = new Set(cues.filter((f) => f.payload.intent === 'yes').flatMap((f) => f.at));

  const by = new Map<LexIntent, { at: Set<number>; weight: number; explicit: boolean; typos: number; first: number }>();
  const add = (intent: LexIntent, at: number[], weight: number, explicit: boolean, t: number) => {
    const e = by.get(intent) ?? { at: new Set<number>(), weight: 0, explicit: false, typos: Number.POSITIVE_INFINITY, first: Number.POSITIVE_INFINITY };
    for (const i of at) e.at.add(i);
    e.weight = Math.max(e.weight, weight);
    e.explicit ||= explicit;
    e.typos = Math.min(e.typos, t);
    e.first = Math.min(e.first, ...at);
    by.set(intent, e);
  };

  for (const f of cues) {
    const { intent, weight, explicit } = f.payload;
    const w = weight * 0.92 ** f.typos;
    const negatable = !['no', 'none', 'doubt', 'thanks', 'greeting'].includes(intent);
    const negator = negatable ? negatorOf(f.at, tokens, live, intent === 'yes' ? 'clause' : 'before') : undefined;
    if (negator === undefined) {
      add(intent, f.at, w, explicit, f.typos);
    } else {
      // "I don't agree", "não quero falar com uma pessoa": a refusal
      add('no', [negator, ...f.at], 0.9 * w, true, f.typos);
    }
  }

  // a negated clause is a refusal: "não quero falar com ninguém" is a no in every word
  const claimed = new Set([...by].filter(([intent]) => intent !== 'no').flatMap(([, e]) => [...e.at]));
  live.forEach((isLive, n) => {
    if (!isLive || yesAt.has(n)) return;
    const scope = [n];
    for (let i = n + 1; i < tokens.length && i - n <= NEGATION_REACH && tokens[i]!.clause === tokens[n]!.clause; i++) {
      if (!claimed.has(i)) scope.push(i);
    }
    add('no', scope, 0.85, false, 0);
  });

  const scored = new Map<LexIntent, Scored>();
  for (const [intent, e] of by) {
    const neutral = new Set<number>();
    for (const i of politeAt) if (!e.at.has(i)) neutral.add(i);
    if (area && MENU_INTENTS.has(intent)) for (const i of area.at) if (!e.at.has(i)) neutral.add(i);
    let total = 0;
    let covered = 0;
    for (const i of content) {
      if (neutral.has(i)) continue;
      total++;
      if (e.at.has(i)) covered++;
    }
    const coverage = total === 0 ? (e.at.size > 0 ? 1 : 0) : covered / total;
    scored.set(intent, {
      intent,
      confidence: e.weight * coverage ** 0.6,
      coverage,
      explicit: e.explicit,
      typos: e.typos,
      at: e.at,
      first: e.first,
    });
  }

  const noSignal =
    tokens.some((t) => negations.has(t.text) || t.text === EMOJI_WORD.no) || scored.has('no');
  const negated = negating.some(Boolean) || scored.has('no') || tokens.some((t) => t.text === EMOJI_WORD.no);
  const contrastAt = tokens.filter((t) => contrast.has(t.text)).map((t) => t.index);
  return { tokens, scored, noSignal, negated, contrastAfter: (i) => contrastAt.some((c) => c > i) };
}
