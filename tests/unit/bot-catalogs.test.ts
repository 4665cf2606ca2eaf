import { describe, expect, it } from 'vitest';
import { en, TEXT_KEYS, type TextKey } from '../../main/core/bot/catalog/en.js';
import { es } from '../../main/core/bot/catalog/es.js';
import { ptBR } from '../../main/core/bot/catalog/pt-BR.js';
import { foldWords } from '../../main/core/bot/catalog/texts.js';

type Catalog = Record<TextKey, string>;
type WordsKey = TextKey & `${string}words`;

interface Case {
  code: string;
  catalog: Catalog;
  /** keys whose text may be the same as in English (names, signatures, formats) */
  sameAsEnglish: TextKey[];
  /** the words the texts tell the client to type, and the list each must be in */
  instructions: Partial<Record<WordsKey, string[]>>;
}

const cases: Case[] = [
  {
    code: 'pt-BR',
    catalog: ptBR,
    sameAsEnglish: ['staff.signature', 'pdf.whatsapp', 'intake.deadline_shown'],
    instructions: { 'yes.words': ['SIM'], 'no.words': ['NÃO'], 'menu.words': ['MENU'], 'none.words': ['NENHUM'], 'stop.words': ['PARAR'], 'erase.words': ['APAGAR MEUS DADOS'] },
  },
  {
    code: 'es',
    catalog: es,
    sameAsEnglish: ['staff.signature', 'pdf.whatsapp', 'intake.deadline_shown'],
    instructions: { 'yes.words': ['SÍ'], 'no.words': ['NO'], 'menu.words': ['MENÚ'], 'none.words': ['NINGUNO'], 'stop.words': ['BAJA'], 'erase.words': ['BORRAR MIS DATOS'] },
  },
];

const WORD_KEYS = TEXT_KEYS.filter((k): k is WordsKey => k.endsWith('.words'));
/** Checked before anything else the client may be asked: nothing else may share their phrases. */
const FIRST_CHECKED: WordsKey[] = ['stop.words', 'erase.words', 'menu.words'];
/** The menu choices, tried one after the other. */
const MENU_CHOICES: WordsKey[] = ['menu.new.words', 'menu.status.words', 'menu.person.words', 'menu.info.words'];

const placeholders = (text: string) => [...text.matchAll(/\{([a-zA-Z][a-zA-Z0-9_]*)\}/g)].map((m) => m[1]).sort();
const phrases = (text: string) => text.split('|').map(foldWords);
const numbering = (text: string) => [...text.matchAll(/^(\d+)\. /gm)].map((m) => m[1]);
const count = (text: string, ch: string) => text.split(ch).length - 1;
/** Common English words that should not survive in a translated sentence. */
const ENGLISH = /\b(the|and|your|you|our|we|please|reply|with|will|this|that|is|are|of|to|for|office|matter|person)\b/i;

describe.each(cases)('bot catalog $code', ({ code, catalog, sameAsEnglish, instructions }) => {
  it('has every key of the English catalog, in the same order, and no other', () => {
    expect(Object.keys(catalog)).toEqual(TEXT_KEYS);
  });

  it('uses the same placeholders as English in every text', () => {
    for (const key of TEXT_KEYS) {
      expect(placeholders(catalog[key]), `${code} ${key}`).toEqual(placeholders(en[key]));
    }
  });

  it('keeps the WhatsApp formatting and the numbered lists', () => {
    for (const key of TEXT_KEYS) {
      if (key.endsWith('.words')) continue;
      const [t, e] = [catalog[key], en[key]];
      expect(count(t, '\n'), `${code} ${key}: line breaks`).toBe(count(e, '\n'));
      expect(count(t, '*'), `${code} ${key}: *bold*`).toBe(count(e, '*'));
      expect(count(t, '_'), `${code} ${key}: _italic_`).toBe(count(e, '_'));
      expect(numbering(t), `${code} ${key}: numbered list`).toEqual(numbering(e));
    }
  });

  it('has no empty text', () => {
    for (const key of TEXT_KEYS) expect(catalog[key].trim(), `${code} ${key}`).not.toBe('');
  });

  it('leaves no English untranslated', () => {
    for (const key of TEXT_KEYS) {
      if (sameAsEnglish.includes(key)) continue;
      expect(catalog[key], `${code} ${key} is the English text`).not.toBe(en[key]);
      if (key.endsWith('.words')) continue;
      const words = catalog[key].replace(/\{[^}]*\}/g, ' ');
      expect(words, `${code} ${key} looks English`).not.toMatch(ENGLISH);
    }
    for (const key of sameAsEnglish) expect(catalog[key], `${code} ${key}`).toBe(en[key]);
  });

  it('lists enough phrases in each .words key, none empty, keeping the digits of English', () => {
    for (const key of WORD_KEYS) {
      const list = phrases(catalog[key]);
      expect(list.every((p) => p !== ''), `${code} ${key}: empty phrase`).toBe(true);
      expect(list.length, `${code} ${key}: number of phrases`).toBeGreaterThanOrEqual(10);
      expect(list.length, `${code} ${key}: number of phrases`).toBeLessThanOrEqual(25);
      for (const digit of phrases(en[key]).filter((p) => /^\d+$/.test(p))) {
        expect(list, `${code} ${key}: digit ${digit}`).toContain(digit);
      }
    }
  });

  it('never takes the same phrase for yes and for no', () => {
    const no = new Set(phrases(catalog['no.words']));
    const both = phrases(catalog['yes.words']).filter((p) => no.has(p));
    expect(both, code).toEqual([]);
  });

  it('does not let a phrase that is checked first hide another meaning', () => {
    for (const first of FIRST_CHECKED) {
      const mine = new Set(phrases(catalog[first]));
      for (const other of WORD_KEYS) {
        if (other === first) continue;
        const shared = phrases(catalog[other]).filter((p) => mine.has(p));
        expect(shared, `${code} ${first} and ${other}`).toEqual([]);
      }
    }
    for (const a of MENU_CHOICES) {
      const mine = new Set(phrases(catalog[a]));
      for (const b of MENU_CHOICES) {
        if (a === b) continue;
        expect(phrases(catalog[b]).filter((p) => mine.has(p)), `${code} ${a} and ${b}`).toEqual([]);
      }
    }
  });

  it('understands the words its texts tell the client to type', () => {
    for (const [key, words] of Object.entries(instructions) as [WordsKey, string[]][]) {
      const list = phrases(catalog[key]);
      for (const word of words) {
        expect(list, `${code} ${key}: ${word}`).toContain(foldWords(word));
        const mentioned = TEXT_KEYS.some((k) => !k.endsWith('.words') && new RegExp(`(^|[^\\p{L}])${word}([^\\p{L}]|$)`, 'u').test(catalog[k]));
        expect(mentioned, `${code}: no text mentions ${word}`).toBe(true);
      }
    }
    expect(catalog['language.name']).not.toBe('');
  });
});

describe('the texts form', () => {
  it('every text has a label and sits in exactly one group of the form', async () => {
    const { TEXT_GROUPS, TEXT_LABELS } = await import('../../shared/bot-texts.js');
    const grouped = TEXT_GROUPS.flatMap((g) => g.keys);
    expect([...grouped].sort()).toEqual([...TEXT_KEYS].sort());
    expect(new Set(grouped).size).toBe(grouped.length);
    for (const key of TEXT_KEYS) expect(TEXT_LABELS[key], key).toBeTruthy();
  });

  it('a text is refused when empty, too long, or with a placeholder LexDesk does not fill in', async () => {
    const { textProblem } = await import('../../shared/bot-texts.js');
    expect(textProblem('greeting', 'Olá{clientName}! Aqui é {office}.', 'Hello{clientName}! This is {office}.')).toBeNull();
    expect(textProblem('greeting', ' ', 'Hello')).toBe('is empty');
    expect(textProblem('greeting', 'x'.repeat(4001), 'Hello')).toMatch(/longer than 4,000/);
    expect(textProblem('intake.confirmed', 'Ref {referencia}', 'Ref {reference}')).toMatch(/^uses \{referencia\}/);
    expect(textProblem('yes.words', ' | ', 'yes')).toMatch(/lists no words/);
    expect(textProblem('yes.words', 'sim|s', 'yes')).toBeNull();
  });
});
