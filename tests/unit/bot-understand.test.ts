import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fold, tokenize } from '../../main/core/bot/understand/fold.js';
import { understand, type Expecting, type UnderstandContext } from '../../main/core/bot/understand/index.js';
import { allowedTypos } from '../../main/core/bot/understand/match.js';
import {
  CORPUS_LANGUAGES,
  catalogWords,
  contextFor,
  expected,
  judge,
  loadCorpus,
  misroute,
  show,
} from '../support/utterances.js';

const AREAS_EN = ['Family law', 'Employment', 'Tenancy', 'Criminal', 'Consumer', 'Inheritance', 'Immigration'];

function ctx(language: string, expecting?: Expecting, practiceAreas: string[] = AREAS_EN): UnderstandContext {
  return { language, words: catalogWords(language), practiceAreas, expecting };
}
const intent = (text: string, language: string, expecting?: Expecting) => understand(text, ctx(language, expecting)).intent;

describe.each(CORPUS_LANGUAGES)('utterance corpus %s', (language) => {
  const corpus = loadCorpus(language);
  const results = corpus.cases.map((c) => ({ c, got: understand(c.text, contextFor(corpus, c)) }));

  test('has at least 220 utterances and states its practice areas', () => {
    expect(corpus.language).toBe(language);
    expect(corpus.practiceAreas.length).toBeGreaterThan(0);
    expect(corpus.cases.length).toBeGreaterThanOrEqual(220);
  });

  test('is understood at least 95 % of the time', () => {
    const missed = results.filter(({ c, got }) => !judge(c, got));
    const accuracy = 1 - missed.length / results.length;
    console.log(`${language}: ${(100 * accuracy).toFixed(1)} % of ${results.length} utterances understood`);
    const list = missed.map(({ c, got }) => `[${c.expecting}] ${JSON.stringify(c.text)}: expected ${expected(c)}, got ${show(got)}`);
    expect(accuracy, `${language} accuracy ${(100 * accuracy).toFixed(1)} %; missed:\n${list.join('\n')}`).toBeGreaterThanOrEqual(0.95);
  });

  test('never takes a yes that was not given, nor a hand-off that was not asked for', () => {
    const offenders = results
      .filter(({ c, got }) => misroute(c, got))
      .map(({ c, got }) => `[${c.expecting}] ${JSON.stringify(c.text)}: expected ${expected(c)}, got ${show(got)}`);
    expect(offenders, `misroutes:\n${offenders.join('\n')}`).toEqual([]);
  });
});

describe('folding', () => {
  test('case, accents, punctuation and repeated letters fold away', () => {
    expect(fold('Não, OBRIGADO!!')).toBe('nao obrigado');
    expect(fold('SIIIIM')).toBe('sim');
    expect(fold('nãooooo')).toBe('nao');
    expect(fold('¿Habla ESPAÑOL?')).toBe('habla espanol');
    expect(fold("I don't agree")).toBe('i dont agree');
  });

  test('digits stay, and are kept apart from letters', () => {
    expect(fold('31/12/2026')).toBe('31 12 2026');
    expect(fold('linha2')).toBe('linha 2');
    expect(fold('2️⃣')).toBe('2');
    expect(fold('nº 3')).toBe('numero 3');
  });

  test('emoji that answer become words; the rest and laughter go', () => {
    expect(fold('👍')).toBe('emojiyes');
    expect(fold('👍🏽')).toBe('emojiyes');
    expect(fold('ok ✅')).toBe('ok emojiyes');
    expect(fold('👎')).toBe('emojino');
    expect(fold('❌')).toBe('emojino');
    expect(fold('kkkkk 😂 jajaja rsrs')).toBe('');
  });

  test('chat shorthand is spelled out', () => {
    expect(fold('vc pode me ligar? pq preciso')).toBe('voce pode me ligar porque preciso');
    expect(fold('pls call me thx')).toBe('please call me thanks');
    expect(fold('ñ quero')).toBe('nao quero');
  });

  test('commas and full stops split clauses', () => {
    const { tokens, question } = tokenize('No, I want to talk to a person?');
    expect(tokens[0]!.clause).not.toBe(tokens[1]!.clause);
    expect(question).toBe(true);
  });
});

describe('typos', () => {
  test('are forgiven in proportion to the word: none up to 3 letters, 1 up to 7, 2 from 8', () => {
    expect([3, 4, 7, 8, 12].map(allowedTypos)).toEqual([0, 1, 1, 2, 2]);
  });

  test('a typo in a longer word is still understood', () => {
    expect(intent('quero falar com um atendnte', 'pt-BR', 'menu')).toBe('menu.person');
    expect(intent('quero falar com um adovgado', 'pt-BR', 'menu')).toBe('menu.person'); // two letters swapped
    expect(intent('menuu', 'en', 'menu')).toBe('menu');
    expect(intent('meun', 'pt-BR', 'menu')).toBe('menu');
    expect(intent('inofrmación', 'es', 'menu')).toBe('menu.info');
    expect(intent('conccordo', 'pt-BR', 'consent')).toBe('yes');
  });

  test('a short word with a typo is not taken for another', () => {
    expect(intent('Sara', 'pt-BR', 'free')).toBeNull(); // not "para" (stop)
    expect(intent('Nona', 'en', 'none-or-value')).toBeNull(); // not "none"
    expect(intent('jeje', 'es', 'menu')).toBeNull(); // laughter, not "jefe"
    expect(intent('sin', 'en', 'consent')).not.toBe('yes');
  });

  test('a common word is itself, not a typo of a known one', () => {
    expect(understand('minha casa', ctx('pt-BR', 'menu')).intent).not.toBe('menu.status'); // "casa" is not "case"
  });
});

describe('negation', () => {
  test.each([
    ['não quero falar com ninguém', 'pt-BR', 'menu', 'no'],
    ["I don't want to talk to anyone", 'en', 'menu', 'no'],
    ['no quiero hablar con nadie', 'es', 'menu', 'no'],
    ["I don't agree", 'en', 'consent', 'no'],
    ['no estoy de acuerdo', 'es', 'consent', 'no'],
    ['não concordo', 'pt-BR', 'consent', 'no'],
    ['concordo não', 'pt-BR', 'consent', 'no'],
    ['not now', 'en', 'consent', 'no'],
    ['no, thanks', 'en', 'consent', 'no'],
    ['sim, mas não agora', 'pt-BR', 'consent', 'no'],
    ['yes but not now', 'en', 'consent', 'no'],
    ["I don't need a lawyer", 'en', 'menu', 'no'],
    ['No, I want to talk to a person', 'en', 'menu', 'menu.person'],
    ['não me envie mais mensagens', 'pt-BR', 'menu', 'stop'],
  ] as const)('%s (%s, %s) → %s', (text, language, expecting, want) => {
    expect(intent(text, language, expecting)).toBe(want);
  });

  test('a negated hand-off is never a hand-off', () => {
    for (const [text, language] of [
      ['não quero falar com um advogado', 'pt-BR'],
      ["I don't want to speak to a person", 'en'],
      ['no quiero hablar con una persona', 'es'],
      ['I do not need to talk to anyone', 'en'],
    ] as const) {
      expect(intent(text, language, 'menu'), text).not.toBe('menu.person');
    }
  });

  test('"no problem" at the summary is asked again, not taken as a yes', () => {
    expect(understand('no problem', ctx('en', 'confirm'))).toMatchObject({ intent: null, alternatives: ['yes', 'no'] });
  });

  test('"no problem" and "why not" are never a consent', () => {
    for (const [text, language] of [['no problem', 'en'], ['não tem problema', 'pt-BR'], ['¿por qué no?', 'es']] as const) {
      const u = understand(text, ctx(language, 'consent'));
      expect(u.intent, text).toBeNull();
      expect(u.alternatives, text).toEqual(['yes', 'no']);
    }
  });

  test('a yes said through a negation ("não vejo problema") is asked again, not taken as a no nor a yes', () => {
    expect(understand('não vejo problema', ctx('pt-BR', 'consent'))).toMatchObject({ intent: null, alternatives: ['yes', 'no'] });
    expect(understand("I don't mind", ctx('en', 'consent'))).toMatchObject({ intent: null, alternatives: ['yes', 'no'] });
  });

  test('Portuguese "no" meaning "in the" is no refusal', () => {
    expect(intent('teve alguma movimentação no processo?', 'pt-BR', 'menu')).toBe('menu.status');
    expect(intent('No, obrigado', 'pt-BR', 'consent')).toBe('no');
  });

  test('a doubt or a question is not a clear consent', () => {
    for (const [text, language] of [['sim?', 'pt-BR'], ['ok, but what do you do with my data?', 'en'], ['creo que sí', 'es'], ['talvez', 'pt-BR']] as const) {
      expect(intent(text, language, 'consent'), text).not.toBe('yes');
    }
  });

  const negations = ['no', 'not', "don't", 'dont', 'never', 'não', 'nao', 'ñ', 'nunca', 'nem', 'jamás', 'ni', 'nope', 'ninguém', 'nada', 'NÃO', 'NO'];
  const yeses = ['yes', 'yeah', 'ok', 'okay', 'sure', 'agree', 'i agree', 'sim', 'claro', 'concordo', 'aceito', 'pode', 'sí', 'si', 'vale', 'acepto', 'de acuerdo', '👍', 'YES', 'SIM'];
  const fillers = ['please', 'thanks', 'obrigado', 'gracias', 'but', 'mas', 'pero', 'now', 'agora', 'ahora', 'I', 'eu', 'yo', 'to', 'that', 'isso', 'eso', 'hi', 'oi', 'hola', '!', '...', '🙂'];
  const separators = [' ', ', ', '! ', '. ', '... ', '\n', ' - '];

  test('property: a message with a negation word and a yes-word is never a yes at consent', () => {
    const word = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...fillers) },
      { weight: 2, arbitrary: fc.constantFrom(...yeses) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
    );
    fc.assert(
      fc.property(
        fc.array(word, { maxLength: 6 }),
        fc.constantFrom(...negations),
        fc.constantFrom(...yeses),
        fc.nat(),
        fc.nat(),
        fc.constantFrom('en', 'pt-BR', 'es'),
        fc.array(fc.constantFrom(...separators), { minLength: 8, maxLength: 8 }),
        (rest, negation, yes, p, q, language, seps) => {
          const words = [...rest];
          words.splice(p % (words.length + 1), 0, negation);
          words.splice(q % (words.length + 1), 0, yes);
          const text = words.map((w, i) => (i === 0 ? w : seps[i % seps.length]! + w)).join('');
          const u = understand(text, ctx(language, 'consent'));
          return u.intent !== 'yes';
        },
      ),
      { numRuns: 1500 },
    );
  });

  test('property: wherever the bot is, a yes-word beside a negation is never a yes', () => {
    // Portuguese "no" can mean "in the", so here only words that always negate
    const always = negations.filter((n) => n.toLowerCase() !== 'no');
    fc.assert(
      fc.property(
        fc.constantFrom(...always),
        fc.constantFrom(...yeses),
        fc.constantFrom(...fillers),
        fc.boolean(),
        fc.constantFrom<Expecting | undefined>('menu', 'consent', 'confirm', 'none-or-value', 'free', undefined),
        fc.constantFrom('en', 'pt-BR', 'es'),
        (negation, yes, filler, negationFirst, expecting, language) => {
          const text = negationFirst ? `${negation} ${filler} ${yes}` : `${yes}, ${filler} ${negation}`;
          return understand(text, ctx(language, expecting)).intent !== 'yes';
        },
      ),
      { numRuns: 1500 },
    );
  });

  test('property: any text is read without throwing, with a confidence from 0 to 1', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        fc.constantFrom<Expecting | undefined>('menu', 'consent', 'confirm', 'none-or-value', 'free', undefined),
        fc.constantFrom('en', 'pt-BR', 'es', 'fr'),
        (text, expecting, language) => {
          const u = understand(text, ctx(language, expecting));
          return u.confidence >= 0 && u.confidence <= 1 && Array.isArray(u.alternatives);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('emoji', () => {
  test.each([
    ['👍', 'consent', 'yes'],
    ['👌', 'consent', 'yes'],
    ['✅', 'confirm', 'yes'],
    ['👎', 'consent', 'no'],
    ['❌', 'consent', 'no'],
    ['👋', 'menu', 'greeting'],
    ['🙏', 'confirm', 'yes'],
  ] as const)('%s at %s → %s', (text, expecting, want) => {
    expect(intent(text, 'en', expecting)).toBe(want);
  });

  test('🙏 alone is not a clear consent, and 👍 beside a no is never one', () => {
    expect(intent('🙏', 'en', 'consent')).not.toBe('yes');
    expect(intent('👍 não', 'pt-BR', 'consent')).not.toBe('yes');
    expect(intent('sim 👎', 'pt-BR', 'consent')).not.toBe('yes');
  });
});

describe('practice areas', () => {
  test('free text naming an area opens a new matter with the area', () => {
    expect(understand('Olá… preciso de ajuda com um divórcio', ctx('pt-BR', 'menu', ['Família', 'Trabalhista']))).toMatchObject({
      intent: 'menu.new',
      area: 'Família',
    });
    expect(understand("my landlord won't return my deposit", ctx('en', 'menu'))).toMatchObject({ intent: 'menu.new', area: 'Tenancy' });
  });

  test("the office's area names may be in any language", () => {
    const areas = ['Direito de Família', 'Direito do Trabalho', 'Locação'];
    expect(understand('I need a divorce', ctx('en', 'menu', areas)).area).toBe('Direito de Família');
    expect(understand('me despidieron', ctx('es', 'menu', areas)).area).toBe('Direito do Trabalho');
    expect(understand('my landlord kept my deposit', ctx('en', 'menu', areas)).area).toBe('Locação');
  });

  test('an area name is also found as typed, and an area the office lacks goes to its fallback', () => {
    expect(understand("it's a maritime law question", ctx('en', 'menu', ['Maritime law', 'Criminal'])).area).toBe('Maritime law');
    expect(understand('my landlord kept my deposit', ctx('en', 'menu', ['Civil', 'Criminal'])).area).toBe('Civil');
  });

  test('a matter of a kind the office has no area for still opens a matter, without an area', () => {
    expect(understand('I was in a car accident', ctx('en', 'menu', ['Family law']))).toEqual({
      intent: 'menu.new',
      confidence: expect.any(Number),
      alternatives: [],
    });
  });

  test('a clear request wins over an area named beside it', () => {
    expect(intent('como está meu processo de divórcio?', 'pt-BR', 'menu')).toBe('menu.status');
    expect(intent('quero falar com um advogado sobre meu divórcio', 'pt-BR', 'menu')).toBe('menu.person');
  });

  test('in a description the area comes alone, without an intent', () => {
    expect(understand('fui demitido e não recebi nada', ctx('pt-BR', 'free', ['Trabalhista']))).toMatchObject({ intent: null, area: 'Trabalhista' });
  });
});

describe('summary lines, numbers and languages', () => {
  test.each([
    ['2', 2],
    ['corrigir a linha 3', 3],
    ['change the name', 1],
    ['a data está errada', 5],
    ['el nombre de la otra parte está mal', 4],
    ['the description is wrong', 3],
  ] as const)('%s at the summary → line %i', (text, line) => {
    expect(understand(text, ctx(text.match(/[ãç]/) ? 'pt-BR' : 'en', 'confirm'))).toMatchObject({ intent: 'no', line });
  });

  test('a number is a menu choice in the menu and a line at the summary', () => {
    expect(intent('2', 'en', 'menu')).toBe('menu.status');
    expect(understand('2', ctx('en', 'confirm'))).toMatchObject({ intent: 'no', line: 2 });
    expect(intent('opção 3', 'pt-BR', 'menu')).toBe('menu.person');
    expect(intent('dos', 'es', 'menu')).toBe('menu.status');
    expect(intent('31/12/2026', 'en', 'menu')).toBeNull();
  });

  test('two choices at once are asked about, not guessed', () => {
    expect(understand('1 ou 3', ctx('pt-BR', 'menu'))).toMatchObject({ intent: null, alternatives: ['menu.new', 'menu.person'] });
  });

  test('a named language is given; asking for languages names none', () => {
    expect(understand('EN', ctx('pt-BR', 'menu'))).toMatchObject({ intent: 'language', language: 'en' });
    expect(understand('em português por favor', ctx('en', 'menu'))).toMatchObject({ intent: 'language', language: 'pt-BR' });
    expect(understand('¿habla inglés?', ctx('es', 'menu'))).toMatchObject({ intent: 'language', language: 'en' });
    expect(understand('idioma', ctx('pt-BR', 'menu'))).toMatchObject({ intent: 'language', language: undefined });
    expect(understand("I don't speak Spanish", ctx('es', 'menu')).language).toBeUndefined();
  });
});

describe('what the bot asked', () => {
  test('in a name or a description only a clear request interrupts', () => {
    expect(intent('Maria Sim', 'pt-BR', 'free')).toBeNull();
    expect(intent('sim', 'pt-BR', 'free')).toBeNull();
    expect(intent('atendente', 'pt-BR', 'free')).toBeNull();
    expect(intent('quero falar com uma pessoa', 'pt-BR', 'free')).toBe('menu.person');
    expect(intent('menu', 'pt-BR', 'free')).toBe('menu');
    expect(intent('parar', 'pt-BR', 'free')).toBe('stop');
  });

  test('a request with consequences (stop, erase) is not read from one word among others', () => {
    expect(intent('the bus stop', 'en', 'menu')).toBeNull();
    expect(intent('STOP!!', 'en', 'menu')).toBe('stop');
    expect(intent('apaguem tudo', 'pt-BR', 'menu')).toBe('erase');
  });

  test('"no" answers "is there another party?" as none; a name is a value', () => {
    expect(intent('não', 'pt-BR', 'none-or-value')).toBe('none');
    expect(intent('ninguém', 'pt-BR', 'none-or-value')).toBe('none');
    expect(intent('-', 'en', 'none-or-value')).toBe('none');
    expect(intent('Banco do Brasil', 'pt-BR', 'none-or-value')).toBeNull();
  });

  test('greetings are greetings, not misunderstandings', () => {
    for (const [text, language] of [['oi', 'pt-BR'], ['olá, boa tarde', 'pt-BR'], ['hola', 'es'], ['buenas', 'es'], ['bom dia', 'pt-BR'], ['hi', 'en'], ['good morning', 'en']] as const)
      expect(intent(text, language, 'menu'), text).toBe('greeting');
  });
});

describe('catalogs', () => {
  test("an office's added phrase is understood", () => {
    const base = catalogWords('pt-BR');
    const words = (key: string) => (key === 'yes.words' ? [...base(key), 'manda brasa'] : base(key));
    expect(understand('manda brasa', { language: 'pt-BR', words, practiceAreas: [], expecting: 'consent' }).intent).toBe('yes');
  });

  test('an office-added language falls back to its catalog words only', () => {
    const fr: Record<string, string[]> = {
      'yes.words': ['oui', 'd accord'],
      'no.words': ['non'],
      'menu.person.words': ['3', 'parler a quelqu un'],
      'menu.new.words': ['1'],
    };
    const c: UnderstandContext = { language: 'fr', words: (key) => fr[key] ?? [], practiceAreas: [], expecting: 'consent' };
    expect(understand('Oui', c).intent).toBe('yes');
    expect(understand("d'accord 👍", c).intent).toBe('yes');
    expect(understand('non', c).intent).toBe('no');
    expect(understand('oui non', c).intent).not.toBe('yes');
    expect(understand('3', { ...c, expecting: 'menu' }).intent).toBe('menu.person');
    expect(understand('quero falar com um advogado', { ...c, expecting: 'menu' }).intent).toBeNull();
  });
});
