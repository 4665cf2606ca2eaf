import { isStopWord, type Token } from './fold.js';
import type { Readings } from './match.js';

/**
 * The number a message picks when it is essentially a number: "2", "2.",
 * "opção 3", "the 2 please", "dos", "2️⃣". Any other word makes it a sentence,
 * whose numbers ("31/12", "3 meses") choose nothing.
 */
export function chosenNumbers(
  tokens: Token[],
  readings: Readings,
  lineNouns: ReadonlySet<string>,
  numberWords: ReadonlyMap<string, { n: number; afterNoun: boolean }>,
  alsoAllowed: (i: number) => boolean = () => false,
): number[] {
  const found = new Set<number>();
  let afterNoun = false;
  for (let i = 0; i < tokens.length; i++) {
    const text = tokens[i]!.text;
    if (/^\d{1,2}$/.test(text)) {
      found.add(Number(text));
      afterNoun = false;
      continue;
    }
    const word = numberWords.get(text);
    if (word && (!word.afterNoun || afterNoun || tokens.length === 1)) {
      found.add(word.n);
      afterNoun = false;
      continue;
    }
    const noun = lineNouns.has(text) || readings[i]!.some((m) => lineNouns.has(m.word));
    if (noun) {
      afterNoun = true;
      continue;
    }
    if (isStopWord(text) || alsoAllowed(i)) continue;
    return [];
  }
  return [...found];
}
