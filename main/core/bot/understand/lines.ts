import { isStopWord, type Token } from './fold.js';
import { outermost, type PhraseSet, type Readings } from './match.js';

/**
 * "Correct line N" at the intake summary: "2", "linha 3", "corrigir a linha 3",
 * "change the name" (1), "a data está errada" (5), "nombre mal" (1). Lines:
 * name=1, area=2, description=3, opposing=4, deadline=5.
 */
export interface LineRequest {
  /** the line named, when exactly one is */
  line?: number;
  /** the client asks to correct something (a correction word or a negation) */
  correcting: boolean;
  /** a line was named only by its field, with no word asking to change it */
  fieldOnly: boolean;
}

export function lineRequest(
  tokens: Token[],
  readings: Readings,
  fields: PhraseSet<number>,
  correction: PhraseSet<true>,
  lineNouns: ReadonlySet<string>,
  negating: readonly boolean[],
  lines: number,
): LineRequest | undefined {
  const fixAt = new Set(correction.find(readings).flatMap((f) => f.at));
  const isNoun = (i: number) => lineNouns.has(tokens[i]!.text) || readings[i]!.some((m) => lineNouns.has(m.word));
  // "correct" is a yes, except right before a line ("correct line 2", "correct the name")
  const fieldHits = outermost(fields.find(readings));
  const fieldStarts = new Set(fieldHits.map((f) => f.at[0]!));
  tokens.forEach((t, i) => {
    if (t.text !== 'correct') return;
    let j = i + 1;
    while (j < tokens.length && isStopWord(tokens[j]!.text)) j++;
    if (j < tokens.length && (isNoun(j) || fieldStarts.has(j) || /^\d$/.test(tokens[j]!.text))) fixAt.add(i);
  });
  const correcting = fixAt.size > 0 || negating.some(Boolean);

  // a number right after a line noun or a correction word, or right before one ("3 está errado")
  const neighbour = (i: number, step: number) => {
    let j = i + step;
    while (j >= 0 && j < tokens.length && tokens[j]!.clause === tokens[i]!.clause && isStopWord(tokens[j]!.text)) j += step;
    return j >= 0 && j < tokens.length && tokens[j]!.clause === tokens[i]!.clause ? j : -1;
  };
  const numbered = new Set<number>();
  tokens.forEach((t, i) => {
    if (!/^\d$/.test(t.text)) return;
    const n = Number(t.text);
    if (n < 1 || n > lines) return;
    const before = neighbour(i, -1);
    const after = neighbour(i, 1);
    if ((before >= 0 && (isNoun(before) || fixAt.has(before))) || (after >= 0 && fixAt.has(after))) numbered.add(n);
  });
  if (numbered.size === 1) return { line: [...numbered][0], correcting: true, fieldOnly: false };

  // kept only when not inside a longer field phrase ("data da audiência" is one field)
  const named = new Set(fieldHits.map((f) => f.payload));
  if (named.size === 1) {
    const line = [...named][0]!;
    const inField = new Set(fieldHits.flatMap((f) => f.at));
    const rest = tokens.filter((t, i) => !inField.has(i) && !fixAt.has(i) && !isStopWord(t.text)).length;
    if (correcting) return { line, correcting: true, fieldOnly: false };
    if (rest <= 1) return { line, correcting: false, fieldOnly: true };
  }
  if (numbered.size > 1 || named.size > 1 || fixAt.size > 0) return { correcting: true, fieldOnly: false };
  return undefined;
}
