import { francAll } from 'franc-min';
import { ACCENTED, ENDINGS, PHRASES, WEAK, WORDS, type Base } from './language-words.js';

/**
 * Which language a new client writes in, from what the office can tell without
 * sending their words anywhere: an explicit choice, the words of the first
 * message, the country code of the number. Each answers null when unsure, so the
 * caller falls through to the next source and finally the office default.
 * Languages are compared by their base ("pt-BR" → "pt"); the answer is always
 * one of the `offered` codes, spelled as offered.
 */

/** ISO 639-1 → the ISO 639-3 codes franc speaks. */
const FRANC: Record<string, string> = { pt: 'por', es: 'spa', en: 'eng', fr: 'fra', it: 'ita', de: 'deu' };

const PT_ONLY = /[ãõçêôâà]/;
const ES_ONLY = /[ñ¿¡]/;
const SHARED_ACCENT = /[áéíóú]/;

/** The language of a client's first message when it is clear, among the offered ones; null when unsure (short or mixed text). */
export function detectLanguage(text: string, offered: string[]): string | null {
  const lower = text.toLowerCase();
  const pt = PT_ONLY.test(lower);
  const es = ES_ONLY.test(lower);
  if (pt && es) return null; // both alphabets in one message: mixed
  const scores = new Map<string, number>();
  const add = (base: string, n: number) => scores.set(base, (scores.get(base) ?? 0) + n);
  if (pt) add('pt', 3);
  if (es) add('es', 3);
  if (SHARED_ACCENT.test(lower)) {
    add('pt', 0.5);
    add('es', 0.5);
  }
  const offeredBases = new Set(offered.map(baseOf));
  for (const token of lower.split(/[^\p{L}']+/u).filter(Boolean)) {
    const accented = ACCENTED[token];
    if (accented) {
      add(accented.base, accented.weight);
      continue;
    }
    const word = fold(token);
    const weak = WEAK[word];
    if (weak) add(weak.base, weak.rivals.some((r) => offeredBases.has(r)) ? 1 : 2);
    for (const base of Object.keys(WORDS) as Base[]) {
      const w = WORDS[base][word];
      if (w) add(base, w);
      else if (word.length >= 5 && ENDINGS[base].test(word)) add(base, 1);
    }
  }
  const folded = ` ${fold(lower).replace(/[^a-z']+/g, ' ')} `;
  for (const base of Object.keys(PHRASES) as Base[]) {
    for (const phrase of PHRASES[base]) if (folded.includes(` ${phrase} `)) add(base, 3);
  }
  addFranc(text, offered, add);
  if (pt) scores.delete('es'); // ã, õ, ç never appear in Spanish
  if (es) scores.delete('pt'); // nor ñ, ¿, ¡ in Portuguese

  const ranked = [...scores].sort((a, b) => b[1] - a[1]);
  const [best, second] = [ranked[0], ranked[1]?.[1] ?? 0];
  if (!best || best[1] < 2 || best[1] - second < 1.5 || second >= best[1] * 0.4) return null;
  return offeredFor(best[0], offered);
}

/**
 * A vote from franc's trigram model, weighed by how sure it is and how long the
 * text is: below ~30 letters it is noise (it reads "Necesito asesoría legal" as
 * Portuguese), over a few sentences it is reliable.
 */
function addFranc(text: string, offered: string[], add: (base: string, n: number) => void): void {
  const only = [...new Set(offered.map((code) => FRANC[baseOf(code)]).filter((c): c is string => !!c))];
  const letters = text.replace(/[^\p{L}]/gu, '').length;
  if (only.length < 2 || letters < 30) return;
  const [top, next] = francAll(text, { only, minLength: 1 });
  if (!top || top[0] === 'und') return;
  const margin = 1 - (next?.[1] ?? 0);
  const cap = letters >= 80 ? 3 : letters >= 50 ? 2 : 1;
  const base = Object.keys(FRANC).find((b) => FRANC[b] === top[0]);
  if (base) add(base, Math.min(cap, margin * 10));
}

// ---------------------------------------------------------------- country codes

/** Calling codes by language; the longest matching prefix wins, so +1809 (Dominican Republic) beats +1. */
const CALLING_CODES: Record<string, string> = {
  ...codes('pt', '55 351 244 258 238 245 239 670'),
  ...codes('es', '34 52 54 56 57 58 51 593 591 595 598 506 507 502 503 504 505 53 240 1809 1829 1849 1787 1939'),
  ...codes('en', '1 44 61 64 353 27 234 233 254 256 260 263 267 264 265 1876 1868 1246 1242 1441'),
};

/**
 * +55 → 'pt-BR'; the Spanish-speaking countries → 'es'; +1 +44 +61 +64 +353 … → 'en';
 * only among offered; null otherwise. Input: a WhatsApp number "5511987654321" or
 * "+55 11 …" or a chat id "5511987654321@c.us". Group chats (@g.us) and linked
 * ids (@lid) carry no phone number, hence null.
 */
export function languageOfNumber(number: string, offered: string[]): string | null {
  const [local = '', domain] = number.trim().split('@');
  if (domain !== undefined && domain !== 'c.us' && domain !== 's.whatsapp.net') return null;
  let digits = local.replace(/:\d+$/, '').replace(/[\s().-]/g, '');
  if (digits.startsWith('+')) digits = digits.slice(1);
  else if (digits.startsWith('00')) digits = digits.slice(2);
  if (!/^[1-9]\d{7,14}$/.test(digits)) return null;
  for (let length = 4; length >= 1; length--) {
    const base = CALLING_CODES[digits.slice(0, length)];
    if (base) return offeredFor(base, offered);
  }
  return null;
}

// ---------------------------------------------------------------- explicit choice

/** Names of the languages as clients write them, in any of the three. */
const NAMES: Record<string, Base> = {
  english: 'en', ingles: 'en', inglesa: 'en',
  portugues: 'pt', portuguese: 'pt', portuguesa: 'pt', brasileiro: 'pt', 'portugues do brasil': 'pt', 'portugues brasileiro': 'pt',
  espanol: 'es', spanish: 'es', espanhol: 'es', castellano: 'es', castelhano: 'es',
};
/** Codes, honoured only when no language is named ("en español" is Spanish, not English). */
const CODES: Record<string, Base> = { en: 'en', eng: 'en', pt: 'pt', ptbr: 'pt', 'pt br': 'pt', br: 'pt', por: 'pt', es: 'es', esp: 'es', spa: 'es' };
const ASK = new Set(['idioma', 'idiomas', 'language', 'languages', 'lingua', 'linguas', 'lengua', 'lenguas', 'lenguaje', 'lang']);
/** Words that may stand around a choice: "in English please", "quero falar em português", "¿habla inglés?". */
const FILLER = new Set(
  (
    'in please pls plz speak talk write use can could we you i do prefer want to change switch set the my other another continue or and ' +
    "let's lets reply answer would like rather is there an option version ok okay yes no hi hello thanks " +
    'em por favor fala falar falo voce vc prefiro quero pode podemos mudar trocar alterar outro para pra o a de do no na escrever ' +
    'responder continuar sim nao ola oi obrigado obrigada ou e ' +
    'en habla hablar hablas hablo usted prefiero quiero puede podemos cambiar otro al el del escribir responder continuar si mejor ' +
    'hola gracias me gustaria seria y'
  ).split(' '),
);

/**
 * An explicit choice or request: "EN" / "PT" / "ES", "english", "inglés",
 * "português", "español", "espanhol", "spanish"… → that code (if offered);
 * "idioma", "language", "lengua", "mudar idioma", "change language" → 'ask';
 * else null. A language named but not offered → 'ask', so the client hears which
 * ones there are. Only short messages count: a sentence that mentions "Spanish"
 * is about something else.
 */
export function languageChoice(text: string, offered: string[]): string | 'ask' | null {
  let words = fold(text.toLowerCase()).replace(/[^a-z0-9']+/g, ' ').trim();
  if (words === '') return null;
  const named = new Set<Base>();
  const coded = new Set<Base>();
  let asked = false;
  const take = (table: Record<string, Base>, into: Set<Base>) => {
    for (const phrase of Object.keys(table).sort((a, b) => b.length - a.length)) {
      const re = new RegExp(`(?:^| )${phrase}(?= |$)`, 'g');
      if (re.test(words)) {
        into.add(table[phrase]!);
        words = words.replace(re, ' ');
      }
    }
  };
  take(NAMES, named);
  take(CODES, coded);
  const rest = words.split(' ').filter(Boolean);
  for (const word of rest) {
    if (ASK.has(word)) asked = true;
    else if (!FILLER.has(word)) return null;
  }
  if (rest.length > 6) return null;
  const chosen = named.size > 0 ? named : coded;
  if (chosen.size > 1) return 'ask';
  const [base] = chosen;
  if (base) return offeredFor(base, offered) ?? 'ask';
  return asked ? 'ask' : null;
}

// ---------------------------------------------------------------- helpers

function baseOf(code: string): string {
  return code.toLowerCase().split(/[-_]/)[0] ?? '';
}

/** The offered code with this base ("pt" → "pt-BR"), or null. */
function offeredFor(base: string, offered: string[]): string | null {
  return offered.find((code) => baseOf(code) === base) ?? null;
}

function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '');
}

function codes(base: string, list: string): Record<string, string> {
  return Object.fromEntries(list.split(' ').map((c) => [c, base]));
}
