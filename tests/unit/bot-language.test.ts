import { describe, expect, test } from 'vitest';
import { detectLanguage, languageChoice, languageOfNumber } from '../../main/core/bot/understand/language.js';

const ALL = ['pt-BR', 'es', 'en'];

// First messages as clients write them: short, with and without accents, slang and typos.
const PT = [
  'Olá', 'oi', 'Oi, tudo bem?', 'Bom dia', 'boa tarde', 'Boa noite!', 'Olá, preciso de ajuda', 'preciso de um advogado',
  'quero falar com um advogado', 'Olá… preciso de ajuda com um divórcio', 'sim', 'não', 'obrigado', 'obrigada!',
  'vc pode me ajudar?', 'Gostaria de marcar uma consulta', 'tenho uma dúvida', 'meu patrão não pagou minhas férias',
  'fui demitido sem justa causa', 'quero falar com uma pessoa', 'bom dia, tudo bem?', 'preciso de ajuda com pensão',
  'meu ex marido não paga a pensão', 'oi, queria saber do meu processo', 'qual o endereço do escritório?',
  'vocês atendem hoje?', 'estou com um problema no trabalho', 'boa tarde, gostaria de informações', 'é urgente',
  'não entendi', 'quero fazer um divórcio', 'meu filho foi preso', 'o inquilino não paga o aluguel', 'obg',
  'valeu', 'tudo bem?', 'preciso falar com o dr', 'olá, bom dia', 'quero saber o andamento do meu caso',
  'Oi! Meu nome é Ana e preciso de uma orientação', 'isso mesmo', 'pode me ligar?',
  'bom dia, sou cliente de vocês', 'não quero falar com ninguém', 'minha mãe faleceu e preciso fazer inventário',
  'oi boa tarde', 'ola preciso de ajuda', 'nao consigo receber meu seguro desemprego', 'vcs trabalham com direito de familia?',
  'Boa tarde, meu nome é Carlos, trabalhei cinco anos numa empresa e fui mandado embora sem receber nada',
  'Eae, beleza?', 'queria uma informação', 'Preciso de orientação jurídica', 'to precisando de ajuda', 'minha empresa faliu',
  'o banco cobrou juros abusivos', 'quanto custa uma consulta', 'voces fazem inventario', 'Oi, sou a Maria', 'bom diaaa',
  'preciso resolver uma questão de herança', 'meu marido me bateu', 'fui roubado', 'quero processar a empresa', 'não recebi o FGTS',
];
const ES = [
  'Hola', 'hola!', 'Buenos días', 'buenas tardes', 'Buenas noches', 'Hola necesito ayuda', 'necesito un abogado',
  'quiero hablar con un abogado', 'hablar con una persona', 'sí', 'gracias', 'muchas gracias', '¿Me puede ayudar?',
  'quisiera una cita', 'tengo una duda', 'mi jefe no me pagó', 'me despidieron del trabajo', 'quiero hablar con alguien',
  'hola, ¿qué tal?', 'necesito ayuda con la pensión de mis hijos', 'mi ex esposo no paga la pensión',
  'hola, quiero saber de mi proceso', '¿cuál es la dirección de la oficina?', '¿atienden hoy?', 'tengo un problema en el trabajo',
  'buenas, quisiera información', 'es urgente', 'no entiendo', 'quiero divorciarme', 'mi hijo está detenido',
  'el inquilino no paga el alquiler', 'vale, gracias', 'buen día', 'necesito hablar con el licenciado', 'hola, buen día',
  'quiero saber cómo va mi caso', 'Hola! Me llamo Ana y necesito orientación', 'eso es',
  '¿me puede llamar?', 'buenos días, soy cliente de ustedes', 'no quiero hablar con nadie', 'mi madre falleció y necesito ayuda con la herencia',
  'Hola, tengo una consulta', 'mañana puedo ir', 'hola buenas', 'necesito un abogado laboral urgente', 'señorita, una pregunta',
  'Buenas tardes, mi nombre es Carlos, trabajé cinco años en una empresa y me echaron sin pagarme nada',
  'Que onda', 'quisiera información', 'Necesito asesoría legal', 'estoy necesitando ayuda', 'mi empresa quebró',
  'el banco me cobró intereses abusivos', 'cuánto cuesta una consulta', 'hacen sucesiones', 'Hola, soy María', 'buenos diaaas',
  'tengo que resolver un tema de herencia', 'mi marido me pegó', 'me robaron', 'quiero demandar a la empresa', 'no me pagaron el finiquito',
];
const EN = [
  'Hello', 'hi', 'Hi there', 'Good morning', 'good afternoon', 'Good evening!', 'Hello, I need help', 'I need a lawyer',
  'I want to talk to a lawyer', 'I need to talk to a human please', 'can I speak to someone?', 'yes', 'thanks', 'thank you!',
  'could you help me?', 'I would like to book an appointment', 'I have a question', "my boss didn't pay me",
  'I was fired from my job', 'talk to a person', 'hi, how are you?', 'I need help with child support',
  "my landlord won't return my deposit", 'hi, I want to know about my case', 'what is the office address?',
  'are you open today?', 'I have a problem at work', 'good afternoon, I would like some information', 'it is urgent',
  "I don't understand", 'I want a divorce', 'my son was arrested', "my tenant doesn't pay the rent", 'thx',
  'hello there', 'I need to speak with the attorney', 'hi, good morning', 'what is the status of my case',
  'Hi! My name is Ann and I need some advice', 'help please', "that's right", 'can you call me?',
  'good morning, I am a client', "I don't want to talk to anyone", 'my mother died and I need help with the estate',
  'hey, is anyone there?', 'need a lawyer asap', 'do you handle immigration cases?',
  'Good afternoon, my name is Carlos, I worked for five years at a company and was let go without any severance',
  "Hey what's up", 'I would like some information', 'Need legal advice', 'I need some help', 'my company went bankrupt',
  'the bank charged me abusive interest', 'how much is a consultation', 'do you do probate', 'Hi, this is Mary', 'good morninggg',
  'I have an inheritance issue', 'my husband hit me', 'I was robbed', 'I want to sue the company', 'I did not get my final paycheck',
];

/** Right, unsure (null) and wrong answers for a list of texts in one language. */
function score(texts: string[], language: string, offered = ALL) {
  const wrong: [string, string][] = [];
  let right = 0;
  for (const text of texts) {
    const got = detectLanguage(text, offered);
    if (got === language) right++;
    else if (got !== null) wrong.push([text, got]);
  }
  return { accuracy: right / texts.length, wrong };
}

describe('detectLanguage on first messages', () => {
  test('at least 40 messages per language', () => {
    for (const list of [PT, ES, EN]) expect(list.length).toBeGreaterThanOrEqual(40);
  });

  test.each([
    ['pt-BR', PT],
    ['es', ES],
    ['en', EN],
  ])('%s: at least 90 %% right, and never another language (unsure is allowed)', (language, texts) => {
    const { accuracy, wrong } = score(texts, language);
    expect(wrong).toEqual([]);
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
  });

  test('Portuguese and Spanish are never confused when ã, õ, ç or ñ are written', () => {
    const marked = (list: string[]) => list.filter((t) => /[ãõçñ]/i.test(t));
    expect(marked(PT).length).toBeGreaterThanOrEqual(10);
    expect(marked(ES).length).toBeGreaterThanOrEqual(3);
    for (const offered of [ALL, ['pt-BR', 'es']]) {
      for (const text of marked(PT)) expect(detectLanguage(text, offered), text).not.toBe('es');
      for (const text of marked(ES)) expect(detectLanguage(text, offered), text).not.toBe('pt-BR');
    }
    expect(detectLanguage('ação', ALL)).toBe('pt-BR');
    expect(detectLanguage('¿año?', ALL)).toBe('es');
  });

  test('the hard pair: the same request in Portuguese and in Spanish', () => {
    expect(detectLanguage('Olá preciso de ajuda', ALL)).toBe('pt-BR');
    expect(detectLanguage('Hola necesito ayuda', ALL)).toBe('es');
    expect(detectLanguage('quero falar com um advogado', ['pt-BR', 'es'])).toBe('pt-BR');
    expect(detectLanguage('quiero hablar con un abogado', ['pt-BR', 'es'])).toBe('es');
  });

  test('unsure rather than guessing: too short, no words, or mixed', () => {
    for (const text of ['ok', 'OK', '1', '2', '👍', '', '   ', '?', 'Ana', 'Hola, tudo bem?', 'Hello, preciso de ajuda', 'Oi, necesito ayuda', 'ação ñ'])
      expect(detectLanguage(text, ALL), text).toBeNull();
  });

  test('"sim" is Portuguese only; a bare "si" is Spanish only where Portuguese is not offered', () => {
    expect(detectLanguage('sim', ALL)).toBe('pt-BR');
    expect(detectLanguage('sí', ALL)).toBe('es');
    expect(detectLanguage('si', ALL)).toBeNull();
    expect(detectLanguage('si', ['es', 'en'])).toBe('es');
  });

  test('only offered languages are answered, spelled as offered', () => {
    expect(detectLanguage('Hola necesito ayuda', ['pt-BR', 'en'])).toBeNull();
    expect(detectLanguage('obrigado', ['es', 'en'])).toBeNull();
    expect(detectLanguage('obrigado', ['pt', 'en'])).toBe('pt');
    expect(detectLanguage('I need a lawyer', ['pt-BR', 'en-US'])).toBe('en-US');
    expect(detectLanguage('I need a lawyer', ['en'])).toBe('en');
    expect(detectLanguage('I need a lawyer', [])).toBeNull();
  });
});

describe('languageOfNumber', () => {
  test.each([
    ['5511987654321', 'pt-BR'],
    ['+55 11 98765-4321', 'pt-BR'],
    ['5511987654321@c.us', 'pt-BR'],
    ['5511987654321:12@s.whatsapp.net', 'pt-BR'],
    ['005511987654321', 'pt-BR'],
    ['351912345678', 'pt-BR'], // Portugal: the Portuguese the office offers
    ['34612345678', 'es'],
    ['5215512345678', 'es'], // Mexico
    ['5491123456789', 'es'], // Argentina
    ['56912345678', 'es'],
    ['573001234567', 'es'],
    ['593991234567', 'es'],
    ['50688887777', 'es'],
    ['5358123456', 'es'], // Cuba
    ['18095551234', 'es'], // Dominican Republic beats +1
    ['17875551234', 'es'], // Puerto Rico
    ['12125551234', 'en'],
    ['+1 (416) 555-1234', 'en'],
    ['447911123456', 'en'],
    ['61412345678', 'en'],
    ['64211234567', 'en'],
    ['353861234567', 'en'],
  ])('%s → %s', (number, language) => {
    expect(languageOfNumber(number, ALL)).toBe(language);
  });

  test('null for other countries, languages not offered and ids that are not numbers', () => {
    expect(languageOfNumber('33612345678', ALL)).toBeNull(); // France
    expect(languageOfNumber('4915112345678', ALL)).toBeNull(); // Germany
    expect(languageOfNumber('5511987654321', ['es', 'en'])).toBeNull();
    expect(languageOfNumber('120363025246125486@g.us', ALL)).toBeNull();
    expect(languageOfNumber('123456789012345@lid', ALL)).toBeNull();
    expect(languageOfNumber('011987654321', ALL)).toBeNull(); // a national number, no country code
    expect(languageOfNumber('123', ALL)).toBeNull();
    expect(languageOfNumber('abc', ALL)).toBeNull();
    expect(languageOfNumber('', ALL)).toBeNull();
  });

  test('answers as the office spells the code', () => {
    expect(languageOfNumber('5511987654321', ['pt', 'en'])).toBe('pt');
    expect(languageOfNumber('12125551234', ['pt-BR', 'en-US'])).toBe('en-US');
  });
});

describe('languageChoice', () => {
  test.each([
    ['EN', 'en'],
    ['en', 'en'],
    ['PT', 'pt-BR'],
    ['pt-BR', 'pt-BR'],
    ['ES', 'es'],
    ['es.', 'es'],
    ['english', 'en'],
    ['Inglés', 'en'],
    ['ingles', 'en'],
    ['português', 'pt-BR'],
    ['portugues', 'pt-BR'],
    ['Portuguese', 'pt-BR'],
    ['español', 'es'],
    ['espanol', 'es'],
    ['espanhol', 'es'],
    ['spanish', 'es'],
    ['castellano', 'es'],
    ['in English please', 'en'],
    ['em português, por favor', 'pt-BR'],
    ['en español', 'es'],
    ['¿Habla inglés?', 'en'],
    ['do you speak spanish?', 'es'],
    ['quero falar em português', 'pt-BR'],
    ['cambiar idioma a inglés', 'en'],
    ['language: Spanish', 'es'],
    ['idioma', 'ask'],
    ['Idioma?', 'ask'],
    ['language', 'ask'],
    ['lengua', 'ask'],
    ['língua', 'ask'],
    ['mudar idioma', 'ask'],
    ['trocar de idioma', 'ask'],
    ['change language', 'ask'],
    ['cambiar idioma', 'ask'],
    ['other language please', 'ask'],
    ['English or Spanish?', 'ask'],
  ])('%s → %s', (text, answer) => {
    expect(languageChoice(text, ALL)).toBe(answer);
  });

  test('a language asked for but not offered: ask, so the client hears the ones there are', () => {
    expect(languageChoice('english', ['pt-BR', 'es'])).toBe('ask');
    expect(languageChoice('EN', ['pt-BR', 'es'])).toBe('ask');
    expect(languageChoice('español', ['es-MX', 'en'])).toBe('es-MX');
  });

  test('anything else is not a choice', () => {
    for (const text of ['hola', 'sim', 'es urgente', 'en serio', 'I speak English but my wife speaks Spanish', 'the contract is in spanish', 'preciso de um advogado que fale inglês', '', '1', 'ok'])
      expect(languageChoice(text, ALL), text).toBeNull();
  });
});
