/**
 * How a WhatsApp message is turned into words the bot can compare: lower case,
 * no accents, no punctuation, "siiim" → "sim", chat shorthand spelled out, the
 * answering emoji turned into words. Commas, full stops and question marks are
 * kept as clause boundaries, because "No, I want to talk to a person" is not a
 * refusal to talk to a person. Digits are kept ("2", "31/12" → "31 12").
 */

export interface Token {
  /** the folded word */
  text: string;
  /** position among the tokens */
  index: number;
  /** which clause (split at , . ; : ! ? and line breaks) */
  clause: number;
}

export interface Folded {
  tokens: Token[];
  /** the message asks something (a "?" or "¿") */
  question: boolean;
}

/** Words the emoji stand for (plain letters, so they survive folding). */
export const EMOJI_WORD = { yes: 'emojiyes', no: 'emojino', pray: 'emojipray', wave: 'emojiwave' } as const;

const EMOJI: [RegExp, string][] = [
  [/[\u{1F44D}\u{1F44C}\u{2705}\u{2714}\u{2611}\u{1F91D}\u{1F197}\u{1F646}]/gu, EMOJI_WORD.yes],
  [/[\u{1F44E}\u{274C}\u{274E}\u{2716}\u{1F6AB}\u{26D4}\u{1F645}]/gu, EMOJI_WORD.no],
  [/\u{1F64F}/gu, EMOJI_WORD.pray],
  [/\u{1F44B}/gu, EMOJI_WORD.wave],
];

/**
 * Chat shorthand and spellings written out, one map for the three languages
 * (they do not collide): "vc" → "voce", "pls" → "please", "xq" → "porque".
 */
const SHORTHAND: Record<string, string> = {
  // Portuguese
  vc: 'voce', vcs: 'voces', voce: 'voce', q: 'que', pq: 'porque', tb: 'tambem', tbm: 'tambem', naum: 'nao', nn: 'nao',
  blz: 'beleza', vlw: 'valeu', obg: 'obrigado', obgd: 'obrigado', obgda: 'obrigada', brigado: 'obrigado', brigada: 'obrigada',
  td: 'tudo', tds: 'todos', msg: 'mensagem', msgs: 'mensagens', hj: 'hoje', adv: 'advogado', dr: 'doutor', dra: 'doutora',
  pfv: 'por favor', pf: 'por favor', qdo: 'quando', qnd: 'quando', cmg: 'comigo', ctz: 'certeza', mt: 'muito', mto: 'muito',
  tmj: 'obrigado', flw: 'tchau', eai: 'e ai', oie: 'oi', pra: 'para', pro: 'para o',
  // Spanish
  xq: 'porque', porq: 'porque', tmb: 'tambien', dnd: 'donde', bn: 'bien', bno: 'bueno', grax: 'gracias', grs: 'gracias',
  grcs: 'gracias', sip: 'si', nop: 'no', nel: 'no', xfa: 'por favor', porfa: 'por favor', porfis: 'por favor', x: 'por',
  d: 'de', k: 'ok', holi: 'hola',
  // English
  pls: 'please', plz: 'please', plis: 'please', thx: 'thanks', tks: 'thanks', tnx: 'thanks', ty: 'thanks', u: 'you',
  ur: 'your', r: 'are', ppl: 'people', ye: 'yes', yea: 'yeah', yeh: 'yeah', idk: 'i dont know', wanna: 'want to',
  gonna: 'going to', lemme: 'let me', gimme: 'give me', okie: 'ok', oki: 'ok', okk: 'ok', hrs: 'hours', hr: 'hour',
};

/** Laughter ("kkkk", "jajaja", "rsrs") and sighs: not words. */
const NOISE = /^(k{2,}|(ha){2,}h?|(ja){2,}|(je){2,}|(ji){2,}|(he){2,}|(hi){3,}|(rs)+|lol|lmao|hahah?|jajaj?|eh+|ah+)$/;

/** Clause boundaries. */
const BOUNDARY = /[.,;:!?¿¡…\n()[\]{}"“”«»]|\s-\s/u;

/** Folds one piece of text (no clause boundaries) to its words. */
function words(piece: string): string[] {
  const out: string[] = [];
  const folded = piece
    .replace(/(^|[^\p{L}])ñ(?=$|[^\p{L}])/giu, '$1nao') // Brazilian shorthand for "não"
    .replace(/(^|[^\p{L}])n[º°.]\s*(?=\d)/giu, '$1numero ') // "nº 3"
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/º/g, 'o')
    // an English contraction joins (don't → dont, mother's → mothers); an elision splits (d'accord → d accord)
    .replace(/(\p{L})['’‘`´](t|s|re|m|ll|ve|d)(?!\p{L})/gu, '$1$2')
    .replace(/(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/gu, ' ') // linha2 → linha 2
    .replace(/[^\p{L}\p{N}]+/gu, ' ');
  for (const raw of folded.split(' ')) {
    if (!raw) continue;
    if (NOISE.test(raw)) continue;
    // three or more of a letter in a row are one: "siiim" → "sim", "nãooo" → "nao"
    const word = raw.replace(/(\p{L})\1{2,}/gu, '$1');
    if (NOISE.test(word)) continue;
    const spelled = SHORTHAND[word] ?? word;
    for (const w of spelled.split(' ')) out.push(w);
  }
  return out;
}

/** The message as tokens with their clauses. */
export function tokenize(text: string): Folded {
  let marked = text.slice(0, 4000);
  for (const [pattern, word] of EMOJI) marked = marked.replace(pattern, ` ${word} `);
  const tokens: Token[] = [];
  let clause = 0;
  for (const piece of marked.split(new RegExp(BOUNDARY.source, 'gu'))) {
    const ws = words(piece);
    if (ws.length === 0) continue;
    for (const w of ws) tokens.push({ text: w, index: tokens.length, clause });
    clause += 1;
  }
  return { tokens, question: /[?¿]/.test(text) };
}

/** The message folded to a plain string of words ("Não, OBRIGADO!!" → "nao obrigado"). */
export function fold(text: string): string {
  return tokenize(text).tokens.map((t) => t.text).join(' ');
}

/** Letters doubled by hand collapse too, for comparing: "simm" and "sim", "agreee" and "agree". */
export function skeleton(word: string): string {
  return word.replace(/(\p{L})\1+/gu, '$1');
}

export type BuiltInLanguage = 'en' | 'pt-BR' | 'es';
export const BUILT_IN: readonly BuiltInLanguage[] = ['en', 'pt-BR', 'es'];

/**
 * Small words that carry no intent of their own, per language: articles,
 * prepositions, pronouns, "please", "want", "need", "can". A message's coverage
 * is counted over its other words. Negations are never stop words.
 */
export const STOP_WORDS: Record<BuiltInLanguage, ReadonlySet<string>> = {
  en: new Set(
    ('a an the to of in on at for with about from by as into and or so just also then there here this that these those it its ' +
      'i im me my mine myself you your yours we us our they them their he him his she her is are am be been being was were ' +
      'do does did doing have has had having can could would should may might must shall will want wanted wanting need ' +
      'needed needs like please thanks thank thankyou cheers some any really very well now just actually kindly ' +
      'what whats which who whom how hows when where why if let lets get got going give id ive ill youre theyre now urgent urgently').split(' '),
  ),
  'pt-BR': new Set(
    ('a o as os um uma uns umas de do da dos das em na nas nos num numa ao aos pelo pela pelos pelas por para pra com e ou ' +
      'que se eu me mim meu minha meus minhas voce voces seu sua seus suas ele ela eles elas nos nosso nossa te ti lhe lhes ' +
      'isso isto esse essa este esta aquele aquela aqui ai la entao tambem ja so bem muito mais ser estar estou esta sou e ' +
      'tem ter tenho tive quero queria queriamos gostaria preciso precisava precisamos poderia pode podem posso vou vai ' +
      'favor obrigado obrigada valeu grato grata agradeco como qual quais quando onde porque sobre ate tipo assim gente agora urgente algum alguma alguns algumas teve tinha').split(' '),
  ),
  es: new Set(
    ('a al el la los las lo un una unos unas de del en con por para y e o u que se me mi mis yo tu tus te usted ustedes ' +
      'su sus le les nos nuestro nuestra este esta estos estas ese esa eso esto aqui ahi alla entonces tambien ya solo bien ' +
      'muy mas ser estar estoy es soy hay tengo tiene tener quiero queria quisiera gustaria necesito necesitaba puede ' +
      'pueden puedo podria voy va favor gracias muchas mil agradezco como cual cuales cuando donde porque sobre hasta ahora urgente algun alguna algunos algunas hubo habia tengan tenga tienen tenemos').split(' '),
  ),
};

const ALL_STOP = new Set(BUILT_IN.flatMap((l) => [...STOP_WORDS[l]]));

/** A stop word in any of the built-in languages (clients mix them). */
export function isStopWord(word: string): boolean {
  return ALL_STOP.has(word);
}
