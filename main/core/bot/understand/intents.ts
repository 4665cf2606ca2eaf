import type { Evidence, Scored } from './evidence.js';
import type { LexIntent } from './lexicon.js';
import type { Expecting, Intent } from './types.js';

/**
 * From the intents' confidences to one answer. What the bot just asked decides
 * which intents may answer and how sure they must be; two close intents make
 * a question instead of a guess; and a yes is never returned where a no is in
 * sight (at the privacy notice, only a clear yes is a yes).
 */

/** How sure the bot must be, by what it just asked. */
const THRESHOLD: Record<Expecting | 'any', number> = {
  menu: 0.6,
  any: 0.6,
  consent: 0.65,
  confirm: 0.6,
  'none-or-value': 0.7,
  free: 0.88,
};

/** Intents with consequences (a data request, a hand-off to staff) need more than one word among many ("the bus stop"). */
const CONSEQUENTIAL = new Set<LexIntent>(['stop', 'erase']);

/** Intents that may interrupt a name or a description, said clearly. */
const STRONG = new Set<Intent>(['menu', 'stop', 'erase', 'menu.person', 'language']);

export interface Choice {
  intent: Intent | null;
  confidence: number;
  alternatives: Intent[];
  /** the intent was said in words that go together ("opening hours"), not one word */
  explicit?: boolean;
}

const INTENTS = new Set<string>([
  'menu.new', 'menu.status', 'menu.person', 'menu.info', 'menu', 'yes', 'no', 'none', 'stop', 'erase', 'language', 'greeting',
]);

/** Which intents may answer, and with what confidence, given what was asked. */
function eligible(evidence: Evidence, expecting: Expecting | 'any'): Scored[] {
  const list: Scored[] = [];
  const greeting = evidence.scored.get('greeting');
  for (const s of evidence.scored.values()) {
    if (!INTENTS.has(s.intent)) continue;
    if (CONSEQUENTIAL.has(s.intent) && s.confidence < 0.8) continue;
    const intent = s.intent as Intent;
    // words that greet and also say something else ("tudo bem?") greet, unless a yes or no was asked for
    if (greeting && intent !== 'greeting' && expecting !== 'consent' && expecting !== 'confirm' && [...s.at].every((i) => greeting.at.has(i)))
      continue;
    if (expecting === 'free') {
      // a name or a description: only a clear request interrupts it
      if (!STRONG.has(intent) || s.coverage < 0.75) continue;
      if ((intent === 'menu.person' || intent === 'language') && !s.explicit) continue;
      if (!s.explicit && s.typos > 0) continue;
    }
    if (expecting === 'none-or-value') {
      if (intent === 'no') {
        const none = evidence.scored.get('none');
        if (!none || none.confidence < s.confidence) list.push({ ...s, intent: 'none' });
        continue;
      }
      if (!['none', 'yes', ...STRONG].includes(intent)) continue;
      if ((intent === 'menu.person' || intent === 'language') && !s.explicit) continue;
    } else if (intent === 'none' && expecting !== 'any') {
      continue;
    }
    list.push(s);
  }
  return list.sort((a, b) => b.confidence - a.confidence || a.first - b.first);
}

/** A yes the bot may act on in `expecting`: never beside a negation ("no problem" is asked again), and at consent only a clear one. */
function yesIsClear(evidence: Evidence, yes: Scored, expecting: Expecting | 'any', question: boolean): boolean {
  if (expecting !== 'consent') return !evidence.negated;
  if (evidence.noSignal || evidence.scored.has('doubt') || question) return false;
  if (yes.confidence < 0.85 || yes.coverage < 0.8) return false;
  if (evidence.contrastAfter(-1)) return false;
  for (const s of evidence.scored.values()) {
    if (s.intent !== 'yes' && s.intent !== 'greeting' && s.intent !== 'thanks' && s.confidence >= 0.5) return false;
  }
  return true;
}

export function choose(evidence: Evidence, expecting: Expecting | 'any', question: boolean): Choice {
  const threshold = THRESHOLD[expecting];
  const ranked = eligible(evidence, expecting).filter((s) => s.intent !== 'greeting');
  const doubt = evidence.scored.get('doubt');
  const top = ranked[0];
  if (!top || top.confidence < threshold) return { intent: null, confidence: top?.confidence ?? 0, alternatives: [] };
  // "not sure", "why?" leave a yes or a no unsaid
  if (doubt && (top.intent === 'yes' || top.intent === 'no') && doubt.confidence >= top.confidence)
    return { intent: null, confidence: top.confidence, alternatives: [] };

  const yes = evidence.scored.get('yes');
  const no = ranked.find((s) => s.intent === 'no');
  if (top.intent === 'yes' || (yes && no && top.intent === 'no')) {
    // a yes and a no: "sim, mas não agora" is a no; "sim não" asks again
    if (yes && no) {
      const noAfterBut = no.first > yes.first && evidence.contrastAfter(yes.first);
      if (noAfterBut || no.confidence >= yes.confidence + 0.1) return { intent: 'no', confidence: no.confidence, alternatives: [] };
      return { intent: null, confidence: Math.max(yes.confidence, no.confidence), alternatives: ['yes', 'no'] };
    }
    if (top.intent === 'yes' && !yesIsClear(evidence, top, expecting, question)) {
      return { intent: null, confidence: top.confidence, alternatives: evidence.noSignal || evidence.negated ? ['yes', 'no'] : [] };
    }
  }

  const second = ranked.find((s) => s.intent !== top.intent);
  if (second && second.confidence >= threshold && top.confidence - second.confidence < 0.08) {
    return { intent: null, confidence: top.confidence, alternatives: [top.intent as Intent, second.intent as Intent] };
  }
  return { intent: top.intent as Intent, confidence: Math.min(1, top.confidence), alternatives: [], explicit: top.explicit };
}

/** A greeting (or a thank-you alone) the bot answers with its menu rather than "I didn't understand". */
export function greetingOf(evidence: Evidence, expecting: Expecting | 'any'): number | undefined {
  if (expecting === 'free' || expecting === 'none-or-value') return undefined;
  const g = evidence.scored.get('greeting') ?? evidence.scored.get('thanks');
  if (!g) return undefined;
  const pure = g.coverage >= 0.8;
  if (expecting === 'consent' || expecting === 'confirm') return pure && evidence.scored.get('greeting') ? g.confidence : undefined;
  if (pure || g.first === 0) return Math.max(0.6, g.confidence * 0.9);
  return undefined;
}
