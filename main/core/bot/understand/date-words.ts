/**
 * The words people use for dates, per language, folded (lower case, no accents),
 * for dates.ts. Kept as data so a language is added by writing a lexicon, not
 * code. Multi-word entries are matched with any spacing; hyphens between letters
 * are read as spaces ("sexta-feira" = "sexta feira", "twenty-one" = "twenty one").
 */

export type Unit = 'day' | 'week' | 'fortnight' | 'month';

export interface DateLexicon {
  /** full month names: may stand next to a day in digits or in words */
  months: Record<string, number>;
  /** abbreviations ("dez", "mar", "set"): only next to a day in digits, since they are also words */
  monthAbbreviations: Record<string, number>;
  /** words for a day of the month ("primeiro", "quince", "fifth"); "one"/"um"/"uno" are left out as unnatural */
  dayWords: Record<string, number>;
  /** words for "how many" in "in two weeks" */
  counts: Record<string, number>;
  units: Record<string, Unit>;
  /** "úteis", "business": working days need the office's holidays, so they are not counted */
  business: string[];
  /** before the count: "in", "daqui a", "dentro de" */
  relativePrefixes: string[];
  /** after the unit: "from now", "a partir de hoje" */
  relativeSuffixes: string[];
  /** offsets from today: today 0, tomorrow 1, yesterday -1 */
  days: Record<string, number>;
  /** 0 = Monday … 6 = Sunday */
  weekdays: Record<string, number>;
  /** nouns that make a bare weekday word an ordinal ("segunda vara" is a court, not Monday) */
  notWeekdayBefore: string[];
  /** a weekday in the past: "last Friday" / "sexta passada" */
  pastBefore: string[];
  pastAfter: string[];
  nextWeek: string[];
  nextMonth: string[];
  /** before a lone day of the month: "dia 15", "el 15" */
  dayMarkers: string[];
  /** the same, but the number needs an ordinal ending or to end the text: "the 15th", not "the 2 of us" */
  ordinalDayMarkers: string[];
  /** times of day, removed before reading ("por la mañana" would otherwise read as "tomorrow") */
  timesOfDay: string[];
}

const en: DateLexicon = {
  months: {
    january: 1, february: 2, march: 3, april: 4, may: 5, june: 6,
    july: 7, august: 8, september: 9, october: 10, november: 11, december: 12,
  },
  monthAbbreviations: { jan: 1, feb: 2, mar: 3, apr: 4, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12 },
  dayWords: {
    ...numbered(['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth',
      'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth',
      'nineteenth', 'twentieth']),
    ...compound('twenty', 20, ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth']),
    thirtieth: 30, 'thirty first': 31,
  },
  counts: {
    a: 1, an: 1, one: 1,
    ...numbered(['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
      'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty']),
    ...compound('twenty', 20, ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']),
    thirty: 30, 'thirty one': 31, 'a couple of': 2, couple: 2, few: 3, 'a few': 3,
  },
  units: { day: 'day', days: 'day', week: 'week', weeks: 'week', fortnight: 'fortnight', fortnights: 'fortnight', month: 'month', months: 'month' },
  business: ['business', 'working', 'work', 'court'],
  relativePrefixes: ['in', 'within', 'in the next', 'within the next'],
  relativeSuffixes: ['from now', 'from today'],
  days: {
    today: 0, tonight: 0, 'this evening': 0, 'this afternoon': 0,
    tomorrow: 1, tmrw: 1, tmr: 1, tomorow: 1, 'day after tomorrow': 2, 'the day after tomorrow': 2, overmorrow: 2,
    yesterday: -1, 'day before yesterday': -2,
  },
  weekdays: { monday: 0, tuesday: 1, wednesday: 2, thursday: 3, friday: 4, saturday: 5, sunday: 6 },
  notWeekdayBefore: [],
  pastBefore: ['last', 'past'],
  pastAfter: ['just gone', 'gone'],
  nextWeek: ['next week', 'the following week', 'the week after'],
  nextMonth: ['next month', 'the following month'],
  dayMarkers: [],
  ordinalDayMarkers: ['the', 'on the', 'by the', 'on', 'by'],
  timesOfDay: ['in the morning', 'in the afternoon', 'in the evening', 'at night', 'at noon', 'at midday', 'noon', 'midday', "o'clock", 'oclock'],
};

const ptDayWords = {
  primeiro: 1,
  ...numbered(['um', 'dois', 'tres', 'quatro', 'cinco', 'seis', 'sete', 'oito', 'nove', 'dez', 'onze', 'doze', 'treze',
    'catorze', 'quinze', 'dezesseis', 'dezessete', 'dezoito', 'dezenove', 'vinte']),
  ...compound('vinte e', 20, ['um', 'dois', 'tres', 'quatro', 'cinco', 'seis', 'sete', 'oito', 'nove']),
  quatorze: 14, dezasseis: 16, dezassete: 17, dezanove: 19, trinta: 30, 'trinta e um': 31,
};
delete (ptDayWords as Record<string, number>).um;

const pt: DateLexicon = {
  months: {
    janeiro: 1, fevereiro: 2, marco: 3, abril: 4, maio: 5, junho: 6,
    julho: 7, agosto: 8, setembro: 9, outubro: 10, novembro: 11, dezembro: 12,
  },
  monthAbbreviations: { jan: 1, fev: 2, mar: 3, abr: 4, mai: 5, jun: 6, jul: 7, ago: 8, set: 9, out: 10, nov: 11, dez: 12 },
  dayWords: ptDayWords,
  counts: {
    ...ptDayWords, um: 1, uma: 1, duas: 2, 'vinte e uma': 21, 'vinte e duas': 22, 'trinta e uma': 31, alguns: 3, algumas: 3,
  },
  units: { dia: 'day', dias: 'day', semana: 'week', semanas: 'week', quinzena: 'fortnight', quinzenas: 'fortnight', mes: 'month', meses: 'month' },
  business: ['uteis', 'util'],
  relativePrefixes: ['em', 'daqui a', 'daqui', 'dentro de', 'no prazo de', 'nos proximos', 'em ate', 'ate', 'para daqui a'],
  relativeSuffixes: ['a partir de hoje', 'a contar de hoje', 'contando de hoje'],
  days: {
    hoje: 0, 'esta noite': 0, hj: 0,
    amanha: 1, amanhan: 1, 'depois de amanha': 2,
    ontem: -1, anteontem: -2, 'antes de ontem': -2,
  },
  weekdays: {
    segunda: 0, 'segunda feira': 0, '2a feira': 0, terca: 1, 'terca feira': 1, '3a feira': 1,
    quarta: 2, 'quarta feira': 2, '4a feira': 2, quinta: 3, 'quinta feira': 3, '5a feira': 3,
    sexta: 4, 'sexta feira': 4, '6a feira': 4, sabado: 5, domingo: 6,
  },
  notWeekdayBefore: ['vara', 'varas', 'instancia', 'turma', 'camara', 'secao', 'via', 'vez', 'parte', 'fase', 'chamada',
    'audiencia', 'opcao', 'tentativa', 'parcela', 'etapa', 'regiao', 'zona', 'serie'],
  pastBefore: ['ultima', 'ultimo', 'na ultima', 'no ultimo'],
  pastAfter: ['passada', 'passado', 'retrasada'],
  nextWeek: ['semana que vem', 'proxima semana', 'semana seguinte', 'outra semana'],
  nextMonth: ['mes que vem', 'proximo mes', 'mes seguinte'],
  dayMarkers: ['dia', 'no dia', 'para o dia', 'ate o dia', 'o dia'],
  ordinalDayMarkers: [],
  timesOfDay: ['de manha', 'pela manha', 'na parte da manha', 'a tarde', 'de tarde', 'pela tarde', 'a noite', 'de noite',
    'meio dia', 'meio-dia'],
};

const esDayWords = {
  primero: 1,
  ...numbered(['uno', 'dos', 'tres', 'cuatro', 'cinco', 'seis', 'siete', 'ocho', 'nueve', 'diez', 'once', 'doce', 'trece',
    'catorce', 'quince', 'dieciseis', 'diecisiete', 'dieciocho', 'diecinueve', 'veinte', 'veintiuno', 'veintidos',
    'veintitres', 'veinticuatro', 'veinticinco', 'veintiseis', 'veintisiete', 'veintiocho', 'veintinueve', 'treinta']),
  'treinta y uno': 31,
};
delete (esDayWords as Record<string, number>).uno;

const es: DateLexicon = {
  months: {
    enero: 1, febrero: 2, marzo: 3, abril: 4, mayo: 5, junio: 6,
    julio: 7, agosto: 8, septiembre: 9, setiembre: 9, octubre: 10, noviembre: 11, diciembre: 12,
  },
  monthAbbreviations: { ene: 1, feb: 2, mar: 3, abr: 4, may: 5, jun: 6, jul: 7, ago: 8, sep: 9, sept: 9, set: 9, oct: 10, nov: 11, dic: 12 },
  dayWords: esDayWords,
  counts: { ...esDayWords, un: 1, una: 1, uno: 1, veintiun: 21, veintiuna: 21, 'treinta y una': 31, unos: 3, unas: 3 },
  units: { dia: 'day', dias: 'day', semana: 'week', semanas: 'week', quincena: 'fortnight', quincenas: 'fortnight', mes: 'month', meses: 'month' },
  business: ['habiles', 'habil', 'laborables', 'laborable'],
  relativePrefixes: ['en', 'dentro de', 'de aqui a', 'en los proximos', 'en las proximas', 'para dentro de'],
  relativeSuffixes: ['a partir de hoy', 'desde hoy', 'contando desde hoy'],
  days: {
    hoy: 0, 'esta noche': 0, 'esta tarde': 0, 'esta manana': 0,
    manana: 1, 'pasado manana': 2,
    ayer: -1, anteayer: -2, antier: -2, 'antes de ayer': -2,
  },
  weekdays: { lunes: 0, martes: 1, miercoles: 2, jueves: 3, viernes: 4, sabado: 5, domingo: 6 },
  notWeekdayBefore: [],
  pastBefore: ['el pasado', 'el ultimo', 'ultimo'],
  pastAfter: ['pasado', 'pasada', 'anterior'],
  nextWeek: ['semana que viene', 'proxima semana', 'semana siguiente', 'otra semana'],
  nextMonth: ['mes que viene', 'proximo mes', 'mes siguiente'],
  dayMarkers: ['dia', 'el dia', 'el', 'para el', 'para el dia', 'hasta el'],
  ordinalDayMarkers: [],
  timesOfDay: ['por la manana', 'de la manana', 'en la manana', 'por la tarde', 'de la tarde', 'en la tarde',
    'por la noche', 'de la noche', 'en la noche', 'mediodia', 'al mediodia', 'en punto'],
};

/** The lexicons by base language (the part of the code before the hyphen). */
export const DATE_LEXICONS: Record<string, DateLexicon> = { en, pt, es };

/** All the lexicons in one, for a language without its own and as a second try. */
export const ALL_DATE_WORDS: DateLexicon = merge([pt, es, en]);

function numbered(words: string[]): Record<string, number> {
  return Object.fromEntries(words.map((w, i) => [w, i + 1]));
}

function compound(prefix: string, base: number, words: string[]): Record<string, number> {
  return Object.fromEntries(words.map((w, i) => [`${prefix} ${w}`, base + i + 1]));
}

function merge(lexicons: DateLexicon[]): DateLexicon {
  const record = <K extends keyof DateLexicon>(key: K) =>
    Object.assign({}, ...lexicons.map((l) => l[key])) as DateLexicon[K];
  const list = (key: keyof DateLexicon) => [...new Set(lexicons.flatMap((l) => l[key] as string[]))];
  return {
    months: record('months'),
    monthAbbreviations: record('monthAbbreviations'),
    dayWords: record('dayWords'),
    counts: record('counts'),
    units: record('units'),
    business: list('business'),
    relativePrefixes: list('relativePrefixes'),
    relativeSuffixes: list('relativeSuffixes'),
    days: record('days'),
    weekdays: record('weekdays'),
    notWeekdayBefore: list('notWeekdayBefore'),
    pastBefore: list('pastBefore'),
    pastAfter: list('pastAfter'),
    nextWeek: list('nextWeek'),
    nextMonth: list('nextMonth'),
    dayMarkers: list('dayMarkers'),
    ordinalDayMarkers: list('ordinalDayMarkers'),
    timesOfDay: list('timesOfDay'),
  };
}
