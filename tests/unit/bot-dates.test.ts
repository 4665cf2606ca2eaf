import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { daysUntil, parseDeadline, type DateOrder, type DeadlineParse } from '../../main/core/bot/understand/dates.js';

// Tuesday 10 March 2026, 12:00 in São Paulo
const NOW = new Date('2026-03-10T15:00:00Z');
const TZ = 'America/Sao_Paulo';

/** What a case expects: a date, an impossible day/month(/year), a past date, or null for unrecognised. */
type Expected = string | { impossible: [number, number, number?] } | { past: string } | null;

function expected(text: string, want: Expected): DeadlineParse {
  const typed = text.trim();
  if (want === null) return { ok: false, reason: 'unrecognised', text: typed };
  if (typeof want === 'string') return { ok: true, date: want, text: typed };
  if ('past' in want) return { ok: false, reason: 'past', text: typed, date: want.past };
  const [day, month, year] = want.impossible;
  return year === undefined
    ? { ok: false, reason: 'impossible', text: typed, day, month }
    : { ok: false, reason: 'impossible', text: typed, day, month, year };
}

function runTable(language: string, cases: [string, Expected][], order?: DateOrder) {
  test.each(cases)(`${language}: %s`, (text, want) => {
    expect(parseDeadline(text, { language, order, now: NOW, timeZone: TZ })).toEqual(expected(text, want));
  });
}

const EN: [string, Expected][] = [
  // numeric
  ['31/12/2026', '2026-12-31'],
  ['31-12-2026', '2026-12-31'],
  ['31.12.26', '2026-12-31'],
  ['2026-12-31', '2026-12-31'],
  ['31/12', '2026-12-31'],
  ['1/4', '2026-04-01'],
  ['05/03', '2027-03-05'], // already gone this year: the next one
  ['10/03', '2026-03-10'], // today counts
  ['29/02/2028', '2028-02-29'],
  ['Deadline: 30/04/2026', '2026-04-30'],
  // month names
  ['March 5th', '2027-03-05'],
  ['5 March 2027', '2027-03-05'],
  ['April 20', '2026-04-20'],
  ['the 5th of April', '2026-04-05'],
  ['December 31st, 2026', '2026-12-31'],
  ['Dec 31', '2026-12-31'],
  ['Dec. 31 2026', '2026-12-31'],
  ['31-Dec-2026', '2026-12-31'],
  ['1st of May', '2026-05-01'],
  ['May first', '2026-05-01'],
  ['the fifth of April', '2026-04-05'],
  ['twenty-first of June', '2026-06-21'],
  ['Friday 20 March', '2026-03-20'],
  // relative
  ['today', '2026-03-10'],
  ['tomorrow', '2026-03-11'],
  ['tmrw', '2026-03-11'],
  ['the day after tomorrow', '2026-03-12'],
  ['next Friday', '2026-03-13'],
  ['on Monday', '2026-03-16'],
  ['Tuesday', '2026-03-17'], // said on a Tuesday: the next one
  ['this Saturday', '2026-03-14'],
  ['friday next week', '2026-03-20'],
  ['next week', '2026-03-17'],
  ['in two weeks', '2026-03-24'],
  ['in 3 days', '2026-03-13'],
  ['in a month', '2026-04-10'],
  ['next month', '2026-04-10'],
  ['within 10 days', '2026-03-20'],
  ["in two weeks' time", '2026-03-24'],
  ['three days from now', '2026-03-13'],
  ['a fortnight', '2026-03-24'],
  ['in thirty days', '2026-04-09'],
  // inside a sentence, times ignored
  ['the hearing is on 31/12', '2026-12-31'],
  ['my court date is April 2nd at 9am', '2026-04-02'],
  ['hearing on 15 March at 10:30', '2026-03-15'],
  ['by 20 April', '2026-04-20'],
  ['the 15th', '2026-03-15'],
  ['on the 3rd', '2026-04-03'],
  ['on the 3rd of next month', '2026-04-03'],
  ['I think it is the 31st', '2026-03-31'],
  ['tomorrow at 3pm', '2026-03-11'],
  ['  31/12  ', '2026-12-31'],
  // impossible
  ['31/02/2026', { impossible: [31, 2, 2026] }],
  ['30/02', { impossible: [30, 2] }],
  ['29/02/2027', { impossible: [29, 2, 2027] }],
  ['29/02', { impossible: [29, 2, 2027] }], // next 29 Feb would be in 2027, which has none
  ['13/13/2026', { impossible: [13, 13, 2026] }],
  ['0/5/2026', { impossible: [0, 5, 2026] }],
  ['32/01', { impossible: [32, 1] }],
  ['February 30', { impossible: [30, 2] }],
  ['31 April 2026', { impossible: [31, 4, 2026] }],
  // past
  ['1/1/2025', { past: '2025-01-01' }],
  ['5 March 2026', { past: '2026-03-05' }],
  ['yesterday', { past: '2026-03-09' }],
  ['last Friday', { past: '2026-03-06' }],
  ['09/03/2026', { past: '2026-03-09' }],
  // unrecognised
  ['none', null],
  ['no deadline', null],
  ['not sure', null],
  ['in 10 business days', null], // working days need the office's holidays
  ['at 10:30', null],
  ['the 2 of us', null],
  ['I may need help', null],
  ['', null],
  ['asap', null],
];

const PT: [string, Expected][] = [
  ['31/12/2026', '2026-12-31'],
  ['31/12', '2026-12-31'],
  ['15/4', '2026-04-15'],
  ['31.12.26', '2026-12-31'],
  ['2026-12-31', '2026-12-31'],
  ['31 de dezembro', '2026-12-31'],
  ['31 dez 2026', '2026-12-31'],
  ['dezembro 31', '2026-12-31'],
  ['31 de dezembro de 2026', '2026-12-31'],
  ['5 de março', '2027-03-05'],
  ['5 de marco', '2027-03-05'],
  ['5 DE MARÇO', '2027-03-05'],
  ['15 de abril', '2026-04-15'],
  ['1º de maio', '2026-05-01'],
  ['primeiro de maio', '2026-05-01'],
  ['vinte e um de abril', '2026-04-21'],
  ['dez de junho', '2026-06-10'], // "dez" the number, not December
  ['quinze de agosto de 2026', '2026-08-15'],
  ['3 fev 2027', '2027-02-03'],
  ['20/set', '2026-09-20'],
  ['hoje', '2026-03-10'],
  ['amanhã', '2026-03-11'],
  ['amanha', '2026-03-11'],
  ['depois de amanhã', '2026-03-12'],
  ['é amanhã de manhã', '2026-03-11'],
  ['sexta-feira', '2026-03-13'],
  ['sexta', '2026-03-13'],
  ['na segunda', '2026-03-16'],
  ['próxima segunda', '2026-03-16'],
  ['segunda que vem', '2026-03-16'],
  ['quinta que vem', '2026-03-12'],
  ['terça', '2026-03-17'],
  ['sábado', '2026-03-14'],
  ['2ª feira', '2026-03-16'],
  ['sexta da semana que vem', '2026-03-20'],
  ['quarta-feira da próxima semana', '2026-03-18'],
  ['semana que vem', '2026-03-17'],
  ['em duas semanas', '2026-03-24'],
  ['daqui a 3 dias', '2026-03-13'],
  ['daqui a dez dias', '2026-03-20'],
  ['em 15 dias', '2026-03-25'],
  ['dentro de 30 dias', '2026-04-09'],
  ['mês que vem', '2026-04-10'],
  ['próximo mês', '2026-04-10'],
  ['daqui a um mês', '2026-04-10'],
  ['15 dias', '2026-03-25'],
  ['tenho audiência dia 15 de janeiro', '2027-01-15'],
  ['a audiência é dia 20', '2026-03-20'],
  ['dia 5', '2026-04-05'],
  ['dia 15 do mês que vem', '2026-04-15'],
  ['audiência 12/04 às 14h', '2026-04-12'],
  ['Audiência: 15/04/2026, 14h30', '2026-04-15'],
  ['a audiência é na segunda', '2026-03-16'],
  // impossible
  ['31/02/2026', { impossible: [31, 2, 2026] }],
  ['31 de fevereiro', { impossible: [31, 2] }],
  ['30/02', { impossible: [30, 2] }],
  ['29 de fevereiro de 2027', { impossible: [29, 2, 2027] }],
  ['15/13/2026', { impossible: [15, 13, 2026] }],
  ['00/12/2026', { impossible: [0, 12, 2026] }],
  ['31 de abril', { impossible: [31, 4] }],
  // past
  ['01/01/2025', { past: '2025-01-01' }],
  ['ontem', { past: '2026-03-09' }],
  ['sexta passada', { past: '2026-03-06' }],
  ['anteontem', { past: '2026-03-08' }],
  ['5 de março de 2026', { past: '2026-03-05' }],
  // unrecognised
  ['não tem', null],
  ['nenhum', null],
  ['a audiência é na segunda vara', null], // a court, not Monday
  ['em 15 dias úteis', null],
  ['processo 0001234-56.2026.8.26.0100', null], // a case number is not a date
  ['R$ 10.50', null],
  ['não sei', null],
  ['10-15 dias', null],
];

const ES: [string, Expected][] = [
  ['31/12/2026', '2026-12-31'],
  ['31-12-2026', '2026-12-31'],
  ['31/12', '2026-12-31'],
  ['2026-12-31', '2026-12-31'],
  ['31.12.26', '2026-12-31'],
  ['el 5 de marzo', '2027-03-05'],
  ['31 de diciembre', '2026-12-31'],
  ['31 dic 2026', '2026-12-31'],
  ['diciembre 31 de 2026', '2026-12-31'],
  ['15 de abril de 2026', '2026-04-15'],
  ['1ro de mayo', '2026-05-01'],
  ['primero de mayo', '2026-05-01'],
  ['quince de agosto', '2026-08-15'],
  ['treinta y uno de diciembre', '2026-12-31'],
  ['veintiuno de junio', '2026-06-21'],
  ['3 de setiembre', '2026-09-03'],
  ['3 de septiembre', '2026-09-03'],
  ['12 ene 2027', '2027-01-12'],
  ['el juicio es el 3 de febrero a las 10h', '2027-02-03'],
  ['a las 5 de la tarde del 12 de abril', '2026-04-12'],
  ['hoy', '2026-03-10'],
  ['mañana', '2026-03-11'],
  ['manana', '2026-03-11'],
  ['pasado mañana', '2026-03-12'],
  ['mañana por la mañana', '2026-03-11'],
  ['el viernes', '2026-03-13'],
  ['el próximo lunes', '2026-03-16'],
  ['el lunes por la mañana', '2026-03-16'], // "mañana" here is the morning
  ['el martes', '2026-03-17'],
  ['miércoles', '2026-03-11'],
  ['el jueves que viene', '2026-03-12'],
  ['el viernes de la semana que viene', '2026-03-20'],
  ['el sábado', '2026-03-14'],
  ['la semana que viene', '2026-03-17'],
  ['la próxima semana', '2026-03-17'],
  ['en dos semanas', '2026-03-24'],
  ['dentro de 10 días', '2026-03-20'],
  ['en 3 días', '2026-03-13'],
  ['en quince días', '2026-03-25'],
  ['en una semana', '2026-03-17'],
  ['el mes que viene', '2026-04-10'],
  ['el próximo mes', '2026-04-10'],
  ['dentro de un mes', '2026-04-10'],
  ['de aquí a 5 días', '2026-03-15'],
  ['el 15', '2026-03-15'],
  ['el día 20', '2026-03-20'],
  ['el 3 del mes que viene', '2026-04-03'],
  ['tengo juicio el 15 de mayo', '2026-05-15'],
  ['la audiencia es el 20/04', '2026-04-20'],
  ['esta noche', '2026-03-10'],
  // impossible
  ['30 de febrero', { impossible: [30, 2] }],
  ['31/02/2026', { impossible: [31, 2, 2026] }],
  ['32/01', { impossible: [32, 1] }],
  ['15/13/2026', { impossible: [15, 13, 2026] }],
  ['31 de junio', { impossible: [31, 6] }],
  ['29/02/2027', { impossible: [29, 2, 2027] }],
  // past
  ['ayer', { past: '2026-03-09' }],
  ['anteayer', { past: '2026-03-08' }],
  ['el viernes pasado', { past: '2026-03-06' }],
  ['1/1/2025', { past: '2025-01-01' }],
  ['5 de marzo de 2026', { past: '2026-03-05' }],
  // unrecognised
  ['ninguno', null],
  ['no tengo', null],
  ['10 días hábiles', null],
  ['no sé', null],
  ['a las 10', null],
];

const MDY: [string, Expected][] = [
  ['12/31/2026', '2026-12-31'],
  ['3/4', '2027-03-04'],
  ['4/3', '2026-04-03'],
  ['the hearing is 04/15/2026', '2026-04-15'],
  ['31/12/2026', { impossible: [12, 31, 2026] }],
  ['02/30/2026', { impossible: [30, 2, 2026] }],
  ['2026-12-31', '2026-12-31'], // ISO reads the same in every order
];

describe('deadline parsing, English (day first)', () => runTable('en', EN));
describe('deadline parsing, Portuguese', () => runTable('pt-BR', PT));
describe('deadline parsing, Spanish', () => runTable('es', ES));
describe('deadline parsing, English (US) month first', () => runTable('en', MDY, 'mdy'));

describe('tables are big enough', () => {
  test('at least 60 cases per language', () => {
    expect(EN.length).toBeGreaterThanOrEqual(60);
    expect(PT.length).toBeGreaterThanOrEqual(60);
    expect(ES.length).toBeGreaterThanOrEqual(60);
  });
});

describe('the office time zone decides what today is', () => {
  // 20:30 on 31 Dec in São Paulo; already 08:30 on 1 Jan in Tokyo
  const now = new Date('2026-12-31T23:30:00Z');
  const at = (text: string, timeZone: string, language = 'pt-BR') => parseDeadline(text, { language, now, timeZone });

  test('today and tomorrow', () => {
    expect(at('hoje', 'America/Sao_Paulo')).toMatchObject({ ok: true, date: '2026-12-31' });
    expect(at('hoje', 'Asia/Tokyo')).toMatchObject({ ok: true, date: '2027-01-01' });
    expect(at('amanhã', 'America/Sao_Paulo')).toMatchObject({ ok: true, date: '2027-01-01' });
    expect(at('tomorrow', 'Asia/Tokyo', 'en')).toMatchObject({ ok: true, date: '2027-01-02' });
  });

  test('a written date is still ahead in one office and past in the other', () => {
    expect(at('31/12/2026', 'America/Sao_Paulo')).toMatchObject({ ok: true, date: '2026-12-31' });
    expect(at('31/12/2026', 'Asia/Tokyo')).toMatchObject({ ok: false, reason: 'past', date: '2026-12-31' });
  });

  test('a date without a year is the next one in the office calendar', () => {
    expect(at('31/12', 'America/Sao_Paulo')).toMatchObject({ ok: true, date: '2026-12-31' });
    expect(at('31/12', 'Asia/Tokyo')).toMatchObject({ ok: true, date: '2027-12-31' });
    expect(at('1/1', 'America/Sao_Paulo')).toMatchObject({ ok: true, date: '2027-01-01' });
    expect(at('1/1', 'Asia/Tokyo')).toMatchObject({ ok: true, date: '2027-01-01' });
  });

  test('weekdays count from the office’s day', () => {
    // Thursday 31 Dec in São Paulo, Friday 1 Jan in Tokyo
    expect(at('sexta', 'America/Sao_Paulo')).toMatchObject({ ok: true, date: '2027-01-01' });
    expect(at('sexta', 'Asia/Tokyo')).toMatchObject({ ok: true, date: '2027-01-08' });
  });

  test('days left', () => {
    expect(daysUntil('2027-01-01', now, 'America/Sao_Paulo')).toBe(1);
    expect(daysUntil('2027-01-01', now, 'Asia/Tokyo')).toBe(0);
    expect(daysUntil('2026-12-25', now, 'Asia/Tokyo')).toBe(-7);
  });
});

describe('days until', () => {
  test('counts calendar days, not 24-hour spans, across a clock change', () => {
    // New York moves its clocks on 8 March 2026
    const now = new Date('2026-03-07T12:00:00Z');
    expect(daysUntil('2026-03-09', now, 'America/New_York')).toBe(2);
    expect(daysUntil('2026-03-07', now, 'America/New_York')).toBe(0);
    expect(daysUntil('2027-03-07', now, 'America/New_York')).toBe(365);
  });
});

describe('properties', () => {
  const days = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
  const validDate = fc
    .record({ y: fc.integer({ min: 2027, max: 2099 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }) })
    .filter(({ y, m, d }) => d <= days(y, m));
  const language = fc.constantFrom('en', 'pt-BR', 'es', 'fr');
  const pad = (n: number, width: boolean) => (width ? String(n).padStart(2, '0') : String(n));
  const iso = (y: number, m: number, d: number) => `${y}-${pad(m, true)}-${pad(d, true)}`;

  test('every valid day/month/year written d/m/y reads as exactly that date', () => {
    fc.assert(
      fc.property(validDate, language, fc.boolean(), ({ y, m, d }, lang, padded) => {
        const text = `${pad(d, padded)}/${pad(m, padded)}/${y}`;
        expect(parseDeadline(text, { language: lang, now: NOW, timeZone: TZ })).toEqual({ ok: true, date: iso(y, m, d), text });
      }),
      { numRuns: 500 },
    );
  });

  test('the 31st of a 30-day month is impossible, with or without a year', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2026, max: 2099 }), fc.constantFrom(4, 6, 9, 11), language, fc.boolean(), (y, m, lang, withYear) => {
        const text = withYear ? `31/${m}/${y}` : `31/${m}`;
        const result = parseDeadline(text, { language: lang, now: NOW, timeZone: TZ });
        expect(result).toMatchObject({ ok: false, reason: 'impossible', day: 31, month: m });
        if (withYear) expect(result).toMatchObject({ year: y });
      }),
      { numRuns: 300 },
    );
  });

  test('a Portuguese or Spanish month name in a sentence reads as the same date', () => {
    const PT_MONTHS = ['janeiro', 'fevereiro', 'março', 'abril', 'maio', 'junho', 'julho', 'agosto', 'setembro', 'outubro', 'novembro', 'dezembro'];
    const ES_MONTHS = ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'];
    fc.assert(
      fc.property(validDate, fc.boolean(), ({ y, m, d }, portuguese) => {
        const text = portuguese
          ? `tenho audiência dia ${d} de ${PT_MONTHS[m - 1]} de ${y} às 14h`
          : `el juicio es el ${d} de ${ES_MONTHS[m - 1]} de ${y} a las 10h`;
        const result = parseDeadline(text, { language: portuguese ? 'pt-BR' : 'es', now: NOW, timeZone: TZ });
        expect(result).toEqual({ ok: true, date: iso(y, m, d), text });
      }),
      { numRuns: 300 },
    );
  });

  test('days until a date read from "in N days" is N', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), (n) => {
        const result = parseDeadline(`in ${n} days`, { language: 'en', now: NOW, timeZone: TZ });
        expect(result.ok).toBe(true);
        if (result.ok) expect(daysUntil(result.date, NOW, TZ)).toBe(n);
      }),
    );
  });
});
