/**
 * Very frequent words that tell English, Portuguese and Spanish apart, for
 * language.ts. A trigram model (franc) is unreliable below a sentence and mixes
 * up Portuguese and Spanish; a client's first message is usually short ("oi",
 * "hola, necesito ayuda"), so these words decide it. Words spelled the same in
 * two of the languages ("que", "de", "para", "caso", "no", "por favor") are left
 * out on purpose: they tell nothing. Folded: lower case, no accents.
 * Weights: 3 says it alone, 2 is telling, 1 only adds up.
 */

export type Base = 'pt' | 'es' | 'en';

export const WORDS: Record<Base, Record<string, number>> = {
  pt: {
    ...weigh(3, 'nao voce voces vc vcs preciso quero obrigado obrigada obg brigado oi sim tchau valeu vlw gostaria necessito obrigadao'),
    ...weigh(2, 'ola tudo bem advogado advogada advogados ajuda ajudar ajude falar fala falo pessoa meu minha meus minhas tenho tem estou sou eu com um uma isso isto muito muita tambem agora hoje amanha onde quando fazer pode posso ele ela eles elas seu sua dele dela trabalho demissao pensao aluguel filho filha filhos processo entao pq tbm tb ne mais ou nem bom boa noite senhor senhora gente quer estao sao ter vou vai fiz foi ainda pra pro alguem ninguem coisa atendimento duvida duvidas informacao informacoes direito juiz advocacia escritorio endereco ligar ligacao zap beleza blz obrigados sem entendi demitido demitida tava precisando juros roubado roubo roubaram processar cobrou'),
    ...weigh(1, 'da das na nas ao aos pelo pela num numa os e essa esse nossa nosso'),
  },
  es: {
    ...weigh(3, 'necesito quiero hola gracias usted ustedes buenos buenas quisiera gustaria ayudarme'),
    ...weigh(2, 'buen abogado abogada abogados ayuda ayudar hablar persona mi mis tengo estoy soy yo con un una eso esto muy mucho mucha muchas muchos tambien ya ahora hoy manana donde cuando hacer puede puedo tiene tener trabajo despido alquiler hijo hija hijos proceso chao adios entonces pues bueno senor senora alguien nadie cosa cita duda dudas informacion derecho juez despacho oficina direccion llamar llamada es estan voy va hice fue todavia pero hablo habla sin entiendo despidieron despedido estaba hacen hace robaron robo robado demandar'),
    ...weigh(1, 'el la los las del al lo le les y su sus'),
  },
  en: {
    ...weigh(3, 'hello hi thanks thank please need want lawyer attorney'),
    ...weigh(2, "the my help i i'm im you your talk speak someone person human good morning afternoon evening can could would with for about and is are am was have has get don't dont can't cant won't it this that what when where how why yes yeah yep divorce landlord deposit job fired work appointment advice pls plz thx ty that's right which what's there here from will call"),
    ...weigh(1, 'to of in on at be not an like just know some any hey'),
  },
};

/** Two-word greetings and set phrases, each worth 3. */
export const PHRASES: Record<Base, string[]> = {
  pt: ['bom dia', 'boa tarde', 'boa noite', 'tudo bem', 'tudo bom', 'por gentileza', 'e ai'],
  es: ['buenos dias', 'buen dia', 'buenas tardes', 'buenas noches', 'que tal', 'muchas gracias', 'que onda'],
  en: ['good morning', 'good afternoon', 'good evening', 'thank you', 'i need', 'i want', "what's up"],
};

/** Words whose accents give them away, checked before folding: "é" and "já" are Portuguese, "sí" and "qué" Spanish. */
export const ACCENTED: Record<string, { base: Base; weight: number }> = {
  'é': { base: 'pt', weight: 3 },
  'já': { base: 'pt', weight: 2 },
  'só': { base: 'pt', weight: 2 },
  'olá': { base: 'pt', weight: 3 },
  'sí': { base: 'es', weight: 3 },
  'qué': { base: 'es', weight: 2 },
  'cómo': { base: 'es', weight: 2 },
  'dónde': { base: 'es', weight: 2 },
  'cuándo': { base: 'es', weight: 2 },
  'él': { base: 'es', weight: 2 },
  'tú': { base: 'es', weight: 2 },
  'más': { base: 'es', weight: 2 },
};

/**
 * Words that point to a language only when its neighbour is not offered: a
 * Brazilian may type "si" for "sim" (and it is Italian too), so "si" says Spanish
 * only in an office that does not also speak Portuguese.
 */
export const WEAK: Record<string, { base: Base; rivals: string[] }> = {
  si: { base: 'es', rivals: ['pt', 'it'] },
};

function weigh(weight: number, words: string): Record<string, number> {
  return Object.fromEntries(words.split(/\s+/).map((w) => [w, weight]));
}

/**
 * Word endings, worth 1 each on words of five letters or more: they catch the
 * words no list holds ("roubado" no, but "cobrou", "robaron", "sucesiones").
 * Folded, so "-ção" is "cao" and "-ción" "cion".
 */
export const ENDINGS: Record<Base, RegExp> = {
  pt: /(?:cao|coes|soes|aram|eram|iram|ou|dade|dades|inho|inha|agem)$/,
  es: /(?:cion|ciones|siones|aron|ieron|dad|dades|iendo|aje)$/,
  en: /(?:tion|tions|ing|ly|ness)$/,
};
