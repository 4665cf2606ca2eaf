import { findArea } from './areas.js';
import { tokenize } from './fold.js';
import { weigh } from './evidence.js';
import { choose, greetingOf } from './intents.js';
import { namedLanguage } from './languages.js';
import { lineRequest } from './lines.js';
import { read, type Found } from './match.js';
import { compiledFor, type Cue } from './matcher.js';
import { negators } from './negation.js';
import { chosenNumbers } from './numbers.js';
import type { Intent, Understanding, UnderstandContext } from './types.js';

export type { Expecting, Intent, Understanding, UnderstandContext } from './types.js';
export { fold, tokenize } from './fold.js';

/**
 * What a client's message means, from rules and data only (no network, no
 * model: clients' words stay in the office). Pure and fast: the catalog is
 * compiled on first use, then a message costs a few lookups per word.
 *
 * Reading order: numbers ("2", "opção 3"), at the summary a line to correct,
 * then the intents' phrases and keyword rules (typos forgiven, negation
 * respected), then a practice area named in free text (which opens a new
 * matter when nothing else was asked for), then a greeting.
 */
export function understand(text: string, ctx: UnderstandContext): Understanding {
  const expecting = ctx.expecting ?? 'any';
  const { tokens, question } = tokenize(text);
  if (tokens.length === 0) {
    // "-" for "there is none"
    if (expecting === 'none-or-value' && /^[\s\-–—./\\]+$/.test(text) && text.trim() !== '')
      return { intent: 'none', confidence: 0.9, alternatives: [] };
    return { intent: null, confidence: 0, alternatives: [] };
  }

  const c = compiledFor(ctx);
  const readings = read(tokens, c.vocabulary);
  const negating = negators(tokens, c.negations, ctx.language);
  const found: Found<Cue>[] = [...c.phrases.find(readings), ...c.rules.find(tokens, readings)];
  const named = c.builtIn ? namedLanguage(tokens, readings, c.languageNames, c.languageCodes, negating) : undefined;
  if (named?.codeOnly) found.push({ payload: { intent: 'language', weight: 1, explicit: true, wholeOnly: false, phrase: true }, at: named.at, typos: 0 });
  const area = findArea(tokens, readings, c.concepts, ctx.practiceAreas);
  const evidence = weigh(tokens, found, negating, c.negations, c.contrast, area);

  const line = expecting === 'confirm' ? lineRequest(tokens, readings, c.fields, c.correction, c.lineNouns, negating, 5) : undefined;
  if (line?.line !== undefined && !(line.fieldOnly && evidence.scored.has('yes'))) {
    return { intent: 'no', confidence: line.fieldOnly ? 0.75 : 0.9, alternatives: [], line: line.line };
  }

  if (expecting === 'menu' || expecting === 'any' || expecting === 'confirm') {
    const numbers = chosenNumbers(tokens, readings, c.lineNouns, c.numberWords);
    if (numbers.length > 0) return byNumber(numbers, expecting === 'confirm', c.digits);
  }

  const choice = choose(evidence, expecting, question);
  const result: Understanding = { intent: choice.intent, confidence: choice.confidence, alternatives: choice.alternatives };
  if (choice.intent === 'language') result.language = named?.code;

  if (expecting === 'confirm' && line?.correcting && (choice.intent === null || choice.intent === 'no') && choice.alternatives.length === 0) {
    // "o nome está errado" without saying which: not confirmed, the bot asks which line
    return { intent: 'no', confidence: 0.8, alternatives: [] };
  }

  if (area) {
    // free text naming an area opens a matter, unless the client clearly asked for something else
    const opensMatter = expecting === 'menu' || expecting === 'any';
    const confidence = Math.min(0.95, 0.7 + 0.1 * area.score);
    // "informações sobre pensão alimentícia" asks about the area, not the office
    const asksAbout = choice.intent === 'menu.info' && !choice.explicit;
    const weaker = choice.intent === null ? choice.alternatives.length === 0 : asksAbout || !EXPLICIT.has(choice.intent);
    if (opensMatter && weaker) return { intent: 'menu.new', confidence, alternatives: [], ...(area.area ? { area: area.area } : {}) };
    if ((choice.intent === 'menu.new' || choice.intent === null) && area.area) result.area = area.area;
  }

  if (result.intent === null && result.alternatives.length === 0) {
    const greeting = greetingOf(evidence, expecting);
    if (greeting !== undefined) return { intent: 'greeting', confidence: Math.min(1, greeting), alternatives: [], ...(result.area ? { area: result.area } : {}) };
  }
  return result;
}

/** Requests that win over a practice area named beside them ("how is my divorce case going?" is a status). */
const EXPLICIT = new Set<Intent>(['menu.new', 'menu.status', 'menu.person', 'menu.info', 'stop', 'erase', 'language']);

/** A message that is only a number: a menu choice, or at the summary a line. */
function byNumber(numbers: number[], atSummary: boolean, digits: ReadonlyMap<number, Intent>): Understanding {
  if (atSummary) {
    const lines = numbers.filter((n) => n >= 1 && n <= 5);
    if (numbers.length === 1 && lines.length === 1) return { intent: 'no', confidence: 1, alternatives: [], line: lines[0] };
    if (numbers.length === 1 && digits.get(numbers[0]!) === 'menu') return { intent: 'menu', confidence: 1, alternatives: [] };
    return { intent: null, confidence: 0, alternatives: [] };
  }
  const chosen = [...new Set(numbers.map((n) => digits.get(n)).filter((i): i is Intent => i !== undefined))];
  if (numbers.length === 1 && chosen.length === 1) return { intent: chosen[0]!, confidence: 1, alternatives: [] };
  if (chosen.length >= 2) return { intent: null, confidence: 0.5, alternatives: chosen.slice(0, 2) };
  return { intent: null, confidence: 0, alternatives: [] };
}
